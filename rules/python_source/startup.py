"""Start-up: the database initialiser runs at start-up, runs Alembic, and fails loudly."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from auditor.documents.python import PythonModule, all_nodes
from auditor.facts.python_code import PythonCode
from auditor.facts.routes import APP_CLASSES, route_facts
from auditor.rule import Context, Finding, Severity, register
from rules.python_source._base import (
    DatabaseModuleRule,
    PythonSourceRule,
    app_code,
    has_main_guard,
    keyword,
)

Function = tuple[PythonModule, ast.FunctionDef | ast.AsyncFunctionDef]
_MAX_DEPTH = 4  # how many calls deep the search follows functions of the project


def _functions_named(document: PythonModule, name: str) -> list[Function]:
    return [(document, function) for function in document.functions_by_name.get(name, ())]


def _resolve_function(code: PythonCode, document: PythonModule, name: str) -> list[Function]:
    """The project functions a name in `document` may stand for (a nested def included)."""
    local = _functions_named(document, name)
    if local:
        return local
    qualified = code.qualify_name(document, name)
    if qualified is None:
        return []
    module_name, _, attribute = qualified.rpartition(".")
    module = code.module(module_name)
    if module is None:
        return []
    statement = module.top_level_names.get(attribute)
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [(module, statement)]
    return []


def reachable(code: PythonCode, start: list[Function]) -> list[Function]:
    """`start` and the project functions they name (called or passed), a few levels deep."""
    seen: dict[tuple[str, int], Function] = {}
    resolved: dict[tuple[str, str], list[Function]] = {}
    frontier = list(start)
    for _ in range(_MAX_DEPTH):
        next_frontier: list[Function] = []
        for document, function in frontier:
            key = (document.path, function.lineno)
            if key in seen:
                continue
            seen[key] = (document, function)
            names, _ = document.names_in(function)
            for name in names:
                if (document.path, name) not in resolved:
                    resolved[document.path, name] = _resolve_function(code, document, name)
                next_frontier.extend(resolved[document.path, name])
        frontier = next_frontier
    return list(seen.values())


def _names_used(document: PythonModule, node: ast.AST) -> frozenset[str]:
    names, attributes = document.names_in(node)
    return names | attributes


def startup_functions(code: PythonCode) -> tuple[list[Function], bool]:
    """Functions that run at start-up: a FastAPI `lifespan=`, `on_startup=[...]`,
    `@app.on_event("startup")`, `add_event_handler("startup", f)`, and the body of modules that
    run as programs (`__main__`). The flag is False when one could not be followed (a lifespan
    built by a call): callers then stay silent."""
    found: list[Function] = []
    followed = True
    for document in code.app_modules:
        for statement in document.statements:
            node = statement.node
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for decorator in node.decorator_list:
                    if (
                        isinstance(decorator, ast.Call)
                        and isinstance(decorator.func, ast.Attribute)
                        and decorator.func.attr == "on_event"
                        and decorator.args
                        and isinstance(decorator.args[0], ast.Constant)
                        and decorator.args[0].value == "startup"
                    ):
                        found.append((document, node))
        for node in document.walk_if_mentions("lifespan", "on_startup", "add_event_handler"):
            if not isinstance(node, ast.Call):
                continue
            targets: list[ast.expr] = []
            if code.qualified(document, node.func) in APP_CLASSES:
                lifespan = keyword(node, "lifespan")
                if lifespan is not None:
                    targets.append(lifespan)
                on_startup = keyword(node, "on_startup")
                if isinstance(on_startup, (ast.List, ast.Tuple)):
                    targets.extend(on_startup.elts)
                elif on_startup is not None:
                    followed = False
            elif (
                isinstance(node.func, ast.Attribute)
                and node.func.attr == "add_event_handler"
                and len(node.args) == 2
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value == "startup"
            ):
                targets.append(node.args[1])
            for target in targets:
                if isinstance(target, ast.Name):
                    functions = _resolve_function(code, document, target.id)
                    followed = followed and bool(functions)
                    found.extend(functions)
                else:
                    followed = False
    return found, followed


def _main_modules(code: PythonCode) -> list[PythonModule]:
    return [document for document in code.app_modules if has_main_guard(document)]


def _initializer(code: PythonCode, context: Context) -> Function | None:
    name = context.expect.database_initializer
    expected = context.expect.database_module
    candidates = [
        (document, statement)
        for document in code.app_modules
        for statement in [document.top_level_names.get(name)]
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    preferred = [pair for pair in candidates if pair[0].path == expected]
    chosen = preferred or candidates
    return chosen[0] if chosen else None


@register
class DatabaseNotInitialisedAtStartup(PythonSourceRule):
    """The database initialiser is not run when the app starts.

    ## What it does
    Looks for the initialiser (`init_database_with_defaults`, `[tool.mami-audit.expect]
    database-initializer`) among what runs at start-up: the FastAPI `lifespan`, startup
    handlers (`on_startup=`, `@app.on_event("startup")`, `add_event_handler`) and the
    functions they call or pass on (`run_sync(init_database_with_defaults, settings)`), a few
    calls deep, and modules run as programs (`python -m app`). Reported at the `FastAPI(...)`
    call. Silent when a lifespan or handler cannot be followed statically.

    ## Why is this bad?
    A container started on an empty volume must create the schema and the default rows
    before the first request (R18.1); otherwise every request fails with "no such table"
    until someone runs the migrations by hand, on every new server.

    ## Example
    ```python
    app = FastAPI()
    ```

    ## How to fix
    ```python
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await anyio.to_thread.run_sync(init_database_with_defaults, settings)
        yield

    app = FastAPI(lifespan=lifespan)
    ```
    """

    code = "PS030"
    name = "database-not-initialised-at-startup"
    summary = "The database initialiser is not called at start-up"
    severity = Severity.ERROR
    requirements = ("R18.1",)
    bad_examples = (
        PythonSourceRule.bad(
            {
                "app/core/database.py": "def init_database_with_defaults() -> None:\n    ...\n",
                "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            },
            count=1,
        ),
        PythonSourceRule.bad(
            "from contextlib import asynccontextmanager\nfrom fastapi import FastAPI\n\n"
            "@asynccontextmanager\nasync def lifespan(app):\n    yield\n\n"
            "app = FastAPI(lifespan=lifespan)\n",
            count=1,
        ),
    )
    good_examples = (
        PythonSourceRule.good(
            {
                "app/core/database.py": "def init_database_with_defaults(settings) -> None:\n"
                "    ...\n",
                "app/main.py": "from contextlib import asynccontextmanager\n"
                "import anyio\nfrom fastapi import FastAPI\n"
                "from app.core.database import init_database_with_defaults\n\n"
                "def create_app(settings):\n"
                "    @asynccontextmanager\n    async def lifespan(app):\n"
                "        await anyio.to_thread.run_sync(init_database_with_defaults, settings)\n"
                "        yield\n\n"
                "    return FastAPI(lifespan=lifespan)\n",
            }
        ),
        PythonSourceRule.good(
            {
                "app/db.py": "def init_database_with_defaults() -> None:\n    ...\n",
                "app/main.py": "from fastapi import FastAPI\nfrom app import db\n\n"
                "app = FastAPI()\n\n@app.on_event('startup')\ndef start() -> None:\n"
                "    prepare()\n\ndef prepare() -> None:\n"
                "    db.init_database_with_defaults()\n",
            }
        ),
        PythonSourceRule.good(
            "from fastapi import FastAPI\nfrom app.lifespans import make_lifespan\n\n"
            "app = FastAPI(lifespan=make_lifespan())\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        facts = route_facts(context.project)
        if not facts.app_sites:
            return
        code = app_code(context)
        starters, followed = startup_functions(code)
        if not followed:
            return
        name = context.expect.database_initializer
        for document, function in reachable(code, starters):
            if name in _names_used(document, function):
                return
        for document in _main_modules(code):
            if document.tree is not None and name in _names_used(document, document.tree):
                return
        where, span = facts.app_sites[0]
        defined = _initializer(code, context)
        if defined is None:
            message = (
                f"Nothing runs {name}() at start-up, and the app defines no {name}() (expected "
                f"in {context.expect.database_module}); a new container starts without its "
                "schema (R18.1)"
            )
        else:
            message = (
                f"Nothing runs {name}() ({defined[0].path}) at start-up: call it from the app's "
                "lifespan or a startup handler, or a new container starts without its schema "
                "(R18.1)"
            )
        yield self.finding(where, span, message)


def _runs_alembic(code: PythonCode, functions: list[Function]) -> bool:
    for document, function in functions:
        if "alembic" not in document.text:
            continue  # cheap: nothing in this module can name alembic
        for node in all_nodes(function):
            if isinstance(node, (ast.Attribute, ast.Name)):
                qualified = code.qualified(document, node)
                if qualified is not None and qualified.split(".", 1)[0] == "alembic":
                    return True
    return False


@register
class InitialiserWithoutAlembic(DatabaseModuleRule):
    """The database initialiser does not run the Alembic migrations.

    ## What it does
    Follows the initialiser (`init_database_with_defaults`) and the project functions it
    calls, a few calls deep, looking for Alembic (`alembic.command.upgrade(...)`, any name
    imported from `alembic`). Reported at the initialiser's `def` line.

    ## Why is this bad?
    The spec wants the schema brought to the newest migration at start-up (R18.2).
    `SQLModel.metadata.create_all()` only creates missing tables: a column added in a new
    release is never added to an existing database, and the app fails on the first query
    that uses it.

    ## Example
    ```python
    def init_database_with_defaults(settings):
        SQLModel.metadata.create_all(get_engine(settings.DATABASE_URL))
    ```

    ## How to fix
    ```python
    from alembic import command

    def init_database_with_defaults(settings):
        command.upgrade(alembic_config(settings.DATABASE_URL), "head")
    ```
    """

    code = "PS031"
    name = "initialiser-without-alembic"
    summary = "The database initialiser does not run the Alembic migrations"
    severity = Severity.WARNING
    requirements = ("R18.2",)
    bad_examples = (
        DatabaseModuleRule.bad(
            "from sqlmodel import SQLModel, create_engine\n\n"
            "def init_database_with_defaults(settings) -> None:\n"
            "    SQLModel.metadata.create_all(create_engine(settings.DATABASE_URL))\n",
            count=1,
        ),
    )
    good_examples = (
        DatabaseModuleRule.good(
            "def upgrade(url: str) -> None:\n    from alembic import command\n\n"
            "    command.upgrade(config(url), 'head')\n\n"
            "def init_database_with_defaults(settings) -> None:\n"
            "    upgrade(settings.DATABASE_URL)\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        code = app_code(context)
        initializer = _initializer(code, context)
        if initializer is None:
            return
        if _runs_alembic(code, reachable(code, [initializer])):
            return
        document, function = initializer
        yield self.finding(
            document,
            document.first_line_span(function),
            f"{function.name}() never runs Alembic: existing databases are not migrated to "
            "the newest schema at start-up (R18.2)",
        )


_BROAD = frozenset({"Exception", "BaseException"})


def _swallows(handler: ast.ExceptHandler) -> bool:
    """A bare or broad except whose body neither raises nor exits."""
    caught = handler.type
    names: list[ast.expr] = []
    if caught is None:
        broad = True
    else:
        names = list(caught.elts) if isinstance(caught, ast.Tuple) else [caught]
        broad = any(isinstance(n, ast.Name) and n.id in _BROAD for n in names)
    if not broad:
        return False
    for node in all_nodes(handler):
        if isinstance(node, ast.Raise):
            return False
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("exit", "_exit", "abort"):
                return False
    return True


@register
class MigrationFailureSwallowed(DatabaseModuleRule):
    """A failed migration is caught by a bare or broad `except` and start-up goes on.

    ## What it does
    In the database initialiser, the start-up handlers and the project functions they call,
    reports a `try:` whose body runs the migrations (Alembic, or the initialiser itself) and
    that has an `except:` / `except Exception:` / `except BaseException:` handler which
    neither raises nor exits.

    ## Why is this bad?
    The spec wants a failed migration to stop the container at start-up with an error (R18.5).
    Swallowed, the app serves requests against a schema it does not expect; the health check
    may even pass, and the errors surface later as 500s on random requests.

    ## Example
    ```python
    def init_database_with_defaults(settings):
        try:
            command.upgrade(config, "head")
        except Exception as error:
            logger.error("migration failed: %s", error)
    ```

    ## How to fix
    Log and re-raise (`raise`), or catch only the errors you can handle.
    """

    code = "PS032"
    name = "migration-failure-swallowed"
    summary = "A failed migration is caught by a bare or broad except and start-up continues"
    severity = Severity.ERROR
    requirements = ("R18.5",)
    bad_examples = (
        DatabaseModuleRule.bad(
            "import logging\nfrom alembic import command\n\n"
            "def init_database_with_defaults(config) -> None:\n    try:\n"
            "        command.upgrade(config, 'head')\n    except Exception as error:\n"
            "        logging.error('migration failed: %s', error)\n",
            count=1,
        ),
        DatabaseModuleRule.bad(
            {
                "app/core/database.py": "from alembic import command\n\n"
                "def init_database_with_defaults() -> None:\n"
                "    command.upgrade(None, 'head')\n",
                "app/main.py": "from fastapi import FastAPI\n"
                "from app.core.database import init_database_with_defaults\n\n"
                "app = FastAPI()\n\n@app.on_event('startup')\ndef start() -> None:\n"
                "    try:\n        init_database_with_defaults()\n    except:\n        pass\n",
            },
            count=1,
        ),
    )
    good_examples = (
        DatabaseModuleRule.good(
            "import logging\nfrom alembic import command\n\n"
            "def init_database_with_defaults(config) -> None:\n    try:\n"
            "        command.upgrade(config, 'head')\n    except Exception:\n"
            "        logging.critical('refusing to start')\n        raise\n"
        ),
        DatabaseModuleRule.good(
            "from alembic import command\nfrom sqlalchemy.exc import OperationalError\n\n"
            "def init_database_with_defaults(config) -> None:\n    try:\n"
            "        command.upgrade(config, 'head')\n    except OperationalError:\n"
            "        pass\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        code = app_code(context)
        initializer = _initializer(code, context)
        starters, _ = startup_functions(code)
        start = ([initializer] if initializer else []) + starters
        if not start:
            return
        name = context.expect.database_initializer
        reported: set[tuple[str, int]] = set()
        for document, function in reachable(code, start):
            for node in all_nodes(function):
                if not isinstance(node, ast.Try):
                    continue
                migrates = any(
                    name in _names_used(document, statement)
                    or _runs_alembic(code, [(document, statement)])  # type: ignore[list-item]
                    for statement in node.body
                )
                if not migrates:
                    continue
                for handler in node.handlers:
                    key = (document.path, handler.lineno)
                    if key in reported or not _swallows(handler):
                        continue
                    reported.add(key)
                    yield self.finding(
                        document,
                        document.first_line_span(handler),
                        "A failed migration is caught here and start-up continues; log it and "
                        "re-raise so the container stops with the error (R18.5)",
                    )
