"""The pydantic Settings class: present, pydantic 2, complete, with the methods the spec names."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from auditor.documents.python import PythonModule, all_nodes
from auditor.facts.routes import route_facts
from auditor.facts.settings import UNKNOWN, SettingsClass, settings_facts
from auditor.rule import Applicability, Context, Finding, Fix, Severity, register
from rules.python_source._base import (
    SettingsModuleRule,
    app_code,
    primary_settings,
    settings_document,
)
from rules.python_source._edits import LazyEdits
from rules.python_source._env_sources import provided_variables


@register
class MissingSettingsClass(SettingsModuleRule):
    """The app has no pydantic `BaseSettings` class.

    ## What it does
    Looks through the app package (the top folder of `settings-module`, default `app/`) for a
    class deriving, through imports, from pydantic-settings' `BaseSettings` (or pydantic v1's).
    Reports when there is none, at the expected settings module (or the app's first module).
    Silent when a class's base cannot be resolved statically.

    ## Why is this bad?
    Without a Settings class the app reads its configuration with scattered `os.getenv` calls:
    nothing validates a value (a typo in `PORT` fails deep inside uvicorn), defaults live in
    many places and `.env` is read by nothing but Compose (R2.2, R2.3).

    ## Example
    ```python
    # app/config.py
    import os

    REDIS_URL = os.environ["REDIS_URL"]
    ```

    ## How to fix
    ```python
    from pydantic_settings import BaseSettings, SettingsConfigDict

    class Settings(BaseSettings):
        model_config = SettingsConfigDict(env_file=".env", extra="ignore")
        REDIS_URL: str | None = None
    ```
    """

    code = "PS001"
    name = "missing-settings-class"
    summary = "No pydantic BaseSettings class in the app code"
    severity = Severity.ERROR
    requirements = ("R2.2",)
    bad_examples = (
        SettingsModuleRule.bad('import os\n\nREDIS_URL = os.environ["REDIS_URL"]\n', count=1),
    )
    good_examples = (
        SettingsModuleRule.good(
            "from pydantic_settings import BaseSettings\n\n"
            "class Settings(BaseSettings):\n    REDIS_URL: str | None = None\n"
        ),
        SettingsModuleRule.good(
            {
                "app/config.py": "from app.base import Base\n\n"
                "class Settings(Base()):\n    X: int = 1\n"
            }
        ),
        SettingsModuleRule.good({"scripts/tool.py": "import os\nprint(os.getenv('X'))\n"}),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        code = app_code(context)
        facts = settings_facts(context.project)
        if facts.classes or not facts.complete or not code.app_modules:
            return
        if code.app_package is None and not route_facts(context.project).apps:
            return  # no app package and no FastAPI app: not an app this rule knows
        expected = context.expect.settings_module
        where = code.by_name.get(expected[: -len(".py")].replace("/", "."))
        document = where or code.app_modules[0]
        where_text = f"{code.app_package}/" if code.app_package else "the project"
        yield self.finding(
            document,
            document.line_span(1),
            f"No pydantic BaseSettings class in {where_text}: configuration "
            f"is not validated and has no single place for its defaults (expected in {expected})",
        )


# pydantic v1 `class Config` keys whose v2 `SettingsConfigDict` key means exactly the same.
EXACT_CONFIG_KEYS = {
    "env_file": "env_file",
    "env_file_encoding": "env_file_encoding",
    "env_prefix": "env_prefix",
    "env_nested_delimiter": "env_nested_delimiter",
    "case_sensitive": "case_sensitive",
    "secrets_dir": "secrets_dir",
    "arbitrary_types_allowed": "arbitrary_types_allowed",
    "validate_assignment": "validate_assignment",
    "use_enum_values": "use_enum_values",
    "anystr_strip_whitespace": "str_strip_whitespace",
    "anystr_lower": "str_to_lower",
    "anystr_upper": "str_to_upper",
    "min_anystr_length": "str_min_length",
    "max_anystr_length": "str_max_length",
    "validate_all": "validate_default",
    "allow_population_by_field_name": "populate_by_name",
    "orm_mode": "from_attributes",
    "schema_extra": "json_schema_extra",
    "title": "title",
    "frozen": "frozen",
}
_EXTRA_VALUES = {"ignore", "allow", "forbid"}


def v1_problems(settings: SettingsClass) -> list[str]:
    """What makes the class a pydantic v1 settings class, for the message."""
    problems = []
    if settings.version == "v1":
        problems.append("imports BaseSettings from pydantic (v1; an ImportError on pydantic 2)")
    if settings.config_class_node is not None:
        problems.append("configures it with `class Config` (v1) instead of model_config")
    return problems


def exact_migration(settings: SettingsClass) -> tuple[bool, str]:
    """Is the v1 -> v2 rewrite exact for what the class loads from the environment and .env?
    (True, "") or (False, why not)."""
    for key, entry in (settings.config_class or {}).items():
        if key == "extra":
            value = entry.source.rsplit(".", 1)[-1].strip("'\"")
            if value not in _EXTRA_VALUES:
                return False, f"`extra = {entry.source}` is computed"
            if value == "forbid":
                return False, (
                    "`extra = forbid` rejects unknown .env keys under pydantic-settings 2, which "
                    "v1 ignored"
                )
            continue
        if key not in EXACT_CONFIG_KEYS:
            return False, f"`{key}` in class Config has no exact SettingsConfigDict equivalent"
        if key == "allow_mutation":
            return False, "`allow_mutation` becomes `frozen` with the opposite value"
    for item in settings.fields.values():
        value = item.node.value
        if isinstance(value, ast.Call) and any(k.arg == "env" for k in value.keywords):
            return False, (
                f"`{item.name}` uses Field(env=...), which becomes validation_alias: the "
                "field can then no longer be set by its own name in Settings(...)"
            )
    return True, ""


def fix_refusal(settings: SettingsClass) -> str | None:
    """Why no fix is offered at all (the codemod would have to drop code), or None."""
    if settings.config_class_node is None:
        return None
    if settings.model_config_node is not None:
        return "the class has both model_config and class Config; which one wins is your call"
    for statement in settings.config_class_node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return f"class Config defines `{statement.name}()`, which has no equivalent"
        is_docstring = isinstance(statement, ast.Expr) and isinstance(
            getattr(statement, "value", None), ast.Constant
        )
        if not isinstance(statement, (ast.Assign, ast.AnnAssign, ast.Pass)) and not is_docstring:
            return f"class Config holds a `{type(statement).__name__}` statement, not options"
    return None


@register
class PydanticV1Settings(SettingsModuleRule):
    """The Settings class uses pydantic v1's `BaseSettings` or a `class Config`.

    ## What it does
    Reports a settings class that imports `BaseSettings` from `pydantic` (or `pydantic.v1`),
    or configures itself with an inner `class Config:`, once per module.

    ## Why is this bad?
    pydantic 2 (which R8.1 requires) moved `BaseSettings` to the `pydantic-settings` package:
    `from pydantic import BaseSettings` raises an ImportError at start-up. `class Config` is
    deprecated, and its v1 option names (`allow_mutation`, `orm_mode`, ...) are silently
    ignored by pydantic 2.

    ## Example
    ```python
    from pydantic import BaseSettings

    class Settings(BaseSettings):
        REDIS_URL: str = "redis://localhost:6379"

        class Config:
            env_file = ".env"
    ```

    ## How to fix
    ```python
    from pydantic_settings import BaseSettings, SettingsConfigDict

    class Settings(BaseSettings):
        REDIS_URL: str = "redis://localhost:6379"

        model_config = SettingsConfigDict(env_file=".env", extra="ignore")
    ```
    The fix (libcst, keeping comments and formatting) rewrites the import and turns
    `class Config` into `model_config = SettingsConfigDict(...)` in place, renaming the options
    pydantic 2 renamed (`anystr_strip_whitespace` -> `str_strip_whitespace`, `orm_mode` ->
    `from_attributes`, ...). It adds `extra="ignore"` when the class did not choose: a v1
    settings class ignored `.env` keys no field reads, pydantic-settings 2 refuses them by
    default. With that, the class loads the same values from the environment and `.env`.
    The fix is unsafe when the mapping is not exact: `Field(env=...)` (becomes
    `validation_alias`, so `Settings(name=...)` no longer works by field name), options
    without an equivalent (`fields`, `json_encoders`, `allow_mutation`, ...), methods in
    `class Config` (`customise_sources`), or `extra = "forbid"`.
    """

    code = "PS002"
    name = "pydantic-v1-settings"
    summary = "Settings use pydantic v1's BaseSettings import or class Config"
    severity = Severity.ERROR
    requirements = ("R2.2", "R8.1")
    fixable = True
    bad_examples = (
        SettingsModuleRule.bad(
            "from pydantic import BaseSettings\n\n\n"
            "class Settings(BaseSettings):\n"
            '    REDIS_URL: str = "redis://localhost:6379"  # local default\n\n'
            "    class Config:\n"
            '        env_file = ".env"  # read by Compose too\n'
            "        anystr_strip_whitespace = True\n",
            "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\n"
            "class Settings(BaseSettings):\n"
            '    REDIS_URL: str = "redis://localhost:6379"  # local default\n\n'
            "    model_config = SettingsConfigDict(\n"
            '        env_file=".env",  # read by Compose too\n'
            "        str_strip_whitespace=True,\n"
            '        extra="ignore",\n'
            "    )\n",
            count=1,
        ),
        SettingsModuleRule.bad(
            "from pydantic import BaseSettings, Field\n\n\n"
            "class Settings(BaseSettings):\n"
            '    redis_url: str = Field("redis://localhost", env="REDIS_URL")\n',
            "from pydantic import Field\n"
            "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\n"
            "class Settings(BaseSettings):\n"
            '    redis_url: str = Field("redis://localhost", validation_alias="REDIS_URL")\n'
            '    model_config = SettingsConfigDict(extra="ignore")\n',
            count=1,
            unsafe=True,
        ),
        SettingsModuleRule.bad(
            "from pydantic_settings import BaseSettings\n\n\n"
            "class Settings(BaseSettings):\n"
            "    PORT: int = 8000\n\n"
            "    class Config:\n"
            "        env_prefix = 'MAMI_'\n",
            "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\n"
            "class Settings(BaseSettings):\n"
            "    PORT: int = 8000\n\n"
            "    model_config = SettingsConfigDict(\n"
            "        env_prefix='MAMI_',\n"
            '        extra="ignore",\n'
            "    )\n",
            count=1,
        ),
    )
    good_examples = (
        SettingsModuleRule.good(
            "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n"
            "class Settings(BaseSettings):\n"
            '    model_config = SettingsConfigDict(env_file=".env")\n'
        ),
        SettingsModuleRule.good(
            "from pydantic import BaseModel\n\nclass Item(BaseModel):\n"
            "    class Config:\n        orm_mode = True\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        by_path: dict[str, list[SettingsClass]] = {}
        for settings in settings_facts(context.project).classes:
            if v1_problems(settings):
                by_path.setdefault(settings.path, []).append(settings)
        v1_imports = _v1_import_lines(context)
        for path in sorted(set(by_path) | set(v1_imports)):
            classes = by_path.get(path, [])
            document = context.project.document(path, "python")
            if not isinstance(document, PythonModule):
                continue
            problems = [f"{c.name} {p}" for c in classes for p in v1_problems(c)]
            line = min([*v1_imports.get(path, []), *[c.span.line for c in classes]])
            if not problems:
                problems = ["imports BaseSettings from pydantic (v1; an ImportError on pydantic 2)"]
            text = "; ".join(problems)
            refusals = [reason for c in classes for reason in [fix_refusal(c)] if reason]
            if refusals:
                text += f" (no fix: {refusals[0]})"
                yield self.finding(document, document.line_span(line), text)
                continue
            exact, why = True, ""
            for settings in classes:
                exact, why = exact_migration(settings)
                if not exact:
                    break
            message = (
                "Use pydantic-settings' BaseSettings and model_config = SettingsConfigDict(...)"
            )
            fix = _fix(document, classes, exact, message)
            if not exact:
                text += f" (the fix is unsafe: {why})"
            yield self.finding(document, document.line_span(line), text, fix)


def _v1_import_lines(context: Context) -> dict[str, list[int]]:
    """Lines importing pydantic v1's BaseSettings, by path."""
    found: dict[str, list[int]] = {}
    for document in app_code(context).app_modules:
        for item in document.imports:
            if item.target in ("pydantic.BaseSettings", "pydantic.v1.BaseSettings") or (
                item.target == "pydantic.env_settings.BaseSettings"
            ):
                found.setdefault(document.path, []).append(item.line)
    return found


def _fix(document: PythonModule, classes: list[SettingsClass], exact: bool, message: str) -> Fix:
    # The edits are computed by libcst when the fixer (or a JSON report) first reads them,
    # so a check without --fix never imports libcst.
    names = frozenset(settings.name for settings in classes)
    edits = LazyEdits(document, "rules.python_source._v1_settings_fix", names)
    applicability = Applicability.SAFE if exact else Applicability.UNSAFE
    return Fix(applicability, message, edits)  # type: ignore[arg-type]


@register
class RequiredSettingNotProvided(SettingsModuleRule):
    """A Settings field has no default, and neither `.env.example` nor Compose provides it.

    ## What it does
    Reports each field of the Settings class without a default whose environment variable is
    neither in `.env.example` (set or shown commented out) nor set in a Compose file's
    `environment:` (or `${VAR}` used there).

    ## Why is this bad?
    The spec wants an undefined variable to fall back to the class's default (R2.3). A
    required field that no example documents makes a fresh checkout or a new server fail at
    start-up with a validation error nobody was told to expect.

    ## Example
    ```python
    class Settings(BaseSettings):
        SECRET_KEY: str
    ```
    with a `.env.example` that does not mention `SECRET_KEY`.

    ## How to fix
    Give the field a default (`SECRET_KEY: str | None = None`, and refuse to start where it
    matters), or document it in `.env.example` (`SECRET_KEY=` with a comment on how to make
    one).
    """

    code = "PS003"
    name = "required-setting-not-provided"
    summary = "A Settings field without a default that no .env.example or Compose provides"
    severity = Severity.WARNING
    requirements = ("R2.3",)
    bad_examples = (
        SettingsModuleRule.bad(
            {
                "app/config.py": "from pydantic_settings import BaseSettings\n\n"
                "class Settings(BaseSettings):\n    SECRET_KEY: str\n    PORT: int = 8000\n",
                ".env.example": "PORT=8000\n",
            },
            count=1,
        ),
    )
    good_examples = (
        SettingsModuleRule.good(
            {
                "app/config.py": "from pydantic_settings import BaseSettings\n\n"
                "class Settings(BaseSettings):\n    SECRET_KEY: str\n    TOKEN: str\n",
                ".env.example": "# Generate one with `openssl rand -hex 32`\n# SECRET_KEY=\n",
                "docker-compose.yml": "services:\n  api:\n    environment:\n"
                "      TOKEN: ${TOKEN:?set it}\n",
            }
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        settings = primary_settings(context)
        if settings is None or not settings.variables_known:
            return
        provided = provided_variables(context.project)
        if provided is None:
            return  # an example file that does not parse: AU001 says so
        sensitive = settings.case_sensitive
        known = provided if sensitive else {name.upper() for name in provided}
        prefix = settings.env_prefix
        for item in settings.fields.values():
            if not item.required:
                continue
            names = [prefix + env if env == item.name else env for env in item.env_names]
            if any((name if sensitive else name.upper()) in known for name in names):
                continue
            yield self.finding(
                settings.path,
                item.span,
                f"`{item.name}` has no default, and no .env.example or Compose file provides "
                f"{names[0]}: a fresh start fails validation",
            )


_PARAMETER_NEEDS = {
    "redis_url_method": ("db",),
}


@register
class SettingsMethodMissing(SettingsModuleRule):
    """The Settings class lacks a method the spec names, or its signature differs.

    ## What it does
    Checks that the Settings class defines:
    - `get_redis_url(db=...)`: the Redis URL for a database index, 0 for the task queue and 1
      for working memory (R17.1, R17.2); `db` must have a default;
    - `get_cors_origins_list()`: `CORS_ORIGINS` split on commas (R19.2);
    - `get_groq_api_keys()` and `get_gemini_api_keys()`: every configured key (R16.3, R16.4).
    The names come from `[tool.mami-audit.expect]` (`redis-url-method`,
    `cors-origins-method`, `groq-keys-method`, `gemini-keys-method`). A method called with
    arguments it does not take, or needing arguments, is reported too.

    ## Why is this bad?
    The rest of the app, the worker and the health check call these by name; a missing one
    is an AttributeError at run time, and each caller re-parsing the raw strings drifts apart.

    ## Example
    ```python
    class Settings(BaseSettings):
        REDIS_URL: str | None = None
        CORS_ORIGINS: str = "http://localhost:5173"
    ```

    ## How to fix
    ```python
        def get_redis_url(self, db: int = 0) -> str | None: ...
        def get_cors_origins_list(self) -> list[str]:
            return [o.strip() for o in self.CORS_ORIGINS.split(",") if o.strip()]
    ```
    """

    code = "PS004"
    name = "settings-method-missing"
    summary = "A Settings method the spec names is missing or has the wrong signature"
    severity = Severity.WARNING
    requirements = ("R16.3", "R16.4", "R17.1", "R17.2", "R19.2")
    bad_examples = (
        SettingsModuleRule.bad(
            "from pydantic_settings import BaseSettings\n\n"
            "class Settings(BaseSettings):\n    REDIS_URL: str | None = None\n\n"
            "    def get_redis_url(self) -> str | None:\n        return self.REDIS_URL\n\n"
            "    def get_cors_origins_list(self, separator: str) -> list[str]:\n"
            "        return []\n\n"
            "    def get_groq_api_keys(self) -> list[str]:\n        return []\n",
            count=3,
        ),
    )
    good_examples = (
        SettingsModuleRule.good(
            "from pydantic_settings import BaseSettings\n\n"
            "class Settings(BaseSettings):\n"
            "    def get_redis_url(self, db: int = 0) -> str | None: ...\n"
            "    def get_cors_origins_list(self) -> list[str]: ...\n"
            "    def get_groq_api_keys(self) -> list[str]: ...\n"
            "    def get_gemini_api_keys(self, *, strip: bool = True) -> list[str]: ...\n"
        ),
        SettingsModuleRule.good(
            "from pydantic_settings import BaseSettings\n\n"
            "class Settings(BaseSettings):\n"
            "    def redis_for(self, db: int = 0) -> str: ...\n"
            "    def origins(self) -> list[str]: ...\n"
            "    def groq(self) -> list[str]: ...\n"
            "    def gemini(self) -> list[str]: ...\n",
            config={
                "expect": {
                    "redis-url-method": "redis_for",
                    "cors-origins-method": "origins",
                    "groq-keys-method": "groq",
                    "gemini-keys-method": "gemini",
                }
            },
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        settings = primary_settings(context)
        if settings is None or _inherits_other_classes(context, settings):
            return
        expect = context.expect
        for key, criteria in (
            ("redis_url_method", "R17.1, R17.2"),
            ("cors_origins_method", "R19.2"),
            ("groq_keys_method", "R16.3"),
            ("gemini_keys_method", "R16.4"),
        ):
            name = getattr(expect, key)
            method = settings.methods.get(name)
            if method is None:
                yield self.finding(
                    settings.path,
                    settings.span,
                    f"{settings.name} has no `{name}()` method ({criteria})",
                )
                continue
            needed = _PARAMETER_NEEDS.get(key, ())
            for parameter in needed:
                found = method.parameter(parameter)
                if found is None or found.default is None:
                    yield self.finding(
                        settings.path,
                        method.span,
                        f"`{name}()` should take `{parameter}` with a default "
                        f"(`{name}({parameter}=0)` / `({parameter}=1)`, {criteria})",
                    )
            extra = [
                p.name for p in method.parameters if p.default is None and p.name not in needed
            ]
            if extra and not method.node.args.vararg:
                yield self.finding(
                    settings.path,
                    method.span,
                    f"`{name}()` requires {', '.join(extra)}: callers call it without arguments",
                )


def _inherits_other_classes(context: Context, settings: SettingsClass) -> bool:
    """Methods may come from a project base class: too dynamic to judge missing ones."""
    document = settings_document(context, settings)
    if document is None:
        return True
    code = app_code(context)
    for base in settings.node.bases:
        qualified = code.qualified(document, base)
        if qualified is None or code.defined_class(qualified) is not None:
            return True
    return False


@register
class RedisUrlPrecedence(SettingsModuleRule):
    """`get_redis_url` ignores `REDIS_DSN` or `REDIS_URL`, or prefers host/port to them.

    ## What it does
    Reads the body of the Settings class's `get_redis_url` (`redis-url-method`) and checks,
    in source order, that it consults `REDIS_DSN` first, then `REDIS_URL`, and only then
    builds a URL from `REDIS_HOST` (with `REDIS_PORT` and `REDIS_PASSWORD`). Silent when the
    class has none of these fields.

    ## Why is this bad?
    Managed Redis (Upstash) is configured with one `REDIS_DSN` and must win over everything
    (R17.3); a `REDIS_URL` wins over the parts (R2.4); the parts are the fallback (R17.4).
    A method that reads them in another order connects to the wrong server when several are
    set, which is exactly what Compose's defaults plus a production `.env` produce.

    ## Example
    ```python
    def get_redis_url(self, db: int = 0) -> str:
        return f"redis://{self.REDIS_HOST}:{self.REDIS_PORT}/{db}"
    ```

    ## How to fix
    ```python
    def get_redis_url(self, db: int = 0) -> str:
        base = self.REDIS_DSN or self.REDIS_URL
        if base:
            return with_db(base, db)
        return f"redis://{self.REDIS_HOST}:{self.REDIS_PORT}/{db}"
    ```
    """

    code = "PS005"
    name = "redis-url-precedence"
    summary = "get_redis_url does not prefer REDIS_DSN, then REDIS_URL, then host/port/password"
    severity = Severity.WARNING
    requirements = ("R2.4", "R17.3", "R17.4")
    bad_examples = (
        SettingsModuleRule.bad(
            "from pydantic_settings import BaseSettings\n\n"
            "class Settings(BaseSettings):\n"
            "    REDIS_URL: str | None = None\n    REDIS_HOST: str = 'redis'\n"
            "    REDIS_PORT: int = 6379\n\n"
            "    def get_redis_url(self, db: int = 0) -> str:\n"
            "        if self.REDIS_HOST:\n"
            "            return f'redis://{self.REDIS_HOST}:{self.REDIS_PORT}/{db}'\n"
            "        return self.REDIS_URL\n",
            count=2,
        ),
    )
    good_examples = (
        SettingsModuleRule.good(
            "from pydantic_settings import BaseSettings\n\n"
            "class Settings(BaseSettings):\n"
            "    REDIS_DSN: str | None = None\n    REDIS_URL: str | None = None\n"
            "    REDIS_HOST: str = 'redis'\n\n"
            "    def get_redis_url(self, db: int = 0) -> str:\n"
            "        base = self.REDIS_DSN or self.REDIS_URL\n"
            "        if base:\n            return base\n"
            "        return f'redis://{self.REDIS_HOST}/{db}'\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        settings = primary_settings(context)
        if settings is None:
            return
        method = settings.methods.get(context.expect.redis_url_method)
        names = {name.upper(): name for name in settings.fields}
        if method is None or not any(
            key in names for key in ("REDIS_DSN", "REDIS_URL", "REDIS_HOST")
        ):
            return
        first_use: dict[str, tuple[int, int]] = {}
        for node in all_nodes(method.node):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in ("self", "cls")
            ):
                key = node.attr.upper()
                position = (node.lineno, node.col_offset)
                if key not in first_use or position < first_use[key]:
                    first_use[key] = position
        order = ("REDIS_DSN", "REDIS_URL", "REDIS_HOST")
        for key in ("REDIS_DSN", "REDIS_URL"):
            if key not in first_use:
                criterion = "R17.3" if key == "REDIS_DSN" else "R2.4"
                yield self.finding(
                    settings.path,
                    method.span,
                    f"`{method.name}()` never reads {key}, which must win over the other Redis "
                    f"settings ({criterion})",
                )
        used = [key for key in order if key in first_use]
        if used != sorted(used, key=lambda key: first_use[key]):
            yield self.finding(
                settings.path,
                method.span,
                f"`{method.name}()` reads {', '.join(sorted(used, key=lambda k: first_use[k]))} "
                "in that order; the precedence is REDIS_DSN, then REDIS_URL, then "
                "REDIS_HOST/PORT/PASSWORD (R2.4, R17.3)",
            )


@register
class DatabaseUrlDefault(SettingsModuleRule):
    """`DATABASE_URL` has no default, or a default other than the expected sqlite path.

    ## What it does
    Checks the Settings class's `DATABASE_URL` field: it must exist and default to
    `sqlite:///data/app.db` (`[tool.mami-audit.expect] database-url`). A default the code
    computes is not judged.

    ## Why is this bad?
    Without `DATABASE_URL` the app must still start, on the sqlite file in the `data/` volume
    (R18.3, R18.4). Another default (an absolute path, `:memory:`, a Postgres URL with no
    driver in the image) loses data on restart or fails at the first query.

    ## Example
    ```python
    DATABASE_URL: str = "sqlite:///./app.db"
    ```

    ## How to fix
    ```python
    DATABASE_URL: str = "sqlite:///data/app.db"
    ```
    """

    code = "PS006"
    name = "database-url-default"
    summary = "DATABASE_URL is missing from Settings or defaults to another database"
    severity = Severity.WARNING
    requirements = ("R18.3",)
    bad_examples = (
        SettingsModuleRule.bad(
            "from pydantic_settings import BaseSettings\n\n"
            "class Settings(BaseSettings):\n    DATABASE_URL: str = 'sqlite:///./app.db'\n",
            count=1,
        ),
        SettingsModuleRule.bad(
            "from pydantic_settings import BaseSettings\n\n"
            "class Settings(BaseSettings):\n    PORT: int = 8000\n",
            count=1,
        ),
    )
    good_examples = (
        SettingsModuleRule.good(
            "from pydantic import Field\nfrom pydantic_settings import BaseSettings\n\n"
            "class Settings(BaseSettings):\n"
            "    DATABASE_URL: str = Field(default='sqlite:///data/app.db')\n"
        ),
        SettingsModuleRule.good(
            "from pydantic_settings import BaseSettings\n\n"
            "class Settings(BaseSettings):\n    database_url: str = 'sqlite:////srv/app.db'\n",
            config={"expect": {"database-url": "sqlite:////srv/app.db"}},
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        settings = primary_settings(context)
        if settings is None or not settings.variables_known:
            return
        if _inherits_other_classes(context, settings):
            return
        expected = context.expect.database_url
        item = settings.field_for_variable("DATABASE_URL")
        if item is None:
            yield self.finding(
                settings.path,
                settings.span,
                f"{settings.name} has no DATABASE_URL field; it should default to {expected} "
                "(R18.3)",
            )
            return
        if item.required:
            yield self.finding(
                settings.path,
                item.span,
                f"DATABASE_URL has no default; it should default to {expected} (R18.3)",
            )
        elif item.value is not UNKNOWN and item.value != expected:
            yield self.finding(
                settings.path,
                item.span,
                f"DATABASE_URL defaults to {item.value!r}; expected {expected!r} (R18.3)",
            )
