"""Reading .git/index (auditor/cleanup/gitindex.py): the fast reader of the usual index and
the general one agree with git, and the fast one hands every unusual entry to the other."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from auditor.cleanup.gitindex import _entries, _plain_entries, read_index

FILES = {
    "app/main.py": "print(1)\n",
    "a b/c\nd.txt": "x" * 1000,
    "node_modules/pkg/index.js": "module.exports = 1\n" * 3,
    "/".join(["d" * 200] * 15) + "/long.txt": "y",
}


def git_listing(t: SimpleNamespace, root: Path) -> list[str]:
    return [path for path in t.git(root, "ls-files", "-z").split("\0") if path]


def index_bytes(root: Path) -> tuple[bytes, int]:
    data = (root / ".git/index").read_bytes()
    return data, int.from_bytes(data[8:12], "big")


def test_the_usual_index_is_read_fast_and_alike(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    root = repo(FILES)
    os.symlink("app/main.py", root / "link")
    t.git(root, "add", "link")
    data, count = index_bytes(root)
    fast = _plain_entries(data, count)
    assert fast is not None
    assert fast == _entries(data, 2, count)
    index = read_index(root / ".git")
    assert index is not None and index.paths == git_listing(t, root)
    assert index.ascii  # known from the fast reader: no second look at the names
    sizes = dict(zip(index.paths, index.sizes, strict=True))
    assert sizes["a b/c\nd.txt"] == 1000 and sizes["link"] == len("app/main.py")


@pytest.mark.parametrize(
    "unusual",
    [
        "a non-ASCII name",
        "an assume-unchanged entry",
        "an intent-to-add entry (extended flags, index version 3)",
        "a name of 4095 bytes or more",
        "a submodule",
    ],
)
def test_unusual_entries_go_to_the_general_reader(
    unusual: str, t: SimpleNamespace, repo: Callable[..., Path], tmp_path: Path
) -> None:
    root = repo(FILES)
    if unusual == "a non-ASCII name":
        (root / "café.md").write_text("x\n")
        t.git(root, "add", "café.md")
    elif unusual == "an assume-unchanged entry":
        t.git(root, "update-index", "--assume-unchanged", "app/main.py")
    elif unusual.startswith("an intent-to-add"):
        (root / "later.py").write_text("x = 1\n")
        t.git(root, "add", "-N", "later.py")
    elif unusual.startswith("a name of 4095"):
        blob = t.git(root, "hash-object", "-w", "app/main.py").strip()
        long_name = "/".join(["e" * 250] * 17) + "/f.txt"  # longer than a path may be on disk
        t.git(root, "update-index", "--add", "--cacheinfo", f"100644,{blob},{long_name}")
    else:
        other = repo({"x.txt": "x\n"}, name="other")
        t.git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(other), "sub")
    data, count = index_bytes(root)
    assert _plain_entries(data, count) is None
    index = read_index(root / ".git")
    assert index is not None and index.paths == git_listing(t, root)
    assert not index.ascii  # the general reader does not know; the caller looks again
    if unusual == "a submodule":
        assert index.gitlinks == frozenset({"sub"})


def test_a_plan_that_failed_leaves_no_reading_for_the_next_one(
    t: SimpleNamespace,
    repo: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """cleanup starts reading the index before its plan; when the plan fails (here: a config
    file that does not exist), that reading is dropped, so a later cleanup in the same
    process reads the index as it is then, not as it was."""
    import json

    from auditor.cli import main

    root = repo(FILES)
    monkeypatch.chdir(root)
    with pytest.raises(SystemExit) as failed:
        main(["cleanup", "--config", "missing.toml"])
    assert failed.value.code == 2
    (root / "DOCKER_OLD.md").write_text("old\n")
    t.git(root, "add", "DOCKER_OLD.md")
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["cleanup", "--output-format", "json"])
    plan = json.loads(capsys.readouterr().out)
    tracked = {entry["path"]: entry["tracked"] for entry in plan["paths"]}
    assert tracked.get("DOCKER_OLD.md") is True  # in the index read now, not the earlier one


def test_stop_reading_drops_a_reading_nobody_took(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    from auditor.cleanup.gitindex import start_reading, stop_reading

    root = repo(FILES)
    start_reading(root / ".git")
    stop_reading()
    (root / "later.txt").write_text("x\n")
    t.git(root, "add", "later.txt")
    index = read_index(root / ".git")
    assert index is not None and "later.txt" in index.paths
