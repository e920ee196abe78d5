"""Good practice mirrored from dclint (its rule names as peers) and KICS's compose queries."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.documents import compose as compose_document
from auditor.documents import yaml_tree
from auditor.facts.compose import Service, Stack, compose_files, file_tree
from auditor.rule import Context, Edit, Finding, Fix, Severity, Span, register
from rules.compose._base import ComposeRule, insert_under_key


@register
class ObsoleteVersion(ComposeRule):
    """The compose file declares the obsolete `version` key.

    ## What it does
    Reports a top-level `version:`. The fix removes the line (and its comment lines above).

    ## Why is this bad?
    Compose ignores it and warns on every command ("the attribute `version` is obsolete");
    it suggests a file format that no longer exists and misleads readers about what is
    supported.

    ## Example
    ```yaml
    version: "3.8"
    services:
      web:
        image: nginx:1.27
    ```

    ## How to fix
    Delete the line.
    """

    code = "CP022"
    name = "obsolete-version"
    summary = "The top-level `version` key is obsolete"
    severity = Severity.INFO
    peers = ("dclint:no-version-field",)
    fixable = True
    bad_examples = (
        ComposeRule.bad(
            "# the stack\nversion: '3.8'\nservices:\n  web:\n    image: nginx:1.27\n",
            "# the stack\nservices:\n  web:\n    image: nginx:1.27\n",
        ),
    )
    good_examples = (ComposeRule.good("services:\n  web:\n    image: nginx:1.27\n"),)

    def check(self, context: Context) -> Iterator[Finding]:
        for document in compose_files(context.project):
            if "version" not in document.tree:
                continue
            position = yaml_tree.key_position(document.tree, "version")
            value_at = yaml_tree.value_position(document.tree, "version")
            if position is None or position[1] != 1:
                continue
            line = position[0]
            fix = None
            if value_at is not None and value_at[0] == line:  # a one-line `version: "3"`
                edit = Edit.delete_text(document.path, Span(line, 1, line + 1, 1))
                fix = Fix.safe("Remove the obsolete `version` line", edit)
            yield self.finding(
                document, document.line_span(line), "`version` is obsolete; Compose ignores it", fix
            )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        return iter(())


@register
class UnquotedPort(ComposeRule):
    """A `ports` entry is not quoted.

    ## What it does
    Reports a short-syntax `ports` entry written without quotes (`- 8000:8000`, `- 80`). The
    fix wraps it in double quotes.

    ## Why is this bad?
    A YAML 1.1 parser (PyYAML, older Compose) reads `22:22` as the base-60 number 1342, and
    `- 80` is an integer where a string is expected; quoted, the value means the same to
    every tool.

    ## Example
    ```yaml
        ports:
          - 2222:22
    ```

    ## How to fix
    `- "2222:22"`.
    """

    code = "CP023"
    name = "unquoted-port"
    summary = "A ports entry is not quoted (YAML 1.1 may read it as a base-60 number)"
    severity = Severity.INFO
    peers = ("dclint:require-quotes-in-ports",)
    fixable = True
    bad_examples = (
        ComposeRule.bad(
            "services:\n  ssh:\n    image: example/ssh:1\n    ports:\n      - 2222:22  # ssh\n"
            "      - 8080\n",
            'services:\n  ssh:\n    image: example/ssh:1\n    ports:\n      - "2222:22"  # ssh\n'
            '      - "8080"\n',
            count=2,
        ),
    )
    good_examples = (
        ComposeRule.good(
            'services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "80:80"\n'
            "      - '443:443'\n      - target: 8080\n        published: 8081\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        for document in compose_files(context.project):
            services = document.tree.get("services")
            if not isinstance(services, dict):
                continue
            for service in services.values():
                ports = service.get("ports") if isinstance(service, dict) else None
                if not isinstance(ports, list):
                    continue
                for index, item in enumerate(ports):
                    if isinstance(item, (dict, list)) or yaml_tree.tag_of(item):
                        continue
                    position = yaml_tree.item_position(ports, index)
                    if position is None:
                        continue
                    line, column = position
                    text = document.lines[line - 1]
                    if text[column - 1 : column] in ("'", '"'):
                        continue
                    written = (
                        str(item) if not isinstance(item, int) else text[column - 1 :].split()[0]
                    )
                    if text[column - 1 : column - 1 + len(written)] != written:
                        continue  # a value spelled differently (a folded or aliased scalar)
                    span = Span(line, column, line, column + len(written))
                    fix = Fix.safe(
                        "Quote the port", Edit.replace(document.path, span, f'"{written}"')
                    )
                    yield self.finding(document, span, f"port `{written}` is not quoted", fix)

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        return iter(())


@register
class ImageWithoutTag(ComposeRule):
    """A service pulls an image without a tag, or with `latest`.

    ## What it does
    Reports an `image:` of a service that is not built here (no `build:`) and names no tag
    or digest, or the tag `latest`.

    ## Why is this bad?
    Every pull may bring a new major version: the stack that worked yesterday breaks on the
    server after a reboot.

    ## Example
    ```yaml
        image: redis
    ```

    ## How to fix
    Pin a version: `image: redis:7.4` (or a digest). There is no automatic fix: which version
    you run (and have tested) is yours to choose; `docker image inspect` on the image you run
    today shows its version.
    """

    code = "CP024"
    name = "image-without-tag"
    summary = "A pulled image has no explicit tag or uses latest"
    peers = ("dclint:service-image-require-explicit-tag", "DL3007")
    stacks = "all"
    bad_examples = (
        ComposeRule.bad("services:\n  cache:\n    image: redis\n"),
        ComposeRule.bad("services:\n  ui:\n    image: node:latest\n"),
    )
    good_examples = (
        ComposeRule.good(
            "services:\n  cache:\n    image: redis:7.4\n  db:\n    image: postgres@sha256:"
            + "a" * 64
            + "\n  api:\n    build: .\n    image: mami-ai\n"
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        for name, service in stack.services.items():
            node = service.get("image")
            if node is None or node.value is None or service.get("build") is not None:
                continue
            image = str(node.value)
            if "@" in image:
                continue
            last = image.rsplit("/", 1)[-1]
            tag = last.partition(":")[2]
            if not tag or tag == "latest":
                yield self.at(
                    context, node.origin, f"`{name}` pulls `{image}` without a pinned tag"
                )


@register
class DuplicateHostPort(ComposeRule):
    """Two services publish the same host port.

    ## What it does
    Reports a host port (with its address and protocol) that more than one service of a stack
    publishes.

    ## Why is this bad?
    The second container fails to start with "port is already allocated".

    ## Example
    ```yaml
      api:
        ports: ["8000:8000"]
      docs:
        ports: ["8000:80"]
    ```

    ## How to fix
    Give each service its own host port.
    """

    code = "CP025"
    name = "duplicate-host-port"
    summary = "Two services publish the same host port"
    severity = Severity.ERROR
    peers = ("dclint:no-duplicate-exported-ports",)
    stacks = "all"
    bad_examples = (
        ComposeRule.bad(
            'services:\n  api:\n    image: a:1\n    ports:\n      - "8000:8000"\n'
            '  docs:\n    image: b:1\n    ports:\n      - "8000:80"\n'
        ),
    )
    good_examples = (
        ComposeRule.good(
            'services:\n  api:\n    image: a:1\n    ports:\n      - "8000:8000"\n'
            '  docs:\n    image: b:1\n    ports:\n      - "127.0.0.1:8001:80"\n'
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        owners: dict[tuple[str, str, str], str] = {}
        for name, service in stack.services.items():
            for port in service.ports():
                if not port.published:
                    continue
                key = (port.host_ip or "0.0.0.0", port.published, port.protocol)
                if key in owners and owners[key] != name:
                    yield self.at(
                        context,
                        port.node.origin,
                        f"host port {port.published} is already published by `{owners[key]}`",
                    )
                owners.setdefault(key, name)


@register
class DuplicateContainerName(ComposeRule):
    """Two services set the same `container_name`.

    ## What it does
    Reports a `container_name` that another service of the stack already uses.

    ## Why is this bad?
    Docker refuses the second container ("the container name is already in use").

    ## Example
    ```yaml
      api:
        container_name: mami
      worker:
        container_name: mami
    ```

    ## How to fix
    Remove `container_name` (Compose names containers itself) or make them unique.
    """

    code = "CP026"
    name = "duplicate-container-name"
    summary = "Two services set the same container_name"
    severity = Severity.ERROR
    peers = ("dclint:no-duplicate-container-names",)
    stacks = "all"
    bad_examples = (
        ComposeRule.bad(
            "services:\n  api:\n    image: a:1\n    container_name: mami\n"
            "  worker:\n    image: a:1\n    container_name: mami\n"
        ),
    )
    good_examples = (
        ComposeRule.good(
            "services:\n  api:\n    image: a:1\n    container_name: mami-api\n"
            "  worker:\n    image: a:1\n"
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        owners: dict[str, str] = {}
        for name, service in stack.services.items():
            node = service.get("container_name")
            if node is None or node.value is None:
                continue
            if str(node.value) in owners:
                yield self.at(
                    context,
                    node.origin,
                    f"container name `{node.value}` is already used by `{owners[str(node.value)]}`",
                )
            owners.setdefault(str(node.value), name)


def restarts_unhealthy(service) -> bool:  # type: ignore[no-untyped-def]
    """Is this the service that restarts unhealthy containers (autoheal)? It needs the socket."""
    from rules.compose._base import is_image

    return is_image(service, "autoheal", "docker-autoheal")


@register
class HostPrivileges(ComposeRule):
    """A service runs privileged or shares the host's network, process or IPC namespace.

    ## What it does
    Reports `privileged: true`, `network_mode: host`, `pid: host`, `ipc: host`, and a
    `docker.sock` mount on any service but the one that restarts unhealthy containers
    (autoheal, which cannot work without it). Mirrors KICS's "Container Running In Privileged
    Mode", "Host Namespace is Shared" and "Docker Socket Mounted In Container".

    ## Why is this bad?
    Each gives the container root on the host: a bug in the app becomes a compromise of the
    server.

    ## Example
    ```yaml
      api:
        privileged: true
        volumes:
          - /var/run/docker.sock:/var/run/docker.sock
    ```

    ## How to fix
    Remove them; grant a specific capability (`cap_add`) if one is really needed.
    """

    code = "CP027"
    name = "host-privileges"
    summary = "A service is privileged, shares host namespaces or mounts docker.sock"
    severity = Severity.ERROR
    stacks = "all"
    peers = (
        "kics:container-running-in-privileged-mode",
        "kics:host-namespace-is-shared",
        "kics:docker-socket-mounted-in-container",
    )
    bad_examples = (
        ComposeRule.bad("services:\n  api:\n    image: a:1\n    privileged: true\n"),
        ComposeRule.bad(
            "services:\n  api:\n    image: a:1\n    volumes:\n"
            "      - /var/run/docker.sock:/var/run/docker.sock\n"
        ),
        ComposeRule.bad("services:\n  api:\n    image: a:1\n    network_mode: host\n"),
    )
    good_examples = (
        ComposeRule.good(
            "services:\n  autoheal:\n    image: willfarrell/autoheal:1.2.0\n    volumes:\n"
            "      - /var/run/docker.sock:/var/run/docker.sock\n    network_mode: none\n"
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        for name, service in stack.services.items():
            privileged = service.get("privileged")
            if privileged is not None and privileged.value is True:
                yield self.at(context, privileged.origin, f"`{name}` runs privileged")
            for key in ("network_mode", "pid", "ipc"):
                node = service.get(key)
                if node is not None and node.value == "host":
                    yield self.at(context, node.origin, f"`{name}` shares the host's {key}")
            if restarts_unhealthy(service):
                continue
            for mount, node in service.mounts():
                if mount.source.endswith("docker.sock"):
                    yield self.at(context, node.origin, f"`{name}` mounts the Docker socket")


_NO_NEW_PRIVILEGES = ("no-new-privileges", "no-new-privileges:true", "no-new-privileges=true")


@register
class NewPrivilegesAllowed(ComposeRule):
    """A production service may gain privileges through setuid binaries.

    ## What it does
    In the stacks built with an override such as `docker-compose.prod.yml`, reports a
    service without `security_opt: ["no-new-privileges:true"]`, the stack's file and line
    being where the service is defined. Mirrors KICS's "No New Privileges Not Set".

    ## Why is this bad?
    Without it, a process that is broken into can run a setuid binary of the image (`su`,
    `passwd`, `mount`) to become root inside the container, one step closer to the host.
    The flag costs nothing to a service that never needs to gain privileges, which is every
    service of a stack like this one.

    ## Example
    ```yaml
    # docker-compose.prod.yml
    services:
      mami-ai:
        environment:
          CORS_ORIGINS: https://mami.example.com
    ```

    ## How to fix
    ```yaml
      mami-ai:
        security_opt:
          - no-new-privileges:true
    ```
    The fix writes this in the production override (`security_opt` entries add up across
    files, so development is unchanged), under the service there or as a new entry of its
    `services`. It is unsafe: an entrypoint that switches user with a setuid helper (`su`,
    `sudo`, some `gosu` setups) stops working; try the stack before you deploy it.
    """

    code = "CP032"
    name = "new-privileges-allowed"
    summary = "A production service lacks security_opt no-new-privileges"
    severity = Severity.INFO
    stacks = "variants"
    peers = ("kics:no-new-privileges-not-set",)
    fixable = True
    bad_examples = (
        ComposeRule.bad(
            {
                "docker-compose.yml": "services:\n  api:\n    image: example/api:1\n"
                "  db:\n    image: postgres:17\n",
                "docker-compose.prod.yml": "services:\n  api:\n    restart: always # prod\n",
            },
            {
                "docker-compose.yml": "services:\n  api:\n    image: example/api:1\n"
                "  db:\n    image: postgres:17\n",
                "docker-compose.prod.yml": "services:\n  api:\n    restart: always # prod\n"
                "    security_opt:\n      - no-new-privileges:true\n"
                "  db:\n    security_opt:\n      - no-new-privileges:true\n",
            },
            count=2,
            unsafe=True,
        ),
    )
    good_examples = (
        ComposeRule.good(
            {
                "docker-compose.yml": "services:\n  api:\n    image: example/api:1\n",
                "docker-compose.prod.yml": "services:\n  api:\n    security_opt:\n"
                "      - no-new-privileges:true\n",
            }
        ),
        ComposeRule.good("services:\n  api:\n    image: example/api:1\n"),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        for name, service in stack.services.items():
            options = service.value("security_opt") or []
            if not isinstance(options, list):
                continue  # CP001 reports the shape
            if any(str(option).replace(" ", "") in _NO_NEW_PRIVILEGES for option in options):
                continue
            yield self.at(
                context,
                service.key_origin,
                f"`{name}` may gain privileges in the `{stack.name}` stack "
                "(no `no-new-privileges:true`)",
                None if options else self._fix(context, stack, service),
            )

    def _fix(self, context: Context, stack: Stack, service: Service) -> Fix | None:
        variants = [f for f in stack.files if compose_document.role(f) == "variant"]
        if len(variants) != 1:
            return None
        path = variants[0]
        root = file_tree(context.project, path)
        services = root.get("services") if root is not None else None
        if services is None or not services.is_map:
            return None
        option = ["security_opt:", "  - no-new-privileges:true"]
        own = services.get(service.name)
        if own is None:
            lines = [f"{service.name}:", *("  " + line for line in option)]
            edit = insert_under_key(context, services.origin, lines)
        elif own.is_map and own.value:
            edit = insert_under_key(context, own.origin, option)
        else:
            edit = None
        # Unsafe: an entrypoint that gains privileges through a setuid helper stops working.
        return Fix.unsafe("Add `no-new-privileges:true` in production", edit) if edit else None
