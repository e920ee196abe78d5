"""Which document kind a file is, from its path alone.

Every run asks this of every file in the project before it knows which rule families to load,
so it lives apart from the parsers: importing this module costs nothing, where importing the
fifteen document modules to call their `matches` cost a third of a one-Dockerfile run. Each
document module re-exports its kind's function here as its own `matches`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

# Dockerfile.<x> with one of these suffixes is a source, data or documentation file.
_NOT_DOCKERFILE_SUFFIXES = frozenset(
    {
        "py", "pyi", "pyc", "md", "rst", "txt", "json", "toml", "yaml", "yml", "ini", "cfg",
        "js", "mjs", "cjs", "ts", "tsx", "jsx", "go", "rs", "java", "rb", "html", "css",
        "dockerignore",
    }
)  # fmt: skip
# Copies editors, merge tools and people leave next to the real file (`Dockerfile.bak`,
# `Dockerfile.orig`, `Dockerfile~`): not built, so neither audited nor fixed.
_BACKUP_SUFFIXES = frozenset({"bak", "backup", "orig", "old", "rej", "save", "swp", "swo", "tmp"})
_YAML = (".yml", ".yaml")

COMPOSE_BASE_NAMES = (
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
)
DOTENV_EXAMPLE_NAMES = frozenset({".env.example", ".env.sample", ".env.template", "example.env"})
DOTENV_SECRET_NAMES = frozenset({".env"})
PACKAGE_LOCK_NAMES = ("package-lock.json", "npm-shrinkwrap.json")
ACTION_NAMES = ("action.yml", "action.yaml")
WORKFLOW_FOLDER = ".github/workflows"
_VITE_CONFIG_NAMES = frozenset(
    f"vite.config.{suffix}" for suffix in ("js", "mjs", "cjs", "ts", "mts", "cts")
)
_PYTHON_TEST_FOLDERS = frozenset({"tests", "test", "testing"})
_PYTHON_VENDORED_FOLDERS = frozenset({"vendor", "vendored", "third_party", "site-packages"})
_PYTHON_MIGRATION_FOLDERS = frozenset({"migrations", "alembic"})


def is_dockerfile(relative_path: str) -> bool:
    """Dockerfile, Dockerfile.<x>, <x>.Dockerfile and Containerfile(.<x>), anywhere, in any
    letter case: the docker CLI falls back to `dockerfile`, and `api.dockerfile` is common.
    Not `Dockerfile.<x>` when <x> is a source, data or documentation suffix (.py, .md, ...)
    or a backup's (.bak, .orig, .old, a trailing `~`, ...)."""
    name = posixpath.basename(relative_path).lower()
    suffix = name.rpartition(".")[2]
    if suffix != name and (suffix in _NOT_DOCKERFILE_SUFFIXES or suffix in _BACKUP_SUFFIXES):
        return False
    if name.endswith("~"):
        return False
    return (
        name in ("dockerfile", "containerfile")
        or name.startswith(("dockerfile.", "containerfile."))
        or name.endswith(".dockerfile")
    )


def is_dockerignore(relative_path: str) -> bool:
    """`.dockerignore`, or `<Dockerfile name>.dockerignore` (the Dockerfile part in any case,
    as `is_dockerfile` reads it). The suffix itself is matched exactly: BuildKit opens
    these names as they are spelled."""
    name = posixpath.basename(relative_path)
    if name == ".dockerignore":
        return True
    return name.endswith(".dockerignore") and is_dockerfile(name[: -len(".dockerignore")])


def is_package_json(relative_path: str) -> bool:
    return posixpath.basename(relative_path) == "package.json"


def is_package_lock(relative_path: str) -> bool:
    return posixpath.basename(relative_path) in PACKAGE_LOCK_NAMES


def is_vite_config(relative_path: str) -> bool:
    return posixpath.basename(relative_path) in _VITE_CONFIG_NAMES


def is_compose(relative_path: str) -> bool:
    name = posixpath.basename(relative_path)
    if not name.endswith(_YAML):
        return False
    stem = name.rsplit(".", 1)[0]
    return stem in ("compose", "docker-compose") or stem.startswith(("compose.", "docker-compose."))


def is_prometheus_config(relative_path: str) -> bool:
    return posixpath.basename(relative_path) in ("prometheus.yml", "prometheus.yaml")


def is_prometheus_rules(relative_path: str) -> bool:
    name = posixpath.basename(relative_path)
    if not name.endswith(_YAML):
        return False
    stem = name.rsplit(".", 1)[0]
    return stem in ("rules", "alert_rules", "alerts") or stem.endswith((".rules", "_rules"))


def is_grafana_provisioning(relative_path: str) -> bool:
    parts = relative_path.split("/")
    return len(parts) >= 3 and parts[-3] == "provisioning" and parts[-1].endswith(_YAML)


def is_requirements(relative_path: str) -> bool:
    """`*requirements*.txt` and `constraints*.txt` anywhere, and any `.txt` in a folder named
    `requirements` (`requirements/base.txt`), in any letter case."""
    lowered = relative_path.lower()
    if not lowered.endswith(".txt"):
        return False
    folder, _, name = lowered.rpartition("/")
    return (
        "requirements" in name
        or name.startswith("constraints")
        or folder.rpartition("/")[2] == "requirements"
    )


def is_pyproject(relative_path: str) -> bool:
    return posixpath.basename(relative_path) == "pyproject.toml"


def is_workflow(relative_path: str) -> bool:
    folder, name = posixpath.split(relative_path)
    return folder == WORKFLOW_FOLDER and name.endswith(_YAML)


def is_action(relative_path: str) -> bool:
    return posixpath.basename(relative_path) in ACTION_NAMES


def is_python(relative_path: str) -> bool:
    """The application's own Python: not tests, vendored code or Alembic's migration versions."""
    if not relative_path.endswith(".py"):
        return False
    parts = relative_path.split("/")
    name, folders = parts[-1], parts[:-1]
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return False
    if _PYTHON_TEST_FOLDERS.intersection(folders) or _PYTHON_VENDORED_FOLDERS.intersection(folders):
        return False
    for index, folder in enumerate(folders[:-1]):
        if folder in _PYTHON_MIGRATION_FOLDERS and folders[index + 1] == "versions":
            return False
    return True


def is_dotenv(relative_path: str) -> bool:
    name = posixpath.basename(relative_path)
    return name in DOTENV_EXAMPLE_NAMES or name in DOTENV_SECRET_NAMES


# Kind -> its test; the keys are auditor.documents.KIND_MODULES' (a test keeps them equal).
MATCHERS: dict[str, Callable[[str], bool]] = {
    "dockerfile": is_dockerfile,
    "dockerignore": is_dockerignore,
    "package-json": is_package_json,
    "package-lock": is_package_lock,
    "vite-config": is_vite_config,
    "compose": is_compose,
    "prometheus-config": is_prometheus_config,
    "prometheus-rules": is_prometheus_rules,
    "grafana-provisioning": is_grafana_provisioning,
    "requirements": is_requirements,
    "pyproject": is_pyproject,
    "workflow": is_workflow,
    "action": is_action,
    "python": is_python,
    "dotenv": is_dotenv,
}


def kinds_of(relative_path: str) -> list[str]:
    """Every kind the file is (a file can be more than one, e.g. a compose file in a
    provisioning folder), in KIND_MODULES' order."""
    return [kind for kind, matches in MATCHERS.items() if matches(relative_path)]
