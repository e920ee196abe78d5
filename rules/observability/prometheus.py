"""Prometheus: its config and alert rules mounted where it reads them, retention, and scrape
targets that exist (R11.1-R11.3, and the seam between prometheus.yml and the compose stack)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from auditor.facts.compose import Stack
from auditor.rule import Context, Finding, Severity, register
from rules.observability._base import (
    ObservabilityRule,
    command_option,
    config_document,
    line_of,
    listening_ports,
    mounted_source,
)

DEFAULT_CONFIG = "/etc/prometheus/prometheus.yml"
_PROMETHEUS = "prometheus.yml"

_COMPOSE = """\
services:
  prometheus:
    image: prom/prometheus:v3.5.0
    command:
      - --config.file=/etc/prometheus/prometheus.yml
      - --storage.tsdb.retention.time=30d
    volumes:
      - ./docker/prometheus.yml:/etc/prometheus/prometheus.yml:ro
      - ./docker/alert_rules.yml:/etc/prometheus/alert_rules.yml:ro
"""
_CONFIG = "rule_files:\n  - alert_rules.yml\nscrape_configs:\n  - job_name: prometheus\n" \
    "    static_configs:\n      - targets: [\"localhost:9090\"]\n"
_RULES = "groups:\n  - name: stack\n    rules:\n      - alert: Down\n        expr: up == 0\n"


def prometheus_config(context: Context, stack: Stack):  # type: ignore[no-untyped-def]
    """(service, container path of the config, project path mounted there or None)."""
    service = stack.service(context.expect.prometheus_service)
    if service is None:
        return None
    option, _ = command_option(service, "--config.file")
    container_path = option or DEFAULT_CONFIG
    mounted = mounted_source(stack, service, container_path)
    return service, container_path, mounted


@register
class PrometheusConfigNotMounted(ObservabilityRule):
    """Prometheus does not read the project's `prometheus.yml`.

    ## What it does
    Takes the path Prometheus reads its configuration from (`--config.file`, by default
    `/etc/prometheus/prometheus.yml`) and checks that the compose file bind-mounts a file of
    the project there (`./docker/prometheus.yml`, R11.1) and that the file exists.

    ## Why is this bad?
    Prometheus starts with the image's sample configuration: it scrapes only itself, and the
    API's metrics and every alert silently go missing.

    ## Example
    ```yaml
      prometheus:
        image: prom/prometheus:v3.5.0
        volumes:
          - ./prometheus.yml:/prometheus.yml
    ```

    ## How to fix
    `- ./docker/prometheus.yml:/etc/prometheus/prometheus.yml:ro`.
    """

    code = "OB001"
    name = "prometheus-config-not-mounted"
    summary = "Prometheus does not read the project's prometheus.yml"
    severity = Severity.ERROR
    requirements = ("R11.1",)
    bad_examples = (
        ObservabilityRule.bad(
            {"docker-compose.yml": "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n"}
        ),
        ObservabilityRule.bad(
            {"docker-compose.yml": _COMPOSE, "docker/alert_rules.yml": _RULES}
        ),
    )
    good_examples = (
        ObservabilityRule.good(
            {
                "docker-compose.yml": _COMPOSE,
                "docker/prometheus.yml": _CONFIG,
                "docker/alert_rules.yml": _RULES,
            }
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        found = prometheus_config(context, stack)
        if found is None:
            return
        service, container_path, mounted = found
        if mounted is None:
            where = service.get("volumes").origin if service.get("volumes") else service.key_origin
            yield self.at(
                context, where, f"nothing from the project is mounted at {container_path}, "
                "where Prometheus reads its configuration (R11.1)"
            )
            return
        source, _, node = mounted
        if not context.project.exists(source) or context.project.is_dir(source):
            yield self.at(context, node.origin, f"{source} is mounted as Prometheus' "
                          "configuration but does not exist")


@register
class AlertRulesNotLoaded(ObservabilityRule):
    """Prometheus loads no alert rules, or a rule file it names is not in the container.

    ## What it does
    Reads the `prometheus.yml` mounted into the Prometheus service. Its `rule_files` must name
    the alert rules (R11.2), and each one must be mounted into the container at the path
    Prometheus resolves it to (relative to the config file's folder), from a file that exists.

    ## Why is this bad?
    Prometheus logs "no such file" once at start and then runs without alerts: the API can be
    down for days without anyone being told.

    ## Example
    ```yaml
    # docker/prometheus.yml
    rule_files:
      - alert_rules.yml     # but compose mounts only prometheus.yml
    ```

    ## How to fix
    Mount the rules beside the config:
    `- ./docker/alert_rules.yml:/etc/prometheus/alert_rules.yml:ro`.
    """

    code = "OB002"
    name = "alert-rules-not-loaded"
    summary = "Prometheus loads no alert rules, or a rule file is not mounted"
    severity = Severity.ERROR
    requirements = ("R11.2",)
    bad_examples = (
        ObservabilityRule.bad(
            {
                "docker-compose.yml": _COMPOSE.replace(
                    "      - ./docker/alert_rules.yml:/etc/prometheus/alert_rules.yml:ro\n", ""
                ),
                "docker/prometheus.yml": _CONFIG,
                "docker/alert_rules.yml": _RULES,
            }
        ),
        ObservabilityRule.bad(
            {
                "docker-compose.yml": _COMPOSE,
                "docker/prometheus.yml": "global:\n  scrape_interval: 15s\n",
                "docker/alert_rules.yml": _RULES,
            }
        ),
    )
    good_examples = (
        ObservabilityRule.good(
            {
                "docker-compose.yml": _COMPOSE,
                "docker/prometheus.yml": _CONFIG,
                "docker/alert_rules.yml": _RULES,
            }
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        found = prometheus_config(context, stack)
        if found is None or found[2] is None:
            return
        service, container_path, (source, _, _) = found
        document = config_document(context, source, "prometheus-config")
        if document is None:
            return
        entries = document.tree.get("rule_files")
        if not isinstance(entries, list) or not entries:
            yield self.finding(document, document.line_span(1),
                               "`rule_files` names no alert rules (R11.2)")
            return
        for index, entry in enumerate(entries):
            line = line_of(document, entries, index)
            inside = posixpath.join(posixpath.dirname(container_path), str(entry))
            mounted = mounted_source(stack, service, inside)
            where = service.get("volumes").origin if service.get("volumes") else service.key_origin
            if mounted is None:
                yield self.at(
                    context, where,
                    f"{source}:{line} loads {inside}, which no volume mounts into Prometheus",
                )
                continue
            rule_path, _, node = mounted
            if any(char in rule_path for char in "*?["):
                continue
            if not context.project.exists(rule_path):
                yield self.at(context, node.origin,
                              f"{rule_path}, which {source}:{line} loads, does not exist")
            else:
                context.project.document(rule_path, "prometheus-rules")  # AU001 if it breaks


@register
class PrometheusRetention(ObservabilityRule):
    """Prometheus does not keep 30 days of metrics.

    ## What it does
    Checks that the Prometheus service's command sets
    `--storage.tsdb.retention.time=30d` (R11.3). Without it Prometheus keeps 15 days.

    ## Why is this bad?
    Month-over-month comparisons and incident reviews after a long weekend lack data.

    ## Example
    ```yaml
      prometheus:
        command: ["--config.file=/etc/prometheus/prometheus.yml"]
    ```

    ## How to fix
    Add `--storage.tsdb.retention.time=30d` to the command (keep `--config.file`: a command
    replaces the image's default arguments).
    """

    code = "OB003"
    name = "prometheus-retention"
    summary = "Prometheus does not keep 30 days of data"
    requirements = ("R11.3",)
    bad_examples = (
        ObservabilityRule.bad(
            "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n"
            "    command: [\"--storage.tsdb.retention.time=7d\"]\n"
        ),
        ObservabilityRule.bad("services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n"),
    )
    good_examples = (ObservabilityRule.good(_COMPOSE),)

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        service = stack.service(context.expect.prometheus_service)
        if service is None:
            return
        value, node = command_option(service, "--storage.tsdb.retention.time")
        if value != "30d":
            where = node.origin if node is not None else service.key_origin
            what = f"keeps {value}" if value else "keeps the default 15d"
            yield self.at(context, where, f"Prometheus {what}, not 30d (R11.3)")


@register
class ScrapeTargetUnknown(ObservabilityRule):
    """A Prometheus scrape target names no service of the stack, or a port it does not serve.

    ## What it does
    Reads each `static_configs` target (`host:port`) of the `prometheus.yml` mounted into the
    Prometheus service. The host must be a compose service (or `localhost`, Prometheus
    itself), and the port one that service listens on *inside* the stack: the container
    port, not the published host port (`8080:8000` serves 8000 to Prometheus).

    ## Why is this bad?
    The target is down forever ("no such host" or "connection refused"); the `up == 0` alert
    fires, or worse, nobody notices the API's metrics are missing.

    ## Example
    ```yaml
      - job_name: api
        static_configs:
          - targets: ["api:8080"]    # the service is mami-ai, on 8000
    ```

    ## How to fix
    Name the service as compose does and its container port: `mami-ai:8000`.
    """

    code = "OB004"
    name = "scrape-target-unknown"
    summary = "A scrape target is not a compose service, or not its container port"
    severity = Severity.ERROR
    requirements = ("R11.4",)
    bad_examples = (
        ObservabilityRule.bad(
            {
                "docker-compose.yml": _COMPOSE + "  mami-ai:\n    image: mami-ai:1.0\n"
                "    ports:\n      - \"8080:8000\"\n",
                "docker/prometheus.yml": "scrape_configs:\n  - job_name: api\n"
                "    static_configs:\n      - targets: [\"api:8000\", \"mami-ai:8080\"]\n",
            },
            count=2,
        ),
    )
    good_examples = (
        ObservabilityRule.good(
            {
                "docker-compose.yml": _COMPOSE + "  mami-ai:\n    image: mami-ai:1.0\n"
                "    ports:\n      - \"8080:8000\"\n",
                "docker/prometheus.yml": "scrape_configs:\n  - job_name: api\n"
                "    static_configs:\n      - targets: [\"mami-ai:8000\", \"localhost:9090\"]\n",
            }
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        found = prometheus_config(context, stack)
        if found is None or found[2] is None:
            return
        service, _, (source, _, _) = found
        document = config_document(context, source, "prometheus-config")
        if document is None:
            return
        jobs = document.tree.get("scrape_configs")
        for job in jobs if isinstance(jobs, list) else []:
            statics = job.get("static_configs") if isinstance(job, dict) else None
            for static in statics if isinstance(statics, list) else []:
                targets = static.get("targets") if isinstance(static, dict) else None
                for index, target in enumerate(targets if isinstance(targets, list) else []):
                    problem = self._problem(context, stack, service, str(target))
                    if problem:
                        line = line_of(document, targets, index)
                        yield self.finding(document, document.line_span(line), problem)

    def _problem(self, context: Context, stack: Stack, prometheus, target: str) -> str | None:  # type: ignore[no-untyped-def]
        host, _, port = target.rpartition(":")
        if not host:
            host, port = target, ""
        if host in ("localhost", "127.0.0.1"):
            scraped = prometheus
        else:
            scraped = stack.service(host) or next(
                (s for s in stack.services.values()
                 if host in (s.value("container_name"), s.value("hostname"))),
                None,
            )
            if scraped is None:
                return f"target {target}: `{host}` is not a service of {stack.files[0]}"
        ports = listening_ports(context, scraped)
        if port and ports and port not in ports:
            listed = ", ".join(sorted(ports, key=lambda p: (len(p), p)))
            return (f"target {target}: `{scraped.name}` listens on {listed} inside the stack, "
                    f"not {port}")
        return None
