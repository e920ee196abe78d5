"""The git commands the cleanup needs, each one small and literal about paths.

Paths go to git as NUL-separated stdin (`update-index -z --index-info`) or as single
arguments under GIT_LITERAL_PATHSPECS=1, and come back NUL-separated (`-z`), so names with
spaces, newlines, glob characters or non-UTF-8 bytes (surrogate escapes in Python;
`os.fsencode` gives the bytes back) are taken as they are. Long path lists are never put on a
command line: the whole listing is asked for and intersected instead.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple


class GitError(Exception):
    """A git command failed; the message is git's own."""


class Git:
    def __init__(self, root: Path, index_file: Path | None = None) -> None:
        self.root = root
        self.index_file = index_file  # GIT_INDEX_FILE: a separate index, not the user's

    def environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        environment = dict(os.environ, GIT_LITERAL_PATHSPECS="1")
        if self.index_file is not None:
            environment["GIT_INDEX_FILE"] = str(self.index_file)
        environment.update(extra or {})
        return environment

    def run(
        self,
        *args: str,
        input: bytes | None = None,
        check: bool = True,
        extra_env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        done = subprocess.run(
            ["git", "-C", str(self.root), *args],
            input=input,
            capture_output=True,
            env=self.environment(extra_env),
            check=False,
        )
        if check and done.returncode != 0:
            message = os.fsdecode(done.stderr).strip() or os.fsdecode(done.stdout).strip()
            raise GitError(f"git {args[0]}: {message or f'exit {done.returncode}'}")
        return done

    def start(self, *args: str, options: tuple[str, ...] = ()) -> Pending:
        """Start `git OPTIONS ARGS` and return without waiting: its NUL-separated output is
        read when asked for, so that git works while Python does."""
        process = subprocess.Popen(
            ["git", "-C", str(self.root), *options, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.environment(),
        )
        return Pending([(args[0], process)])

    def text(self, *args: str) -> str:
        return os.fsdecode(self.run(*args).stdout).strip()

    def listing(self, *args: str) -> list[str]:
        """The NUL-separated paths a `-z` command prints."""
        return [os.fsdecode(raw) for raw in self.run(*args).stdout.split(b"\0") if raw]

    # -- what state the repository is in ---------------------------------------------------

    def git_dir(self) -> Path:
        return Path(self.text("rev-parse", "--absolute-git-dir"))

    def head(self) -> str | None:
        """The commit HEAD points at, or None on an unborn branch."""
        done = self.run("rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
        return os.fsdecode(done.stdout).strip() if done.returncode == 0 else None

    def branch(self) -> str | None:
        """The checked-out branch, or None when HEAD is detached."""
        done = self.run("symbolic-ref", "-q", "--short", "HEAD", check=False)
        return os.fsdecode(done.stdout).strip() if done.returncode == 0 else None

    def operation_in_progress(self) -> str | None:
        """ "a merge", "a rebase", ... when one is under way, else None."""
        git_dir = self.git_dir()
        markers = (
            ("rebase-merge", "a rebase"),
            ("rebase-apply", "a rebase or `git am`"),
            ("MERGE_HEAD", "a merge"),
            ("CHERRY_PICK_HEAD", "a cherry-pick"),
            ("REVERT_HEAD", "a revert"),
            ("BISECT_LOG", "a bisect"),
        )
        for name, what in markers:
            if (git_dir / name).exists():
                return what
        return None

    def staged_changes(self) -> Pending:
        """Paths whose index entry differs from HEAD (cheap: no file is looked at), started."""
        return self.start("diff-index", "--cached", "--name-only", "--no-renames", "-z", "HEAD")

    def unstaged_changes(self, paths: list[str]) -> Pending:
        """Of `paths` (files), those whose work-tree content differs from the index, started."""
        started: list[tuple[str, subprocess.Popen[bytes]]] = []
        for start in range(0, len(paths), 500):  # a bounded command line
            chunk = paths[start : start + 500]
            command = ("diff", "--name-only", "--no-renames", "-z", "--", *chunk)
            # No preloading: it starts up to 20 threads over the whole index (100k entries
            # in a committed node_modules) to look at these few files.
            started += self.start(*command, options=("-c", "core.preloadIndex=false")).processes
        return Pending(started)

    def changed_since_head(self) -> set[str]:
        """Paths with staged or unstaged changes against HEAD. `git diff`, not `diff-index`:
        it compares the content of files whose stat data alone changed (a chmod, a touch)."""
        return set(self.listing("diff", "--name-only", "--no-renames", "-z", "HEAD"))

    def blob(self, treeish_path: str) -> bytes | None:
        """The content of `HEAD:path` or `:path` (the index), or None when there is none."""
        done = self.run("cat-file", "blob", treeish_path, check=False)
        return done.stdout if done.returncode == 0 else None

    def hash_blob(self, data: bytes) -> str:
        return os.fsdecode(self.run("hash-object", "-w", "--stdin", input=data).stdout).strip()

    def index_mode(self, path: str) -> str | None:
        """The file mode of `path` in the index ("100644"), or None when it is not there."""
        out = self.run("ls-files", "-s", "-z", "--", path).stdout
        if not out:
            return None
        return os.fsdecode(out.split(b" ", 1)[0])


class Pending:
    """git commands started by Git.start, each listing NUL-separated paths."""

    def __init__(self, processes: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
        self.processes = processes

    def paths(self) -> set[str]:
        """What the commands listed, once they are done; GitError if one failed."""
        found: set[str] = set()
        for name, process in self.processes:
            out, err = process.communicate()
            if process.returncode != 0:
                message = os.fsdecode(err).strip() or f"exit {process.returncode}"
                raise GitError(f"git {name}: {message}")
            found.update(os.fsdecode(raw) for raw in out.split(b"\0") if raw)
        return found


class IndexEntry(NamedTuple):
    path: str
    mode: str  # "100644"; "0" removes the entry
    blob: str  # object id; unused when removing


def update_index(git: Git, entries: list[IndexEntry]) -> None:
    """Remove the entries of mode "0" (`update-index --force-remove --stdin`) and set the
    others (`--index-info`): each an atomic index write, each safe to repeat. Paths go NUL-
    separated on stdin, and no object name is written out for a removal, so SHA-256
    repositories work the same."""
    removed = [entry.path for entry in entries if entry.mode == "0"]
    if removed:
        data = b"\0".join(os.fsencode(path) for path in removed) + b"\0"
        git.run("update-index", "-z", "--force-remove", "--stdin", input=data)
    records = [
        f"{entry.mode} {entry.blob}\t".encode() + os.fsencode(entry.path)
        for entry in entries
        if entry.mode != "0"
    ]
    if records:
        git.run("update-index", "-z", "--index-info", input=b"\0".join(records) + b"\0")
