"""Lookups in a sorted list of relative paths (as Python sorts strings), by bisect.

A folder's paths form one run of such a list: every path starting with "a/b/" lies between
"a/b/" and "a/b0" ("0" is the character right after "/"), so a committed node_modules of
100k files is found, skipped or sliced with two lookups instead of a loop over its paths.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence


def folder_run_end(paths: Sequence[str], folder: str, start: int = 0) -> int:
    """Where the run of paths under `folder` ("a/b/", with its slash) that `start` is in (or
    at) ends: at the first path not below "a/b0"; every path in between starts with "a/b/"."""
    return bisect.bisect_left(paths, folder[:-1] + "0", start)


def index_of(paths: Sequence[str], path: str) -> int | None:
    """Where `path` is in the sorted `paths`, or None."""
    at = bisect.bisect_left(paths, path)
    return at if at < len(paths) and paths[at] == path else None


def in_sorted(paths: Sequence[str], path: str) -> bool:
    """Is `path` in the sorted `paths`?"""
    return index_of(paths, path) is not None
