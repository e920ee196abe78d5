"""The UI service: the Vite dev server in the development stack (R7, R3.3, R6.5)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts.compose import Stack
from auditor.rule import Context, Finding, register
from rules.compose._base import ComposeRule, words_text


@register
class UiDevServer(ComposeRule):
    """The UI service does not install its packages and start Vite as R7 asks.

    ## What it does
    Checks the UI service of the default stack: its command runs `npm install` (or `npm ci`)
    and then `npm run dev -- --host` (R7.1, R7.2), and a volume keeps `/app/node_modules` out
    of the source bind mount (R7.5).

    ## Why is this bad?
    Without `--host` Vite listens on the container's loopback and the browser gets "connection
    reset"; without the node_modules volume the host's (macOS/Windows) binaries shadow the
    container's, and esbuild refuses to start.

    ## Example
    ```yaml
      mami-ui:
        command: npm run dev
        volumes:
          - ./frontend:/app
    ```

    ## How to fix
    ```yaml
        command: ["sh", "-c", "npm install && npm run dev -- --host"]
        volumes:
          - ./frontend:/app
          - /app/node_modules
    ```
    """

    code = "CP015"
    name = "ui-dev-server"
    summary = "The UI service does not run npm install, Vite with --host and a node_modules volume"
    requirements = ("R7.1", "R7.2", "R7.5")
    bad_examples = (
        ComposeRule.bad(
            "services:\n  mami-ui:\n    image: node:22-slim\n    command: npm run dev\n"
            "    volumes:\n      - ./frontend:/app\n",
            count=3,
        ),
    )
    good_examples = (
        ComposeRule.good(
            "services:\n  mami-ui:\n    image: node:22-slim\n"
            '    command: ["sh", "-c", "npm install && npm run dev -- --host"]\n'
            "    volumes:\n      - ./frontend:/app\n      - /app/node_modules\n"
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        service = stack.service(context.expect.ui_service)
        if service is None:
            return
        command = words_text(service.command_words())
        where = service.get("command").origin if service.get("command") else service.key_origin
        if "npm install" not in command and "npm ci" not in command:
            yield self.at(context, where, "the UI's command does not run `npm install` (R7.1)")
        if "npm run dev" not in command or "--host" not in command:
            yield self.at(
                context, where, "the UI's command does not start `npm run dev -- --host` (R7.2)"
            )
        if not any(m.target.rstrip("/") == "/app/node_modules" for m, _ in service.mounts()):
            place = service.get("volumes").origin if service.get("volumes") else service.key_origin
            yield self.at(context, place, "no volume keeps /app/node_modules apart (R7.5)")


@register
class UiApiUrl(ComposeRule):
    """The UI does not reach the API by its service name.

    ## What it does
    Checks that the UI service's `VITE_API_URL` is `http://<api-service>:<app-port>`
    (`http://mami-ai:8000`, R3.3, R6.5).

    ## Why is this bad?
    `localhost` inside the UI container is the UI container itself; an IP changes with every
    `docker compose up`.

    ## Example
    ```yaml
        environment:
          VITE_API_URL: http://localhost:8000
    ```

    ## How to fix
    `VITE_API_URL: http://mami-ai:8000`.
    """

    code = "CP016"
    name = "ui-api-url"
    summary = "VITE_API_URL does not name the API service and port"
    requirements = ("R3.3", "R6.5")
    bad_examples = (
        ComposeRule.bad(
            "services:\n  mami-ui:\n    image: node:22-slim\n    environment:\n"
            "      - VITE_API_URL=http://localhost:8000\n"
        ),
        ComposeRule.bad("services:\n  mami-ui:\n    image: node:22-slim\n"),
    )
    good_examples = (
        ComposeRule.good(
            "services:\n  mami-ui:\n    image: node:22-slim\n    environment:\n"
            "      VITE_API_URL: http://mami-ai:8000\n"
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        service = stack.service(context.expect.ui_service)
        if service is None:
            return
        wanted = f"http://{context.expect.api_service}:{context.expect.app_port}"
        node = service.mapping("environment").get("VITE_API_URL")
        if node is None:
            yield self.at(context, service.key_origin, f"the UI sets no VITE_API_URL ({wanted})")
        elif str(node.value or "").rstrip("/") != wanted:
            yield self.at(
                context, node.origin, f"VITE_API_URL is {node.value!r}, not {wanted} (R3.3)"
            )
