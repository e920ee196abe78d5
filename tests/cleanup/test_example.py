"""The bundled flawed example shows the cleanup plan (read only: nothing is applied), and the
reference project at the repository root has nothing to clean up."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLE = "examples/legacy-mami"


def test_example_plan(t: SimpleNamespace) -> None:
    done = t.mami_audit("cleanup", EXAMPLE, "--output-format", "json", cwd=REPOSITORY)
    assert done.returncode == 1, done.stderr
    plan = json.loads(done.stdout)
    removed = {
        entry["path"]: entry["code"] for entry in plan["paths"] if entry["action"] == "remove"
    }
    # The example is a project of its own (its own mami-audit.toml): paths are relative to it.
    assert removed == {
        "DOCKER_SETUP_OLD.md": "JK001",
        "FAZE_1_NOTES.md": "JK001",
        "backups": "JK002",
        "check_env.py": "JK003",
        "debug_redis.py": "JK003",
    }
    assert all(entry["tracked"] for entry in plan["paths"])
    contexts = {context["folder"]: context for context in plan["build_contexts"]}
    context = contexts["."]
    assert context["files_after"] < context["files_now"]
    assert context["reduction_percent"] > 0
    changes = {change["path"]: change for change in plan["ignore_files"]}
    assert changes[".dockerignore"]["created"]
    assert ".git" in changes[".dockerignore"]["added"]
    assert changes[".gitignore"]["added"] == ["node_modules/", ".venv/", ".env", "data/", "logs/"]


def test_reference_project_has_nothing_tracked_to_clean(t: SimpleNamespace) -> None:
    done = t.mami_audit("cleanup", "--output-format", "json", cwd=REPOSITORY)
    assert done.returncode == 0, done.stdout + done.stderr
    plan = json.loads(done.stdout)
    assert plan["nothing_to_do"]
    assert not [entry for entry in plan["paths"] if entry["tracked"]]
