"""Reading .git/index (auditor/cleanup/gitindex.py): the fast reader of the usual index and
the general one agree with git, and the fast one hands every unusual entry to the other."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from auditor.cleanup.gitindex import _BLOCK, _entries, _plain_entries, read_index
from auditor.cleanup.junk import FOLDED_FOLDERS

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
    assert fast[:4] == _entries(data, 2, count) and fast[4] == ()
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


def test_a_git_view_closed_unused_leaves_nothing_for_a_later_read(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    from auditor.cleanup.gitview import GitView

    root = repo(FILES)
    GitView(root).close()  # a plan that failed before it took the index
    (root / "later.txt").write_text("x\n")
    t.git(root, "add", "later.txt")
    assert "later.txt" in GitView(root).tracked_files(root).paths
    index = read_index(root / ".git")
    assert index is not None and "later.txt" in index.paths


def test_discovery_through_a_git_view_finds_what_git_ls_files_finds(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    """The cleanup's discovery takes the tracked files from the index its GitView read and
    asks git only for the untracked ones; the project's files are the same as when git lists
    both: committed and untracked node_modules and .venv left out, a file deleted from the
    work tree and a submodule's folder dropped, odd names kept, .gitignore honoured, and for
    a project in a subfolder only that subfolder's files."""
    from auditor.cleanup.gitview import GitView
    from auditor.project import Project

    library = repo({"lib.py": "x = 1\n"}, name="library")
    root = repo(
        {
            **FILES,
            "web/node_modules/pkg/a.js": "1\n",
            "web/package.json": "{}\n",
            "web/.venv/lib/x.py": "\n",
            "gone.txt": "soon deleted\n",
            "node_modules.txt": "a file beside the folders\n",
            "ünïcode/naïve.py": "\n",
            ".gitignore": "*.log\n",
        }
    )
    t.git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "lib")
    (root / "gone.txt").unlink()
    (root / "untracked.py").write_text("\n")
    (root / "debug.log").write_text("ignored\n")
    (root / "web/node_modules/untracked").mkdir()
    (root / "web/node_modules/untracked/b.js").write_text("\n")
    for project_root in (root, root / "web"):
        plain = Project(project_root).files()
        view = GitView(project_root)
        try:
            through_view = Project(project_root, git=view)
            assert through_view.git is view
            viewed = through_view.files()
        finally:
            view.close()
        assert viewed == plain
        assert not any("node_modules/" in path or ".venv/" in path for path in plain)
    everything = Project(root).files()
    assert {"untracked.py", "ünïcode/naïve.py", "node_modules.txt"} <= set(everything)
    assert "gone.txt" not in everything and "lib" not in everything
    assert "debug.log" not in everything


def many(folder: str, count: int) -> dict[str, str]:
    return {
        f"{folder}/p{number // 10}/f{number:04d}.js": "x" * (number % 7) for number in range(count)
    }


FOLDING_SHAPES = {
    "runs ending around a block": {
        **many("a/node_modules", _BLOCK - 1),
        **many("b/node_modules", _BLOCK),
        **many("c/node_modules", _BLOCK + 1),
        **many("d/node_modules", 2 * _BLOCK + 1),
        "d/package.json": "{}",
    },
    "a run at the end of the index": {"app.py": "x", **many("zz/node_modules", 3 * _BLOCK)},
    "a folder sorting right after the run": {
        **many("node_modules", 2 * _BLOCK),
        "node_modules-x/a.js": "1",  # "-" sorts before "/"
        "node_modules.txt": "2",
        "node_modules0/b.js": "3",  # "0" sorts right after "/"
    },
    "nested and .venv runs": {
        **many("web/node_modules/x/node_modules", 70),
        "web/node_modules/x/index.js": "1",
        **many(".venv/lib", 80),
        "web/src/main.ts": "2",
    },
    "odd names inside a run": {
        **many("node_modules", 100),
        "node_modules/café/ünï.js": "é",
        "node_modules/a b/c\nd.js": "x",
    },
}


@pytest.mark.parametrize("shape", FOLDING_SHAPES)
def test_folded_runs_count_what_the_listing_holds(
    shape: str, t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    """Folding node_modules and .venv gives each outermost such folder as one run whose
    count, size, first path and entries are the listing's, and lists every other path."""
    root = repo(FOLDING_SHAPES[shape])
    listed = read_index(root / ".git")
    folded = read_index(root / ".git", FOLDED_FOLDERS)
    assert listed is not None and folded is not None
    assert folded.folded, "nothing was folded"
    in_runs: list[str] = []
    for run in folded.folded:
        inside = [
            (path, size)
            for path, size in zip(listed.paths, listed.sizes)
            if path.startswith(run.folder + "/")
        ]
        assert run.folder.rsplit("/", 1)[-1] in FOLDED_FOLDERS
        assert not any(part in FOLDED_FOLDERS for part in run.folder.split("/")[:-1])
        assert (run.count, run.size, run.first) == (
            len(inside),
            sum(s for _, s in inside),
            inside[0][0],
        )
        assert list(zip(*run.entries())) == inside
        in_runs += [path for path, _ in inside]
    assert folded.paths == [path for path in listed.paths if path not in set(in_runs)]


@pytest.mark.parametrize(
    "unusual",
    ["an intent-to-add entry", "a name of 4095 bytes or more", "a submodule"],
)
def test_an_unusual_entry_inside_a_run_goes_to_the_general_reader(
    unusual: str, t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    root = repo({**many("node_modules", 3 * _BLOCK), "app.py": "x"})
    if unusual == "an intent-to-add entry":
        (root / "node_modules/p5/later.js").write_text("x\n")
        t.git(root, "add", "-N", "node_modules/p5/later.js")
    elif unusual.startswith("a name of 4095"):
        blob = t.git(root, "hash-object", "-w", "app.py").strip()
        long_name = "node_modules/p5/" + "/".join(["e" * 250] * 17) + "/f.txt"
        t.git(root, "update-index", "--add", "--cacheinfo", f"100644,{blob},{long_name}")
    else:
        other = repo({"x.txt": "x\n"}, name="other")
        t.git(
            root,
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            str(other),
            "node_modules/p5/sub",
        )
    index = read_index(root / ".git", FOLDED_FOLDERS)
    assert index is not None and index.folded == ()
    assert index.paths == git_listing(t, root)


def test_stat_data_says_unchanged_only_where_git_sees_no_change(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    """TrackedFiles.unchanged vouches for a file only when git itself would not look at its
    content; anything else (a touch, a chmod, an edit, an entry written in the same instant
    as the index) is left to git."""
    from auditor.cleanup.junk import tracked_files

    names = ["same.txt", "touched.txt", "chmod.sh", "edited.txt", "racy.txt", "gone.txt"]
    root = repo({name: f"{name}\n" for name in names})
    past = time.time() - 100
    for name in names:
        os.utime(root / name, (past, past))
    future = time.time() + 1000
    os.utime(root / "racy.txt", (future, future))  # recorded after the index was written
    t.git(root, "update-index", "--refresh")  # the index records these times
    os.utime(root / "touched.txt")
    os.chmod(root / "chmod.sh", 0o755)
    (root / "edited.txt").write_text("edited\n")
    (root / "gone.txt").unlink()
    listed = tracked_files(root)
    assert listed.stats is not None
    verdicts = {name: listed.unchanged(root, name) for name in names}
    assert verdicts == {name: name == "same.txt" for name in names}
    changed = set(t.git(root, "diff", "--name-only", "-z").split("\0"))
    assert not {name for name, same in verdicts.items() if same} & changed
    assert {"chmod.sh", "edited.txt", "gone.txt"} <= changed
