"""One cleanup plan's view of git: where the repository is, and what it tracks, found once.

The plan needs both in several places: discovery (the project's files), the junk scan, the
uncommitted-changes check. A GitView asks `git rev-parse` once and starts reading the index
(gitindex) on a thread at once, so the reading overlaps git listing the untracked files;
every later question is answered from what it found.

A view lives as long as one plan (`close` ends it): a later run, after --apply or any other
change, makes a new one and never sees this index.
"""

from __future__ import annotations

import os
from pathlib import Path

from auditor.cleanup.gitindex import IndexReading
from auditor.cleanup.junk import FOLDED_FOLDERS, TrackedFiles, git_locations, tracked_files


class GitView:
    def __init__(self, folder: Path) -> None:
        """`folder`: the folder the command was given; outside git the view holds nothing."""
        self.locations = git_locations(folder)  # (top of the work tree, git dir), or None
        self._reading = (
            IndexReading(self.locations[1], FOLDED_FOLDERS) if self.locations is not None else None
        )
        self._tracked: dict[Path, TrackedFiles] = {}

    def covers(self, root: Path) -> bool:
        """Is `root` inside this view's work tree (the project found above `folder` is)?"""
        if self.locations is None:
            return False
        top = str(self.locations[0])
        resolved = str(root.resolve())
        return resolved == top or resolved.startswith(top.rstrip(os.sep) + os.sep)

    def tracked_files(self, root: Path) -> TrackedFiles:
        """tracked_files(root), from the index this view read; `root` must be covered."""
        if root not in self._tracked:
            self._tracked[root] = tracked_files(root, self.locations, reading=self._reading)
        return self._tracked[root]

    def close(self) -> None:
        """Wait for the index reading, if nobody took it (a plan that failed early)."""
        if self._reading is not None:
            try:
                self._reading.result()
            except Exception:  # nobody asked for this reading: its error is nobody's
                pass
