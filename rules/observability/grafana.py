"""Grafana: provisioning mounted, a Prometheus data source that names a service, and no
admin/admin in production (R12.1-R12.3, and the seam between the data sources and compose)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from auditor.facts.compose import Stack
from auditor.rule import Context, Finding, Severity, register
from rules.observability._base import (
    ObservabilityRule,
    config_document,
    line_of,
    listening_ports,
    mounted_source,
)

PROVISIONING = "/etc/grafana/provisioning"

_COMPOSE = """\
services:
  prometheus:
    image: prom/prometheus:v3.5.0
  grafana:
    image: grafana/grafana:12.1.1
    volumes:
      - ./docker/grafana/provisioning:/etc/grafana/provisioning:ro
"""
_DATASOURCES = """\
apiVersion: 1
datasources:
  - name: Prometheus
    type: prometheus
    url: http://prometheus:9090
"""
_DATASOURCE_PATH = "docker/grafana/provisioning/datasources/datasources.yml"


def provisioning_folder(context: Context, stack: Stack):  # type: ignore[no-untyped-def]
    service = stack.service(context.expect.grafana_service)
    if service is None:
        return None
    return service, mounted_source(stack, service, PROVISIONING)


@register
class GrafanaProvisioningNotMounted(ObservabilityRule):
    """Grafana does not read the project's provisioning folder.

    ## What it does
    Checks that the Grafana service bind-mounts a folder of the project at
    `/etc/grafana/provisioning` (`./docker/grafana/provisioning`, R12.2) and that it exists.

    ## Why is this bad?
    Grafana starts empty: no data source, no dashboard, and whatever someone clicks together
    is lost with the volume.

    ## Example
    ```yaml
      grafana:
        image: grafana/grafana:12.1.1
    ```

    ## How to fix
    `- ./docker/grafana/provisioning:/etc/grafana/provisioning:ro`.
    """

    code = "OB005"
    name = "grafana-provisioning-not-mounted"
    summary = "Grafana does not read the project's provisioning folder"
    requirements = ("R12.2",)
    bad_examples = (
        ObservabilityRule.bad("services:\n  grafana:\n    image: grafana/grafana:12.1.1\n"),
        ObservabilityRule.bad(_COMPOSE),
    )
    good_examples = (
        ObservabilityRule.good({"docker-compose.yml": _COMPOSE, _DATASOURCE_PATH: _DATASOURCES}),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        found = provisioning_folder(context, stack)
        if found is None:
            return
        service, mounted = found
        if mounted is None:
            where = service.get("volumes").origin if service.get("volumes") else service.key_origin
            yield self.at(
                context, where, f"nothing from the project is mounted at {PROVISIONING} (R12.2)"
            )
        elif not context.project.is_dir(mounted[0]):
            yield self.at(
                context,
                mounted[2].origin,
                f"{mounted[0]} is mounted as Grafana's provisioning but is not a folder here",
            )


@register
class GrafanaDatasource(ObservabilityRule):
    """Grafana has no Prometheus data source, or a data source URL names no service.

    ## What it does
    Reads the data source files in the provisioning folder mounted into Grafana
    (`datasources/*.yml`): one must be of type `prometheus` (R12.3), and each data source's
    URL host must be a compose service (or an outside address), on a port that service listens
    on inside the stack.

    ## Why is this bad?
    Every dashboard shows "No data" or "Bad Gateway"; `localhost` inside the Grafana
    container is Grafana itself.

    ## Example
    ```yaml
    datasources:
      - name: Prometheus
        type: prometheus
        url: http://localhost:9090
    ```

    ## How to fix
    `url: http://prometheus:9090` — the service name and its container port.
    """

    code = "OB006"
    name = "grafana-datasource"
    summary = "No Prometheus data source, or a data source URL that names no service"
    severity = Severity.ERROR
    requirements = ("R12.3",)
    bad_examples = (
        ObservabilityRule.bad(
            {
                "docker-compose.yml": _COMPOSE,
                _DATASOURCE_PATH: _DATASOURCES.replace("prometheus:9090", "localhost:9090"),
            }
        ),
        ObservabilityRule.bad(
            {
                "docker-compose.yml": _COMPOSE,
                _DATASOURCE_PATH: "apiVersion: 1\ndatasources:\n  - name: Logs\n"
                "    type: elasticsearch\n    url: http://elasticsearch:9200\n",
            },
            count=2,
        ),
    )
    good_examples = (
        ObservabilityRule.good({"docker-compose.yml": _COMPOSE, _DATASOURCE_PATH: _DATASOURCES}),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        found = provisioning_folder(context, stack)
        if found is None or found[1] is None:
            return
        grafana, (folder, _, node) = found
        prefix = folder.rstrip("/") + "/datasources/"
        documents = []
        for path in context.project.files():
            if path.startswith(prefix) and path.endswith((".yml", ".yaml")):
                document = config_document(context, path, "grafana-provisioning")
                if document is not None:
                    documents.append(document)
        has_prometheus = False
        for document in documents:
            sources = document.tree.get("datasources")
            for source in sources if isinstance(sources, list) else []:
                if not isinstance(source, dict):
                    continue
                has_prometheus |= str(source.get("type", "")) == "prometheus"
                url = source.get("url")
                if not url:
                    continue
                problem = self._problem(context, stack, grafana, str(url))
                if problem:
                    line = line_of(document, source, "url")
                    yield self.finding(document, document.line_span(line), problem)
        if not has_prometheus:
            yield self.at(
                context, node.origin, f"no data source of type prometheus under {prefix} (R12.3)"
            )

    def _problem(self, context: Context, stack: Stack, grafana, url: str) -> str | None:  # type: ignore[no-untyped-def]
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
            port_number = parts.port
        except ValueError:
            return f"data source URL {url} is not a valid URL"
        if "$" in url or not host:
            return None
        if host in ("localhost", "127.0.0.1"):
            return f"data source URL {url} is Grafana's own container; name the service instead"
        service = stack.service(host)
        if service is None:
            if "." in host:
                return None  # an outside address
            return f"data source URL {url}: `{host}` is not a service of {stack.files[0]}"
        port = str(port_number or (443 if parts.scheme == "https" else 80))
        ports = listening_ports(context, service)
        if ports and port not in ports:
            return (
                f"data source URL {url}: `{host}` listens on {', '.join(sorted(ports))}, not {port}"
            )
        return None


@register
class GrafanaAdminPassword(ObservabilityRule):
    """Grafana keeps the admin/admin login in a production stack.

    ## What it does
    In each stack built with an override such as `docker-compose.prod.yml`, resolves
    `GF_SECURITY_ADMIN_PASSWORD` (with `.env.example`'s values, as Compose would with the
    default `.env`): unset, `admin` or a `${VAR:-admin}` default is reported. Development keeps
    admin/admin as R12.1 asks.

    ## Why is this bad?
    admin/admin is the first thing scanners try; Grafana holds data source credentials.

    ## Example
    ```yaml
    # docker-compose.prod.yml
    services:
      grafana:
        environment:
          GF_SECURITY_ADMIN_PASSWORD: ${GRAFANA_ADMIN_PASSWORD:-admin}
    ```

    ## How to fix
    Require it: `${GRAFANA_ADMIN_PASSWORD:?set GRAFANA_ADMIN_PASSWORD in .env}`.
    """

    code = "OB007"
    name = "grafana-admin-password"
    summary = "Grafana keeps admin/admin in production"
    severity = Severity.ERROR
    requirements = ("R12.1",)
    stacks = "variants"
    bad_examples = (
        ObservabilityRule.bad(
            {
                "docker-compose.yml": "services:\n  grafana:\n    image: grafana/grafana:12.1.1\n"
                "    environment:\n"
                "      GF_SECURITY_ADMIN_PASSWORD: ${GRAFANA_ADMIN_PASSWORD:-admin}\n",
                "docker-compose.prod.yml": "services:\n  grafana:\n    restart: always\n",
            }
        ),
    )
    good_examples = (
        ObservabilityRule.good(
            {
                "docker-compose.yml": "services:\n  grafana:\n    image: grafana/grafana:12.1.1\n"
                "    environment:\n"
                "      GF_SECURITY_ADMIN_PASSWORD: ${GRAFANA_ADMIN_PASSWORD:-admin}\n",
                "docker-compose.prod.yml": "services:\n  grafana:\n    environment:\n"
                "      GF_SECURITY_ADMIN_PASSWORD: ${GRAFANA_ADMIN_PASSWORD:?set it}\n",
            }
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        service = stack.service(context.expect.grafana_service)
        if service is None:
            return
        node = service.mapping("environment").get("GF_SECURITY_ADMIN_PASSWORD")
        if node is None:
            if not service.env_files():
                yield self.at(
                    context,
                    service.key_origin,
                    f"Grafana has no admin password in "
                    f"the `{stack.name}` stack: it keeps admin/admin",
                )
            return
        if node.value is not None and str(node.value) in ("admin", ""):
            yield self.at(
                context,
                node.origin,
                f"Grafana's admin password is "
                f"{'admin' if node.value else 'empty'} in the `{stack.name}` stack",
            )
