"""`mami-audit cleanup --apply`: carry out a plan through git, losing nothing.

In a git work tree, in this order:

1. refuse in the middle of a merge, rebase, cherry-pick, revert or bisect, and on an unborn
   branch (nothing is in history yet, so a removed file could not be got back);
2. write a journal (.git/mami-audit-cleanup.json) of what is about to happen;
3. build the commit in a separate index (GIT_INDEX_FILE=.git/mami-audit-cleanup.index) read
   from HEAD: the junk's entries removed, the ignore files as HEAD has them plus the new
   lines. `git commit` runs the user's hooks on it. Whatever the user staged is not in that
   index, so it cannot get into the commit;
4. make the user's index agree for the cleanup's paths only (atomic index writes): the
   junk's entries removed, the new lines added to the ignore files as staged;
5. the work tree: the new lines appended to the ignore files (atomic writes), tracked junk
   deleted (a symlink as the link only), untracked junk too with --include-untracked;
6. remove the journal and the separate index.

Killed anywhere, the next `--apply` finds the journal: if HEAD is the cleanup commit, it
finishes steps 4-6 (each step is idempotent); if HEAD has not moved, it starts over. Outside
git there is no commit: it says so and only deletes untracked junk the user asked for.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from auditor.cleanup.gitops import Git, GitError, IndexEntry, update_index
from auditor.cleanup.plan import REMOVE, UNTRACK, CleanupPlan

JOURNAL = "mami-audit-cleanup.json"
SEPARATE_INDEX = "mami-audit-cleanup.index"
COMMENT_PREFIX = "#"


# Fault injection for the crash-safety tests: the process kills itself (SIGKILL, no clean-up
# of any kind) when it reaches the named point. Unset in normal use.
CRASH_POINT_VARIABLE = "MAMI_AUDIT_CLEANUP_CRASH_AT"


def _checkpoint(name: str) -> None:
    if os.environ.get(CRASH_POINT_VARIABLE) == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


class CleanupRefused(Exception):
    """The repository is in a state where --apply must not run; says why."""


class ApplyResult(NamedTuple):
    commit: str | None  # the cleanup commit, when one was made
    removed: list[str]
    untracked: list[str]
    ignore_files: list[str]
    notes: list[str]  # what the user must know (no commit outside git, rotate keys, ...)
    failed: str | None = None  # why the commit was not made (a hook rejected it)


Progress = Callable[[int], None]  # called with the number of files just deleted


class Work(NamedTuple):
    """What apply does, in a form the journal can hold (paths relative to the git top)."""

    old_head: str | None
    message: str
    index_removals: list[str]  # tracked paths whose index entries go
    ignore_lines: dict[str, list[str]]  # ignore file -> the lines it must end up with
    delete_files: list[str]  # files and symlinks to delete from the work tree
    delete_trees: list[str]  # untracked junk folders to delete whole (--include-untracked)
    commit: bool  # False with --no-commit

    def to_json(self) -> str:
        return json.dumps(self._asdict())

    @classmethod
    def from_json(cls, text: str) -> Work:
        return cls(**json.loads(text))


def apply_plan(
    plan: CleanupPlan, *, commit: bool, force: bool = False, progress: Progress | None = None
) -> ApplyResult:
    if not plan.in_git:
        return _apply_outside_git(plan, progress)
    git = Git(plan.root)
    top = Path(git.text("rev-parse", "--show-toplevel")).resolve()
    git = Git(top)
    git_dir = git.git_dir()
    journal = git_dir / JOURNAL
    resumed = _resume(git, journal, progress)
    if resumed is not None:
        return resumed
    if plan.nothing_to_do:
        return ApplyResult(None, [], [], [], [])
    operation = git.operation_in_progress()
    if operation is not None:
        raise CleanupRefused(f"{operation} is in progress: finish or abort it, then run again")
    head = git.head()
    if head is None:
        raise CleanupRefused(
            "the branch has no commit yet: removed files could not be got back from history; "
            "make a first commit, then run again"
        )
    notes = []
    held = set() if force else _folders_with_changes(git, plan, top)
    for folder in sorted(held):
        notes.append(f"kept {folder}/: files inside it have uncommitted changes (use --force)")
    work = _work(plan, top, head, commit, held)
    if git.branch() is None:
        notes.append("HEAD is detached: the cleanup commit is made on the detached HEAD")
    _write_atomic(journal, work.to_json().encode())
    _checkpoint("journal-written")
    made: str | None = None
    if work.commit and (work.index_removals or work.ignore_lines):
        made, failure = _commit(git, git_dir, work)
        if failure is not None:
            journal.unlink(missing_ok=True)
            return ApplyResult(None, [], [], [], notes, failure)
        _checkpoint("committed")
        if made is not None:
            _write_atomic(journal, json.dumps({**work._asdict(), "made": made}).encode())
            _checkpoint("journal-updated")
    _finish(git, work, journal, progress)
    return _result(plan, made, notes, work, held)


def _result(
    plan: CleanupPlan, made: str | None, notes: list[str], work: Work, held: set[str]
) -> ApplyResult:
    untracked = [entry.path for entry in plan.to_untrack]
    if untracked:
        notes.append(
            "no longer tracked but still on disk: "
            + ", ".join(untracked)
            + ". They remain in git history: rotate every key they held"
        )
    if not work.commit:
        notes.append("--no-commit: the changes are staged; review them and commit")
    removed = [entry.path for entry in plan.to_remove if entry.path not in held]
    return ApplyResult(made, removed, untracked, sorted(work.ignore_lines), notes)


def _prefix(plan: CleanupPlan, top: Path) -> str:
    """The project root's path inside the work tree, as a prefix ("" at the top)."""
    prefix = os.path.relpath(plan.root, top).replace(os.sep, "/")
    return "" if prefix == "." else prefix + "/"


def _folders_with_changes(git: Git, plan: CleanupPlan, top: Path) -> set[str]:
    """Tracked junk folders holding a file with uncommitted changes. The plan checked junk
    files and staged changes; unstaged edits inside folders are looked for only here, just
    before anything is deleted (a stat per file)."""
    folders = [e.item for e in plan.to_remove if e.item.folder and e.item.tracked_files]
    if not folders:
        return set()
    prefix = _prefix(plan, top)
    changed = git.changed_since_head()
    return {
        item.path
        for item in folders
        if any(prefix + path in changed for path in item.tracked_files)
    }


def _work(plan: CleanupPlan, top: Path, head: str, commit: bool, held: set[str]) -> Work:
    prefix = _prefix(plan, top)
    removals, files, trees = [], [], []
    for entry in plan.entries:
        item = entry.item
        if entry.action not in (REMOVE, UNTRACK) or item.path in held:
            continue
        if item.tracked:
            removals += [prefix + p for p in (item.tracked_files or (item.path,))]
        if entry.action == UNTRACK:
            continue  # a secret file stays on disk
        if item.folder and not item.link:
            files += [prefix + p for p in item.tracked_files]
            if not item.tracked or plan.include_untracked:
                trees.append(prefix + item.path)
        else:
            files.append(prefix + item.path)
    ignore_lines = {
        prefix + change.path: [line for line in change.added if line.strip()]
        for change in plan.ignore_changes
    }
    return Work(head, plan.commit_message, removals, ignore_lines, files, trees, commit)


def _commit(git: Git, git_dir: Path, work: Work) -> tuple[str | None, str | None]:
    """Make the cleanup commit from a separate index; (commit, None) or (None, why not)."""
    index_file = git_dir / SEPARATE_INDEX
    index_file.unlink(missing_ok=True)
    separate = Git(git.root, index_file)
    separate.run("read-tree", "HEAD")
    entries = [IndexEntry(path, "0", "") for path in work.index_removals]
    entries += _ignore_entries(separate, work.ignore_lines, source="HEAD")
    update_index(separate, entries)
    _checkpoint("separate-index-built")
    changed = separate.run("diff-index", "--cached", "--quiet", "HEAD", check=False)
    if changed.returncode == 0:
        index_file.unlink(missing_ok=True)
        return None, None  # nothing for a commit (the lines were there already)
    done = separate.run("commit", "-q", "-m", work.message, check=False)
    if done.returncode != 0:
        said = (os.fsdecode(done.stderr) + os.fsdecode(done.stdout)).strip()
        return None, (
            f"the commit was refused (a hook rejected it?): {said or 'no message'}. Nothing "
            f"was changed in your work tree or index; the cleanup's index is kept as "
            f"{index_file} (inspect it with GIT_INDEX_FILE={index_file} git status)"
        )
    index_file.unlink(missing_ok=True)
    return git.head(), None


def _ignore_entries(git: Git, ignore_lines: dict[str, list[str]], source: str) -> list[IndexEntry]:
    """Index entries for the ignore files: the `source` version ("HEAD" or the index) with
    the missing lines appended."""
    entries = []
    for path, lines in ignore_lines.items():
        spec = f"HEAD:{path}" if source == "HEAD" else f":{path}"
        current = git.blob(spec)
        updated = with_lines(current, lines)
        if updated == current:
            continue
        mode = git.index_mode(path) or "100644"
        entries.append(IndexEntry(path, mode, git.hash_blob(updated)))
    return entries


def with_lines(data: bytes | None, lines: list[str]) -> bytes:
    """`data` with the non-comment `lines` it lacks appended under the comment, in its own
    line endings and BOM; unchanged when none is missing."""
    from auditor.documents.base import SourceFile
    from rules.ignore_files._append import appended_block

    source = SourceFile.from_bytes("ignore", Path("ignore"), data or b"")
    text = source.text if source.error is None else (data or b"").decode("utf-8", "replace")
    present = {line.strip() for line in text.split("\n")}
    missing = [line for line in lines if not line.startswith(COMMENT_PREFIX)]
    missing = [line for line in missing if line.strip() not in present]
    if not missing:
        return data or b""
    return source.encode(text + appended_block(text, missing))


def _finish(git: Git, work: Work, journal: Path, progress: Progress | None) -> None:
    """Steps 4-6: the user's index, the work tree, the journal. Each is safe to repeat."""
    in_index = _in_index(git, work.index_removals)
    entries = [IndexEntry(path, "0", "") for path in work.index_removals if path in in_index]
    entries += _ignore_entries(git, work.ignore_lines, source="index")
    update_index(git, entries)
    _checkpoint("index-updated")
    for path, lines in work.ignore_lines.items():
        target = git.root / path
        current = target.read_bytes() if target.exists() else None
        updated = with_lines(current, lines)
        if updated != current:
            _write_atomic(target, updated)
    delete_paths(git.root, work.delete_files, work.delete_trees, progress)
    journal.unlink(missing_ok=True)
    (journal.parent / SEPARATE_INDEX).unlink(missing_ok=True)


def _in_index(git: Git, paths: list[str]) -> set[str]:
    if not paths:
        return set()
    return set(paths) & set(git.listing("ls-files", "-z", "--cached"))


def _resume(git: Git, journal: Path, progress: Progress | None) -> ApplyResult | None:
    """Finish an --apply that was interrupted, if the journal says one was."""
    try:
        data: dict[str, Any] = json.loads(journal.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        journal.unlink(missing_ok=True)
        return None
    made = data.pop("made", None)
    work = Work(**data)
    head = git.head()
    if made is None and head != work.old_head and _is_cleanup_commit(git, work):
        made = head  # killed between the commit and the journal's update
    if (made is not None and head == made) or (not work.commit and head == work.old_head):
        _finish(git, work, journal, progress)
        notes = ["finished a cleanup that had been interrupted"]
        return ApplyResult(made, work.delete_files, [], sorted(work.ignore_lines), notes)
    # Killed before the commit (HEAD has not moved), or HEAD moved on since: start over.
    journal.unlink(missing_ok=True)
    (journal.parent / SEPARATE_INDEX).unlink(missing_ok=True)
    return None


def _is_cleanup_commit(git: Git, work: Work) -> bool:
    done = git.run("log", "-1", "--format=%P%x00%B", "HEAD", check=False)
    if done.returncode != 0:
        return False
    parents, _, message = os.fsdecode(done.stdout).partition("\0")
    return parents.strip() == work.old_head and message.strip() == work.message.strip()


def _apply_outside_git(plan: CleanupPlan, progress: Progress | None) -> ApplyResult:
    notes = ["not a git work tree: no commit was made, and deleted files cannot be got back"]
    files, trees = [], []
    for entry in plan.to_remove:  # outside git, only what --include-untracked let in
        if entry.item.folder and not entry.item.link:
            trees.append(entry.path)
        else:
            files.append(entry.path)
    for change in plan.ignore_changes:
        target = plan.root / change.path
        current = target.read_bytes() if target.exists() else None
        updated = with_lines(current, list(change.added))
        if updated != current:
            _write_atomic(target, updated)
    delete_paths(plan.root, files, trees, progress)
    removed = files + trees
    return ApplyResult(None, removed, [], [c.path for c in plan.ignore_changes], notes)


# -- the work tree ------------------------------------------------------------------------------


def delete_paths(
    root: Path, files: Iterable[str], trees: Iterable[str], progress: Progress | None
) -> None:
    """Delete files and symlinks (never what a link points to), then whole untracked junk
    folders; remove the folders the deletions emptied. Read-only files and folders are made
    writable first: the user asked for them to go."""
    emptied: set[Path] = set()
    count = 0
    for path in files:
        target = root / path
        if _unlink(target):
            emptied.add(target.parent)
        count += 1
        if count == 2:
            _checkpoint("deleting")
        if progress is not None and count % 500 == 0:
            progress(500)
    if progress is not None and count % 500:
        progress(count % 500)
    for path in trees:
        target = root / path
        if target.is_symlink():
            _unlink(target)
        elif target.is_dir():
            shutil.rmtree(target, onerror=_make_writable_and_retry)
        emptied.add(target.parent)
    for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        _remove_empty_up_to(folder, root)


def _unlink(target: Path) -> bool:
    try:
        target.unlink()
        return True
    except FileNotFoundError:
        return False
    except PermissionError:
        parent = target.parent
        parent.chmod(parent.stat().st_mode | stat.S_IWUSR | stat.S_IXUSR)
        target.unlink()
        return True


def _make_writable_and_retry(function: Any, path: str, exc_info: Any) -> None:
    """rmtree's onerror (onexc needs Python 3.12): unlock a read-only folder and retry."""
    error = exc_info[1]
    if not isinstance(error, PermissionError):
        raise error
    parent = os.path.dirname(path)
    os.chmod(parent, os.stat(parent).st_mode | stat.S_IWUSR | stat.S_IXUSR)
    if os.path.isdir(path) and not os.path.islink(path):
        os.chmod(path, os.stat(path).st_mode | stat.S_IWUSR | stat.S_IXUSR | stat.S_IRUSR)
    function(path)


def _remove_empty_up_to(folder: Path, root: Path) -> None:
    """Remove `folder` and the folders above it while they are empty, never `root`."""
    current = folder
    while current != root and root in current.parents:
        try:
            current.rmdir()
        except OSError:
            return
        current = current.parent


def _write_atomic(target: Path, data: bytes) -> None:
    """Write through a temporary file and a rename, keeping the file's mode."""
    try:
        mode: int | None = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    handle, temporary = tempfile.mkstemp(prefix=".mami-audit-", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


__all__ = ["ApplyResult", "CleanupRefused", "GitError", "apply_plan", "with_lines"]
