""".env.example documents every variable, with safe values the app and compose accept.

The app's settings are read from app/config.py with `ast` (the class body, not by running
it) to list the variables; one test then loads .env.example through the real Settings class,
in a subprocess with a clean environment, to show the values validate.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path


from .conftest import COMPOSE_VARIABLES

COMPOSE_FILES = ("docker-compose.yml", "docker-compose.prod.yml")
# Collected by the settings class from GROQ_API_KEY_<n> / GEMINI_API_KEY_<n>, not set directly.
NUMBERED_KEY_FIELDS = {"GROQ_NUMBERED_API_KEYS": "GROQ_API_KEY_1", "GEMINI_NUMBERED_API_KEYS": "GEMINI_API_KEY_1"}
ASSIGNMENT = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")


def settings_fields(repo_root: Path) -> set[str]:
    config = repo_root / "app" / "config.py"
    assert config.exists(), "app/config.py (the backend's settings) is missing"
    tree = ast.parse(config.read_text(encoding="utf-8"))
    settings = next(
        node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Settings"
    )
    return {
        statement.target.id
        for statement in settings.body
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
        and statement.target.id.isupper()
    }


def example_lines(repo_root: Path) -> dict[str, tuple[bool, str]]:
    """Variable -> (set on an uncommented line, value)."""
    found: dict[str, tuple[bool, str]] = {}
    for line in (repo_root / ".env.example").read_text(encoding="utf-8").splitlines():
        match = ASSIGNMENT.match(line.strip())
        if match:
            commented, name, value = match.groups()
            if name not in found or not commented:
                found[name] = (not commented, value)
    return found


def test_every_setting_is_documented(repo_root: Path) -> None:
    documented = example_lines(repo_root)
    fields = settings_fields(repo_root)
    assert "NODE_MODE" in fields and "CORS_ORIGINS" in fields
    missing = sorted(
        NUMBERED_KEY_FIELDS.get(field, field)
        for field in fields
        if NUMBERED_KEY_FIELDS.get(field, field) not in documented
    )
    assert not missing, f".env.example does not document: {missing}"


def test_nothing_stale_is_documented(repo_root: Path) -> None:
    known = settings_fields(repo_root) | set(NUMBERED_KEY_FIELDS.values()) | COMPOSE_VARIABLES
    stale = sorted(set(example_lines(repo_root)) - known)
    assert not stale, f".env.example documents variables nothing reads: {stale}"


def test_compose_variables_are_documented(repo_root: Path) -> None:
    interpolated = set()
    for name in COMPOSE_FILES:
        interpolated |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (repo_root / name).read_text()))
    # conftest's list drives which variables the compose tests clear from the environment.
    assert interpolated == COMPOSE_VARIABLES
    documented = example_lines(repo_root)
    assert interpolated <= set(documented), sorted(interpolated - set(documented))


def test_no_secret_has_a_real_looking_value(repo_root: Path) -> None:
    documented = example_lines(repo_root)
    for name, (is_set, value) in documented.items():
        if re.search(r"API_KEY|PASSWORD|DSN", name) and is_set:
            assert value == "", f"{name} should be empty in the example"
    token = documented["INTERNAL_UPLOAD_TOKEN"][1]
    assert token.startswith("replace-with"), "the token placeholder must read as a placeholder"


def test_grafana_password_is_left_to_the_user(repo_root: Path) -> None:
    # Unset, development falls back to admin/admin (R12.1) and production refuses to start.
    assert example_lines(repo_root)["GRAFANA_ADMIN_PASSWORD"][0] is False


def test_the_app_accepts_the_example(repo_root: Path, tmp_path: Path) -> None:
    script = (
        "import json, sys\n"
        "from app.config import Settings\n"
        "s = Settings(_env_file=sys.argv[1])\n"
        "print(json.dumps({'cors': s.get_cors_origins_list(), 'redis': s.get_redis_url(),"
        " 'groq': s.get_groq_api_keys(), 'es': s.ELASTICSEARCH_URL, 'token': s.get_internal_token(),"
        " 'chains': s.get_fallback_chains()}))\n"
    )
    environment = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG")}
    environment["PYTHONPATH"] = str(repo_root)
    completed = subprocess.run(
        [sys.executable, "-c", script, str(repo_root / ".env.example")],
        cwd=tmp_path,  # no .env here to pick up by accident
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    loaded = json.loads(completed.stdout)
    assert loaded["cors"] == ["http://localhost:5173", "http://127.0.0.1:5173"]
    assert loaded["redis"] is None  # Redis is optional and off in the example
    assert loaded["groq"] == []
    assert not loaded["es"]
    assert loaded["token"] == "replace-with-a-long-random-string"
    assert list(loaded["chains"]) == ["default"]
