"""The Vite dev server's settings, where vite.config writes them as plain values."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.documents.vite_config import ViteConfig
from auditor.rule import Context, Edit, Finding, Fix, Rule, Severity, Span, register


class ViteRule(Rule):
    example_path = "vite.config.ts"

    def check(self, context: Context) -> Iterator[Finding]:
        for document in context.project.documents("vite-config"):
            if document.parse_error is None and isinstance(document, ViteConfig):
                yield from self.check_config(context, document)

    def check_config(self, context: Context, config: ViteConfig) -> Iterator[Finding]:
        raise NotImplementedError

    @staticmethod
    def span(config: ViteConfig, offset: int, length: int) -> Span:
        line, column = config.position(offset)
        return Span(line, column, line, column + length)


@register
class VitePortMismatch(ViteRule):
    """The Vite dev server listens on another port than the UI's expected one.

    ## What it does
    Reads `server.port` from vite.config when it is written as a number or as a top-level
    `const` holding one, and compares it with `[tool.mami-audit.expect] ui-port` (default
    5173, R6.3 and R7.3). A port computed at run time (`Number(process.env.PORT)`) is not
    judged. Without `server.port` Vite uses 5173.

    ## Why is this bad?
    The compose service publishes 5173:5173 and the browser, the HMR websocket and the
    health checks go there; a dev server on another port inside the container is simply not
    reachable.

    ## Example
    ```ts
    export default defineConfig({ server: { port: 3000 } })
    ```

    ## How to fix
    Remove `server.port` (Vite's default is 5173) or set it to 5173, with
    `strictPort: true` so that Vite fails instead of moving to the next free port. When the
    port is a number written in `server` itself, the fix writes the UI port there; it is
    unsafe: whatever reached the old port (compose `ports:`, a proxy, bookmarks) must
    follow. A port held in a constant is left alone: the constant may serve elsewhere.
    """

    code = "NP012"
    name = "vite-port-mismatch"
    summary = "vite.config's server.port is not the UI port (5173)"
    severity = Severity.ERROR
    requirements = ("R7.3",)
    fixable = True
    bad_examples = (
        ViteRule.bad(
            "import { defineConfig } from 'vite'\n\nexport default defineConfig({\n  server: { port: 3000 },\n})\n",
            "import { defineConfig } from 'vite'\n\nexport default defineConfig({\n  server: { port: 5173 },\n})\n",
            unsafe=True,
        ),
        ViteRule.bad(
            "const PORT = 8080\nexport default defineConfig(() => {\n  return {\n"
            "    server: {\n      host: true,\n      port: PORT,\n    },\n  }\n})\n"
        ),
    )
    good_examples = (
        ViteRule.good(
            "export const DEV_PORT = 5173\nexport default defineConfig({ server: { port: DEV_PORT, strictPort: true } })\n"
        ),
        ViteRule.good(
            "export default defineConfig({ server: { port: Number(process.env.PORT) } })\n"
        ),
        ViteRule.good(
            "// server: { port: 3000 }\nexport default defineConfig({ preview: { port: 4173 } })\n"
        ),
    )

    def check_config(self, context: Context, config: ViteConfig) -> Iterator[Finding]:
        port = config.known("port")
        expected = context.expect.ui_port
        if port is None or not isinstance(port.value, int) or port.value == expected:
            return
        line = config.position(port.offset)[0]
        span = config.line_span(line)
        message = f"the dev server listens on {port.value}; the UI port is {expected} (R7.3)"
        fix = None
        written = str(port.value)
        if config.text.startswith(written, port.offset) and not config.text[
            port.offset + len(written) : port.offset + len(written) + 1
        ].isalnum():
            fix = Fix.unsafe(
                f"Listen on {expected}: what reached port {port.value} (compose ports, a "
                "proxy) must follow",
                Edit.replace(
                    config.path, self.span(config, port.offset, len(written)), str(expected)
                ),
            )
        yield self.finding(config, span, message, fix)


@register
class ViteHmrDisabled(ViteRule):
    """vite.config turns hot module replacement off.

    ## What it does
    Reports `server: { hmr: false }` written as a literal in vite.config.

    ## Why is this bad?
    R7.4 and R9.5 ask for a dev server whose changes hot-reload: with `hmr: false` every
    edit needs a manual page reload and loses the page's state.

    ## Example
    ```ts
    export default defineConfig({ server: { hmr: false } })
    ```

    ## How to fix
    Remove `hmr: false`. Behind Docker, set `hmr: { clientPort: 5173 }` if the browser
    reaches the server through a mapped port, and `watch: { usePolling: true }` where bind
    mounts deliver no file events. The fix writes `hmr: true` in its place (unsafe: if HMR
    was turned off because its websocket could not connect, set `clientPort` as above).
    """

    code = "NP019"
    name = "vite-hmr-disabled"
    summary = "vite.config disables hot module replacement"
    requirements = ("R7.4", "R9.5")
    fixable = True
    bad_examples = (
        ViteRule.bad(
            "export default defineConfig({\n  server: {\n    hmr: false,\n  },\n})\n",
            "export default defineConfig({\n  server: {\n    hmr: true,\n  },\n})\n",
            unsafe=True,
        ),
    )
    good_examples = (
        ViteRule.good("export default defineConfig({ server: { hmr: { clientPort: 5173 } } })\n"),
        ViteRule.good("const label = `server: { hmr: false }`\nexport default defineConfig({})\n"),
    )

    def check_config(self, context: Context, config: ViteConfig) -> Iterator[Finding]:
        hmr = config.known("hmr")
        if hmr is None or hmr.value is not False:
            return
        line = config.position(hmr.offset)[0]
        fix = None
        if config.text.startswith("false", hmr.offset):
            fix = Fix.unsafe(
                "Turn HMR back on (`hmr: true`); if its websocket cannot connect through a "
                "mapped port, set `hmr: { clientPort: 5173 }`",
                Edit.replace(config.path, self.span(config, hmr.offset, len("false")), "true"),
            )
        yield self.finding(
            config,
            config.line_span(line),
            "`hmr: false`: changes no longer hot-reload (R7.4, R9.5)",
            fix,
        )
