"""Which distribution provides an imported module, and what a distribution requires.

Three sources, most trusted first:
1. the user's `[tool.mami-audit] package-module-map` (distribution -> module names, as
   deptry's `package_module_name_map`);
2. the installed metadata of the audited project's environment: `--python PATH`, else a
   `.venv` or `venv` folder at the project root. Its `*.dist-info` files are read (RECORD,
   top_level.txt, METADATA's Requires-Dist); nothing is imported or run;
3. a small table, kept by hand, of the well-known distributions whose module is named
   otherwise (PIL/pillow, yaml/PyYAML, dotenv/python-dotenv, google.genai/google-genai, ...)
   and of the requirements of the usual FastAPI stack, for transitive imports.

Anything else is *unknown*: a distribution whose modules none of these know is not assumed to
install a module of its own name when that would turn into a finding; the rules say they
cannot know instead.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.documents.requirements import normalise_name
from auditor.facts.cache import project_fact
from auditor.records import field, record

if TYPE_CHECKING:
    from auditor.rule import Context

# module (dotted prefix) -> distributions that provide it
WELL_KNOWN_MODULES: dict[str, tuple[str, ...]] = {
    "PIL": ("pillow",),
    "yaml": ("pyyaml",),
    "dotenv": ("python-dotenv",),
    "jose": ("python-jose",),
    "jwt": ("pyjwt",),
    "cv2": ("opencv-python", "opencv-python-headless", "opencv-contrib-python"),
    "sklearn": ("scikit-learn",),
    "skimage": ("scikit-image",),
    "bs4": ("beautifulsoup4",),
    "google.genai": ("google-genai",),
    "google.generativeai": ("google-generativeai",),
    "google.protobuf": ("protobuf",),
    "google.auth": ("google-auth",),
    "dateutil": ("python-dateutil",),
    "multipart": ("python-multipart",),
    "python_multipart": ("python-multipart",),
    "attr": ("attrs",),
    "OpenSSL": ("pyopenssl",),
    "Crypto": ("pycryptodome", "pycrypto"),
    "git": ("gitpython",),
    "serial": ("pyserial",),
    "zmq": ("pyzmq",),
    "psycopg2": ("psycopg2", "psycopg2-binary"),
    "MySQLdb": ("mysqlclient",),
    "fitz": ("pymupdf",),
    "docx": ("python-docx",),
    "pptx": ("python-pptx",),
    "magic": ("python-magic",),
    "slugify": ("python-slugify",),
    "telegram": ("python-telegram-bot",),
    "pythonjsonlogger": ("python-json-logger",),
    "grpc": ("grpcio",),
    "pkg_resources": ("setuptools",),
    "websocket": ("websocket-client",),
    "socketio": ("python-socketio",),
    "engineio": ("python-engineio",),
    "pydantic_core": ("pydantic-core",),
    "typing_extensions": ("typing-extensions",),
    "qdrant_client": ("qdrant-client",),
    "elastic_transport": ("elastic-transport",),
}

# Well-known distributions whose module is their own name ("-" read as "_").
WELL_KNOWN_SAME_NAME = frozenset(
    {
        "requests", "fastapi", "uvicorn", "pydantic", "pydantic-settings", "starlette", "httpx",
        "httpcore", "h11", "anyio", "redis", "sqlalchemy", "sqlmodel", "alembic", "neo4j",
        "groq", "elasticsearch", "ecs-logging", "prometheus-client", "celery", "flask",
        "django", "numpy", "pandas", "scipy", "boto3", "botocore", "click", "rich", "typer",
        "jinja2", "aiohttp", "openai", "anthropic", "ollama", "tenacity", "structlog", "loguru",
        "sentry-sdk", "certifi", "idna", "urllib3", "six", "pytz", "orjson", "ujson",
        "itsdangerous", "markupsafe", "werkzeug", "gunicorn", "psutil", "tqdm", "lxml",
        "cryptography", "bcrypt", "passlib", "jsonschema", "marshmallow", "pymongo", "motor",
        "asyncpg", "aiofiles", "aioredis", "kombu", "websockets", "torch", "transformers",
        "tiktoken", "langchain", "prometheus-fastapi-instrumentator", "email-validator",
        "sniffio", "distro", "mako", "annotated-types", "arrow", "pendulum", "msgpack",
    }
)  # fmt: skip

# distribution -> distributions it requires (the usual stack; closed transitively below)
WELL_KNOWN_REQUIRES: dict[str, tuple[str, ...]] = {
    "fastapi": ("starlette", "pydantic", "typing-extensions"),
    "starlette": ("anyio", "typing-extensions"),
    "httpx": ("anyio", "httpcore", "certifi", "idna"),
    "httpcore": ("h11", "certifi"),
    "anyio": ("idna", "sniffio"),
    "uvicorn": ("click", "h11"),
    "pydantic": ("pydantic-core", "typing-extensions", "annotated-types"),
    "pydantic-settings": ("pydantic", "python-dotenv"),
    "requests": ("urllib3", "idna", "certifi", "charset-normalizer"),
    "sqlmodel": ("sqlalchemy", "pydantic"),
    "alembic": ("sqlalchemy", "mako"),
    "groq": ("httpx", "pydantic", "anyio", "distro", "sniffio"),
    "google-genai": ("google-auth", "httpx", "pydantic", "requests", "websockets"),
    "qdrant-client": ("grpcio", "httpx", "numpy", "portalocker", "protobuf", "pydantic", "urllib3"),
    "elasticsearch": ("elastic-transport",),
    "elastic-transport": ("urllib3", "certifi"),
    "neo4j": ("pytz",),
    "flask": ("werkzeug", "jinja2", "itsdangerous", "click", "blinker"),
    "celery": ("kombu", "billiard", "click", "vine"),
    "typer": ("click", "rich"),
}

# Distributions a service uses without importing them: servers and their speed-ups, database
# drivers SQLAlchemy loads from a URL, optional backends other libraries import for you.
RUNTIME_ONLY = frozenset(
    {
        "python-multipart", "uvloop", "httptools", "watchfiles", "websockets", "gunicorn",
        "psycopg2", "psycopg2-binary", "psycopg", "psycopg-binary", "asyncpg", "aiosqlite",
        "pymysql", "mysqlclient", "oracledb", "email-validator", "hiredis", "orjson", "ujson",
        "jinja2", "itsdangerous", "cryptography", "gevent", "eventlet", "setuptools", "wheel",
        "pip", "uvicorn-worker",
    }
)  # fmt: skip

# Console scripts a Dockerfile's CMD/ENTRYPOINT/RUN may start -> their distribution.
WELL_KNOWN_SCRIPTS: dict[str, str] = {
    "uvicorn": "uvicorn",
    "gunicorn": "gunicorn",
    "hypercorn": "hypercorn",
    "daphne": "daphne",
    "alembic": "alembic",
    "celery": "celery",
}


@record
class InstalledMetadata:
    """What the dist-info folders of one site-packages say."""

    location: str
    modules: dict[str, set[str]] = field(default_factory=dict)  # module prefix -> dists
    requires: dict[str, set[str]] = field(default_factory=dict)  # dist -> required dists
    provides: dict[str, set[str]] = field(default_factory=dict)  # dist -> module prefixes
    scripts: dict[str, str] = field(default_factory=dict)  # console script -> dist
    versions: dict[str, str] = field(default_factory=dict)  # dist -> installed version
    requirements: dict[str, list[str]] = field(default_factory=dict)  # dist -> Requires-Dist


def site_packages(root: Path, python: str | None) -> str | None:
    """The site-packages of `--python` (an interpreter or a venv folder), else of the
    project's .venv or venv. Found by path, without running any interpreter."""
    if python:
        given = Path(python)
        candidates = [given] if given.is_dir() else [given.parent.parent, given.parent]
    else:
        candidates = [root / ".venv", root / "venv"]
    for base in candidates:
        found = sorted(glob.glob(str(base / "lib" / "python3*" / "site-packages")))
        found += sorted(glob.glob(str(base / "Lib" / "site-packages")))
        if found:
            return found[-1]
    return None


def read_metadata(location: str) -> InstalledMetadata:
    """Read every `*.dist-info` of a site-packages with plain file reads: importlib.metadata
    parses each METADATA as an e-mail message, which costs a whole audit's time on a large
    environment."""
    metadata = InstalledMetadata(location)
    try:
        entries = sorted(os.scandir(location), key=lambda entry: entry.name)
    except OSError:
        return metadata
    for entry in entries:
        if not entry.name.endswith(".dist-info"):
            continue
        folder = entry.path
        head = _read(os.path.join(folder, "METADATA")).split("\n\n", 1)[0]
        name = next(
            (line[5:].strip() for line in head.splitlines() if line.startswith("Name:")), ""
        )
        if not name:
            continue
        dist = normalise_name(name)
        record = _read(os.path.join(folder, "RECORD"))
        files = [line.split(",", 1)[0] for line in record.splitlines() if line]
        prefixes = _module_prefixes(_read(os.path.join(folder, "top_level.txt")), files)
        metadata.provides[dist] = prefixes
        for prefix in prefixes:
            metadata.modules.setdefault(prefix, set()).add(dist)
        metadata.versions[dist] = next(
            (line[8:].strip() for line in head.splitlines() if line.startswith("Version:")), ""
        )
        metadata.requirements[dist] = [
            line[14:].strip() for line in head.splitlines() if line.startswith("Requires-Dist:")
        ]
        metadata.requires[dist] = {
            normalise_name(required)
            for line in head.splitlines()
            if line.startswith("Requires-Dist:") and "extra ==" not in line
            if (required := _requirement_name(line[14:].strip()))
        }
        metadata.scripts.update(
            (script, dist)
            for script in _console_scripts(_read(os.path.join(folder, "entry_points.txt")))
        )
    return metadata


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def _requirement_name(line: str) -> str:
    for index, char in enumerate(line):
        if not (char.isalnum() or char in "._-"):
            return line[:index]
    return line


def _console_scripts(text: str) -> list[str]:
    scripts, inside = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped == "[console_scripts]"
        elif inside and "=" in stripped:
            scripts.append(stripped.split("=", 1)[0].strip())
    return scripts


def _module_prefixes(top_level: str | None, files: Iterable[object] | None) -> set[str]:
    """Top-level modules, and `a.b` for namespace packages such as google.genai."""
    prefixes: set[str] = set()
    packages_with_init: set[str] = set()
    seconds: dict[str, set[str]] = {}
    for item in files or ():
        parts = str(item).split("/")
        first = parts[0]
        if first.endswith((".dist-info", ".data", ".egg-info")) or first in ("..", "__pycache__"):
            continue
        if len(parts) == 1:
            if first.endswith(".py"):
                prefixes.add(first[:-3])
            elif first.endswith((".so", ".pyd")):
                prefixes.add(first.split(".", 1)[0])
            continue
        if not first.isidentifier():  # pillow.libs/, bin/.. : not importable
            continue
        prefixes.add(first)
        if parts[1] == "__init__.py":
            packages_with_init.add(first)
        elif parts[1] != "__pycache__":
            second = parts[1][:-3] if parts[1].endswith(".py") else parts[1]
            if second.isidentifier():
                seconds.setdefault(first, set()).add(second)
    for first, names in seconds.items():
        if first not in packages_with_init:  # a namespace package: name its sub-packages
            prefixes.discard(first)
            prefixes.update(f"{first}.{name}" for name in names)
    if not prefixes and top_level:
        prefixes.update(line.strip() for line in top_level.splitlines() if line.strip())
    return {p for p in prefixes if p.isidentifier() or "." in p}


class NameMap:
    """Import name <-> distribution, from the user's map, installed metadata and the table."""

    def __init__(
        self, user_map: Mapping[str, tuple[str, ...]], metadata: InstalledMetadata | None
    ) -> None:
        self.metadata = metadata
        self.modules: dict[str, set[str]] = {}
        for module, dists in WELL_KNOWN_MODULES.items():
            self.modules.setdefault(module, set()).update(dists)
        self.user_provides = {normalise_name(d): set(m) for d, m in user_map.items()}
        self.user_modules: dict[str, set[str]] = {}
        for dist, modules in self.user_provides.items():
            for module in modules:
                self.user_modules.setdefault(module, set()).add(dist)

    def distributions_of(self, module: str) -> tuple[set[str], str]:
        """The distributions that may provide `module` (dotted), and where that came from:
        "config", "metadata", "table" or "name" (only the module's own name, a guess)."""
        for source, table in (
            ("config", self.user_modules),
            ("metadata", self.metadata.modules if self.metadata else {}),
            ("table", self.modules),
        ):
            parts = module.split(".")
            for length in range(len(parts), 0, -1):
                found = table.get(".".join(parts[:length]))
                if found:
                    return set(found), source
        return {normalise_name(module.split(".", 1)[0])}, "name"

    def modules_of(self, dist: str) -> tuple[set[str], str]:
        """Module prefixes `dist` installs, and where that came from (as above); "name" when
        nothing knows and the distribution's own name is all there is."""
        if dist in self.user_provides:
            return self.user_provides[dist], "config"
        if self.metadata is not None and self.metadata.provides.get(dist):
            return self.metadata.provides[dist], "metadata"
        known = {module for module, dists in self.modules.items() if dist in dists}
        if known:
            return known, "table"
        if dist in WELL_KNOWN_SAME_NAME:
            return {dist.replace("-", "_")}, "table"
        return {dist.replace("-", "_")}, "name"

    def requires_closure(self, declared: Iterable[str]) -> dict[str, str]:
        """Every distribution the declared ones pull in -> the declared one that pulls it."""
        table: Mapping[str, Iterable[str]] = WELL_KNOWN_REQUIRES
        if self.metadata is not None:
            merged = {k: set(v) for k, v in WELL_KNOWN_REQUIRES.items()}
            for dist, requires in self.metadata.requires.items():
                merged.setdefault(dist, set()).update(requires)
            table = merged
        pulled: dict[str, str] = {}
        for root in declared:
            stack = list(table.get(root, ()))
            while stack:
                dist = stack.pop()
                if dist in pulled or dist == root:
                    continue
                pulled[dist] = root
                stack.extend(table.get(dist, ()))
        return pulled

    def script_distribution(self, script: str) -> str | None:
        if self.metadata is not None and script in self.metadata.scripts:
            return self.metadata.scripts[script]
        return WELL_KNOWN_SCRIPTS.get(script)


def environment_note(metadata: InstalledMetadata | None) -> str:
    if metadata is None:
        return "no environment found (.venv, venv or --python) to read installed metadata from"
    return f"installed metadata read from {os.path.relpath(metadata.location)}"


def name_map(context: Context) -> NameMap:
    """The project's NameMap, built once: its config's map and its environment's metadata."""

    def build(project: object) -> NameMap:
        location = site_packages(context.project.root, context.config.python or None)
        metadata = read_metadata(location) if location else None
        return NameMap(context.config.package_module_map, metadata)

    return project_fact(context.project, "python_deps_name_map", build)
