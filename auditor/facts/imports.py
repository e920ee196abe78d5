"""Which modules the app imports, and which entry points exist.

    used = imported_modules(project)        # computed once per project
    used.third_party                         # {"fastapi": [ImportSite(...), ...], ...}
    used.names                               # every top-level name imported, with its sites
    entry_point(project, "app.main:app")     # EntryPoint(exists=True, path="app/main.py", ...)
    entry_point(project, "app")              # `python -m app`: app/__main__.py

Imports are read from the app code (see python_code: the app package, else the whole
project), at any depth: inside functions, `try:` blocks (`conditional=True`) and under
`if TYPE_CHECKING:` (`type_checking=True`, which never runs). Each import site gives the
top-level name (`fastapi` for `from fastapi.middleware.cors import CORSMiddleware`), the file
and the line. Relative imports are resolved and count as first-party. `first_party` holds names
of the project's own modules; `stdlib` uses `sys.stdlib_module_names`. An `importlib` or
`__import__` call with a computed name cannot be followed: `dynamic` lists where they are.
"""

from __future__ import annotations

import ast
import sys
from typing import TYPE_CHECKING, NamedTuple

from auditor.facts.cache import project_fact
from auditor.facts.python_code import python_code, python_paths

if TYPE_CHECKING:
    from auditor.project import Project


class ImportSite(NamedTuple):
    module: str  # the full module imported: "fastapi.middleware.cors"
    path: str
    line: int
    column: int
    conditional: bool  # inside if/try/with/a function: may not run at import
    type_checking: bool  # under `if TYPE_CHECKING:`: never runs


class ImportedModules(NamedTuple):
    names: dict[str, list[ImportSite]]  # top-level name -> sites, in path/line order
    first_party: frozenset[str]
    dynamic: list[tuple[str, int]]  # (path, line) of importlib/__import__ with computed names

    @property
    def third_party(self) -> dict[str, list[ImportSite]]:
        return {
            name: sites
            for name, sites in self.names.items()
            if name not in self.first_party and name not in sys.stdlib_module_names
        }

    @property
    def stdlib(self) -> dict[str, list[ImportSite]]:
        return {n: s for n, s in self.names.items() if n in sys.stdlib_module_names}


def imported_modules(project: Project) -> ImportedModules:
    return project_fact(project, "imports", _build)


def _build(project: Project) -> ImportedModules:
    code = python_code(project)
    names: dict[str, list[ImportSite]] = {}
    dynamic: list[tuple[str, int]] = []
    for document in code.app_modules:
        for item in document.imports:
            if not item.module:
                continue
            site = ImportSite(
                item.module,
                document.path,
                item.line,
                item.column,
                item.conditional,
                item.type_checking,
            )
            sites = names.setdefault(item.module.split(".", 1)[0], [])
            if not sites or sites[-1][1:3] != site[1:3]:  # one site per statement
                sites.append(site)
        for node in document.walk_if_mentions("import_module", "__import__"):
            if isinstance(node, ast.Call) and _dynamic_import(node):
                dynamic.append((document.path, node.lineno))
    return ImportedModules(names, code.first_party, dynamic)


def _dynamic_import(call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__"):
        return False
    first = call.args[0] if call.args else None
    return not (isinstance(first, ast.Constant) and isinstance(first.value, str))


class EntryPoint(NamedTuple):
    target: str  # as given: "app.main:app" or "app"
    module: str
    attribute: str | None
    exists: bool  # the module's file exists, and defines the attribute when one is named
    path: str | None  # the file that runs: app/main.py, app/__main__.py
    line: int | None  # where the attribute is defined
    reason: str  # why it does not exist ("" when it does)


def module_path(project: Project, module: str, *, runnable: bool = False) -> str | None:
    """The project file of a dotted module; with `runnable`, what `python -m module` runs
    (a package's __main__.py). Looks at the root and under src/."""
    paths = set(python_paths(project)) | {
        path for path in project.files() if path.endswith("/__main__.py")
    }
    stem = module.replace(".", "/")
    for base in ("", "src/"):
        candidates = [f"{base}{stem}/__main__.py"] if runnable else [f"{base}{stem}/__init__.py"]
        candidates.insert(0, f"{base}{stem}.py")
        for candidate in candidates:
            if candidate in paths or project.exists(candidate):
                return candidate
    # A package below a plain folder (backend/app/...), known by its import name.
    code = python_code(project)
    for name in [f"{module}.__main__", module] if runnable else [module]:
        document = code.module(name)
        if document is not None and not (runnable and document.is_package):
            return document.path
    return None


def entry_point(project: Project, target: str) -> EntryPoint:
    """Does `module:attr` (uvicorn, gunicorn) or `module` (`python -m`) exist in the project?

    A module that is not the project's (an installed tool such as `uvicorn` or `alembic`) does
    not exist here; callers decide whether that matters.
    """
    module, _, attribute = target.partition(":")
    module = module.strip()
    attr = attribute.strip() or None
    path = module_path(project, module, runnable=attr is None)
    if path is None:
        return EntryPoint(target, module, attr, False, None, None, f"no module {module} here")
    if attr is None:
        return EntryPoint(target, module, None, True, path, None, "")
    from auditor.documents.python import PythonModule

    document = project.document(path, "python")
    if not isinstance(document, PythonModule) or document.tree is None:
        return EntryPoint(target, module, attr, False, path, None, f"{path} does not parse")
    head = attr.split(".", 1)[0].split("(", 1)[0]
    statement = document.top_level_names.get(head)
    if statement is None and document.star_imports:
        return EntryPoint(target, module, attr, True, path, None, "")  # may come from the star
    if statement is None:
        return EntryPoint(target, module, attr, False, path, None, f"{path} defines no {head}")
    return EntryPoint(target, module, attr, True, path, statement.lineno, "")


class EntryPointSite(NamedTuple):
    target: str  # "app.main:app" (a uvicorn string) or "app.selfcheck" (a runnable module)
    path: str
    line: int


def entry_points_in_code(project: Project) -> list[EntryPointSite]:
    """Entry points the app code itself names: modules with an `if __name__ == "__main__":`
    block or a `__main__.py` (python -m targets), and `uvicorn.run("module:attr")` strings."""
    found: list[EntryPointSite] = []
    for document in python_code(project).app_modules:
        assert document.tree is not None
        if document.path.endswith("/__main__.py"):
            found.append(EntryPointSite(document.module.rpartition(".")[0], document.path, 1))
        for statement in document.tree.body:
            if isinstance(statement, ast.If) and _is_main_guard(statement.test):
                found.append(EntryPointSite(document.module, document.path, statement.lineno))
        for node in document.walk_if_mentions("uvicorn"):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "run"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "uvicorn"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append(EntryPointSite(node.args[0].value, document.path, node.lineno))
    return found


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )
