"""The Settings class: the app's pydantic `BaseSettings` subclass, its fields and configuration.

    facts = settings_facts(project)       # computed once per project
    facts.primary                         # the Settings class rules judge, or None
    facts.primary.fields["DATABASE_URL"].default      # "'sqlite:///data/app.db'" (source text)
    facts.primary.env_file                # (".env",), () for none, or UNKNOWN
    facts.complete                        # False: some class's base could not be resolved

A class is a settings class when one of its bases resolves, through imports, to pydantic-
settings' `BaseSettings` (version "v2") or pydantic v1's `pydantic.BaseSettings` /
`pydantic.v1.BaseSettings` ("v1"), directly or through a project class that is one. The name
of the class does not matter; aliases and re-exports are followed (see python_code).

The primary class is the one defined in the expected settings module (`settings-module`),
else the first found in path order. Values the code computes (a default from a function call,
an `env_file` built at run time) are kept as source text and, where a literal is needed, as
UNKNOWN: rules that need the value stay silent.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, NamedTuple

from auditor.facts.cache import project_fact
from auditor.facts.python_code import PythonCode, python_code
from auditor.rule import Span

if TYPE_CHECKING:
    from auditor.documents.python import PythonModule
    from auditor.project import Project


class _Unknown:
    """A value the code computes at run time; never equal to a real value."""

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()

SETTINGS_BASES = {
    "pydantic_settings.BaseSettings": "v2",
    "pydantic_settings.main.BaseSettings": "v2",
    "pydantic.BaseSettings": "v1",
    "pydantic.env_settings.BaseSettings": "v1",
    "pydantic.v1.BaseSettings": "v1",
    "pydantic.v1.env_settings.BaseSettings": "v1",
}


class SettingsField(NamedTuple):
    name: str
    annotation: str  # source text
    default: str | None  # source text of the default (or default_factory), None when required
    value: Any  # the default as a Python literal; UNKNOWN when computed or a factory
    env_names: tuple[str, ...]  # the variables it reads, as written (case rules: the class's)
    span: Span
    node: ast.AnnAssign

    @property
    def required(self) -> bool:
        return self.default is None


class Parameter(NamedTuple):
    name: str
    default: str | None  # source text, None when it has no default
    keyword_only: bool


class SettingsMethod(NamedTuple):
    name: str
    parameters: tuple[Parameter, ...]  # without self/cls
    decorators: tuple[str, ...]  # dotted names as written: "property", "classmethod", ...
    span: Span  # the `def` line
    node: ast.FunctionDef | ast.AsyncFunctionDef

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


class ConfigEntry(NamedTuple):
    value: Any  # literal value, or UNKNOWN
    source: str  # source text
    span: Span  # of the value


class SettingsClass(NamedTuple):
    name: str
    path: str
    module: str
    version: str  # "v2" (pydantic-settings) or "v1" (pydantic v1's BaseSettings)
    span: Span  # the `class` line
    node: ast.ClassDef
    fields: dict[str, SettingsField]
    methods: dict[str, SettingsMethod]
    # `model_config = SettingsConfigDict(...)` (or a dict literal): key -> entry; None: absent
    model_config: dict[str, ConfigEntry] | None
    model_config_node: ast.stmt | None
    # pydantic v1's inner `class Config:` attributes; None: absent
    config_class: dict[str, ConfigEntry] | None
    config_class_node: ast.ClassDef | None

    def config(self, key: str, default: Any = None) -> Any:
        """A configuration value from model_config or class Config; `default` when unset."""
        for table in (self.model_config, self.config_class):
            if table is not None and key in table:
                return table[key].value
        return default

    @property
    def env_file(self) -> Any:
        """The env files it reads, as a tuple of paths; () for none; UNKNOWN when computed."""
        value = self.config("env_file")
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
            return tuple(value)
        return UNKNOWN

    @property
    def env_prefix(self) -> Any:
        value = self.config("env_prefix", "")
        return value if isinstance(value, str) else UNKNOWN

    @property
    def case_sensitive(self) -> Any:
        value = self.config("case_sensitive", False)
        return value if isinstance(value, bool) else UNKNOWN

    def field_for_variable(self, variable: str) -> SettingsField | None:
        """The field that reads environment variable `variable`, under the class's prefix
        and case rules; None when no field does or the rules are unknown."""
        prefix, sensitive = self.env_prefix, self.case_sensitive
        if prefix is UNKNOWN or sensitive is UNKNOWN:
            return None
        for candidate in self.fields.values():
            for env in candidate.env_names:
                wanted = env if env != candidate.name or not prefix else prefix + env
                if wanted == variable or (not sensitive and wanted.lower() == variable.lower()):
                    return candidate
        return None

    @property
    def variables_known(self) -> bool:
        """Can field_for_variable answer? (the env prefix and case rules are literals)"""
        return self.env_prefix is not UNKNOWN and self.case_sensitive is not UNKNOWN


class SettingsFacts(NamedTuple):
    classes: list[SettingsClass]
    primary: SettingsClass | None
    complete: bool  # False: a class in the app code has a base that could not be resolved
    unresolved: list[tuple[str, int]]  # (path, line) of such classes


def settings_facts(project: Project) -> SettingsFacts:
    return project_fact(project, "settings", _build)


def settings_version(code: PythonCode, document: PythonModule, node: ast.ClassDef) -> str | None:
    """ "v1"/"v2" when the class derives from a BaseSettings, else None."""
    return _version(code, document, node, set())


def _version(
    code: PythonCode, document: PythonModule, node: ast.ClassDef, seen: set[tuple[str, str]]
) -> str | None:
    key = (document.path, node.name)
    if key in seen:
        return None
    seen.add(key)
    for base in node.bases:
        qualified = code.qualified(document, base)
        if qualified is None:
            continue
        if qualified in SETTINGS_BASES:
            return SETTINGS_BASES[qualified]
        found = code.defined_class(qualified)
        if found is not None:
            version = _version(code, found[0], found[1], seen)
            if version is not None:
                return version
    return None


def _build(project: Project) -> SettingsFacts:
    code = python_code(project)
    classes: list[SettingsClass] = []
    unresolved: list[tuple[str, int]] = []
    for document in code.app_modules:
        assert document.tree is not None
        for statement in document.tree.body:
            if not isinstance(statement, ast.ClassDef):
                continue
            version = settings_version(code, document, statement)
            if version is not None:
                classes.append(_settings_class(document, statement, version))
            elif _has_unresolved_base(code, document, statement):
                unresolved.append((document.path, statement.lineno))
    expected = project.config.expect.settings_module
    in_expected = [c for c in classes if c.path == expected]
    primary = (in_expected or classes or [None])[0]
    return SettingsFacts(classes, primary, not unresolved, unresolved)


def _has_unresolved_base(code: PythonCode, document: PythonModule, node: ast.ClassDef) -> bool:
    for base in node.bases:
        if code.dotted(base) is None or code.qualified(document, base) is None:
            if code.dotted(base) in ("object", "Exception", "ValueError", "RuntimeError"):
                continue
            return True
    return False


def _literal(node: ast.expr | None, document: PythonModule) -> Any:
    if node is None:
        return None
    if isinstance(node, ast.Name) and node.id in document.constants:
        return document.constants[node.id]
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return UNKNOWN


def _settings_class(document: PythonModule, node: ast.ClassDef, version: str) -> SettingsClass:
    fields: dict[str, SettingsField] = {}
    methods: dict[str, SettingsMethod] = {}
    model_config = config_class = None
    model_config_node: ast.stmt | None = None
    config_class_node: ast.ClassDef | None = None
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            name = statement.target.id
            if name == "model_config":
                model_config, model_config_node = _config_call(document, statement.value), statement
            elif not name.startswith("_") and not _is_class_var(statement.annotation):
                fields[name] = _field(document, statement, name)
        elif isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "model_config" for t in statement.targets
        ):
            model_config, model_config_node = _config_call(document, statement.value), statement
        elif isinstance(statement, ast.ClassDef) and statement.name == "Config":
            config_class, config_class_node = _config_body(document, statement), statement
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            methods[statement.name] = _method(document, statement)
    return SettingsClass(
        name=node.name,
        path=document.path,
        module=document.module,
        version=version,
        span=document.first_line_span(node),
        node=node,
        fields=fields,
        methods=methods,
        model_config=model_config,
        model_config_node=model_config_node,
        config_class=config_class,
        config_class_node=config_class_node,
    )


def _is_class_var(annotation: ast.expr) -> bool:
    target = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return (isinstance(target, ast.Name) and target.id == "ClassVar") or (
        isinstance(target, ast.Attribute) and target.attr == "ClassVar"
    )


def _field(document: PythonModule, statement: ast.AnnAssign, name: str) -> SettingsField:
    value = statement.value
    default: str | None = None
    literal: Any = None
    env_names: list[str] = []
    if value is None:
        default = None
    elif isinstance(value, ast.Call) and _call_name(value.func) == "Field":
        keywords = {k.arg: k.value for k in value.keywords if k.arg}
        positional = value.args[0] if value.args else keywords.get("default")
        if positional is not None and not _is_ellipsis(positional):
            default, literal = document.segment(positional), _literal(positional, document)
        elif "default_factory" in keywords:
            default, literal = document.segment(keywords["default_factory"]), UNKNOWN
        for key in ("validation_alias", "alias", "env"):
            alias = _literal(keywords.get(key), document)
            if isinstance(alias, str):
                env_names.append(alias)
            elif isinstance(alias, (list, tuple, set)):
                env_names.extend(a for a in alias if isinstance(a, str))
    elif not _is_ellipsis(value):
        default, literal = document.segment(value), _literal(value, document)
    return SettingsField(
        name=name,
        annotation=document.segment(statement.annotation),
        default=default,
        value=literal,
        env_names=tuple(env_names) or (name,),
        span=document.span_of(statement),
        node=statement,
    )


def _is_ellipsis(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is Ellipsis


def _call_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _config_call(document: PythonModule, value: ast.expr | None) -> dict[str, ConfigEntry]:
    entries: dict[str, ConfigEntry] = {}
    if isinstance(value, ast.Call):
        for keyword in value.keywords:
            if keyword.arg is not None:
                entries[keyword.arg] = _entry(document, keyword.value)
    elif isinstance(value, ast.Dict):
        for key, item in zip(value.keys, value.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                entries[key.value] = _entry(document, item)
    return entries


def _config_body(document: PythonModule, node: ast.ClassDef) -> dict[str, ConfigEntry]:
    entries: dict[str, ConfigEntry] = {}
    for statement in node.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    entries[target.id] = _entry(document, statement.value)
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            if statement.value is not None:
                entries[statement.target.id] = _entry(document, statement.value)
    return entries


def _entry(document: PythonModule, node: ast.expr) -> ConfigEntry:
    return ConfigEntry(_literal(node, document), document.segment(node), document.span_of(node))


def _method(document: PythonModule, node: ast.FunctionDef | ast.AsyncFunctionDef) -> SettingsMethod:
    decorators = tuple(
        name
        for name in (
            _dotted(decorator.func if isinstance(decorator, ast.Call) else decorator)
            for decorator in node.decorator_list
        )
        if name
    )
    arguments = node.args
    positional = arguments.posonlyargs + arguments.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
    defaults += list(arguments.defaults)
    parameters = [
        Parameter(arg.arg, None if d is None else document.segment(d), False)
        for arg, d in zip(positional, defaults, strict=True)
    ]
    if parameters and "staticmethod" not in decorators:
        parameters = parameters[1:]  # self or cls
    for arg, kw_default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        text = None if kw_default is None else document.segment(kw_default)
        parameters.append(Parameter(arg.arg, text, True))
    return SettingsMethod(
        node.name, tuple(parameters), decorators, document.first_line_span(node), node
    )


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None
