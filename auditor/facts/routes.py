"""The HTTP routes the app defines, with method and full path.

    facts = route_facts(project)           # computed once per project
    facts.complete                          # False: some route or router could not be followed
    facts.serves("/health")                 # the Route (or Mount) serving GET /health, or None
    [(r.method, r.path) for r in facts.routes]   # [("GET", "/health"), ("POST", "/api/chat"), ...]

What is understood (names resolved through imports, see python_code):
- apps: `X = FastAPI(...)` (or Starlette) anywhere in a module, including inside a factory
  function; routers: `X = APIRouter(prefix=...)`;
- `@X.get/post/put/patch/delete/head/options/trace("/path")`, `@X.api_route(path, methods=)`,
  `@X.websocket(path)`, `X.add_api_route(path, ...)`, `X.add_route(path, ...)`;
- `X.include_router(router, prefix=...)`, recursively; `X.mount("/path", ...)`;
- prometheus-fastapi-instrumentator's `Instrumentator().instrument(X).expose(X)` (GET
  `/metrics`, or its `endpoint=`).
Only routes reachable from an app are listed. A path or prefix that is not a string literal,
a router passed as something other than a name, or no app at all, makes the facts incomplete,
and rules asking "is there a /health route?" then stay silent.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, NamedTuple

from auditor.documents.python import statement_calls
from auditor.facts.cache import project_fact
from auditor.facts.python_code import PythonCode, python_code
from auditor.rule import Span

if TYPE_CHECKING:
    from auditor.documents.python import PythonModule
    from auditor.project import Project

APP_CLASSES = frozenset(
    {
        "fastapi.FastAPI",
        "fastapi.applications.FastAPI",
        "starlette.applications.Starlette",
    }
)
ROUTER_CLASSES = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter"})
INSTRUMENTATOR = frozenset(
    {
        "prometheus_fastapi_instrumentator.Instrumentator",
        "prometheus_fastapi_instrumentator.instrumentation.PrometheusFastApiInstrumentator",
    }
)
_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")


class Route(NamedTuple):
    method: str  # "GET", ...; "WEBSOCKET"; "ANY" when add_route/api_route names no methods
    path: str  # full path, prefixes included
    path_as_written: str
    file: str
    span: Span
    endpoint: str | None  # the handler's name when known


class Mount(NamedTuple):
    path: str  # full path of the mount point
    file: str
    span: Span


class RouteFacts(NamedTuple):
    routes: list[Route]
    mounts: list[Mount]
    apps: list[str]  # qualified names of the app objects found
    app_sites: list[tuple[str, Span]]  # (path, span) of each app's `FastAPI(...)` call
    complete: bool
    problems: list[str]  # why the facts are incomplete ("app/x.py:12: path is not a literal")

    def serves(self, path: str, method: str = "GET") -> Route | Mount | None:
        wanted = _normal(path)
        for route in self.routes:
            if _normal(route.path) == wanted and route.method in (method, "ANY"):
                return route
        for mount in self.mounts:
            point = _normal(mount.path)
            if wanted == point or wanted.startswith(point.rstrip("/") + "/"):
                return mount
        return None


def _normal(path: str) -> str:
    return path.rstrip("/") or "/"


def route_facts(project: Project) -> RouteFacts:
    return project_fact(project, "routes", _build)


class _Collector:
    def __init__(self, code: PythonCode) -> None:
        self.code = code
        self.apps: dict[str, tuple[str, Span]] = {}  # qualified name -> where it is created
        self.prefixes: dict[str, str | None] = {}  # router -> its own prefix (None: unknown)
        self.routes: list[tuple[str, Route]] = []  # (owner, route with the path as written)
        self.includes: list[tuple[str, str, str | None]] = []  # (parent, child, prefix)
        self.mounts: list[tuple[str, Mount]] = []
        self.problems: list[str] = []

    def owner(self, document: PythonModule, node: ast.expr) -> str | None:
        name = self.code.dotted(node)
        if name is None:
            return None
        if "." not in name and name not in document.top_level_names:
            if name not in document.bindings and not document.star_imports:
                return f"{document.module}.{name}"  # a local variable (an app factory's `app`)
        return self.code.qualify_name(document, name)

    def visit(self, document: PythonModule) -> None:
        for statement in document.statements:
            node = statement.node
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for decorator in node.decorator_list:
                    if isinstance(decorator, ast.Call):
                        self._route_call(document, decorator, node.name)
                continue
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                self._assignment(document, node)
            for call in statement_calls(node):
                if isinstance(call.func, ast.Attribute):
                    self._method_call(document, call)

    def _assignment(self, document: PythonModule, node: ast.Assign) -> None:
        call = node.value
        assert isinstance(call, ast.Call)
        created = self.code.qualified(document, call.func)
        if created not in APP_CLASSES and created not in ROUTER_CLASSES:
            return
        for target in node.targets:
            if not isinstance(target, ast.Name):
                continue
            key = f"{document.module}.{target.id}"
            if created in APP_CLASSES:
                self.apps.setdefault(key, (document.path, document.span_of(call)))
                self.prefixes[key] = ""
            else:
                prefix = _keyword(call, "prefix")
                literal = _string(prefix) if prefix is not None else ""
                if literal is None:
                    self._problem(document, call, "router prefix is not a string literal")
                self.prefixes[key] = literal

    def _route_call(self, document: PythonModule, call: ast.Call, endpoint: str | None) -> None:
        func = call.func
        if not isinstance(func, ast.Attribute):
            return
        verb = func.attr
        if verb not in _METHODS and verb not in ("api_route", "websocket", "route"):
            return
        owner = self.owner(document, func.value)
        if owner is None:
            return
        path_node = call.args[0] if call.args else _keyword(call, "path")
        path = _string(path_node)
        if path is None:
            self._problem(document, call, f"the path of @{verb}(...) is not a string literal")
            return
        if verb in _METHODS:
            methods = [verb.upper()]
        elif verb == "websocket":
            methods = ["WEBSOCKET"]
        else:
            methods = _methods(_keyword(call, "methods")) or ["ANY"]
        span = document.span_of(call)
        for method in methods:
            self.routes.append((owner, Route(method, path, path, document.path, span, endpoint)))

    def _method_call(self, document: PythonModule, call: ast.Call) -> None:
        func = call.func
        assert isinstance(func, ast.Attribute)
        name = func.attr
        if name in ("add_api_route", "add_route", "add_websocket_route"):
            handler = call.args[1] if len(call.args) > 1 else _keyword(call, "endpoint")
            endpoint = self.code.dotted(handler) if handler is not None else None
            owner = self.owner(document, func.value)
            path = _string(call.args[0] if call.args else _keyword(call, "path"))
            if owner is None:
                return
            if path is None:
                self._problem(document, call, f"the path of {name}(...) is not a string literal")
                return
            methods = _methods(_keyword(call, "methods"))
            if name == "add_websocket_route":
                methods = ["WEBSOCKET"]
            elif not methods:
                methods = ["GET"] if name == "add_api_route" else ["ANY"]
            span = document.span_of(call)
            for method in methods:
                route = Route(method, path, path, document.path, span, endpoint)
                self.routes.append((owner, route))
        elif name == "include_router":
            parent = self.owner(document, func.value)
            child_node = call.args[0] if call.args else _keyword(call, "router")
            child = None if child_node is None else self.owner(document, child_node)
            if parent is None:
                return
            if child is None:
                self._problem(document, call, "include_router(...) of a router it cannot follow")
                return
            prefix_node = _keyword(call, "prefix")
            prefix = "" if prefix_node is None else _string(prefix_node)
            if prefix is None:
                self._problem(document, call, "include_router prefix is not a string literal")
            self.includes.append((parent, child, prefix))
        elif name == "mount":
            owner = self.owner(document, func.value)
            path = _string(call.args[0] if call.args else _keyword(call, "path"))
            if owner is None:
                return
            if path is None:
                self._problem(document, call, "the path of mount(...) is not a string literal")
                return
            self.mounts.append((owner, Mount(path, document.path, document.span_of(call))))
        elif name == "expose" and self._is_instrumentator(document, func.value):
            target = call.args[0] if call.args else _keyword(call, "app")
            owner = None if target is None else self.owner(document, target)
            endpoint_node = _keyword(call, "endpoint")
            path = "/metrics" if endpoint_node is None else _string(endpoint_node)
            if owner is None or path is None:
                self._problem(document, call, "Instrumentator.expose(...) it cannot follow")
                return
            span = document.span_of(call)
            self.routes.append((owner, Route("GET", path, path, document.path, span, None)))

    def _is_instrumentator(self, document: PythonModule, node: ast.expr) -> bool:
        """Is `node` a chain of calls starting at Instrumentator(...)?"""
        while isinstance(node, ast.Call):
            qualified = self.code.qualified(document, node.func)
            if qualified in INSTRUMENTATOR:
                return True
            func = node.func
            node = func.value if isinstance(func, ast.Attribute) else func
        if isinstance(node, ast.Name):
            return False  # a variable holding an instrumentator: not followed
        return False

    def _problem(self, document: PythonModule, node: ast.AST, message: str) -> None:
        self.problems.append(f"{document.path}:{getattr(node, 'lineno', 1)}: {message}")

    def result(self) -> RouteFacts:
        problems = list(self.problems)
        if not self.apps:
            problems.append("no FastAPI or Starlette application found")
        routes: list[Route] = []
        mounts: list[Mount] = []
        for app in self.apps:
            self._collect(app, "", routes, mounts, [app])
        complete = not problems
        sites = list(self.apps.values())
        return RouteFacts(routes, mounts, list(self.apps), sites, complete, problems)

    def _collect(
        self, owner: str, prefix: str, routes: list[Route], mounts: list[Mount], path: list[str]
    ) -> None:
        own = self.prefixes.get(owner, "") or ""
        base = prefix + own
        for where, route in self.routes:
            if where == owner:
                routes.append(route._replace(path=base + route.path_as_written))
        for where, mount in self.mounts:
            if where == owner:
                mounts.append(mount._replace(path=base + mount.path))
        for parent, child, include_prefix in self.includes:
            if parent == owner and child not in path:
                self._collect(child, base + (include_prefix or ""), routes, mounts, [*path, child])


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _methods(node: ast.expr | None) -> list[str]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        found = [_string(element) for element in node.elts]
        return [method.upper() for method in found if method]
    return []


def _build(project: Project) -> RouteFacts:
    collector = _Collector(python_code(project))
    for document in collector.code.app_modules:
        collector.visit(document)
    return collector.result()
