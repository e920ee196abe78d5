"""The compose side of the frontend: the npm script a service runs exists, the port it
publishes is the one Vite listens on, and `image: node:...` services run a Node the
packages support (R7.2, R7.3). Read from the merged compose stacks (auditor.facts.compose)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from auditor.documents.package_json import PackageJson
from auditor.documents.vite_config import ViteConfig
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Finding, Rule, Severity, Span, register
from rules.node._releases import NodeImage, node_image

if TYPE_CHECKING:
    from auditor.facts.compose import Service, Stack

_NPM_RUN_RE = LazyPattern(r"(?<![\w-])npm\s+(?:run|run-script|rum|urn)\s+([^\s;&|'\"()]+)")
_PORT_OPTION_RE = LazyPattern(r"--port(?:=|\s+)(\d+)")
_VITE_DEFAULT_PORT = 5173


def service_package(context: Context, service: Service) -> PackageJson | None:
    """The package.json a service runs: in its build context, or in the folder bind-mounted
    on its working directory (`./frontend:/app` with `working_dir: /app`)."""
    folders = []
    build = service.build()
    if build is not None:
        folders.append(build[0])
    working = str(service.value("working_dir") or "/app").rstrip("/")
    for mount, _ in service.mounts():
        if mount.type == "bind" and mount.target.rstrip("/") == working:
            folders.append(posixpath.normpath(posixpath.join(service.folder, mount.source)))
    for folder in folders:
        path = "package.json" if folder in (".", "") else f"{folder}/package.json"
        document = context.project.document(path, "package-json")
        if isinstance(document, PackageJson) and document.parse_error is None:
            return document
    return None


def command_text(service: Service) -> str:
    words = service.command_words() or []
    return " ".join(words)


def vite_config_beside(context: Context, package: PackageJson) -> ViteConfig | None:
    prefix = "" if package.folder == "." else f"{package.folder}/"
    for suffix in ("ts", "mts", "js", "mjs", "cts", "cjs"):
        document = context.project.document(f"{prefix}vite.config.{suffix}", "vite-config")
        if isinstance(document, ViteConfig) and document.parse_error is None:
            return document
    return None


def node_image_services(
    context: Context,
) -> Iterator[tuple[Service, object, NodeImage]]:
    """Services that run a `node:<version>` image as it is (no `build`), once each."""
    seen: set[tuple[str, int]] = set()
    for stack in _stacks(context):
        for service in stack.services.values():
            node = service.get("image")
            if node is None or service.get("build") is not None or not isinstance(node.value, str):
                continue
            image = node_image(node.value)
            key = (node.origin.path, node.origin.line)
            if image is not None and key not in seen:
                seen.add(key)
                yield service, node.origin, image


def _stacks(context: Context) -> list[Stack]:
    """The merged compose stacks; the compose model is imported only when a compose file
    exists, so a frontend without one skips it."""
    if not context.project.has_kind("compose"):
        return []
    from auditor.facts.compose import stacks_of

    return stacks_of(context.project)


class ServiceRule(Rule):
    """A rule over the services of each compose stack (a base-file value reported once)."""

    example_path = "docker-compose.yml"

    def check(self, context: Context) -> Iterator[Finding]:
        seen: set[tuple[str, int, str]] = set()
        for stack in _stacks(context):
            for service in stack.services.values():
                for finding in self.check_service(context, stack, service):
                    key = (finding.path, finding.span.line, finding.message)
                    if key not in seen:
                        seen.add(key)
                        yield finding

    def check_service(self, context: Context, stack: Stack, service: Service) -> Iterator[Finding]:
        raise NotImplementedError

    def at(self, context: Context, origin: object, message: str) -> Finding:
        path, line, column = origin.path, origin.line, origin.column  # type: ignore[attr-defined]
        document = context.project.text_document(path)
        length = document.line_length(line) if document else 0
        return self.finding(path, Span(line, column, line, max(length + 1, column)), message)


_UI = (
    "services:\n  mami-ui:\n    image: node:22-slim\n    working_dir: /app\n"
    '    command: ["sh", "-c", "npm install && npm run %s -- --host"]\n'
    '    ports:\n      - "%s:%s"\n    volumes:\n      - ./frontend:/app\n      - /app/node_modules\n'
)
_PACKAGE = '{"scripts": {"dev": "vite", "build": "tsc -b && vite build"}}\n'


@register
class ComposeScriptMissing(ServiceRule):
    """A compose service runs an npm script its package.json does not define.

    ## What it does
    For each service whose command runs `npm run <script>`, finds the package.json it runs
    (in the service's build context, or the folder bind-mounted on its working directory)
    and reports a script that package.json does not have. R7.2's UI runs
    `npm run dev -- --host`, so `dev` must exist.

    ## Why is this bad?
    npm exits with "Missing script" and the container stops (or restarts in a loop) at
    start: a legacy frontend with only a `start` script and a compose file that runs `dev`
    never comes up.

    ## Example
    ```yaml
      mami-ui:
        command: npm run dev -- --host
    ```
    with `"scripts": {"start": "vite"}` in frontend/package.json.

    ## How to fix
    Name the script in package.json as compose calls it (`"dev": "vite"`), or run the
    script that exists.
    """

    code = "NP018"
    name = "compose-npm-script-missing"
    summary = "A compose command runs an npm script that package.json does not define"
    severity = Severity.ERROR
    requirements = ("R7.2",)
    bad_examples = (
        ServiceRule.bad(
            {
                "docker-compose.yml": _UI % ("dev", 5173, 5173),
                "frontend/package.json": '{"scripts": {"start": "vite"}}\n',
            },
            count=1,
        ),
    )
    good_examples = (
        ServiceRule.good(
            {
                "docker-compose.yml": _UI % ("dev", 5173, 5173),
                "frontend/package.json": _PACKAGE,
            }
        ),
    )

    def check_service(self, context: Context, stack: Stack, service: Service) -> Iterator[Finding]:
        command = command_text(service)
        scripts = [match.group(1) for match in _NPM_RUN_RE.finditer(command)]
        if not scripts:
            return
        package = service_package(context, service)
        if package is None:
            return
        origin = service.get("command").origin  # type: ignore[union-attr]
        for script in dict.fromkeys(scripts):
            if script not in package.scripts:
                have = ", ".join(sorted(package.scripts)) or "none"
                message = (
                    f"`npm run {script}` in service {service.name}, but {package.path} has no "
                    f'"{script}" script (scripts: {have})'
                )
                yield self.at(context, origin, message)


@register
class ComposePortNotVite(ServiceRule):
    """The dev server's service publishes another container port than the one Vite listens on.

    ## What it does
    For a service that runs Vite's dev server (its command runs an npm script that starts
    `vite`), works out the port Vite listens on: `--port` in the command or the script, else
    `server.port` of vite.config when written as a plain value, else Vite's default 5173.
    Reports the service's `ports` when none of them targets that port.

    ## Why is this bad?
    The mapping `5173:5173` forwards to a port nobody listens on: the browser gets
    "connection reset" and HMR never connects (R7.3).

    ## Example
    ```yaml
        ports:
          - "5173:3000"
    ```
    while Vite listens on 5173.

    ## How to fix
    Publish the port Vite listens on, `"5173:5173"`, or change the Vite port to match.
    """

    code = "NP020"
    name = "compose-port-not-vite"
    summary = "The UI service publishes a container port Vite does not listen on"
    severity = Severity.ERROR
    requirements = ("R7.3",)
    bad_examples = (
        ServiceRule.bad(
            {
                "docker-compose.yml": _UI % ("dev", 5173, 3000),
                "frontend/package.json": _PACKAGE,
            }
        ),
        ServiceRule.bad(
            {
                "docker-compose.yml": _UI % ("dev", 5173, 5173),
                "frontend/package.json": _PACKAGE,
                "frontend/vite.config.ts": "export default { server: { port: 3000 } }\n",
            }
        ),
    )
    good_examples = (
        ServiceRule.good(
            {
                "docker-compose.yml": _UI % ("dev", 5173, 5173),
                "frontend/package.json": _PACKAGE,
            }
        ),
        ServiceRule.good(
            {
                "docker-compose.yml": _UI % ("dev", 3000, 3000),
                "frontend/package.json": '{"scripts": {"dev": "vite --port 3000"}}\n',
            }
        ),
    )

    def check_service(self, context: Context, stack: Stack, service: Service) -> Iterator[Finding]:
        command = command_text(service)
        package = service_package(context, service)
        if package is None:
            return
        scripts = [
            m.group(1) for m in _NPM_RUN_RE.finditer(command) if m.group(1) in package.scripts
        ]
        dev = [s for s in scripts if _starts_dev_server(package.scripts[s].command)]
        if not dev or service.get("ports") is None:
            return
        port, where = self._vite_port(context, package, command, dev[0])
        if port is None:
            return
        targets = {str(p.target).split("-", 1)[0] for p in service.ports()}
        if str(port) in targets:
            return
        published = ", ".join(sorted(targets)) or "none"
        message = (
            f"Vite listens on {port} ({where}) but service {service.name} publishes "
            f"container port {published}"
        )
        yield self.at(context, service.get("ports").origin, message)  # type: ignore[union-attr]

    def _vite_port(
        self, context: Context, package: PackageJson, command: str, script: str
    ) -> tuple[int | None, str]:
        for text, where in (
            (command, "the compose command"),
            (package.scripts[script].command, f"{package.path} script {script}"),
        ):
            match = _PORT_OPTION_RE.search(text)
            if match:
                return int(match.group(1)), where
        config = vite_config_beside(context, package)
        if config is not None:
            if config.ambiguous or ("port" in config.server and config.known("port") is None):
                return None, ""  # computed at run time: not known statically
            known = config.known("port")
            if known is not None and isinstance(known.value, int):
                return known.value, f"{config.path}:{config.position(known.offset)[0]}"
        return _VITE_DEFAULT_PORT, "Vite's default"


def _starts_dev_server(script: str) -> bool:
    words = script.split()
    if words and words[0] in ("npx", "pnpx"):
        words = words[1:]
    if not words or words[0].rsplit("/", 1)[-1] != "vite":
        return False
    return len(words) == 1 or words[1] in ("dev", "serve") or words[1].startswith("-")
