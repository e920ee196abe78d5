"""Killed mid-way (SIGKILL, no clean-up of any kind), `cleanup --apply` loses nothing, never
commits the user's staged work, and the next `cleanup --apply` finishes the job.

The process kills itself at named points (MAMI_AUDIT_CLEANUP_CRASH_AT, see
auditor/cleanup/apply.py): after the journal is written, after the separate index is built,
right after the commit, after the journal records it, after the user's index is updated, and
in the middle of deleting files.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

MESSAGE = "chore: cleanup project for Docker production readiness"
PROJECT = {
    "app/main.py": "print(1)\n",
    "README.md": "# Project\n",
    ".gitignore": "__pycache__/\n",
    "FAZE_1_NOTES.md": "old\n",
    "DOCKER_OLD.md": "old\n",
    "backups/a.sql": "a\n",
    "backups/b.sql": "b\n",
    "node_modules/x/index.js": "x\n",
    "node_modules/x/package.json": "{}\n",
}
CLEANUP_PATHS = {
    ".gitignore",
    "FAZE_1_NOTES.md",
    "DOCKER_OLD.md",
    "backups/a.sql",
    "backups/b.sql",
    "node_modules/x/index.js",
    "node_modules/x/package.json",
}
POINTS = [
    "journal-written",
    "separate-index-built",
    "committed",
    "journal-updated",
    "index-updated",
    "deleting",
]


@pytest.mark.parametrize("point", POINTS)
def test_killed_apply_is_completed_by_the_next_one(
    t: SimpleNamespace, repo: Callable[..., Path], point: str
) -> None:
    root = repo(PROJECT)
    (root / "app/main.py").write_text("print('staged')\n")
    t.git(root, "add", "app/main.py")
    (root / "README.md").write_text("# Project\n\nunstaged\n")
    (root / "todo.txt").write_text("untracked\n")
    before = t.user_state(root)
    original = t.git(root, "rev-parse", "HEAD").strip()

    killed = t.mami_audit(
        "cleanup", "--apply", cwd=root, env={"MAMI_AUDIT_CLEANUP_CRASH_AT": point}
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    # In between: HEAD is the old commit or the cleanup commit, never one with the user's work.
    head = t.git(root, "rev-parse", "HEAD").strip()
    if head != original:
        assert t.head_message(root) == MESSAGE
        assert t.committed_paths(root) <= CLEANUP_PATHS
    assert (root / "app/main.py").read_text() == "print('staged')\n"
    assert (root / "todo.txt").exists()

    finished = t.mami_audit("cleanup", "--apply", cwd=root)
    assert finished.returncode == 0, finished.stderr

    assert t.git(root, "rev-parse", "HEAD~1").strip() == original  # one cleanup commit
    assert t.head_message(root) == MESSAGE
    assert t.committed_paths(root) == CLEANUP_PATHS
    assert t.user_state(root) == before
    for gone in ("FAZE_1_NOTES.md", "DOCKER_OLD.md", "backups", "node_modules"):
        assert not (root / gone).exists(), gone
    assert not (root / ".git/mami-audit-cleanup.json").exists()
    assert not (root / ".git/mami-audit-cleanup.index").exists()
    assert t.mami_audit("cleanup", cwd=root).returncode == 0  # nothing left to do
