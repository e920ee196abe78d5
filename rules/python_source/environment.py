"""Environment variables read around the Settings class, and `.env.example` against it."""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterator

from auditor.documents.python import PythonModule
from auditor.facts.settings import SettingsClass
from auditor.rule import Context, Finding, Severity, register
from rules.python_source._base import (
    PythonSourceRule,
    app_code,
    primary_settings,
    string_value,
)
from rules.python_source._env_sources import compose_variables, example_files

_GETENV = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault", "os.environ.pop"})


def environment_reads(document: PythonModule, qualify: object) -> Iterator[tuple[str, ast.AST]]:
    """(variable, node) for each `os.getenv("X")`, `os.environ.get("X")`, `os.environ["X"]`."""
    code = qualify
    for node in document.walk_if_mentions("environ", "getenv"):
        if isinstance(node, ast.Call) and node.args:
            name = code.qualified(document, node.func)  # type: ignore[attr-defined]
            variable = string_value(node.args[0])
            if name in _GETENV and variable is not None:
                yield variable, node
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            name = code.qualified(document, node.value)  # type: ignore[attr-defined]
            variable = string_value(node.slice)
            if name == "os.environ" and variable is not None:
                yield variable, node


@register
class EnvironmentReadOutsideSettings(PythonSourceRule):
    """A module reads an environment variable the Settings class already has.

    ## What it does
    Reports `os.getenv("X")`, `os.environ.get("X")` and `os.environ["X"]` outside the
    settings module when the Settings class has a field reading `X` (its env prefix, aliases
    and case rules applied).

    ## Why is this bad?
    The value read this way skips `.env` (pydantic-settings reads it; `os.getenv` does not),
    skips validation and has its own default: the container started with a `.env` behaves
    differently from what Settings says (R2.1), and the two defaults drift apart.

    ## Example
    ```python
    # app/main.py
    import os

    REDIS_URL = os.getenv("REDIS_URL", "redis://localhost:6379")
    ```

    ## How to fix
    Read the Settings field: `get_settings().REDIS_URL` (or the method that derives the value,
    such as `get_redis_url(db=1)`).
    """

    code = "PS010"
    name = "environment-read-outside-settings"
    summary = "os.getenv / os.environ read of a variable the Settings class has"
    severity = Severity.WARNING
    requirements = ("R2.1",)
    bad_examples = (
        PythonSourceRule.bad(
            {
                "app/config.py": "from pydantic_settings import BaseSettings\n\n"
                "class Settings(BaseSettings):\n    REDIS_URL: str = 'redis://redis:6379'\n",
                "app/main.py": "import os\nfrom os import environ\n\n"
                "REDIS = os.getenv('REDIS_URL', 'redis://localhost:6379')\n"
                "AGAIN = environ['redis_url']\nHOME = os.getenv('HOME')\n",
            },
            count=2,
        ),
    )
    good_examples = (
        PythonSourceRule.good(
            {
                "app/config.py": "import os\nfrom pydantic_settings import BaseSettings\n\n"
                "class Settings(BaseSettings):\n    REDIS_URL: str = 'redis://redis:6379'\n\n"
                "DEBUG_URL = os.getenv('REDIS_URL')\n",
                "app/main.py": "import os\n\nHOME = os.getenv('HOME')\n",
            }
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        settings = primary_settings(context)
        if settings is None or not settings.variables_known:
            return
        code = app_code(context)
        for document in code.app_modules:
            if document.path == settings.path:
                continue
            for variable, node in environment_reads(document, code):
                field = settings.field_for_variable(variable)
                if field is None:
                    continue
                yield self.finding(
                    document,
                    document.span_of(node),
                    f"{variable} is read from the environment here, bypassing .env and "
                    f"validation; use {settings.name}.{field.name} ({settings.path})",
                )


def _settings_folders(context: Context, settings: SettingsClass) -> set[str]:
    """Folders whose example env file documents this Settings class: the folder the app runs
    from (the one holding the app package) and those of its `env_file` paths. A
    frontend/.env.example (Vite's variables) is not the backend's."""
    package = app_code(context).app_package
    if package is not None:
        base = posixpath.dirname(package)
    else:  # where the settings module's import name starts: backend/ for backend/app/...
        stem = settings.path[: -len(".py")].removesuffix("/__init__").split("/")
        depth = len(settings.module.split("."))
        base = "/".join(stem[: max(0, len(stem) - depth)])
    folders = {base}
    env_files = settings.env_file
    for env_file in env_files or ():
        folder = posixpath.normpath(posixpath.join(base, posixpath.dirname(env_file)))
        folders.add("" if folder == "." else folder)
    return folders


@register
class EnvExampleUnknownKey(PythonSourceRule):
    """A `.env.example` key that no Settings field and no Compose file reads.

    ## What it does
    Compares each key of `.env.example` (and `.env.sample`, `.env.template`, `example.env`)
    with the Settings class's fields (env prefix, aliases and case rules applied) and with the
    variables Compose files use (`${KEY}` interpolation, `environment:` entries). Reports a
    key none of them reads. Only the example files beside the app (the folder holding the
    app package, and those of the class's `env_file` paths) are compared: a
    `frontend/.env.example` documents the frontend. Silent when the Settings class's prefix
    or case rules are computed, or it has no fields at all.

    ## Why is this bad?
    A value set for a key nobody reads is silently ignored at run time: a typo
    (`REDIS_HOSTNAME` for `REDIS_HOST`) or a setting that was renamed leaves the app on its
    default while the operator believes it is configured (R2.1).

    ## Example
    ```sh
    # .env.example
    REDIS_HOSTNAME=redis
    ```
    with `REDIS_HOST: str = "localhost"` in Settings.

    ## How to fix
    Rename the key to the variable a field reads, add the field to Settings, or delete the key.
    """

    code = "PS050"
    name = "env-example-unknown-key"
    summary = "A .env.example key that no Settings field or Compose file reads"
    severity = Severity.WARNING
    requirements = ("R2.1",)
    bad_examples = (
        PythonSourceRule.bad(
            {
                "app/config.py": "from pydantic_settings import BaseSettings\n\n"
                "class Settings(BaseSettings):\n    REDIS_HOST: str = 'localhost'\n",
                ".env.example": "REDIS_HOSTNAME=redis\nredis_host=redis\n",
            },
            count=1,
        ),
    )
    good_examples = (
        PythonSourceRule.good(
            {
                "app/config.py": "from pydantic import Field\n"
                "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n"
                "class Settings(BaseSettings):\n"
                "    model_config = SettingsConfigDict(env_prefix='MAMI_')\n"
                "    port: int = 8000\n"
                "    token: str = Field('', validation_alias='API_TOKEN')\n",
                ".env.example": "MAMI_PORT=8000\nAPI_TOKEN=\nIMAGE_TAG=latest\n",
                "frontend/.env.example": "VITE_API_URL=http://localhost:8000\n",
                "docker-compose.yml": "services:\n  api:\n    image: app:${IMAGE_TAG}\n",
            }
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        settings = primary_settings(context)
        if settings is None or not settings.variables_known or not settings.fields:
            return
        examples = [
            document
            for document in example_files(context.project)
            if posixpath.dirname(document.path) in _settings_folders(context, settings)
        ]
        if not examples:
            return
        used_by_compose = compose_variables(context.project)
        for document in examples:
            if document.parse_error is not None:
                continue
            for key, variable in document.keys().items():
                if key in used_by_compose or settings.field_for_variable(key) is not None:
                    continue
                yield self.finding(
                    document,
                    document.line_span(variable.line),
                    f"{key} is read by no field of {settings.name} ({settings.path}) and no "
                    "Compose file: a value set for it is silently ignored",
                )
