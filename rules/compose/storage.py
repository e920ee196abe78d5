"""Bind mounts and named volumes that survive `docker compose down` (R5)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts.compose import Stack
from auditor.rule import Context, Finding, register
from rules.compose._base import ComposeRule


@register
class PersistentVolumes(ComposeRule):
    """Logs or the stores of Elasticsearch, Prometheus or Grafana do not survive the container.

    ## What it does
    Checks the default stack: the API mounts `./logs` on `logs-dir` (R5.1), and Elasticsearch
    (`/usr/share/elasticsearch/data`), Prometheus (`/prometheus`) and Grafana
    (`/var/lib/grafana`) keep their data in the named volumes `elasticsearch_data`,
    `prometheus_data` and `grafana_data` declared at the top level (R5.2-R5.5). An anonymous
    volume there does not count: `docker compose down -v` or a new container loses it.

    ## Why is this bad?
    Indexed logs, 30 days of metrics and every dashboard edit vanish when the container is
    recreated.

    ## Example
    ```yaml
      prometheus:
        image: prom/prometheus:v3.5.0
    ```

    ## How to fix
    ```yaml
        volumes:
          - prometheus_data:/prometheus
    volumes:
      prometheus_data:
    ```
    """

    code = "CP014"
    name = "data-not-persisted"
    summary = "Logs or the ES/Prometheus/Grafana data are not in the expected volumes"
    requirements = ("R5.1", "R5.2", "R5.3", "R5.4", "R5.5")
    bad_examples = (
        ComposeRule.bad("services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n"),
        ComposeRule.bad(
            "services:\n  grafana:\n    image: grafana/grafana:12.1.1\n    volumes:\n"
            "      - /var/lib/grafana\n"
        ),
    )
    good_examples = (
        ComposeRule.good(
            "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n    volumes:\n"
            "      - prometheus_data:/prometheus\nvolumes:\n  prometheus_data:\n"
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        expect = context.expect
        wanted = {
            expect.elasticsearch_service: (
                "elasticsearch_data",
                "/usr/share/elasticsearch/data",
                "R5.2",
            ),
            expect.prometheus_service: ("prometheus_data", "/prometheus", "R5.3"),
            expect.grafana_service: ("grafana_data", "/var/lib/grafana", "R5.4"),
        }
        declared = stack.section("volumes")
        for name, (volume, target, criterion) in wanted.items():
            service = stack.service(name)
            if service is None:
                continue
            where = service.get("volumes").origin if service.get("volumes") else service.key_origin
            mounted = [m for m, _ in service.mounts() if m.target.rstrip("/") == target]
            if not any(m.type == "volume" and m.source == volume for m in mounted):
                yield self.at(
                    context,
                    where,
                    f"`{name}` keeps {target} outside the named volume `{volume}` ({criterion})",
                )
            elif volume not in declared:
                yield self.at(
                    context,
                    where,
                    f"the named volume `{volume}` is not declared under the "
                    "top-level `volumes` (R5.5)",
                )
        api = stack.service(expect.api_service)
        if api is not None:
            logs = expect.logs_dir.rstrip("/")
            if not any(m.type == "bind" and m.target.rstrip("/") == logs for m, _ in api.mounts()):
                where = api.get("volumes").origin if api.get("volumes") else api.key_origin
                yield self.at(
                    context, where, f"`{api.name}` does not bind-mount ./logs on {logs} (R5.1)"
                )
