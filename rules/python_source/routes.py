"""Routes the deployment probes: /health (Docker's health check) and /metrics (Prometheus)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts.routes import RouteFacts, route_facts
from auditor.rule import Context, Finding, Severity, register
from rules.python_source._base import PythonSourceRule


def _missing(rule: PythonSourceRule, facts: RouteFacts, path: str, why: str) -> Iterator[Finding]:
    if not facts.complete or not facts.app_sites or facts.serves(path) is not None:
        return
    where, span = facts.app_sites[0]
    yield rule.finding(where, span, f"The app defines no GET {path} route: {why}")


@register
class MissingHealthRoute(PythonSourceRule):
    """The app has no `/health` route.

    ## What it does
    Follows the app's routes (decorators, routers and their prefixes, `include_router`,
    `mount`) and reports, at the `FastAPI(...)` call, when none serves `GET /health`
    (`[tool.mami-audit.expect] health-path`). Silent when a route path or router cannot be
    followed statically.

    ## Why is this bad?
    The image's HEALTHCHECK and Compose's healthcheck probe `/health` every 30 seconds
    (R4.1); without the route every probe is a 404, the container is marked unhealthy and,
    with `depends_on: condition: service_healthy`, the services after it never start.

    ## Example
    ```python
    app = FastAPI()

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"status": "ok"}
    ```

    ## How to fix
    ```python
    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}
    ```
    """

    code = "PS040"
    name = "missing-health-route"
    summary = "The app defines no /health route"
    severity = Severity.ERROR
    requirements = ("R4.1",)
    bad_examples = (
        PythonSourceRule.bad(
            "from fastapi import FastAPI\n\napp = FastAPI()\n\n"
            "@app.get('/ping')\ndef ping() -> dict[str, str]:\n    return {'status': 'ok'}\n",
            count=1,
        ),
    )
    good_examples = (
        PythonSourceRule.good(
            {
                "app/api/health.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n"
                "@router.get('/health')\ndef health() -> dict[str, str]:\n"
                "    return {'status': 'ok'}\n",
                "app/main.py": "from fastapi import FastAPI\nfrom app.api import health\n\n"
                "app = FastAPI()\napp.include_router(health.router)\n",
            }
        ),
        PythonSourceRule.good(
            "from fastapi import FastAPI\n\napp = FastAPI()\n\n"
            "@app.get('/healthz')\ndef health() -> dict[str, str]:\n    return {}\n",
            config={"expect": {"health-path": "/healthz"}},
        ),
        # A path the rule cannot read: it stays silent rather than guess.
        PythonSourceRule.good(
            "from fastapi import FastAPI\n\nHEALTH = '/health'\napp = FastAPI()\n\n"
            "@app.get(HEALTH)\ndef health() -> dict[str, str]:\n    return {}\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        yield from _missing(
            self,
            route_facts(context.project),
            context.expect.health_path,
            "the container health check probes it every 30 seconds (R4.1)",
        )


@register
class MissingMetricsRoute(PythonSourceRule):
    """The app has no `/metrics` route.

    ## What it does
    Follows the app's routes like PS040 and reports when nothing serves `GET /metrics`
    (`[tool.mami-audit.expect] metrics-path`): a route, a mounted ASGI app
    (`app.mount("/metrics", make_asgi_app())`) or prometheus-fastapi-instrumentator's
    `Instrumentator().instrument(app).expose(app)`.

    ## Why is this bad?
    Prometheus scrapes the API at `/metrics` (R11.4, R20.5); without it the request count,
    latency and error alerts have no data, and Prometheus marks the target down.

    ## Example
    ```python
    app = FastAPI()
    ```

    ## How to fix
    ```python
    from prometheus_fastapi_instrumentator import Instrumentator

    Instrumentator().instrument(app).expose(app)
    ```
    """

    code = "PS041"
    name = "missing-metrics-route"
    summary = "The app defines no /metrics route"
    severity = Severity.WARNING
    requirements = ("R11.4", "R20.5")
    bad_examples = (
        PythonSourceRule.bad(
            "from fastapi import FastAPI\n\napp = FastAPI()\n\n"
            "@app.get('/health')\ndef health() -> dict[str, str]:\n    return {}\n",
            count=1,
        ),
    )
    good_examples = (
        PythonSourceRule.good(
            "from fastapi import FastAPI\n"
            "from prometheus_fastapi_instrumentator import Instrumentator\n\n"
            "app = FastAPI()\nInstrumentator().instrument(app).expose(app)\n"
        ),
        PythonSourceRule.good(
            "from fastapi import FastAPI\nfrom prometheus_client import make_asgi_app\n\n"
            "app = FastAPI()\napp.mount('/metrics', make_asgi_app())\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        yield from _missing(
            self,
            route_facts(context.project),
            context.expect.metrics_path,
            "Prometheus scrapes it for the request, latency and error metrics (R11.4, R20.5)",
        )
