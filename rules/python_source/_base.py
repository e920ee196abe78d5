"""What the Python source rules share: the app code, its Settings class, names of calls."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from auditor.documents.python import PythonModule
from auditor.facts.python_code import PythonCode, python_code
from auditor.facts.settings import SettingsClass, settings_facts
from auditor.rule import Context, Finding, Rule


class PythonSourceRule(Rule):
    """A rule about the app's Python code. Bare-string examples are `app/main.py`."""

    example_path = "app/main.py"

    def check(self, context: Context) -> Iterator[Finding]:
        raise NotImplementedError(f"{type(self).__name__} does not define check()")


def app_code(context: Context) -> PythonCode:
    return python_code(context.project)


def looks_like_an_app(context: Context) -> bool:
    """Is there an app to judge: an app package, a FastAPI app or a Settings class? Without
    one, the Python files are someone's scripts, not a service the spec is about."""
    from auditor.facts.routes import route_facts

    if app_code(context).app_package is not None:
        return True
    return bool(route_facts(context.project).apps or settings_facts(context.project).classes)


def primary_settings(context: Context) -> SettingsClass | None:
    return settings_facts(context.project).primary


def settings_document(context: Context, settings: SettingsClass) -> PythonModule | None:
    document = context.project.document(settings.path, "python")
    return document if isinstance(document, PythonModule) else None


def calls_in(document: PythonModule, *words: str) -> Iterator[ast.Call]:
    """Every call in the module, walked only when its text mentions one of `words`."""
    for node in document.walk_if_mentions(*words):
        if isinstance(node, ast.Call):
            yield node


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((item.value for item in call.keywords if item.arg == name), None)


def string_value(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def has_main_guard(document: PythonModule) -> bool:
    """Does the module run as a program (`if __name__ == "__main__":`, or a __main__.py)?"""
    if document.path.endswith("__main__.py"):
        return True
    assert document.tree is not None
    for statement in document.tree.body:
        test = getattr(statement, "test", None)
        if (
            isinstance(statement, ast.If)
            and isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == "__name__"
        ):
            return True
    return False


# Bases whose bare-string examples are written at the module the rule is about (a class's
# `bad()`/`good()` read `example_path` from the class they are called on).
class SettingsModuleRule(PythonSourceRule):
    example_path = "app/config.py"


class LoggerModuleRule(PythonSourceRule):
    example_path = "app/core/logger.py"


class DatabaseModuleRule(PythonSourceRule):
    example_path = "app/core/database.py"
