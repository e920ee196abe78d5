"""Bind mounts and named volumes that survive `docker compose down` (R5)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts.compose import Service, Stack
from auditor.rule import Context, Finding, Fix, register
from rules.compose._base import ComposeRule, add_mount, declare_volume, joined


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
    The fix does this when nothing is mounted at the data folder yet: it adds the mount (and
    `./logs:/app/logs` on the API) and declares the volume. It is unsafe: the container then
    starts on an empty volume or the host folder, not on the data it has now (copy that out
    first with `docker compose cp`). A mount already there (an anonymous volume, another
    name) is left to the user, who knows where the data is. A volume mounted but not declared
    gets its declaration (safe: Compose refuses the file without it).
    """

    code = "CP014"
    name = "data-not-persisted"
    summary = "Logs or the ES/Prometheus/Grafana data are not in the expected volumes"
    requirements = ("R5.1", "R5.2", "R5.3", "R5.4", "R5.5")
    fixable = True
    bad_examples = (
        ComposeRule.bad(
            "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n",
            "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n    volumes:\n"
            "      - prometheus_data:/prometheus\n\nvolumes:\n  prometheus_data:\n",
            unsafe=True,
        ),
        ComposeRule.bad(
            "services:\n  grafana:\n    image: grafana/grafana:12.1.1\n    volumes:\n"
            "      - /var/lib/grafana\n"
        ),
        ComposeRule.bad(
            "services:\n  mami-ai:\n    build: .\n    volumes:\n      - ./data:/app/data\n"
            "  elasticsearch:\n    image: elasticsearch:8.19.13\n    volumes:\n"
            "      - es_data:/usr/share/elasticsearch/data  # old name\n"
            "volumes:\n  es_data: {}\n",
            "services:\n  mami-ai:\n    build: .\n    volumes:\n      - ./data:/app/data\n"
            "      - ./logs:/app/logs\n"
            "  elasticsearch:\n    image: elasticsearch:8.19.13\n    volumes:\n"
            "      - es_data:/usr/share/elasticsearch/data  # old name\n"
            "volumes:\n  es_data: {}\n",
            count=2,
            unsafe=True,
        ),
        ComposeRule.bad(
            "services:\n  grafana:\n    image: grafana/grafana:12.1.1\n    volumes:\n"
            "      - grafana_data:/var/lib/grafana\nvolumes:\n  other:\n",
            "services:\n  grafana:\n    image: grafana/grafana:12.1.1\n    volumes:\n"
            "      - grafana_data:/var/lib/grafana\nvolumes:\n  other:\n  grafana_data:\n",
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
                fix = None
                if not mounted:
                    fix = self._volume_fix(context, service, volume, target, volume in declared)
                yield self.at(
                    context,
                    where,
                    f"`{name}` keeps {target} outside the named volume `{volume}` ({criterion})",
                    fix,
                )
            elif volume not in declared:
                edit = declare_volume(context, where.path, volume)
                yield self.at(
                    context,
                    where,
                    f"the named volume `{volume}` is not declared under the "
                    "top-level `volumes` (R5.5)",
                    Fix.safe(f"Declare the volume `{volume}`", edit) if edit else None,
                )
        api = stack.service(expect.api_service)
        if api is not None:
            logs = expect.logs_dir.rstrip("/")
            at_logs = [m for m, _ in api.mounts() if m.target.rstrip("/") == logs]
            if not any(m.type == "bind" for m in at_logs):
                where = api.get("volumes").origin if api.get("volumes") else api.key_origin
                edit = None if at_logs else add_mount(context, api, f"./logs:{logs}")
                # Unsafe: the logs the container wrote so far stay in it, the mount hides them.
                fix = Fix.unsafe(f"Bind-mount ./logs on {logs}", edit) if edit else None
                yield self.at(
                    context, where, f"`{api.name}` does not bind-mount ./logs on {logs} (R5.1)", fix
                )

    def _volume_fix(
        self, context: Context, service: Service, volume: str, target: str, declared: bool
    ) -> Fix | None:
        mount = add_mount(context, service, f"{volume}:{target}")
        if mount is None:
            return None
        edits = [mount]
        if not declared:
            declaration = declare_volume(context, mount.path, volume)
            if declaration is None:
                return None
            edits.append(declaration)
        # Unsafe: the service starts on the new, empty volume, not on the data it has now.
        return Fix.unsafe(f"Keep {target} in the named volume `{volume}`", *joined(*edits))
