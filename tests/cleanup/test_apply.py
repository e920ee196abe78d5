"""`mami-audit cleanup --apply` with real git: the commit holds only the cleanup, and what the
user had staged, changed or created stays exactly as it was."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from types import SimpleNamespace

MESSAGE = "chore: cleanup project for Docker production readiness"

PROJECT = {
    "app/__init__.py": "",
    "app/main.py": "print('hello')\n",
    "README.md": "# Project\n",
    "Dockerfile": "FROM python:3.11-slim\nCOPY app/ /app/\n",
    ".dockerignore": ".git\n**/node_modules\n.venv\n.env\ntests\n**/__pycache__\n**/*.pyc\nbackups\n",
    ".gitignore": "__pycache__/\n",
    "FAZE_1_NOTES.md": "old notes\n",
    "backups/db.sql": "INSERT INTO t VALUES (1);\n",
    "node_modules/left-pad/index.js": "module.exports = 1\n",
    "node_modules/left-pad/package.json": "{}\n",
    "debug_redis.py": "print(1)\n",
}

CLEANUP_PATHS = {
    "FAZE_1_NOTES.md",
    "backups/db.sql",
    "node_modules/left-pad/index.js",
    "node_modules/left-pad/package.json",
    "debug_redis.py",
    ".gitignore",
}


def with_user_work(t: SimpleNamespace, root: Path) -> None:
    """Staged, unstaged and untracked work of the user's, which the cleanup must not touch."""
    (root / "app/main.py").write_text("print('staged change')\n")
    (root / "app/new.py").write_text("NEW = 1\n")
    t.git(root, "add", "app/main.py", "app/new.py")
    (root / "README.md").write_text("# Project\n\nunstaged edit\n")
    (root / "notes.txt").write_text("my untracked notes\n")


def test_plan_lists_junk_and_exits_1(t: SimpleNamespace, repo: Callable[..., Path]) -> None:
    root = repo(PROJECT)
    done = t.mami_audit("cleanup", cwd=root)
    assert done.returncode == 1, done.stderr
    for path in ("FAZE_1_NOTES.md", "backups/", "node_modules/", "debug_redis.py"):
        assert path in done.stdout
    assert "append to .gitignore: node_modules/, .venv/, .env, data/, logs/" in done.stdout
    assert t.git(root, "status", "--porcelain") == ""  # the plan writes nothing


def test_apply_commits_only_the_cleanup(t: SimpleNamespace, repo: Callable[..., Path]) -> None:
    root = repo(PROJECT)
    with_user_work(t, root)
    before = t.user_state(root)
    old_head = t.git(root, "rev-parse", "HEAD").strip()

    done = t.mami_audit("cleanup", "--apply", cwd=root)

    assert done.returncode == 0, done.stderr
    assert t.head_message(root) == MESSAGE
    assert t.git(root, "rev-parse", "HEAD~1").strip() == old_head
    assert t.committed_paths(root) == CLEANUP_PATHS
    assert t.user_state(root) == before
    for gone in ("FAZE_1_NOTES.md", "backups", "node_modules", "debug_redis.py"):
        assert not os.path.lexists(root / gone), gone
    assert "node_modules/" in (root / ".gitignore").read_text()
    assert "git revert" in done.stderr
    # Nothing left: a second run has nothing to do.
    again = t.mami_audit("cleanup", "--apply", cwd=root)
    assert again.returncode == 0, again.stderr
    assert "Nothing to clean up." in again.stdout
    assert t.git(root, "rev-parse", "HEAD~1").strip() == old_head


def test_no_commit_stages_the_cleanup_beside_the_users_work(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    root = repo(PROJECT)
    old_head = t.git(root, "rev-parse", "HEAD").strip()
    done = t.mami_audit("cleanup", "--apply", "--no-commit", cwd=root)
    assert done.returncode == 0, done.stderr
    assert t.git(root, "rev-parse", "HEAD").strip() == old_head
    staged = set(t.git(root, "diff", "--cached", "--name-only", "-z").split("\0")) - {""}
    assert staged == CLEANUP_PATHS


def test_committed_env_is_untracked_but_kept_on_disk(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    root = repo({**PROJECT, ".env": "OPENAI_API_KEY=sk-proj-4f9a8b7c6d5e4f3a2b1c0d\n"})
    plan = t.mami_audit("cleanup", cwd=root)
    assert "Stop tracking" in plan.stdout and ".env" in plan.stdout
    done = t.mami_audit("cleanup", "--apply", cwd=root)
    assert done.returncode == 0, done.stderr
    assert (root / ".env").read_text().startswith("OPENAI_API_KEY=")
    assert ".env" in t.committed_paths(root)
    assert t.git(root, "ls-files", ".env") == ""
    assert t.git(root, "check-ignore", "-q", ".env", check=False) == ""  # ignored from now on
    assert "rotate" in done.stderr


def test_tracked_junk_with_uncommitted_changes_needs_force(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    root = repo(PROJECT)
    (root / "backups/db.sql").write_text("changed, not committed\n")
    done = t.mami_audit("cleanup", "--apply", cwd=root)
    assert done.returncode == 0, done.stderr
    assert "backups/db.sql" not in t.committed_paths(root)
    assert (root / "backups/db.sql").read_text() == "changed, not committed\n"
    assert "uncommitted changes" in done.stderr  # checked inside folders by --apply

    forced = t.mami_audit("cleanup", "--apply", "--force", cwd=root)
    assert forced.returncode == 0, forced.stderr
    assert t.committed_paths(root) == {"backups/db.sql"}
    assert not (root / "backups").exists()


def test_untracked_junk_is_kept_unless_asked(t: SimpleNamespace, repo: Callable[..., Path]) -> None:
    root = repo(PROJECT)
    (root / ".venv/lib").mkdir(parents=True)
    (root / ".venv/lib/site.py").write_text("x = 1\n")
    plan = t.mami_audit("cleanup", "--output-format", "json", cwd=root)
    import json

    entries = {entry["path"]: entry for entry in json.loads(plan.stdout)["paths"]}
    assert entries[".venv"]["action"] == "keep" and not entries[".venv"]["tracked"]
    t.mami_audit("cleanup", "--apply", cwd=root)
    assert (root / ".venv/lib/site.py").exists()
    done = t.mami_audit("cleanup", "--apply", "--include-untracked", cwd=root)
    assert done.returncode == 0, done.stderr
    assert not (root / ".venv").exists()


def test_used_junk_is_kept_and_said_so(t: SimpleNamespace, repo: Callable[..., Path]) -> None:
    root = repo(
        {
            **PROJECT,
            "Dockerfile": "FROM python:3.11-slim\nCOPY backups/ /seed/\nCOPY app/ /app/\n",
            "app/main.py": "import debug_redis\n",
        }
    )
    done = t.mami_audit("cleanup", cwd=root)
    assert "backups/" in done.stdout and "Dockerfile:2 COPYs it" in done.stdout
    assert "app/main.py:1 imports it" in done.stdout
    applied = t.mami_audit("cleanup", "--apply", cwd=root)
    assert applied.returncode == 0, applied.stderr
    assert (root / "backups/db.sql").exists() and (root / "debug_redis.py").exists()


def test_outside_git_there_is_no_commit(t: SimpleNamespace, tmp_path: Path) -> None:
    from auditor.testing import write_files

    root = tmp_path / "plain"
    write_files(root, {"FAZE_1_NOTES.md": "x\n", "app/main.py": "", "pyproject.toml": ""})
    done = t.mami_audit("cleanup", "--apply", cwd=root)
    assert done.returncode == 0, done.stderr
    assert (root / "FAZE_1_NOTES.md").exists()  # untracked: only with --include-untracked
    assert "not a git work tree" in (done.stdout + done.stderr).lower()
    done = t.mami_audit("cleanup", "--apply", "--include-untracked", cwd=root)
    assert done.returncode == 0, done.stderr
    assert not (root / "FAZE_1_NOTES.md").exists()
    assert "no commit" in done.stderr


def test_plan_shows_a_junk_file_with_uncommitted_changes(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    root = repo(PROJECT)
    (root / "FAZE_1_NOTES.md").write_text("edited\n")
    done = t.mami_audit("cleanup", cwd=root)
    assert "FAZE_1_NOTES.md" in done.stdout and "uncommitted changes" in done.stdout
    (root / "debug_redis.py").unlink()
    t.git(root, "rm", "-q", "--cached", "backups/db.sql")  # a staged change inside a folder
    done = t.mami_audit("cleanup", cwd=root)
    assert "backups/" in done.stdout.split("Kept:")[1]


def test_index_reader_agrees_with_git(t: SimpleNamespace, repo: Callable[..., Path]) -> None:
    """Paths and sizes read from .git/index are git's own, for index versions 2, 3 and 4."""
    from auditor.cleanup.gitindex import read_index

    root = repo(
        {**PROJECT, "a b/c\nd.txt": "x" * 1000, "/".join(["d" * 200] * 15) + "/long.txt": "y"}
    )
    for version in ("2", "3", "4"):
        t.git(root, "update-index", "--index-version", version)
        index = read_index(root / ".git")
        assert index is not None
        listed = [p for p in t.git(root, "ls-files", "-z").split("\0") if p]
        assert index.paths == listed
        sizes = dict(zip(index.paths, index.sizes))
        assert sizes["a b/c\nd.txt"] == 1000
        assert all(sizes[p] == (root / p).stat().st_size for p in listed)


def test_progress_bar_on_a_terminal_only(
    t: SimpleNamespace, repo: Callable[..., Path], tmp_path: Path
) -> None:
    import shlex
    import shutil
    import subprocess
    import sys

    files = {f"node_modules/pkg/f{number}.js": "x\n" for number in range(300)}
    root = repo({**PROJECT, **files})
    piped = t.mami_audit("cleanup", "--apply", cwd=root)
    assert piped.returncode == 0, piped.stderr
    assert "Removing junk" not in piped.stderr  # not a terminal: no bar

    if shutil.which("script") is None:
        return
    again = repo({**PROJECT, **files}, name="tty")
    command = shlex.join([sys.executable, "-m", "auditor", "cleanup", "--apply"])
    transcript = tmp_path / "transcript"
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    subprocess.run(
        ["script", "-qec", f"{command} > /dev/null", str(transcript)],
        cwd=again,
        env=environment,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert "Removing junk" in transcript.read_text(errors="replace")
    assert not (again / "node_modules").exists()


def test_sha256_repository_and_linked_work_tree_fall_back_or_read_right(
    t: SimpleNamespace, tmp_path: Path
) -> None:
    """Indexes not read here (SHA-256 object names) fall back to git ls-files; a linked work
    tree's own index is the one read."""
    from auditor.cleanup.gitindex import read_index
    from auditor.testing import write_files

    root = tmp_path / "sha256"
    root.mkdir()
    t.git(root, "init", "-q", "--object-format=sha256")
    write_files(root, {"FAZE_1_NOTES.md": "x\n", "app/main.py": ""})
    t.git(root, "add", "-A")
    t.git(root, "commit", "-q", "-m", "init")
    assert read_index(root / ".git") is None
    done = t.mami_audit("cleanup", "--apply", cwd=root)
    assert done.returncode == 0, done.stderr
    assert t.committed_paths(root) == {"FAZE_1_NOTES.md", ".gitignore"}

    main = tmp_path / "main"
    main.mkdir()
    t.git(main, "init", "-q", "-b", "main")
    write_files(main, {"app/main.py": ""})
    t.git(main, "add", "-A")
    t.git(main, "commit", "-q", "-m", "init")
    t.git(main, "worktree", "add", "-q", "-b", "side", str(tmp_path / "side"))
    side = tmp_path / "side"
    write_files(side, {"DOCKER_OLD.md": "x\n"})
    t.git(side, "add", "-A")
    t.git(side, "commit", "-q", "-m", "side")
    git_dir = Path(t.git(side, "rev-parse", "--absolute-git-dir").strip())
    index = read_index(git_dir)
    assert index is not None and "DOCKER_OLD.md" in index.paths
    done = t.mami_audit("cleanup", "--apply", cwd=side)
    assert done.returncode == 0, done.stderr
    assert "DOCKER_OLD.md" in t.committed_paths(side)
