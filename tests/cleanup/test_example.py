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
    assert removed == {
        f"{EXAMPLE}/DOCKER_SETUP_OLD.md": "JK001",
        f"{EXAMPLE}/FAZE_1_NOTES.md": "JK001",
        f"{EXAMPLE}/backups": "JK002",
        f"{EXAMPLE}/check_env.py": "JK003",
        f"{EXAMPLE}/debug_redis.py": "JK003",
    }
    assert all(entry["tracked"] for entry in plan["paths"])
    (context,) = plan["build_contexts"]
    assert context["folder"] == EXAMPLE
    assert context["files_after"] < context["files_now"]
    assert context["reduction_percent"] > 0
    assert plan["ignore_files"] == [
        {
            "path": f"{EXAMPLE}/.dockerignore",
            "created": True,
            "added": [
                ".git",
                "**/node_modules",
                ".venv",
                ".env",
                "tests",
                "**/__pycache__",
                "**/*.pyc",
                "backups",
            ],
        }
    ]


def test_reference_project_has_nothing_tracked_to_clean(t: SimpleNamespace) -> None:
    done = t.mami_audit("cleanup", "--output-format", "json", cwd=REPOSITORY)
    assert done.returncode == 0, done.stdout + done.stderr
    plan = json.loads(done.stdout)
    assert plan["nothing_to_do"]
    assert not [entry for entry in plan["paths"] if entry["tracked"]]
