"""CORS: the allowed origins come from Settings, and never `*` with credentials."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from auditor.documents.python import PythonModule
from auditor.facts.python_code import PythonCode
from auditor.rule import Context, Finding, Severity, register
from rules.python_source._base import PythonSourceRule, app_code, calls_in, keyword

CORS_MIDDLEWARE = frozenset(
    {
        "fastapi.middleware.cors.CORSMiddleware",
        "starlette.middleware.cors.CORSMiddleware",
    }
)


def cors_middlewares(code: PythonCode) -> Iterator[tuple[PythonModule, ast.Call]]:
    """`app.add_middleware(CORSMiddleware, ...)` and `Middleware(CORSMiddleware, ...)` calls."""
    for document in code.app_modules:
        for call in calls_in(document, "CORSMiddleware"):
            if call.args and code.qualified(document, call.args[0]) in CORS_MIDDLEWARE:
                yield document, call


def _literal_origins(node: ast.expr | None) -> list[str] | None:
    """The origins of a literal list/tuple/string, else None (computed: from settings)."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        if len(values) == len(node.elts) and all(isinstance(v, str) for v in values):
            return values  # type: ignore[return-value]
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    return None


@register
class CorsOriginsNotFromSettings(PythonSourceRule):
    """`CORSMiddleware` gets a literal origin list instead of the settings value.

    ## What it does
    Reports `add_middleware(CORSMiddleware, allow_origins=[...])` (or
    `Middleware(CORSMiddleware, ...)`) whose `allow_origins` is a list, tuple or string
    written in the code, `["*"]` included. Any computed value (the Settings method
    `get_cors_origins_list()`) passes. An `allow_origin_regex` is reported the same way.

    ## Why is this bad?
    The spec reads `CORS_ORIGINS` at start-up (R19.1), so that development allows the Vite
    dev server (R19.3) and production allows only its own domain (R19.4). Origins written in
    the code are the same everywhere: either production also accepts `localhost`, or the
    list is `*` and any site can call the API from a user's browser.

    ## Example
    ```python
    app.add_middleware(CORSMiddleware, allow_origins=["*"])
    ```

    ## How to fix
    ```python
    app.add_middleware(CORSMiddleware, allow_origins=settings.get_cors_origins_list())
    ```
    """

    code = "PS020"
    name = "cors-origins-not-from-settings"
    summary = "CORSMiddleware's allowed origins are written in the code, not read from Settings"
    severity = Severity.WARNING
    requirements = ("R19.1", "R19.3", "R19.4")
    bad_examples = (
        PythonSourceRule.bad(
            "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\n"
            "app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=['*'])\n",
            count=1,
        ),
        PythonSourceRule.bad(
            "from fastapi import FastAPI\nfrom starlette.middleware import Middleware\n"
            "from starlette.middleware.cors import CORSMiddleware\n\n"
            "app = FastAPI(middleware=[Middleware(CORSMiddleware, "
            "allow_origins=('http://localhost:5173',))])\n",
            count=1,
        ),
    )
    good_examples = (
        PythonSourceRule.good(
            "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n"
            "from app.config import get_settings\n\n"
            "settings = get_settings()\napp = FastAPI()\n"
            "app.add_middleware(CORSMiddleware, "
            "allow_origins=settings.get_cors_origins_list())\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        for document, call in cors_middlewares(app_code(context)):
            for name in ("allow_origins", "allow_origin_regex"):
                value = keyword(call, name)
                origins = _literal_origins(value)
                if value is None or origins is None:
                    continue
                shown = ", ".join(origins) or "no origin"
                yield self.finding(
                    document,
                    document.span_of(value),
                    f"{name} is written in the code ({shown}); read it from CORS_ORIGINS "
                    f"through Settings (get_cors_origins_list()) so each deployment sets its own",
                )


@register
class CorsWildcardWithCredentials(PythonSourceRule):
    """`allow_origins=["*"]` together with `allow_credentials=True`.

    ## What it does
    Reports a `CORSMiddleware` whose `allow_origins` literally contains `"*"` while
    `allow_credentials` is literally `True`.

    ## Why is this bad?
    Browsers refuse a credentialed response with `Access-Control-Allow-Origin: *`, so
    Starlette answers with the caller's own origin instead: every website can then make
    authenticated requests with the user's cookies. It is either broken or an open door.

    ## Example
    ```python
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_credentials=True
    )
    ```

    ## How to fix
    List the real origins (from `CORS_ORIGINS`), or drop `allow_credentials` when the API
    does not use cookies or HTTP authentication.
    """

    code = "PS021"
    name = "cors-wildcard-with-credentials"
    summary = 'CORSMiddleware allows origin "*" with credentials'
    severity = Severity.ERROR
    requirements = ("R19.3", "R19.4")
    bad_examples = (
        PythonSourceRule.bad(
            "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\n"
            "app = FastAPI()\napp.add_middleware(\n"
            "    CORSMiddleware, allow_origins=['*'], allow_credentials=True\n)\n",
            count=1,
        ),
    )
    good_examples = (
        PythonSourceRule.good(
            "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\n"
            "app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=['*'])\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        for document, call in cors_middlewares(app_code(context)):
            origins = _literal_origins(keyword(call, "allow_origins")) or []
            credentials = keyword(call, "allow_credentials")
            if (
                "*" in origins
                and isinstance(credentials, ast.Constant)
                and credentials.value is True
            ):
                yield self.finding(
                    document,
                    document.span_of(call),
                    'allow_origins contains "*" and allow_credentials=True: any website can '
                    "make credentialed requests (Starlette echoes the caller's origin)",
                )
