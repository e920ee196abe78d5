"""Prometheus: its config and alert rules mounted where it reads them, retention, and scrape
targets that exist (R11.1-R11.3, and the seam between prometheus.yml and the compose stack)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import NamedTuple

from auditor.documents.observability import YamlDocument
from auditor.facts.compose import Mount, Node, Service, Stack
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Edit, Finding, Fix, Severity, register
from rules.compose._base import (
    add_mount,
    append_to_block,
    insert_into_service,
    is_image,
    scalar_span,
    scalar_text,
)
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
_CONFIG = (
    "rule_files:\n  - alert_rules.yml\nscrape_configs:\n  - job_name: prometheus\n"
    '    static_configs:\n      - targets: ["localhost:9090"]\n'
)
_RULES = "groups:\n  - name: stack\n    rules:\n      - alert: Down\n        expr: up == 0\n"


class PrometheusConfig(NamedTuple):
    service: Service
    container_path: str  # where Prometheus reads its configuration (--config.file)
    mounted: tuple[str, Mount, Node] | None  # the project file mounted there, if any


class MountedConfig(NamedTuple):
    service: Service
    container_path: str
    document: YamlDocument  # the project's prometheus.yml, parsed


def prometheus_config(context: Context, stack: Stack) -> PrometheusConfig | None:
    """The Prometheus service of the stack and the configuration it reads; None without one."""
    service = stack.service(context.expect.prometheus_service)
    if service is None:
        return None
    option, _ = command_option(service, "--config.file")
    container_path = option or DEFAULT_CONFIG
    mounted = mounted_source(stack, service, container_path)
    return PrometheusConfig(service, container_path, mounted)


def mounted_config(context: Context, stack: Stack) -> MountedConfig | None:
    """The project's prometheus.yml that the stack's Prometheus reads, parsed; None when there
    is no such service, nothing of the project is mounted there, or the file does not parse
    (PrometheusConfigNotMounted and AU001 report those)."""
    found = prometheus_config(context, stack)
    if found is None or found.mounted is None:
        return None
    document = config_document(context, found.mounted[0], "prometheus-config")
    if document is None:
        return None
    return MountedConfig(found.service, found.container_path, document)


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
        ObservabilityRule.bad({"docker-compose.yml": _COMPOSE, "docker/alert_rules.yml": _RULES}),
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
                context,
                where,
                f"nothing from the project is mounted at {container_path}, "
                "where Prometheus reads its configuration (R11.1)",
            )
            return
        source, _, node = mounted
        if not context.project.exists(source) or context.project.is_dir(source):
            yield self.at(
                context,
                node.origin,
                f"{source} is mounted as Prometheus' configuration but does not exist",
            )


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

    The fix adds that mount when the rule file exists on the host beside the mounted
    `prometheus.yml`, under the name the config gives it. It is unsafe: Prometheus then
    evaluates the rules and their alerts fire. A rule file that is nowhere on the host, or a
    glob, is left to the user (write the rules, or fix the name in `rule_files`).
    """

    code = "OB002"
    name = "alert-rules-not-loaded"
    summary = "Prometheus loads no alert rules, or a rule file is not mounted"
    severity = Severity.ERROR
    requirements = ("R11.2",)
    fixable = True
    bad_examples = (
        ObservabilityRule.bad(
            {
                "docker-compose.yml": _COMPOSE.replace(
                    "      - ./docker/alert_rules.yml:/etc/prometheus/alert_rules.yml:ro\n", ""
                ),
                "docker/prometheus.yml": _CONFIG,
                "docker/alert_rules.yml": _RULES,
            },
            {"docker-compose.yml": _COMPOSE},
            unsafe=True,
        ),
        ObservabilityRule.bad(
            {
                "docker-compose.yml": _COMPOSE.replace(
                    "      - ./docker/alert_rules.yml:/etc/prometheus/alert_rules.yml:ro\n", ""
                ),
                "docker/prometheus.yml": _CONFIG,
            },
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
        found = mounted_config(context, stack)
        if found is None:
            return
        service, container_path, document = found
        source = document.path
        entries = document.tree.get("rule_files")
        if not isinstance(entries, list) or not entries:
            yield self.finding(
                document, document.line_span(1), "`rule_files` names no alert rules (R11.2)"
            )
            return
        for index, entry in enumerate(entries):
            line = line_of(document, entries, index)
            inside = posixpath.join(posixpath.dirname(container_path), str(entry))
            mounted = mounted_source(stack, service, inside)
            where = service.get("volumes").origin if service.get("volumes") else service.key_origin
            if mounted is None:
                yield self.at(
                    context,
                    where,
                    f"{source}:{line} loads {inside}, which no volume mounts into Prometheus",
                    self._mount_fix(context, stack, service, source, str(entry), inside),
                )
                continue
            rule_path, _, node = mounted
            if any(char in rule_path for char in "*?["):
                continue
            if not context.project.exists(rule_path):
                yield self.at(
                    context,
                    node.origin,
                    f"{rule_path}, which {source}:{line} loads, does not exist",
                )
            else:
                context.project.document(rule_path, "prometheus-rules")  # AU001 if it breaks

    def _mount_fix(
        self, context: Context, stack: Stack, service: Service, source: str, entry: str, inside: str
    ) -> Fix | None:
        """Mount the rule file that sits beside the mounted prometheus.yml on the host, as the
        config names it; None when there is no such file (then which file is meant is a guess)."""
        if any(char in entry for char in "*?[") or entry.startswith("/"):
            return None
        host = posixpath.normpath(posixpath.join(posixpath.dirname(source), entry))
        if host.startswith("../") or not context.project.exists(host):
            return None
        relative = posixpath.relpath(host, stack.folder or ".")
        if relative.startswith("../"):
            return None
        edit = add_mount(context, service, f"./{relative}:{inside}:ro")
        # Unsafe: Prometheus then evaluates these rules, and their alerts start firing.
        return Fix.unsafe(f"Mount ./{relative} on {inside}", edit) if edit else None


@register
class PrometheusRetention(ObservabilityRule):
    """Prometheus does not keep 30 days of metrics.

    ## What it does
    Checks that the Prometheus service's command sets
    `--storage.tsdb.retention.time` to `prometheus-retention` (30d, R11.3). Without it
    Prometheus keeps 15 days.

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

    The fix (unsafe: Prometheus then keeps more data on its volume) sets the flag in a
    command written as a block list (`- --flag=value` items), and gives the official
    `prom/prometheus` image without a command the image's own arguments
    (`--config.file=/etc/prometheus/prometheus.yml`, `--storage.tsdb.path=/prometheus`) plus
    the flag. A command in another shape, or another image, is left to the user.
    """

    code = "OB003"
    name = "prometheus-retention"
    summary = "Prometheus does not keep 30 days of data"
    requirements = ("R11.3",)
    fixable = True
    bad_examples = (
        ObservabilityRule.bad(
            "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n"
            '    command: ["--storage.tsdb.retention.time=7d"]\n'
        ),
        ObservabilityRule.bad(
            "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0 # metrics\n",
            "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0 # metrics\n"
            "    command:\n      - --config.file=/etc/prometheus/prometheus.yml\n"
            "      - --storage.tsdb.path=/prometheus\n"
            "      - --storage.tsdb.retention.time=30d\n",
            unsafe=True,
        ),
        ObservabilityRule.bad(
            "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n    command:\n"
            "      - --config.file=/etc/prometheus/prometheus.yml\n"
            "      - --storage.tsdb.retention.time=7d\n",
            "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n    command:\n"
            "      - --config.file=/etc/prometheus/prometheus.yml\n"
            "      - --storage.tsdb.retention.time=30d\n",
            unsafe=True,
        ),
        ObservabilityRule.bad(
            "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n    command:\n"
            "      - --config.file=/etc/prometheus/prometheus.yml\n",
            "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n    command:\n"
            "      - --config.file=/etc/prometheus/prometheus.yml\n"
            "      - --storage.tsdb.retention.time=30d\n",
            unsafe=True,
        ),
    )
    good_examples = (
        ObservabilityRule.good(_COMPOSE),
        ObservabilityRule.good(
            "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n"
            '    command: ["--storage.tsdb.retention.time", "12w"]\n',
            config={"expect": {"prometheus-retention": "12w"}},
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        service = stack.service(context.expect.prometheus_service)
        if service is None:
            return
        value, node = command_option(service, "--storage.tsdb.retention.time")
        wanted = context.expect.prometheus_retention
        if value != wanted:
            where = node.origin if node is not None else service.key_origin
            what = f"keeps {value}" if value else "keeps the default 15d"
            yield self.at(
                context,
                where,
                f"Prometheus {what}, not {wanted} (R11.3)",
                self._fix(context, service, wanted),
            )

    _FLAG = "--storage.tsdb.retention.time"
    # The arguments of the official image's CMD that a command replaces, those 2.x and 3.x
    # share (2.x's console-template flags are left out: the 3.x image dropped them).
    _IMAGE_ARGUMENTS = (
        "--config.file=/etc/prometheus/prometheus.yml",
        "--storage.tsdb.path=/prometheus",
    )

    def _fix(self, context: Context, service: Service, wanted: str) -> Fix | None:
        command = service.get("command")
        option = f"{self._FLAG}={wanted}"
        message = f"Set `{option}` in Prometheus' command"
        if command is None:
            if not is_image(service, "prometheus") or service.get("entrypoint") is not None:
                return None
            lines = ["command:", *(f"  - {a}" for a in (*self._IMAGE_ARGUMENTS, option))]
            edit = insert_into_service(context, service, lines)
            # Unsafe: Prometheus then keeps more data on its volume.
            return Fix.unsafe(message, edit) if edit else None
        if not command.is_list or command.interpolated:
            return None
        document = context.project.text_document(command.origin.path)
        if document is None:
            return None
        items = [str(item.value) for item in command.value]
        if any(item == self._FLAG for item in items):
            return None  # `--flag value` in two items: not ours to rewrite
        for item in command.value:
            if str(item.value).startswith(self._FLAG + "="):
                span = scalar_span(document.lines, item.origin.line, item.origin.column)
                text = scalar_text(context, item.origin.path, span) if span else ""
                if span is None or text != str(item.value):
                    return None
                return Fix.unsafe(message, Edit.replace(item.origin.path, span, option))
        edit = append_to_block(context, command.origin, [f"- {option}"])
        return Fix.unsafe(message, edit) if edit else None


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
                '    ports:\n      - "8080:8000"\n',
                "docker/prometheus.yml": "scrape_configs:\n  - job_name: api\n"
                '    static_configs:\n      - targets: ["api:8000", "mami-ai:8080"]\n',
            },
            count=2,
        ),
    )
    good_examples = (
        ObservabilityRule.good(
            {
                "docker-compose.yml": _COMPOSE + "  mami-ai:\n    image: mami-ai:1.0\n"
                '    ports:\n      - "8080:8000"\n',
                "docker/prometheus.yml": "scrape_configs:\n  - job_name: api\n"
                '    static_configs:\n      - targets: ["mami-ai:8000", "localhost:9090"]\n',
            }
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        found = mounted_config(context, stack)
        if found is None:
            return
        service, document = found.service, found.document
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
                (
                    s
                    for s in stack.services.values()
                    if host in (s.value("container_name"), s.value("hostname"))
                ),
                None,
            )
            if scraped is None:
                return f"target {target}: `{host}` is not a service of {stack.files[0]}"
        ports = listening_ports(context, scraped)
        if port and ports and port not in ports:
            listed = ", ".join(sorted(ports, key=lambda p: (len(p), p)))
            return (
                f"target {target}: `{scraped.name}` listens on {listed} inside the stack, "
                f"not {port}"
            )
        return None


@register
class MetricsPathMissing(ObservabilityRule):
    """Prometheus scrapes the API on a path the app does not serve.

    ## What it does
    For each scrape job whose targets include the API service, takes its `metrics_path`
    (default `/metrics`) and looks it up in the routes the FastAPI app defines (including
    prometheus-fastapi-instrumentator's `.expose()`), as the PS family reads them (R11.4).
    Silent when the routes cannot be known statically.

    ## Why is this bad?
    The target is "down" with 404 and no API metric is ever stored; dashboards and alerts on
    the API stay empty.

    ## Example
    ```yaml
      - job_name: mami-ai
        metrics_path: /prometheus
        static_configs:
          - targets: ["mami-ai:8000"]
    ```

    ## How to fix
    Use the path the app exposes (`/metrics`), or expose it there.
    """

    code = "OB008"
    name = "metrics-path-missing"
    summary = "Prometheus scrapes the API on a path the app does not serve"
    severity = Severity.ERROR
    requirements = ("R11.4",)
    _APP = (
        "from fastapi import FastAPI\n"
        "from prometheus_fastapi_instrumentator import Instrumentator\n\n"
        "app = FastAPI()\nInstrumentator().instrument(app).expose(app)\n"
    )
    _COMPOSE_API = _COMPOSE + "  mami-ai:\n    image: mami-ai:1.0\n"
    bad_examples = (
        ObservabilityRule.bad(
            {
                "docker-compose.yml": _COMPOSE_API,
                "docker/prometheus.yml": "scrape_configs:\n  - job_name: api\n"
                "    metrics_path: /prometheus\n"
                '    static_configs:\n      - targets: ["mami-ai:8000"]\n',
                "app/main.py": _APP,
            }
        ),
    )
    good_examples = (
        ObservabilityRule.good(
            {
                "docker-compose.yml": _COMPOSE_API,
                "docker/prometheus.yml": "scrape_configs:\n  - job_name: api\n"
                '    static_configs:\n      - targets: ["mami-ai:8000"]\n',
                "app/main.py": _APP,
            }
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        found = mounted_config(context, stack) if stack.folder == "" else None
        if found is None:
            return
        document = found.document
        from auditor.facts.routes import route_facts

        routes = route_facts(context.project)
        if not routes.complete or not routes.apps:
            return
        api = context.expect.api_service
        jobs = document.tree.get("scrape_configs")
        for job in jobs if isinstance(jobs, list) else []:
            if not isinstance(job, dict) or not self._scrapes(job, api):
                continue
            path = str(job.get("metrics_path") or "/metrics")
            if routes.serves(path) is None:
                key = "metrics_path" if "metrics_path" in job else "job_name"
                line = line_of(document, job, key)
                yield self.finding(
                    document,
                    document.line_span(line),
                    f"job {job.get('job_name')!r} scrapes {path} on `{api}`, which the app does "
                    "not serve",
                )

    @staticmethod
    def _scrapes(job: dict, service: str) -> bool:  # type: ignore[type-arg]
        for static in job.get("static_configs") or []:
            for target in (static.get("targets") or []) if isinstance(static, dict) else []:
                if str(target).rpartition(":")[0] == service:
                    return True
        return False


_JOB_MATCHER = LazyPattern(r"""\bjob\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@register
class AlertJobUnknown(ObservabilityRule):
    """An alert rule selects a scrape job that the Prometheus config does not define.

    ## What it does
    Reads the rule files the mounted `prometheus.yml` loads and, in each rule's `expr`, the
    exact job matchers (`job="mami-ai"`). Each job must be the `job_name` of a scrape config;
    regex matchers (`job=~"..."`) are left alone.

    ## Why is this bad?
    After a job is renamed, `up{job="old-name"} == 0` selects nothing and never fires: the
    alert that should wake someone when the API is down is silently dead.

    ## Example
    ```yaml
    # docker/alert_rules.yml
          - alert: ApiDown
            expr: up{job="mami-api"} == 0    # the job is `mami-ai`
    ```

    ## How to fix
    Use the job name of `scrape_configs`, or rename the job back.
    """

    code = "OB009"
    name = "alert-job-unknown"
    summary = "An alert rule selects a job no scrape config defines"
    severity = Severity.ERROR
    requirements = ("R11.2",)
    _FILES = {
        "docker-compose.yml": _COMPOSE,
        "docker/prometheus.yml": "rule_files:\n  - alert_rules.yml\nscrape_configs:\n"
        '  - job_name: mami-ai\n    static_configs:\n      - targets: ["mami-ai:8000"]\n',
    }
    bad_examples = (
        ObservabilityRule.bad(
            {
                **_FILES,
                "docker/alert_rules.yml": "groups:\n  - name: api\n    rules:\n"
                '      - alert: ApiDown\n        expr: up{job="mami-api"} == 0\n',
            }
        ),
    )
    good_examples = (
        ObservabilityRule.good(
            {
                **_FILES,
                "docker/alert_rules.yml": "groups:\n  - name: api\n    rules:\n"
                "      - alert: ApiDown\n        expr: up{job='mami-ai'} == 0\n"
                '      - alert: AnyDown\n        expr: up{job=~"mami-.*"} == 0\n',
            }
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        found = mounted_config(context, stack)
        if found is None:
            return
        service, container_path, config = found
        jobs = config.tree.get("scrape_configs")
        names = {
            str(job.get("job_name"))
            for job in (jobs if isinstance(jobs, list) else [])
            if isinstance(job, dict)
        }
        entries = config.tree.get("rule_files")
        for entry in entries if isinstance(entries, list) else []:
            inside = posixpath.join(posixpath.dirname(container_path), str(entry))
            mounted = mounted_source(stack, service, inside)
            if mounted is None:
                continue  # OB002 reports it
            rules_file = config_document(context, mounted[0], "prometheus-rules")
            if rules_file is not None:
                yield from self._check_rules(rules_file, names, config.path)

    def _check_rules(self, document, names: set[str], config_path: str) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
        groups = document.tree.get("groups")
        for group in groups if isinstance(groups, list) else []:
            rules = group.get("rules") if isinstance(group, dict) else None
            for rule in rules if isinstance(rules, list) else []:
                expr = rule.get("expr") if isinstance(rule, dict) else None
                if not isinstance(expr, str):
                    continue
                for match in _JOB_MATCHER.finditer(expr):
                    job = match.group(1) if match.group(1) is not None else match.group(2)
                    if job in names:
                        continue
                    line = line_of(document, rule, "expr")
                    yield self.finding(
                        document,
                        document.line_span(line),
                        f"`{rule.get('alert') or rule.get('record')}` selects job {job!r}, "
                        f"which {config_path} does not scrape (jobs: "
                        f"{', '.join(sorted(names)) or 'none'})",
                    )
