"""The project's Python code as a whole: which modules exist, and what a name in one stands for.

    code = python_code(project)          # computed once per project
    code.app_modules                     # the app package's parsed modules (see below)
    code.module("app.config")            # a PythonModule by dotted name, or None
    code.qualified(module, node)         # `BaseSettings` in app/config.py ->
                                         #   "pydantic_settings.BaseSettings"

The app package is the top-level folder of the expected settings module
(`[tool.mami-audit.expect] settings-module`, default `app/config.py`) when it holds Python files;
otherwise every Python file of the project counts as app code. Only parsed modules are indexed:
a file with a syntax error is reported by AU001 and is otherwise invisible here.

Names resolve through the import table: `from pydantic_settings import BaseSettings as B`,
`import pydantic_settings as ps; ps.BaseSettings`, a project module re-exporting a name
(`from app.base import BaseSettings` where app/base.py imports it), and star imports. A name
that cannot be resolved gives None, and the facts built on it say "unknown".
"""

from __future__ import annotations

import ast
import builtins
from typing import TYPE_CHECKING

from auditor.facts.cache import project_fact

if TYPE_CHECKING:
    from auditor.documents.python import PythonModule
    from auditor.project import Project

_BUILTINS = frozenset(dir(builtins))
_MAX_HOPS = 12  # re-export chains longer than this are treated as unknown (and loops end)


class PythonCode:
    def __init__(
        self, modules: list[PythonModule], app_package: str | None, first_party: frozenset[str]
    ) -> None:
        # The parsed modules of the app package (of the whole project when there is none), in
        # path order. Only these are parsed: a whole-project run of the PS rules must stay
        # cheap on a repository that also holds tools and scripts.
        self.app_modules = modules
        self.by_name: dict[str, PythonModule] = {}
        for document in modules:
            self.by_name.setdefault(document.module, document)
        self.app_package = app_package  # e.g. "app"; None: the whole project is app code
        # Top-level names of the project's own modules and packages (first-party imports).
        self.first_party = first_party
        self._qualified: dict[tuple[str, str], str | None] = {}

    def module(self, name: str) -> PythonModule | None:
        return self.by_name.get(name)

    def dotted(self, node: ast.expr) -> str | None:
        """`a.b.c` for a Name/Attribute chain, else None."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.append(node.id)
        return ".".join(reversed(parts))

    def qualified(self, document: PythonModule, node: ast.expr) -> str | None:
        """The fully qualified name an expression (`B`, `ps.BaseSettings`) stands for."""
        dotted = self.dotted(node)
        if dotted is None:
            return None
        key = (document.path, dotted)
        if key not in self._qualified:  # rules ask about the same names again and again
            self._qualified[key] = self.qualify_name(document, dotted)
        return self._qualified[key]

    def qualify_name(self, document: PythonModule, dotted: str, hops: int = 0) -> str | None:
        head, _, rest = dotted.partition(".")
        suffix = f".{rest}" if rest else ""
        binding = document.bindings.get(head)
        if binding is not None:
            return self.canonical(binding.target + suffix, hops + 1)
        if head in document.top_level_names:
            return f"{document.module}.{dotted}"
        if not document.star_imports and head in _BUILTINS:
            return f"builtins.{dotted}"
        for star in document.star_imports:
            inner = self.module(star.module)
            if inner is None:
                # A library's star import: assume the name comes from it.
                return self.canonical(f"{star.module}.{dotted}", hops + 1)
            if hops < _MAX_HOPS and (
                head in inner.top_level_names or head in inner.bindings or inner.star_imports
            ):
                found = self.qualify_name(inner, dotted, hops + 1)
                if found is not None:
                    return found
        return None

    def canonical(self, qualified: str, hops: int = 0) -> str | None:
        """Follow re-exports: `app.base.BaseSettings` -> `pydantic_settings.BaseSettings` when
        app/base.py imports it; a name defined in a project module stays as it is."""
        if hops > _MAX_HOPS:
            return None
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            document = self.module(".".join(parts[:cut]))
            if document is None:
                continue
            head, rest = parts[cut], parts[cut + 1 :]
            if head in document.top_level_names and head not in document.bindings:
                return qualified
            if head in document.bindings or document.star_imports:
                dotted = ".".join([head, *rest])
                return self.qualify_name(document, dotted, hops + 1) or qualified
            return qualified
        return qualified  # not a project module: a library's name

    def defined_class(self, qualified: str) -> tuple[PythonModule, ast.ClassDef] | None:
        """The project class a qualified name names, if it is one."""
        module_name, _, name = qualified.rpartition(".")
        document = self.module(module_name)
        if document is None:
            return None
        statement = document.top_level_names.get(name)
        if isinstance(statement, ast.ClassDef):
            return document, statement
        return None


def python_code(project: Project) -> PythonCode:
    return project_fact(project, "python_code", _build)


def python_paths(project: Project) -> list[str]:
    """Every discovered file the Python document kind reads."""
    return project_fact(project, "python_paths", _python_paths)


def _python_paths(project: Project) -> list[str]:
    from auditor.documents import python

    return [path for path in project.files() if python.matches(path)]


def app_package(project: Project) -> str | None:
    """The top-level folder of the expected settings module, when it holds Python files."""
    expected = project.config.expect.settings_module
    if "/" not in expected:
        return None
    package = expected.split("/", 1)[0]
    prefix = package + "/"
    return package if any(path.startswith(prefix) for path in python_paths(project)) else None


def _import_name(path: str, packages: set[str]) -> str | None:
    """`backend/app/core/config.py` -> `app.core.config` when app/ and app/core/ hold an
    __init__.py and backend/ does not: the name `import` uses with backend/ on sys.path.
    None (the path's own name) when the file's folder is no package or the package chain
    starts at the root."""
    from auditor.documents.python import module_name

    folder = path.rpartition("/")[0]
    if folder not in packages:
        return None
    while "/" in folder and folder.rpartition("/")[0] in packages:
        folder = folder.rpartition("/")[0]
    base = folder.rpartition("/")[0]
    if not base:
        return None
    return module_name(path[len(base) + 1 :])


def _build(project: Project) -> PythonCode:
    from auditor.documents.python import PythonModule, module_name

    paths = python_paths(project)
    package = app_package(project)
    if package is not None:
        paths_read = [path for path in paths if path.startswith(package + "/")]
    else:
        paths_read = paths
    packages = {path.rpartition("/")[0] for path in paths if path.endswith("/__init__.py")}
    documents = []
    for path in paths_read:
        document = project.document(path, "python")
        if isinstance(document, PythonModule) and document.tree is not None:
            document.import_name = _import_name(path, packages)
            documents.append(document)
    first_party = frozenset(
        [module_name(path).split(".", 1)[0] for path in paths]
        + [document.module.split(".", 1)[0] for document in documents]
    )
    return PythonCode(documents, package, first_party)
