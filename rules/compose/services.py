"""The services, the network they share and the ports they publish (R3, R6)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts.compose import Port, Service, Stack
from auditor.rule import Context, Edit, Finding, Fix, Severity, Span, register
from rules.compose._base import (
    ComposeRule,
    append_to_block,
    append_top_level,
    insert_into_service,
    is_image,
    scalar_span,
    scalar_text,
)

_STACK = """\
services:
  mami-ai:
    image: mami-ai:1.0
  mami-worker:
    image: mami-ai:1.0
  mami-ui:
    image: mami-ui:1.0
  elasticsearch:
    image: docker.elastic.co/elasticsearch/elasticsearch:8.19.13
  prometheus:
    image: prom/prometheus:v3.5.0
  grafana:
    image: grafana/grafana:12.1.1
"""


def spec_services(context: Context) -> tuple[str, ...]:
    expect = context.expect
    return (
        expect.api_service,
        expect.worker_service,
        expect.ui_service,
        expect.elasticsearch_service,
        expect.prometheus_service,
        expect.grafana_service,
    )


@register
class MissingService(ComposeRule):
    """A service the stack must run is not defined.

    ## What it does
    Checks that the stack `docker compose up` starts defines the six services of R3.1:
    the API, the worker, the UI, Elasticsearch, Prometheus and Grafana (names from
    `[tool.mami-audit.expect]`: `api-service`, `worker-service`, ...).

    ## Why is this bad?
    The other services find each other by these names (`http://mami-ai:8000`); a renamed or
    missing service breaks them at run time, not at start.

    ## Example
    ```yaml
    services:
      api:
        build: .
    ```

    ## How to fix
    Define every service under the expected name, or set the names your project uses in
    `[tool.mami-audit.expect]`.
    """

    code = "CP003"
    name = "missing-service"
    summary = "A service R3.1 names is not defined in the stack"
    severity = Severity.ERROR
    requirements = ("R3.1",)
    bad_examples = (ComposeRule.bad("services:\n  api:\n    image: mami-ai:1.0\n", count=6),)
    good_examples = (ComposeRule.good(_STACK),)

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        where = stack.top.get("services")
        origin = stack.services[next(iter(stack.services))].key_origin if stack.services else None
        for name in spec_services(context):
            if name not in stack.services:
                place = origin or (where.origin if where else None)
                if place is None:
                    from auditor.facts.compose import Origin

                    place = Origin(stack.files[0], 1)
                yield self.at(context, place, f"service `{name}` is not defined (R3.1)")


@register
class MissingNetwork(ComposeRule):
    """The services are not on the expected bridge network.

    ## What it does
    In a stack that runs any of the services of R3.1, checks that it declares the network
    `mami-network` (`expect.network`) as a bridge network (R6.1) and that each of those
    services joins it (R3.2). Services with `network_mode` are left alone.

    ## Why is this bad?
    Services on different networks cannot reach each other by name; a network declared
    `external` or with another driver is not created by `docker compose up` as the spec asks.

    ## Example
    ```yaml
    services:
      mami-ai:
        image: mami-ai:1.0
    ```

    ## How to fix
    Declare the network at the top level and list it under each service's `networks`. The
    fix does both when a service has no `networks` key and the file no `networks` section;
    when other services of the stack stay on the default network, the fixed service keeps
    `default` as well, so it still reaches them.
    """

    code = "CP004"
    name = "missing-network"
    summary = "The spec's services are not all on the mami-network bridge network"
    requirements = ("R3.2", "R6.1")
    fixable = True
    bad_examples = (
        ComposeRule.bad(
            "services:\n  mami-ai:\n    image: mami-ai:1.0 # the API\n",
            "services:\n  mami-ai:\n    image: mami-ai:1.0 # the API\n"
            "    networks:\n      - mami-network\n\n"
            "networks:\n  mami-network:\n    name: mami-network\n    driver: bridge\n",
            count=2,
        ),
        ComposeRule.bad(
            "services:\n  mami-ai:\n    image: mami-ai:1.0\n  redis:\n    image: redis:7.4\n"
            "networks:\n  mami-network:\n",
            "services:\n  mami-ai:\n    image: mami-ai:1.0\n    networks:\n      - default\n"
            "      - mami-network\n  redis:\n    image: redis:7.4\n"
            "networks:\n  mami-network:\n",
        ),
        ComposeRule.bad(
            "services:\n  mami-ai:\n    image: mami-ai:1.0\n    networks: [mami-network]\n"
            "networks:\n  mami-network:\n    driver: overlay\n"
        ),
    )
    good_examples = (
        ComposeRule.good(
            "services:\n  mami-ai:\n    image: mami-ai:1.0\n    networks:\n      - mami-network\n"
            "networks:\n  mami-network:\n    driver: bridge\n"
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        if not spec_services_present(context, stack):
            return  # not this kind of stack (CP003 says which services it lacks)
        network = context.expect.network
        declared = stack.section("networks").get(network)
        base = stack.files[0]
        if declared is None:
            fix = None
            if "networks" not in stack.top:
                edit = append_top_level(
                    context,
                    base,
                    f"networks:\n  {network}:\n    name: {network}\n    driver: bridge\n",
                )
                fix = Fix.safe(f"Declare the bridge network `{network}`", edit) if edit else None
            from auditor.facts.compose import Origin

            where = stack.top["networks"].origin if "networks" in stack.top else Origin(base, 1)
            yield self.at(context, where, f"the stack declares no network `{network}` (R6.1)", fix)
        elif declared.is_map:
            driver = declared.get("driver")
            external = declared.get("external")
            if (driver is not None and driver.value != "bridge") or (
                external is not None and external.value
            ):
                what = "external" if external is not None and external.value else driver.value
                yield self.at(
                    context,
                    declared.origin,
                    f"network `{network}` is {what}, not a bridge network Compose creates (R6.1)",
                )
        present = spec_services_present(context, stack)
        # Services that stay on the default network: a fixed service keeps `default` too, so
        # it can still reach them (the fix changes nothing the stack relies on).
        others_on_default = any(
            "default" in service.networks()
            for other, service in stack.services.items()
            if other not in present
        )
        for name in present:
            service = stack.services[name]
            if service.get("network_mode") is not None or network in service.networks():
                continue
            fix = None
            if service.get("networks") is None:
                lines = ["networks:"] + (["  - default"] if others_on_default else [])
                edit = insert_into_service(context, service, [*lines, f"  - {network}"])
                fix = Fix.safe(f"Put `{name}` on `{network}`", edit) if edit else None
            where = (
                service.get("networks").origin if service.get("networks") else service.key_origin
            )
            yield self.at(context, where, f"`{name}` is not on the `{network}` network (R3.2)", fix)


def spec_services_present(context: Context, stack: Stack) -> list[str]:
    return [name for name in spec_services(context) if name in stack.services]


@register
class UnexpectedPorts(ComposeRule):
    """A service does not publish the port the spec gives it, or publishes more.

    ## What it does
    Checks the published ports of the default stack: the API on `app-port` (8000:8000, R6.2),
    the UI on `ui-port` (5173:5173, R6.3), Elasticsearch on 9200 and 9300 (R6.4) and Grafana on
    `grafana-port` (3000, R12.4). The API and the UI publish only that port.

    ## Why is this bad?
    The documented URLs do not work, or a port that should stay inside the stack is open.

    ## Example
    ```yaml
    services:
      mami-ai:
        ports:
          - "8080:8000"
    ```

    ## How to fix
    Publish the expected host port on the expected container port, and nothing else.

    The fix (unsafe: it changes what is reachable from the host) adds a missing
    `"port:port"` to `ports` when no other mapping uses that host or container port,
    rewrites a short `"8080:8000"` to `"8000:8000"` when it is the only mapping of the
    container port, and removes an extra port of the API or UI when it sits on a line of its
    own and another port stays (a debugger port you still need belongs in an override file
    of your own, not in the stack).
    """

    code = "CP005"
    name = "unexpected-ports"
    summary = "A service's published ports differ from R6.2-R6.4"
    requirements = ("R6.2", "R6.3", "R6.4", "R7.3", "R12.4")
    fixable = True
    bad_examples = (
        ComposeRule.bad(
            'services:\n  mami-ai:\n    image: a:1\n    ports:\n      - "8080:8000"\n',
            'services:\n  mami-ai:\n    image: a:1\n    ports:\n      - "8000:8000"\n',
            unsafe=True,
        ),
        ComposeRule.bad(
            'services:\n  mami-ai:\n    image: a:1\n    ports:\n      - "8000:8000"\n'
            "      - 5678:5678 # debugger\n  elasticsearch:\n    image: elasticsearch:8.19.13\n"
            '    ports:\n      - "9200:9200"\n',
            'services:\n  mami-ai:\n    image: a:1\n    ports:\n      - "8000:8000"\n'
            "  elasticsearch:\n    image: elasticsearch:8.19.13\n"
            '    ports:\n      - "9200:9200"\n      - "9300:9300"\n',
            count=2,
            unsafe=True,
        ),
        ComposeRule.bad(
            "services:\n  grafana:\n    image: grafana/grafana:12.1.1\n",
            "services:\n  grafana:\n    image: grafana/grafana:12.1.1\n    ports:\n"
            '      - "3000:3000"\n',
            unsafe=True,
        ),
        ComposeRule.bad(
            'services:\n  mami-ai:\n    image: a:1\n    ports:\n      - "5678:5678"\n',
            count=2,
        ),
    )
    good_examples = (
        ComposeRule.good(
            'services:\n  mami-ai:\n    image: a:1\n    ports:\n      - "8000:8000"\n'
            "  elasticsearch:\n    image: elasticsearch:8.19.13\n    ports:\n"
            '      - "9200:9200"\n      - "9300:9300"\n'
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        expect = context.expect
        wanted = {
            expect.api_service: ((expect.app_port,), True),
            expect.ui_service: ((expect.ui_port,), True),
            expect.elasticsearch_service: ((9200, 9300), False),
            expect.grafana_service: ((expect.grafana_port,), False),
        }
        for name, (ports, only) in wanted.items():
            service = stack.service(name)
            if service is None:
                continue
            published = service.ports()
            for port in ports:
                if not any(p.published == str(port) and p.target == str(port) for p in published):
                    where = (
                        service.get("ports").origin if service.get("ports") else service.key_origin
                    )
                    yield self.at(
                        context,
                        where,
                        f"`{name}` does not publish {port}:{port}",
                        self._publish_fix(context, service, str(port)),
                    )
            if only:
                wanted_targets = {str(p) for p in ports}
                kept = [p for p in published if p.target in wanted_targets]
                for extra in published:
                    if extra.target not in wanted_targets:
                        yield self.at(
                            context,
                            extra.node.origin,
                            f"`{name}` should publish only {', '.join(map(str, ports))}; "
                            f"it also publishes container port {extra.target}",
                            self._remove_fix(context, extra) if kept else None,
                        )

    def _publish_fix(self, context: Context, service: Service, port: str) -> Fix | None:
        published = service.ports()
        if any(p.published == port for p in published):
            return None  # the host port is taken by another mapping: which one wins is a choice
        same_target = [p for p in published if p.target == port]
        if len(same_target) > 1:
            return None
        if same_target:  # `"8080:8000"`: publish it on the expected host port instead
            node = same_target[0].node
            if node.is_map:
                return None
            document = context.project.text_document(node.origin.path)
            if document is None:
                return None
            span = scalar_span(document.lines, node.origin.line, node.origin.column)
            if span is None:
                return None
            text = scalar_text(context, node.origin.path, span)
            host, _, rest = text.rpartition(":")
            if not host or rest.split("/")[0] != port or ":" in host:
                return None  # a host address or a range: not a plain `published:target`
            edit = Edit.replace(node.origin.path, span, f"{port}:{rest}")
            return Fix.unsafe(f"Publish container port {port} on host port {port}", edit)
        ports_node = service.get("ports")
        item = f'"{port}:{port}"'
        if ports_node is None:
            edit = insert_into_service(context, service, ["ports:", f"  - {item}"])
        elif ports_node.is_list:
            edit = append_to_block(context, ports_node.origin, [f"- {item}"])
        else:
            edit = None
        return Fix.unsafe(f"Publish {port}:{port}", edit) if edit else None

    def _remove_fix(self, context: Context, port: Port) -> Fix | None:
        origin = port.node.origin
        document = context.project.text_document(origin.path)
        if document is None or port.node.is_map or origin.line >= len(document.lines):
            return None
        line = document.lines[origin.line - 1]
        if not line.lstrip().startswith("- ") or scalar_span(
            document.lines, origin.line, origin.column
        ) is None:
            return None
        # Unsafe: whatever used the port from the host (a debugger) no longer reaches it.
        return Fix.unsafe(
            f"Stop publishing container port {port.target}",
            Edit.delete_text(origin.path, Span(origin.line, 1, origin.line + 1, 1)),
        )


_DATABASES = (
    "postgres",
    "mysql",
    "mariadb",
    "mongo",
    "redis",
    "valkey",
    "memcached",
    "elasticsearch",
    "opensearch",
    "neo4j",
    "qdrant",
    "rabbitmq",
)


@register
class DatabasePublished(ComposeRule):
    """A database or internal service is published on every interface in production.

    ## What it does
    In the stacks built with an override such as `docker-compose.prod.yml`, reports a
    published port of a database or internal service image (PostgreSQL, MySQL, MongoDB, Redis,
    Elasticsearch, Neo4j, Qdrant, RabbitMQ, ...) that is not bound to a host address
    (`127.0.0.1:`). Mirrors KICS's "Container Traffic Not Bound To Host Interface" and, for these
    services in production, dclint's `no-unbound-port-interfaces`.

    ## Why is this bad?
    Docker publishes around the host firewall: anyone who can reach the server reaches the
    database, often without a password (Elasticsearch with security off).

    ## Example
    ```yaml
    # docker-compose.prod.yml
    services:
      redis:
        ports:
          - "6379:6379"
    ```

    ## How to fix
    Do not publish it (`ports: !reset []`); the other services reach it by name. Or bind it
    to the loopback address: `"127.0.0.1:6379:6379"`.

    The fix binds a short-syntax port (`"6379:6379"`) to `127.0.0.1` where it is written.
    It is unsafe: when that is the base file, the port is loopback-only in development too,
    and a client on another machine no longer reaches it. A long-syntax port gets no fix:
    add `host_ip: 127.0.0.1` to it.
    """

    code = "CP006"
    name = "internal-service-published"
    summary = "A database or internal service is published on all interfaces in production"
    stacks = "variants"
    peers = (
        "kics:container-traffic-not-bound-to-host-interface",
        "dclint:no-unbound-port-interfaces",
    )
    fixable = True
    bad_examples = (
        ComposeRule.bad(
            {
                "docker-compose.yml": "services:\n  redis:\n    image: redis:7.4\n",
                "docker-compose.prod.yml": 'services:\n  redis:\n    ports:\n      - "6379:6379"\n'
                "      - 0.0.0.0:16379:16379/tcp # replica\n",
            },
            {
                "docker-compose.prod.yml": "services:\n  redis:\n    ports:\n"
                '      - "127.0.0.1:6379:6379"\n      - 127.0.0.1:16379:16379/tcp # replica\n',
            },
            count=2,
            unsafe=True,
        ),
        ComposeRule.bad(
            {
                "docker-compose.yml": "services:\n  redis:\n    image: redis:7.4\n",
                "docker-compose.prod.yml": "services:\n  redis:\n    ports:\n"
                "      - target: 6379\n        published: 6379\n",
            }
        ),
    )
    good_examples = (
        ComposeRule.good(
            {
                "docker-compose.yml": "services:\n  redis:\n    image: redis:7.4\n"
                '    ports:\n      - "6379:6379"\n',
                "docker-compose.prod.yml": "services:\n  redis:\n    ports: !reset []\n",
            }
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        for name, service in stack.services.items():
            internal = (
                is_image(service, *_DATABASES) or name == context.expect.elasticsearch_service
            )
            if not internal:
                continue
            for port in service.ports():
                if port.published and port.host_ip in ("", "0.0.0.0", "::"):
                    yield self.at(
                        context,
                        port.node.origin,
                        f"`{name}` publishes {port.published} on every interface in the "
                        f"`{stack.name}` stack",
                        self._fix(context, port),
                    )

    def _fix(self, context: Context, port: Port) -> Fix | None:
        if port.node.is_map or port.host_ip == "::":
            return None
        origin = port.node.origin
        document = context.project.text_document(origin.path)
        if document is None:
            return None
        span = scalar_span(document.lines, origin.line, origin.column)
        if span is None:
            return None
        text = scalar_text(context, origin.path, span)
        bound = "127.0.0.1:" + (text[len("0.0.0.0:") :] if text.startswith("0.0.0.0:") else text)
        if port.host_ip == "" and text.count(":") != 1:
            return None  # only `published:target`; anything else is not ours to rewrite
        # Unsafe: other machines no longer reach the port (in every stack using that file).
        return Fix.unsafe(
            f"Bind port {port.published} to 127.0.0.1",
            Edit.replace(origin.path, span, bound),
        )
