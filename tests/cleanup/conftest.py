"""Real git repositories for the cleanup tests: build one, and snapshot what the user has."""

from __future__ import annotations

import os
import sys
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple

import pytest

from auditor.testing import write_files

GIT_ENVIRONMENT = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}


def git(root: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        env={**os.environ, **GIT_ENVIRONMENT},
        check=False,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {os.fsdecode(done.stderr)}")
    return os.fsdecode(done.stdout)


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENVIRONMENT.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def repo(tmp_path: Path) -> Callable[..., Path]:
    """`repo(committed_files, name="project")`: a git repository with one commit."""

    def make(files: Mapping[str, str | bytes], name: str = "project") -> Path:
        root = tmp_path / name
        root.mkdir()
        git(root, "init", "-q", "-b", "main")
        write_files(root, files)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial")
        return root

    return make


class UserState(NamedTuple):
    """What the user has besides HEAD: must be the same before and after a cleanup."""

    staged: str  # git diff --cached, as a patch
    unstaged: str  # git diff, as a patch
    untracked: frozenset[str]


def user_state(root: Path, ignore: Callable[[str], bool] = lambda path: False) -> UserState:
    staged = git(root, "diff", "--cached", "--binary", "HEAD")
    unstaged = git(root, "diff", "--binary")
    listed = git(root, "ls-files", "-z", "--others", "--exclude-standard")
    untracked = frozenset(p for p in listed.split("\0") if p and not ignore(p))
    return UserState(staged, unstaged, untracked)


REPOSITORY = Path(__file__).resolve().parents[2]


def mami_audit(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m auditor ARGS` in a real process (so that it can be killed)."""
    environment = {
        **os.environ,
        **GIT_ENVIRONMENT,
        "PYTHONPATH": str(REPOSITORY),
        "NO_COLOR": "1",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def committed_paths(root: Path, commit: str = "HEAD") -> set[str]:
    """Paths the commit changes against its parent."""
    listed = git(
        root, "diff-tree", "-r", "--no-commit-id", "--name-only", "-z", f"{commit}~1", commit
    )
    return {path for path in listed.split("\0") if path}


def head_message(root: Path) -> str:
    return git(root, "log", "-1", "--format=%B").strip()


@pytest.fixture
def t() -> SimpleNamespace:
    """The helpers above, for the test modules (conftest cannot be imported by name)."""
    return SimpleNamespace(
        git=git,
        mami_audit=mami_audit,
        user_state=user_state,
        committed_paths=committed_paths,
        head_message=head_message,
    )
