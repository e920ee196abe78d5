"""`cleanup --apply` on repositories in awkward states and with awkward names, with real git.

Each test compares the user's state (staged diff, unstaged diff, untracked files) before and
after, and what the cleanup commit holds."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from auditor.testing import write_files

MESSAGE = "chore: cleanup project for Docker production readiness"
BASE = {
    "app/main.py": "print(1)\n",
    ".gitignore": "node_modules/\n.venv/\n.env\ndata/\nlogs/\n",
    "FAZE_1_NOTES.md": "old\n",
}


def test_not_a_repository_plan_says_so(t: SimpleNamespace, tmp_path: Path) -> None:
    write_files(tmp_path / "p", {"pyproject.toml": "", "backups/x.sql": "x\n"})
    done = t.mami_audit("cleanup", cwd=tmp_path / "p")
    assert done.returncode == 0  # untracked junk only: kept, nothing to do
    assert "Not a git work tree" in done.stdout
    assert "backups/" in done.stdout and "not in git" in done.stdout


def test_detached_head_commits_and_says_so(t: SimpleNamespace, repo: Callable[..., Path]) -> None:
    root = repo(BASE)
    t.git(root, "checkout", "-q", "--detach", "HEAD")
    done = t.mami_audit("cleanup", "--apply", cwd=root)
    assert done.returncode == 0, done.stderr
    assert "detached" in done.stderr
    assert t.head_message(root) == MESSAGE
    assert t.committed_paths(root) == {"FAZE_1_NOTES.md"}


def test_unborn_branch_is_refused(t: SimpleNamespace, tmp_path: Path) -> None:
    root = tmp_path / "unborn"
    root.mkdir()
    t.git(root, "init", "-q")
    write_files(root, BASE)
    t.git(root, "add", "-A")
    before = t.git(root, "ls-files", "--stage")
    done = t.mami_audit("cleanup", "--apply", cwd=root)
    assert done.returncode == 2
    assert "no commit yet" in done.stderr
    assert t.git(root, "ls-files", "--stage") == before
    assert (root / "FAZE_1_NOTES.md").exists()


def test_mid_merge_is_refused(t: SimpleNamespace, repo: Callable[..., Path]) -> None:
    root = repo({**BASE, "shared.txt": "base\n"})
    t.git(root, "checkout", "-q", "-b", "other")
    (root / "shared.txt").write_text("other\n")
    t.git(root, "commit", "-q", "-am", "other")
    t.git(root, "checkout", "-q", "main")
    (root / "shared.txt").write_text("main\n")
    t.git(root, "commit", "-q", "-am", "main")
    t.git(root, "merge", "other", check=False)  # conflicts: MERGE_HEAD is left
    before = t.git(root, "status", "--porcelain=v2")
    done = t.mami_audit("cleanup", "--apply", cwd=root)
    assert done.returncode == 2
    assert "a merge is in progress" in done.stderr
    assert t.git(root, "status", "--porcelain=v2") == before


def test_mid_rebase_is_refused(t: SimpleNamespace, repo: Callable[..., Path]) -> None:
    root = repo({**BASE, "shared.txt": "base\n"})
    t.git(root, "checkout", "-q", "-b", "other")
    (root / "shared.txt").write_text("other\n")
    t.git(root, "commit", "-q", "-am", "other")
    t.git(root, "checkout", "-q", "main")
    (root / "shared.txt").write_text("main\n")
    t.git(root, "commit", "-q", "-am", "main")
    t.git(root, "rebase", "other", check=False)
    done = t.mami_audit("cleanup", "--apply", cwd=root)
    assert done.returncode == 2
    assert "rebase" in done.stderr


def test_rejecting_pre_commit_hook_changes_nothing(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    root = repo(BASE)
    hook = root / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'no cleanup today' >&2\nexit 1\n")
    hook.chmod(0o755)
    (root / "app/main.py").write_text("print('staged')\n")
    t.git(root, "add", "app/main.py")
    (root / "scratch.txt").write_text("untracked\n")
    before = t.user_state(root)
    head = t.git(root, "rev-parse", "HEAD")

    done = t.mami_audit("cleanup", "--apply", cwd=root)

    assert done.returncode == 1
    assert "no cleanup today" in done.stderr and "refused" in done.stderr
    assert t.git(root, "rev-parse", "HEAD") == head
    assert t.user_state(root) == before
    assert (root / "FAZE_1_NOTES.md").exists()
    kept_index = root / ".git/mami-audit-cleanup.index"
    assert kept_index.exists()  # the cleanup's own index, for the user to look at
    hook.unlink()
    done = t.mami_audit("cleanup", "--apply", cwd=root)
    assert done.returncode == 0, done.stderr
    assert t.committed_paths(root) == {"FAZE_1_NOTES.md"}
    assert t.user_state(root) == before


def test_awkward_names(t: SimpleNamespace, repo: Callable[..., Path]) -> None:
    names = {
        "FAZE_2 with spaces.md": "x\n",
        "FAZE_3\nnewline.md": "x\n",
        "backups/a b.sql": "x\n",
        "app/x.py.bak": "x\n",
    }
    root = repo({**BASE, **names})
    raw = os.fsencode(root) + b"/FAZE_\xff.md"
    with open(raw, "wb") as out:
        out.write(b"x\n")
    t.git(root, "add", "-A")
    t.git(root, "commit", "-q", "-m", "names")
    before = t.user_state(root)
    done = t.mami_audit("cleanup", "--apply", cwd=root)
    assert done.returncode == 0, done.stderr
    expected = {"FAZE_1_NOTES.md", *names, os.fsdecode(b"FAZE_\xff.md")}
    assert t.committed_paths(root) == expected
    assert not os.path.lexists(raw)
    assert t.user_state(root) == before


def test_symlinked_junk_folder_loses_only_the_link(
    t: SimpleNamespace, repo: Callable[..., Path], tmp_path: Path
) -> None:
    outside = tmp_path / "precious"
    write_files(outside, {"keep.sql": "important\n"})
    root = repo(BASE)
    (root / "backups").symlink_to(outside)
    t.git(root, "add", "backups")
    t.git(root, "commit", "-q", "-m", "link")
    done = t.mami_audit("cleanup", "--apply", cwd=root)
    assert done.returncode == 0, done.stderr
    assert not os.path.lexists(root / "backups")
    assert (outside / "keep.sql").read_text() == "important\n"
    assert "backups" in t.committed_paths(root)


def test_read_only_junk_is_removed(t: SimpleNamespace, repo: Callable[..., Path]) -> None:
    root = repo(BASE)
    write_files(root, {"node_modules/pkg/index.js": "x\n", "node_modules/pkg/lib/a.js": "x\n"})
    t.git(root, "add", "--force", "node_modules")  # committed despite .gitignore
    t.git(root, "commit", "-q", "-m", "node_modules")
    for path in (root / "node_modules/pkg/index.js", root / "node_modules/pkg/lib/a.js"):
        path.chmod(0o444)
    (root / "node_modules/pkg/lib").chmod(0o555)
    try:
        done = t.mami_audit("cleanup", "--apply", cwd=root)
        assert done.returncode == 0, done.stderr
        assert not (root / "node_modules").exists(), done.stdout + done.stderr
        assert "node_modules/pkg/lib/a.js" in t.committed_paths(root)
    finally:
        if (root / "node_modules/pkg/lib").exists():
            (root / "node_modules/pkg/lib").chmod(stat.S_IRWXU)


@pytest.mark.parametrize("name", ["backups"])
def test_submodule_named_backups_is_not_junk(
    t: SimpleNamespace, repo: Callable[..., Path], name: str
) -> None:
    library = repo({"README.md": "a library\n"}, name="library")
    root = repo(BASE)
    t.git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), name)
    t.git(root, "commit", "-q", "-m", "submodule")
    plan = t.mami_audit("cleanup", cwd=root)
    assert f"{name}/" not in plan.stdout
    done = t.mami_audit("cleanup", "--apply", cwd=root)
    assert done.returncode == 0, done.stderr
    assert (root / name / "README.md").exists()
    assert t.committed_paths(root) == {"FAZE_1_NOTES.md"}


def test_outside_git_a_secret_file_is_never_deleted(t: SimpleNamespace, tmp_path: Path) -> None:
    root = tmp_path / "plain"
    write_files(root, {"pyproject.toml": "", ".env": "SECRET_KEY=abcdef123456\n", "x.bak": ""})
    check = t.mami_audit("check", ".", "--select", "JK", "--output-format", "concise", cwd=root)
    assert "would be committed" in check.stdout and "through git" not in check.stdout
    done = t.mami_audit("cleanup", "--apply", "--include-untracked", cwd=root)
    assert done.returncode == 0, done.stderr
    assert (root / ".env").read_text() == "SECRET_KEY=abcdef123456\n"
    assert not (root / "x.bak").exists()


def test_real_pre_commit_framework_hook_keeps_the_users_work(
    t: SimpleNamespace, repo: Callable[..., Path], tmp_path: Path
) -> None:
    """pre-commit (the framework) stashes unstaged changes against the index it is given; with
    the cleanup's separate index that is the user's whole work, and it must come back intact."""
    import shutil
    import subprocess
    import sys

    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    config = (
        "repos:\n  - repo: local\n    hooks:\n      - id: no-tabs\n        name: no tabs\n"
        "        entry: '\\t'\n        language: pygrep\n        types: [text]\n"
    )
    root = repo({**BASE, ".pre-commit-config.yaml": config})
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    subprocess.run(
        [pre_commit, "install"], cwd=root, check=True, capture_output=True, env=environment
    )
    (root / "app/main.py").write_text("print('staged')\n")
    t.git(root, "add", "app/main.py")
    (root / "app/main.py").write_text("print('staged')\nprint('and unstaged')\n")
    (root / "notes.txt").write_text("untracked\n")
    before = t.user_state(root)

    done = t.mami_audit(
        "cleanup", "--apply", cwd=root, env={"PRE_COMMIT_HOME": str(tmp_path / "cache")}
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert t.head_message(root) == "chore: cleanup project for Docker production readiness"
    assert t.committed_paths(root) == {"FAZE_1_NOTES.md"}
    assert t.user_state(root) == before
    assert (root / "app/main.py").read_text() == "print('staged')\nprint('and unstaged')\n"


def test_plan_sizes_a_folder_of_awkward_names_from_the_index(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    """A committed junk folder whose names git and Python sort differently (a non-UTF-8 byte
    beside a CJK character: byte 0x80 sorts first, its surrogate escape last): every file is
    counted once, sizes are the index's, and the junk around the folder is still found. A file
    changed but not added keeps the size git's index has for it (docs/cleanup.md)."""
    import json

    root = repo({**BASE, "node_modules/\u4e00.js": "a" * 10, "zz.bak": "b" * 7})
    folder = os.fsencode(root / "node_modules")
    with open(folder + b"/\x80.js", "wb") as out:
        out.write(b"c" * 100)
    os.mkdir(folder + b"/\x80sub")
    with open(folder + b"/\x80sub/x.js", "wb") as out:
        out.write(b"d" * 1000)
    t.git(root, "add", "-A", "-f", "node_modules")  # .gitignore names it: add it anyway
    t.git(root, "commit", "-q", "-m", "awkward node_modules")
    (root / "node_modules/\u4e00.js").write_text("a" * 50)  # not added: the index says 10
    done = t.mami_audit("cleanup", "--output-format", "json", cwd=root)
    assert done.returncode == 1, done.stderr
    paths = {entry["path"]: entry for entry in json.loads(done.stdout)["paths"]}
    assert paths["node_modules"]["files"] == 3
    assert paths["node_modules"]["size"] == 10 + 100 + 1000
    assert paths["zz.bak"]["size"] == 7
    assert "FAZE_1_NOTES.md" in paths
    # What makes the bisects over the listing right: it is in Python's order, not git's.
    from auditor.cleanup.junk import tracked_files

    folded = tracked_files(root)
    assert [run.folder for run in folded.folded] == ["node_modules"]  # counted, not listed
    listed = folded.unfolded(folded.folded)  # the run's awkward names read from the index
    assert listed.folded == () and len(listed.paths) == 4 + 3
    assert listed.paths == sorted(listed.paths)
    assert (
        listed.sizes is not None
        and sum(listed.sizes)
        == sum(
            os.lstat(os.path.join(os.fsencode(root), os.fsencode(path))).st_size
            for path in listed.paths
            if path != "node_modules/\u4e00.js"
        )
        + 10
    )


def test_naming_junk_gives_the_plan_without_audit_warnings(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    """check warns that node_modules and a notes file are never audited; for cleanup they
    are the point, so naming them gets the plan and no such warning."""
    committed = {**BASE, ".gitignore": ".env\n", "frontend/node_modules/left-pad/index.js": "x\n"}
    root = repo(committed)
    for named in ("frontend/node_modules", "FAZE_1_NOTES.md"):
        done = t.mami_audit("cleanup", named, cwd=root)
        assert done.returncode == 1, done.stderr  # something to clean
        assert named in done.stdout
        assert "audited" not in done.stderr, done.stderr
