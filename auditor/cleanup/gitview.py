"""One cleanup plan's view of git: where the repository is and what it tracks, asked once,
with all of git's work started at the beginning.

The plan needs git in several places: discovery (the project's untracked and tracked files),
the junk scan (the tracked files and their sizes), the uncommitted-changes check. A GitView
asks `git rev-parse` once, then at once starts reading the index (gitindex, on a thread),
`git ls-files --others` for discovery and `git diff-index --cached` for the staged changes,
so that git works on the other core while Python imports and plans; every later question
is answered from what these found.

A view lives as long as one plan (`close` ends it, and stops what nobody took): a later
run, after --apply or any other change, makes a new one and never sees this index.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from auditor.cleanup.gitindex import IndexReading
from auditor.cleanup.gitops import Git, Pending
from auditor.cleanup.junk import FOLDED_FOLDERS, TrackedFiles, git_locations, tracked_files


class GitView:
    def __init__(self, root: Path, *, staged_changes: bool = True) -> None:
        """`root`: the project root; outside git the view holds nothing. `staged_changes`:
        start looking for them (the plan skips the check under --force)."""
        self.root = root.resolve()
        self.locations = git_locations(self.root)  # (top of the work tree, git dir), or None
        self._reading: IndexReading | None = None
        self._listing: subprocess.Popen[bytes] | None = None
        self._listed: subprocess.CompletedProcess[bytes] | None = None
        self._staged: Pending | None = None
        self._tracked: dict[Path, TrackedFiles] = {}
        if self.locations is None:
            return
        from auditor.project import git_listing_command

        command = git_listing_command(self.root, tracked=False)
        try:  # git first, so that it starts before the reading takes the interpreter's lock
            self._listing = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            if staged_changes:
                self._staged = Git(self.root).staged_changes()
        except OSError:
            pass  # git cannot be started: asked again, the callers get the error
        self._reading = IndexReading(self.locations[1], FOLDED_FOLDERS)

    def covers(self, root: Path) -> bool:
        """Is `root` inside this view's work tree (a Project only uses a view that covers it)?"""
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

    def untracked_listing(self, root: Path) -> subprocess.CompletedProcess[bytes]:
        """What `git ls-files --others` (project.git_listing_command) printed for `root`:
        the run started with the view when `root` is the view's, else one run now.
        OSError when git cannot be started."""
        from auditor.project import git_listing_command

        command = git_listing_command(root, tracked=False)
        if root.resolve() != self.root or self._listing is None:
            return subprocess.run(command, capture_output=True, check=False)
        if self._listed is None:
            stdout, stderr = self._listing.communicate()
            self._listed = subprocess.CompletedProcess(
                command, self._listing.returncode, stdout, stderr
            )
        return self._listed

    def take_staged_changes(self) -> Pending | None:
        """The staged-changes check started with the view (see Git.staged_changes), once."""
        staged, self._staged = self._staged, None
        return staged

    def close(self) -> None:
        """Wait for the index reading and stop the git commands nobody took (a plan that
        failed early, or one that did not need them)."""
        if self._listing is not None and self._listed is None:
            _stop(self._listing)
        if self._staged is not None:
            for _, process in self._staged.processes:
                _stop(process)
            self._staged = None
        if self._reading is not None:
            try:
                self._reading.result()
            except Exception:  # nobody asked for this reading: its error is nobody's
                pass


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.kill()
    process.communicate()
