"""Finding, reading and validating mami-audit's configuration.

A project configures mami-audit in `mami-audit.toml` (keys at the top level) or in the
`[tool.mami-audit]` table of its pyproject.toml; mami-audit.toml wins when both exist, like
ruff.toml over pyproject.toml. Every key is checked: an unknown key or a value of the wrong
type raises `ConfigError`, whose message names the file and the key, and the CLI exits 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from auditor.cleanup.settings import CleanupSettings
from auditor.documents.base import DEFAULT_MAX_FILE_SIZE
from auditor.expectations import Expectations
from auditor.values import Severity

CONFIG_FILE = "mami-audit.toml"
PYPROJECT = "pyproject.toml"
TOOL_TABLE = "tool.mami-audit"

# Folders never worth auditing. node_modules, .venv and .git are pruned even when a project
# replaces `exclude` (see project.ALWAYS_PRUNED); the rest can be overridden.
DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".git/",
    ".venv/",
    "venv/",
    "node_modules/",
    "__pycache__/",
    ".mypy_cache/",
    ".pytest_cache/",
    ".ruff_cache/",
    ".tox/",
)


class ConfigError(Exception):
    """A configuration problem; `str()` is the one line the CLI prints before exiting 2."""


class Config(NamedTuple):  # a NamedTuple, not a dataclass: cheaper to create at start-up
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = MappingProxyType({})
    severity: Mapping[str, Severity] = MappingProxyType({})  # selector -> severity
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False  # apply exclude to PATHs named on the command line too
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # bytes; larger files are reported, not read
    # distribution -> the modules it installs, when its import name differs (PY drift rules)
    package_module_map: Mapping[str, tuple[str, ...]] = MappingProxyType({})
    python: str = ""  # --python: the audited project's interpreter or venv, for its metadata
    online: bool = False  # --online: run the rules that need the network
    expect: Expectations = Expectations()
    cleanup: CleanupSettings = CleanupSettings()  # [cleanup]: junk and ignore-file patterns
    source: str = "defaults"  # where the values came from, for messages

    @property
    def excluded_patterns(self) -> tuple[str, ...]:
        return self.exclude + self.extend_exclude

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], source: str = "config", prefix: str = ""
    ) -> Config:
        """Build a Config from TOML-shaped data (kebab-case keys), validating every key."""
        reader = _Reader(source, prefix)
        values: dict[str, Any] = {"source": source}
        for key, value in data.items():
            if key not in _TOP_LEVEL_KEYS:
                raise ConfigError(
                    reader.message(key, f"unknown key (known: {', '.join(_TOP_LEVEL_KEYS)})")
                )
            attribute = key.replace("-", "_")
            values[attribute] = _TOP_LEVEL_KEYS[key](reader, key, value)
        return cls(**values)

    def with_overrides(
        self,
        *,
        select: list[str] | None = None,
        extend_select: list[str] | None = None,
        ignore: list[str] | None = None,
        force_exclude: bool = False,
        python: str | None = None,
        online: bool = False,
    ) -> Config:
        """Apply command-line options: --select replaces, --extend-select and --ignore add,
        --force-exclude turns force-exclude on."""
        changes: dict[str, Any] = {}
        if force_exclude:
            changes["force_exclude"] = True
        if python:
            changes["python"] = python
        if online:
            changes["online"] = True
        if select:
            changes["select"] = tuple(select)
        if extend_select:
            changes["extend_select"] = self.extend_select + tuple(extend_select)
        if ignore:
            changes["ignore"] = self.ignore + tuple(ignore)
        return self._replace(**changes) if changes else self


class _Reader:
    """Type checks that name the offending key in their error message."""

    def __init__(self, source: str, prefix: str) -> None:
        self.source = source
        self.prefix = prefix

    def message(self, key: str, problem: str) -> str:
        dotted = f"{self.prefix}.{key}" if self.prefix else key
        return f"{self.source}: {dotted}: {problem}"

    def strings(self, key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(
                self.message(key, f"expected a list of strings, got {_describe(value)}")
            )
        return tuple(value)

    def table(self, key: str, value: Any) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise ConfigError(self.message(key, f"expected a table, got {_describe(value)}"))
        return value


def _describe(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    names.update({list: "a list", dict: "a table"})
    return names.get(type(value), type(value).__name__)


def _strings(reader: _Reader, key: str, value: Any) -> tuple[str, ...]:
    return reader.strings(key, value)


def _boolean(reader: _Reader, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(reader.message(key, f"expected true or false, got {_describe(value)}"))
    return value


def _per_file_ignores(reader: _Reader, key: str, value: Any) -> Mapping[str, tuple[str, ...]]:
    table = reader.table(key, value)
    return {
        pattern: reader.strings(f"{key}.{pattern!r}", codes) for pattern, codes in table.items()
    }


def _package_module_map(
    reader: _Reader, key: str, value: Any
) -> Mapping[str, tuple[str, ...]]:
    """`{ "python-multipart" = "multipart", "opencv-python" = ["cv2"] }`"""
    table = reader.table(key, value)
    result: dict[str, tuple[str, ...]] = {}
    for distribution, modules in table.items():
        if isinstance(modules, str):
            modules = [modules]
        result[distribution] = reader.strings(f"{key}.{distribution}", modules)
    return result


def _severity(reader: _Reader, key: str, value: Any) -> Mapping[str, Severity]:
    table = reader.table(key, value)
    levels = ", ".join(level.value for level in Severity)
    result: dict[str, Severity] = {}
    for selector, level in table.items():
        if not isinstance(level, str) or level.lower() not in {s.value for s in Severity}:
            problem = f"expected one of {levels}, got {level!r}"
            raise ConfigError(reader.message(f"{key}.{selector}", problem))
        result[selector] = Severity(level.lower())
    return result


def _expect(reader: _Reader, key: str, value: Any) -> Expectations:
    table = reader.table(key, value)
    fields: dict[str, type] = Expectations.__annotations__  # name -> str or int
    values: dict[str, Any] = {}
    for name, item in table.items():
        attribute = name.replace("-", "_")
        if attribute not in fields or "_" in name:
            known = ", ".join(sorted(f.replace("_", "-") for f in fields))
            raise ConfigError(reader.message(f"{key}.{name}", f"unknown key (known: {known})"))
        wanted = fields[attribute]
        ok = (
            isinstance(item, str)
            if wanted is str
            else (isinstance(item, int) and not isinstance(item, bool))
        )
        if not ok:
            expected = "a string" if wanted is str else "an integer"
            problem = f"expected {expected}, got {_describe(item)}"
            raise ConfigError(reader.message(f"{key}.{name}", problem))
        problem = _expect_format_problem(attribute, item)
        if problem:
            raise ConfigError(reader.message(f"{key}.{name}", f"{problem}, got {item!r}"))
        values[attribute] = _normalised_expectation(attribute, item)
    return Expectations(**values)


def _cleanup(reader: _Reader, key: str, value: Any) -> CleanupSettings:
    from auditor.cleanup.settings import KEYS

    values: dict[str, Any] = {}
    for name, item in reader.table(key, value).items():
        if name not in KEYS:
            problem = f"unknown key (known: {', '.join(KEYS)})"
            raise ConfigError(reader.message(f"{key}.{name}", problem))
        if name == "commit-message":
            if not isinstance(item, str) or not item.strip():
                problem = f"expected a non-empty string, got {_describe(item)}"
                raise ConfigError(reader.message(f"{key}.{name}", problem))
            values["commit_message"] = item
        else:
            values[name.replace("-", "_")] = reader.strings(f"{key}.{name}", item)
    return CleanupSettings(**values)


# Expected values go into fix text (shell in RUN lines, Compose YAML) and into comparisons, so
# each must have its field's format, not only its type. Regexes, checked with fullmatch, rather
# than `packaging`: only projects with an [expect] table pay for these, and they stay cheap.
_USER = r"[a-z_][a-z0-9_-]{0,31}|[0-9]+", (
    "expected a user name ([a-z_][a-z0-9_-]*, at most 32 characters) or a numeric id"
)
_DURATION = (
    r"(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|ms|s|m|h))+",
    "expected a duration in Docker's syntax such as 30s, 1m30s or 0.5m (units ns, us, ms, s, m, h)",
)
_URL_PATH = r"/[A-Za-z0-9._~/%+,:=@-]*", (
    "expected a URL path starting with / without spaces, quotes or shell special characters"
)
_ABSOLUTE_PATH = r"/[A-Za-z0-9._/+,:=@-]*", (
    "expected an absolute path without spaces, quotes or shell special characters"
)
_VERSION = r"[0-9]+(?:\.[0-9]+)*", "expected a version of dotted numbers such as 3.11 or 0.115.0"
_COMPOSE_NAME = r"[a-zA-Z0-9][a-zA-Z0-9_.-]*", (
    "expected a Compose name (a letter or digit, then letters, digits, _, . or -)"
)
_DISTRIBUTIONS = r"[A-Za-z0-9._|-]+(?:[ ,]+[A-Za-z0-9._|-]+)*|", (
    "expected distribution names separated by spaces or commas (`a|b` for either)"
)
_STAGE = r"(?:[a-zA-Z][a-zA-Z0-9_.-]*)?", (
    "expected a build stage name (a letter, then letters, digits, _, . or -) or empty"
)
_NODE_PINS = r"all|dependencies|none", "expected one of all, dependencies, none"
_WORKFLOW_FILE = r"[A-Za-z0-9_][A-Za-z0-9_.-]*\.ya?ml", (
    "expected a workflow file name in .github/workflows/ such as docker-build.yml"
)
_PYTHON_FILE = r"(?:[A-Za-z_][A-Za-z0-9_]*/)*[A-Za-z_][A-Za-z0-9_]*\.py", (
    "expected a relative path of a Python file such as app/config.py"
)
_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*", "expected a Python identifier"
_DATABASE_URL = r"[a-z][a-z0-9+.-]*://[A-Za-z0-9._~/%+,:=@-]*", (
    "expected a database URL such as sqlite:///data/app.db, without spaces or quotes"
)
_JAVA_MEMORY = r"[0-9]+[kKmMgG]", "expected a JVM memory size such as 512m or 1g"
_PROMETHEUS_DURATION = r"(?:[0-9]+(?:ms|s|m|h|d|w|y))+", (
    "expected a Prometheus duration such as 30d or 12w (units ms, s, m, h, d, w, y)"
)
_STRING_FORMATS: dict[str, tuple[str, str]] = {
    "user": _USER,
    "workflow": _WORKFLOW_FILE,
    "health_path": _URL_PATH,
    "healthcheck_interval": _DURATION,
    "workdir": _ABSOLUTE_PATH,
    "data_dir": _ABSOLUTE_PATH,
    "logs_dir": _ABSOLUTE_PATH,
    "target": _STAGE,
    "network": _COMPOSE_NAME,
    "node_pins": _NODE_PINS,
    "python_packages": _DISTRIBUTIONS,
    **{name: _COMPOSE_NAME for name in Expectations._fields if name.endswith("_service")},
    "settings_module": _PYTHON_FILE,
    "logger_module": _PYTHON_FILE,
    "database_module": _PYTHON_FILE,
    "logger_function": _IDENTIFIER,
    "database_initializer": _IDENTIFIER,
    **{name: _IDENTIFIER for name in Expectations._fields if name.endswith("_method")},
    "database_url": _DATABASE_URL,
    "metrics_path": _URL_PATH,
    "elasticsearch_heap": _JAVA_MEMORY,
    "prometheus_retention": _PROMETHEUS_DURATION,
    **{
        name: _VERSION
        for name in Expectations._fields
        if name.endswith(("_version", "_minimum"))
    },
}


_FOLDERS = frozenset({"workdir", "data_dir", "logs_dir"})


def _expect_format_problem(attribute: str, value: str | int) -> str | None:
    """What is wrong with an expected value of the right type, or None."""
    if isinstance(value, int):
        if attribute.endswith("_port") and not 1 <= value <= 65535:
            return "expected a port from 1 to 65535"
        if attribute == "healthcheck_retries" and value < 0:
            return "expected an integer >= 0"
        return None
    pattern, expected = _STRING_FORMATS[attribute]
    import re  # only configs with an [expect] table get here

    if not re.fullmatch(pattern, value):
        return expected
    if attribute == "user" and value.lstrip("0") in ("", "root"):
        # The user the image must run as: fixes create it and switch to it, and the rules
        # flag root. Expecting root contradicts R1.5 and would make those fixes never settle.
        return "expected a non-root user (the spec asks the image not to run as root, R1.5)"
    if attribute in _FOLDERS and _normalised_path(value) == "/":
        return "expected a folder other than /"
    return None


def _normalised_expectation(attribute: str, value: str | int) -> str | int:
    """One spelling per value, so that rules comparing it with a Dockerfile's text and fixes
    writing it agree: `/app/data/` and `/app//data` are `/app/data`."""
    if attribute in _FOLDERS and isinstance(value, str):
        return _normalised_path(value)
    return value


def _normalised_path(path: str) -> str:
    import posixpath

    normal = posixpath.normpath(path)
    return "/" + normal.lstrip("/")  # normpath keeps a leading "//"


_SIZE_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3}
_SIZE_UNITS.update({"kib": 1024, "mib": 1024**2, "gib": 1024**3})


def _size(reader: _Reader, key: str, value: Any) -> int:
    """A size in bytes: an integer, or a string such as "16MB", "512 KiB"."""
    import re

    problem = 'expected a size in bytes (an integer, or a string such as "16MB" or "512KiB")'
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    elif isinstance(value, str):
        match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", value)
        unit = match.group(2).lower() if match else None
        if match is None or unit not in _SIZE_UNITS:
            raise ConfigError(reader.message(key, f"{problem}, got {value!r}"))
        size = int(float(match.group(1)) * _SIZE_UNITS[unit])
    else:
        raise ConfigError(reader.message(key, f"{problem}, got {_describe(value)}"))
    if size < 1:
        raise ConfigError(reader.message(key, f"expected a size of at least 1 byte, got {value!r}"))
    return size


_TOP_LEVEL_KEYS = {
    "select": _strings,
    "ignore": _strings,
    "extend-select": _strings,
    "per-file-ignores": _per_file_ignores,
    "severity": _severity,
    "exclude": _strings,
    "extend-exclude": _strings,
    "force-exclude": _boolean,
    "max-file-size": _size,
    "package-module-map": _package_module_map,
    "expect": _expect,
    "cleanup": _cleanup,
}


def find_config(root: Path) -> Path | None:
    """The configuration file of the project at `root`, if it has one."""
    dedicated = root / CONFIG_FILE
    if dedicated.is_file():
        return dedicated
    pyproject = root / PYPROJECT
    if pyproject.is_file() and _has_tool_table(pyproject):
        return pyproject
    return None


def _has_tool_table(pyproject: Path) -> bool:
    data = _read_bytes(pyproject)
    # A cheap look before parsing: most pyproject.toml files have no such table. One that
    # names mami-audit but cannot be decoded is an error, not a file to skip silently.
    if b"mami-audit" not in data:
        return False
    return "mami-audit" in _load_toml(pyproject, _decode(pyproject, data)).get("tool", {})


def _read_bytes(path: Path) -> bytes:
    """A config file's bytes: a regular file only (a FIFO would hang, /dev/zero never end)."""
    from auditor.documents.base import NotReadable, read_regular_file

    try:
        return read_regular_file(path, DEFAULT_MAX_FILE_SIZE)[0]
    except NotReadable as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: not UTF-8 text (line {line}); TOML must be UTF-8") from None


def _load_toml(path: Path, text: str | None = None) -> dict[str, Any]:
    import tomllib  # only projects with a config file pay for it

    if text is None:
        text = _decode(path, _read_bytes(path))
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def load_config(path: Path) -> Config:
    """Read a config file: mami-audit.toml (top-level keys) or a pyproject.toml."""
    data = _load_toml(path)
    if path.name == PYPROJECT:
        tool = data.get("tool", {})
        section = tool.get("mami-audit", {}) if isinstance(tool, dict) else {}
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: {TOOL_TABLE}: expected a table, got {_describe(section)}")
        return Config.from_mapping(section, str(path), TOOL_TABLE)
    return Config.from_mapping(data, str(path))


def config_for(root: Path, explicit: Path | None = None) -> Config:
    """The configuration for a project: `explicit` if given, else the root's file, else defaults."""
    if explicit is not None:
        import os

        if not os.path.exists(explicit):
            raise ConfigError(f"{explicit}: config file does not exist")
        return load_config(explicit)
    found = find_config(root)
    return load_config(found) if found else Config()
