"""Build-context size and file count, now and after the cleanup (R21.5).

What `docker build` would send: every file under the context folder that its .dockerignore
lets in. Sizes come from lstat (nothing is read), and a folder the ignore file drops (with no
`!` line that could bring something back from inside it) is never entered, so an ignored
50 000-file node_modules costs one stat. A junk folder the cleanup removes is counted from
the junk scan's numbers instead of being walked a second time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from auditor.cleanup.junk import JunkItem
    from auditor.documents.ignorefile import IgnoreFile


class ContextSize(NamedTuple):
    folder: str  # relative to the project root; "." for the root
    dockerfile: str
    ignore_file: str | None
    size_now: int
    files_now: int
    size_after: int
    files_after: int

    @property
    def reduction(self) -> float:
        """Percent of the context's bytes the cleanup removes (0.0 when it is empty)."""
        if self.size_now == 0:
            return 0.0
        return 100.0 * (self.size_now - self.size_after) / self.size_now


class _Matcher:
    """An ignore file's verdicts, with a cache per folder (Docker matches parents too)."""

    def __init__(self, ignore: IgnoreFile | None) -> None:
        self.ignore = ignore

    def excluded(self, path: str) -> bool:
        return self.ignore is not None and self.ignore.is_excluded(path)

    def prunes(self, folder: str) -> bool:
        """Can the walk skip `folder` entirely: excluded, and no `!` could reach inside?"""
        if self.ignore is None:
            return False
        return self.ignore.is_excluded(folder) and not self.ignore.has_exceptions_under(folder)


def measure(
    root: Path,
    folder: str,
    dockerfile: str,
    ignore_now: tuple[str, IgnoreFile] | None,
    ignore_after: IgnoreFile | None,
    removed: Mapping[str, JunkItem],
) -> ContextSize:
    """Sizes of the context `folder` with its ignore file now, and after the cleanup (the
    ignore file as the plan rewrites it, the `removed` junk gone; keys relative to root)."""
    now = _Matcher(ignore_now[1] if ignore_now else None)
    after = _Matcher(ignore_after)
    prefix = "" if folder == "." else folder + "/"
    totals = [0, 0, 0, 0]  # size now, files now, size after, files after
    stack = [""]
    base = root / folder if folder != "." else root
    while stack:
        relative = stack.pop()
        try:
            entries = list(os.scandir(base / relative if relative else base))
        except OSError:
            continue
        for entry in entries:
            path = relative + entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if path == ".git" and now.prunes(".git") and after.prunes(".git"):
                    continue
                junk = removed.get(prefix + path)
                in_now = not now.prunes(path)
                if junk is not None:
                    if in_now and not now.excluded(path):
                        totals[0] += junk.size
                        totals[1] += junk.files
                    continue  # gone after the cleanup
                if in_now or not after.prunes(path):
                    stack.append(path + "/")
                continue
            try:
                size = entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
            if not now.excluded(path):
                totals[0] += size
                totals[1] += 1
            if prefix + path not in removed and not after.excluded(path):
                totals[2] += size
                totals[3] += 1
    ignore_path = ignore_now[0] if ignore_now else None
    return ContextSize(folder, dockerfile, ignore_path, *totals)
