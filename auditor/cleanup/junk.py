"""What is junk (R21.1-R21.5, R16.5), and where the project's junk is.

`JunkMatcher.classify(path)` gives the reason code of a path, or None. A path inside a junk
folder belongs to that folder's item (`frontend/node_modules/` is one item, not 30 000), the
outermost junk folder winning (`backups/node_modules/x` is part of `backups/`).

Listing is made for speed on large trees (a committed node_modules of 100k files): inside git
it reads the index (`git ls-files`) instead of walking, matches each path with one set lookup
and one compiled regex, and stats rather than reads. Untracked junk comes from
`git ls-files --others --directory`, which reports an untracked folder as one entry.
"""

from __future__ import annotations

import bisect
import fnmatch
import os
import re
import stat
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from auditor.cleanup.secrets import secret_lines_of
from auditor.cleanup.settings import CATEGORIES, CleanupSettings
from auditor.sorted_paths import folder_run_end, in_sorted, index_of

if TYPE_CHECKING:
    from auditor.cleanup.gitindex import EntryStats, FoldedRun, IndexReading

SECRET_CODE = "JK007"


class JunkItem(NamedTuple):
    path: str  # relative POSIX path; a folder's has no trailing slash
    code: str  # the JK rule that calls it junk
    folder: bool  # a folder (or a symlink standing where a junk folder would be)
    tracked: bool  # git tracks it (or, for a folder, files inside it)
    size: int = 0  # bytes on disk (stat sizes; a symlink counts as itself)
    files: int = 0  # files it holds (1 for a file or a link)
    link: bool = False  # a symlink: only the link goes, never what it points to
    # For a tracked folder: the tracked paths inside (a FolderPaths when read from the index).
    tracked_files: Sequence[str] = ()
    first_file: str = ""  # for a folder: the first file listed inside (where findings point)


class JunkMatcher:
    """Compiled junk patterns: folder names and globs, file-name globs, top-level globs."""

    def __init__(self, settings: CleanupSettings, tops: Iterable[str] = ("",)) -> None:
        """`tops`: the folders whose files count as "at the top level" for `/glob` patterns:
        the root (""), and the folders the user named (`mami-audit check examples/x`)."""
        self.settings = settings
        self.tops = frozenset(tops)
        folder_names: dict[str, str] = {}
        folder_globs: list[tuple[re.Pattern[str], str]] = []
        name_globs: list[tuple[str, str]] = []
        top_globs: list[tuple[str, str]] = []
        for code, key in CATEGORIES:
            for pattern in settings.patterns(key):
                if pattern.endswith("/"):
                    name = pattern.strip("/")
                    if any(char in name for char in "*?["):
                        folder_globs.append((re.compile(fnmatch.translate(name)), code))
                    else:
                        folder_names.setdefault(name, code)
                elif pattern.startswith("/"):
                    top_globs.append((pattern[1:], code))
                else:
                    name_globs.append((pattern, code))
        self._folder_names = folder_names
        self._folder_globs = folder_globs
        self._names = _alternation(name_globs)
        self._top = _alternation(top_globs)
        self._examples = frozenset(settings.secret_file_examples)

    def folder_code(self, name: str) -> str | None:
        """The reason code when a folder called `name` is junk."""
        code = self._folder_names.get(name)
        if code is not None:
            return code
        for pattern, glob_code in self._folder_globs:
            if pattern.match(name):
                return glob_code
        return None

    def file_code(self, path: str) -> str | None:
        """The reason code when the file at `path` (not inside a junk folder) is junk."""
        name = path.rsplit("/", 1)[-1]
        if name in self._examples:
            return None
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        if folder in self.tops and self._top[0] is not None:
            found = _match(self._top, name)
            if found is not None:
                return found
        return _match(self._names, name)

    def junk_folder_of(self, path: str) -> tuple[str, str] | None:
        """(folder, code) of the outermost junk folder holding `path`, if any."""
        parts = path.split("/")
        for depth in range(len(parts) - 1):
            code = self.folder_code(parts[depth])
            if code is not None:
                return "/".join(parts[: depth + 1]), code
        return None


def _alternation(globs: list[tuple[str, str]]) -> tuple[re.Pattern[str] | None, list[str]]:
    """One regex with a named group per glob: one match call finds which glob (and code)."""
    if not globs:
        return None, []
    parts = [f"(?P<g{index}>{fnmatch.translate(glob)})" for index, (glob, _) in enumerate(globs)]
    return re.compile("|".join(parts)), [code for _, code in globs]


def _match(compiled: tuple[re.Pattern[str] | None, list[str]], name: str) -> str | None:
    pattern, codes = compiled
    if pattern is None:
        return None
    found = pattern.match(name)
    if found is None or found.lastgroup is None:
        return None
    return codes[int(found.lastgroup[1:])]


# -- git ----------------------------------------------------------------------------------------


def git_locations(root: Path) -> tuple[Path, Path] | None:
    """(top of the work tree, git dir) for `root`, or None (not in git, or git missing)."""
    if not any(os.path.lexists(folder / ".git") for folder in (root, *root.parents)):
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-toplevel", "--absolute-git-dir"],
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    lines = os.fsdecode(done.stdout).splitlines()
    if done.returncode != 0 or len(lines) != 2:
        return None  # not a work tree (a bare repository, a .git git refuses)
    return Path(lines[0]).resolve(), Path(lines[1])


def git_work_tree(root: Path) -> Path | None:
    """The top of the git work tree holding `root`, or None."""
    found = git_locations(root)
    return None if found is None else found[0]


# Folders whose tracked files the index reader counts and sizes as one run instead of listing
# them (a committed node_modules of 100k files): discovery never enters them (ALWAYS_PRUNED
# in auditor/project.py) and the junk scan takes them whole.
FOLDED_FOLDERS = frozenset({"node_modules", ".venv"})


class TrackedFiles(NamedTuple):
    """The tracked paths under a folder, relative to it, sorted as Python sorts strings (so
    that `bisect` finds a folder's paths), and when git's index could be read directly, each
    path's size (same order); else None and the caller stats what it needs. `folded`: the
    FOLDED_FOLDERS runs of the index, whose paths are not in `paths`."""

    paths: list[str]
    sizes: list[int] | None
    folded: tuple[FoldedRun, ...] = ()
    stats: EntryStats | None = None  # git's stat data for `paths`, from the usual index

    def unchanged(self, root: Path, path: str) -> bool:
        """Does git's index say the tracked file `path` (relative to `root`) has no unstaged
        change, by its stat data alone (EntryStats.unchanged)? False: ask git."""
        if self.stats is None:
            return False
        at = index_of(self.paths, path)
        return at is not None and self.stats.unchanged(at, os.path.join(root, path))

    def unfolded(self, runs: Iterable[FoldedRun]) -> TrackedFiles:
        """These files with the paths (and sizes) of `runs` listed among the others."""
        runs = tuple(runs)
        if not runs:
            return self
        pairs = list(zip(self.paths, self.sizes or [0] * len(self.paths)))
        for run in runs:
            pairs += zip(*run.entries())
        pairs.sort()
        rest = tuple(run for run in self.folded if run not in runs)
        paths = [path for path, _ in pairs]
        # No stats: the positions changed (unchanged() then leaves every file to git).
        return TrackedFiles(paths, [size for _, size in pairs] if self.sizes else None, rest)


def tracked_files(
    root: Path,
    locations: tuple[Path, Path] | None = None,
    *,
    reading: IndexReading | None = None,
) -> TrackedFiles:
    """The tracked files under `root`, from git's index (`reading`: one already started on
    that index, see GitView), or from `git ls-files` when the index is not in a form
    gitindex reads."""
    from auditor.cleanup.gitindex import read_index

    locations = locations or git_locations(root)
    index = None
    if locations is not None:
        if reading is not None:
            index = reading.result()
        else:
            index = read_index(locations[1], FOLDED_FOLDERS)
    if locations is None or index is None:
        return _in_python_order(git_paths(root, "--cached"), None)
    paths, sizes, _, _ = _in_python_order(index.paths, index.sizes, known_ascii=index.ascii)
    # Stats only come with the usual index, whose names are ASCII: `paths` is its own order.
    stats = index.stats if index.ascii else None
    prefix = os.path.relpath(root.resolve(), locations[0]).replace(os.sep, "/")
    if prefix == "." or sizes is None:
        return TrackedFiles(paths, sizes, index.folded, stats)
    # The paths under `root`: one run of the sorted index (see auditor/sorted_paths.py).
    start = bisect.bisect_left(paths, prefix + "/")
    end = folder_run_end(paths, prefix + "/", start)
    cut = len(prefix) + 1
    folded = tuple(
        run.relative(prefix + "/") for run in index.folded if run.folder.startswith(prefix + "/")
    )
    listed = [path[cut:] for path in paths[start:end]]
    return TrackedFiles(listed, sizes[start:end], folded, stats and stats.sliced(start, end))


def _in_python_order(
    paths: list[str], sizes: list[int] | None, *, known_ascii: bool = False
) -> TrackedFiles:
    """Git sorts paths by their bytes, which is Python's string order when every name is
    ASCII (the common case, checked in one pass over one string, unless the index reader
    already knows). Otherwise sort again: a surrogate-escaped byte and a decoded character
    can compare the other way round."""
    if known_ascii or "".join(paths).isascii():
        return TrackedFiles(paths, sizes)
    if sizes is None:
        return TrackedFiles(sorted(paths), None)
    pairs = sorted(zip(paths, sizes))
    return TrackedFiles([path for path, _ in pairs], [size for _, size in pairs])


def git_paths(root: Path, *options: str) -> list[str]:
    """`git ls-files -z OPTIONS` under `root`, as paths relative to `root`."""
    command = ["git", "-C", str(root), "ls-files", "-z", *options, "--", "."]
    done = subprocess.run(command, capture_output=True, check=False)
    if done.returncode != 0:
        message = os.fsdecode(done.stderr).strip() or f"exit {done.returncode}"
        raise OSError(f"git ls-files failed: {message}")
    return [os.fsdecode(raw) for raw in done.stdout.split(b"\0") if raw]


# -- listing ------------------------------------------------------------------------------------


class JunkScan(NamedTuple):
    items: list[JunkItem]  # sorted by path
    in_git: bool


def scan(
    root: Path,
    settings: CleanupSettings,
    locations: tuple[Path, Path] | None,
    *,
    excluded: Iterable[str] = (),
    untracked: bool = True,
    sizes: bool = True,
    tops: Iterable[str] = ("",),
    tracked: TrackedFiles | None = None,
) -> JunkScan:
    """The junk under `root`: tracked (from git's index) and, with `untracked`, the rest.

    `excluded`: gitignore-style patterns (the config's exclude) whose paths are not looked at.
    `locations`: git_locations(root), which the caller needs too (None outside git, where
    every path is untracked). `tracked`: tracked_files(root, locations), when the caller
    already has them.
    """
    matcher = JunkMatcher(settings, tops)
    skip = _exclusion(excluded)
    in_git = locations is not None
    items: dict[str, JunkItem] = {}
    if in_git:
        listed = tracked if tracked is not None else tracked_files(root, locations)
        # A folded run is taken whole only inside a junk folder the config does not exclude.
        listed = listed.unfolded(
            run
            for run in listed.folded
            if matcher.junk_folder_of(run.first) is None
            or (skip is not None and skip.match_file(run.first))
        )
        _collect(items, matcher, listed.paths, root, skip, tracked=True, sizes=listed.sizes)
        _add_folded(items, matcher, listed.folded)
        if untracked:
            # Our own walk rather than `git ls-files --others`: git has to enter a committed
            # node_modules to look for untracked files in it; this walk stops at junk folders.
            others = _walk(root, matcher, skip, tracked=listed)
            _collect(items, matcher, others, root, skip, tracked=False)
    elif untracked:
        _collect(items, matcher, _walk(root, matcher, skip), root, skip, tracked=False)
    found = sorted(items.values(), key=lambda item: item.path)
    # A .env is junk only when git tracks it and it holds what looks like a key (R16.5):
    # the untracked .env is exactly where keys belong.
    found = [
        item
        for item in found
        if item.code != SECRET_CODE
        or ((item.tracked or not in_git) and secret_lines_of(root / item.path))
    ]
    if sizes:
        found = [_measured(root, item) for item in found]
    return JunkScan(found, in_git)


def junk_among(
    root: Path, settings: CleanupSettings, paths: Iterable[str], tops: Iterable[str] = ("",)
) -> list[JunkItem]:
    """The junk among `paths` (sorted relative file paths), none of them tracked: for a
    project outside git, whose discovered files are what would be committed."""
    items: dict[str, JunkItem] = {}
    _collect(items, JunkMatcher(settings, tops), paths, root, None, tracked=False)
    found = sorted(items.values(), key=lambda item: item.path)
    found = [
        item for item in found if item.code != SECRET_CODE or secret_lines_of(root / item.path)
    ]
    return [_measured(root, item) for item in found]


def user_excludes(patterns: Iterable[str]) -> list[str]:
    """The config's exclude patterns minus the defaults, which name the very folders that are
    junk when committed (node_modules/, .venv/, __pycache__/)."""
    from auditor.config import DEFAULT_EXCLUDE

    return [pattern for pattern in patterns if pattern not in DEFAULT_EXCLUDE]


def _exclusion(patterns: Iterable[str]):  # type: ignore[no-untyped-def]
    patterns = tuple(patterns)
    if not patterns:
        return None
    from auditor.project import exclusion_matcher

    return exclusion_matcher(patterns)


def _collect(
    items: dict[str, JunkItem],
    matcher: JunkMatcher,
    paths: Iterable[str],
    root: Path,
    skip,  # type: ignore[no-untyped-def]
    *,
    tracked: bool,
    sizes: list[int] | None = None,
) -> None:
    """Add the junk among `paths` to `items`. A sorted listing's paths inside a junk folder
    are taken as one run (found by bisect, not looked at one by one); with `sizes` (the
    index's, in the same order) the items' sizes are filled in from them."""
    runs: dict[str, list[tuple[int, int]]] = {}  # junk folder -> its runs of `listed`
    current: str | None = None  # the junk folder ("a/node_modules/") the paths are inside
    listed = paths if isinstance(paths, list) else list(paths)
    position = 0
    while position < len(listed):
        path = listed[position]
        position += 1
        is_folder = path.endswith("/")  # `--directory` marks an untracked folder so
        path = path.rstrip("/")
        if current is not None and path.startswith(current):
            end = folder_run_end(listed, current, position)
            runs[current[:-1]].append((position - 1, end))
            position = end
            continue
        if skip is not None and skip.match_file(path + ("/" if is_folder else "")):
            continue
        holder = matcher.junk_folder_of(path + ("/x" if is_folder else ""))
        if holder is not None:
            folder, code = holder
            if folder not in items:
                items[folder] = JunkItem(folder, code, True, tracked)
                runs[folder] = []
            if folder == path:  # an untracked folder reported as one entry
                continue
            current = folder + "/"
            position -= 1  # take this path as the start of the folder's run
            continue
        current = None
        name = path.rsplit("/", 1)[-1]
        folder_code = matcher.folder_code(name)
        if folder_code is not None and _is_link(root / path):
            # A symlink where a junk folder would be: the link is the junk, not its target.
            items[path] = JunkItem(path, folder_code, True, tracked, link=True)
            continue
        reason = matcher.file_code(path)
        if reason is not None and path not in items:
            item = JunkItem(path, reason, False, tracked)
            if sizes is not None:
                item = item._replace(size=sizes[position - 1], files=1)
            items[path] = item
    for folder, folder_runs in runs.items():
        item = items[folder]
        if item.link or not folder_runs:
            continue
        if len(folder_runs) == 1:  # the usual case: one slice, no Python loop over 100k paths
            start, end = folder_runs[0]
            files = tuple(listed[start:end])
        else:
            files = tuple(path for start, end in folder_runs for path in listed[start:end])
        if tracked and item.tracked:
            item = item._replace(tracked_files=files)
            if sizes is not None:
                size = sum(sum(sizes[start:end]) for start, end in folder_runs)
                item = item._replace(size=size, files=len(files))
        items[folder] = item if item.first_file else item._replace(first_file=files[0])


def _add_folded(
    items: dict[str, JunkItem], matcher: JunkMatcher, folded: tuple[FoldedRun, ...]
) -> None:
    """Add the index's folded runs (each inside a junk folder: see scan) to the items of
    their junk folders, with their counts and sizes; their paths stay unread until a caller
    iterates the item's tracked_files (FolderPaths)."""
    for run in folded:
        holder = matcher.junk_folder_of(run.first)
        if holder is None:
            continue  # scan listed these runs path by path
        folder, code = holder
        item = items.get(folder) or JunkItem(folder, code, True, True)
        first = min(filter(None, (item.first_file, run.first)))
        items[folder] = item._replace(
            tracked_files=FolderPaths((item.tracked_files, run)),
            size=item.size + run.size,
            files=item.files + run.count,
            first_file=first,
        )


class FolderPaths(Sequence[str]):
    """A junk folder's tracked paths, counted at once and read from git's index only when
    looked at (`--apply` removes them; the plan looks inside only when git reports an
    uncommitted change there). Sorted as Python sorts strings, like `tracked_files`."""

    def __init__(self, parts: tuple[Sequence[str] | FoldedRun, ...]) -> None:
        self._parts = parts  # listed paths, and folded runs of the index
        self._count = sum(len(part) if isinstance(part, Sequence) else part.count for part in parts)
        self._paths: list[str] | None = None

    def _read(self) -> list[str]:
        if self._paths is None:
            paths: list[str] = []
            for part in self._parts:
                paths += part if isinstance(part, Sequence) else part.entries()[0]
            self._paths = sorted(paths)
        return self._paths

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):  # type: ignore[no-untyped-def, override]
        return self._read()[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and list(self) == list(other)

    def __hash__(self) -> int:
        return hash(tuple(self._read()))

    def __repr__(self) -> str:
        return f"FolderPaths({self._count} paths)"


def _is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def _walk(  # type: ignore[no-untyped-def]
    root: Path,
    matcher: JunkMatcher,
    skip,
    tracked: TrackedFiles | None = None,
) -> Iterator[str]:
    """Every file not in `tracked`, and each junk folder as one `folder/` entry (not entered).
    In git (`tracked`: the tracked paths, sorted), a folder git tracks as one entry (a
    submodule) is neither listed nor entered, and a folder holding no tracked file is one
    untracked `folder/` entry, not entered either, as `git ls-files --others --directory`
    shows it. Lookups in `tracked` are by bisect: no set of 100k paths is built."""

    listed = tracked.paths if tracked is not None else []
    folded = tuple(run.folder + "/" for run in tracked.folded) if tracked is not None else ()
    stack = [""]
    while stack:
        prefix = stack.pop()
        try:
            entries = sorted(os.scandir(root / prefix if prefix else root), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            path = prefix + entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name == ".git" or in_sorted(listed, path):
                    continue
                if skip is not None and skip.match_file(path + "/"):
                    continue
                if matcher.folder_code(entry.name) is not None:
                    yield path + "/"
                elif (
                    tracked is not None
                    and not _holds(listed, path + "/")
                    and not any(run.startswith(path + "/") for run in folded)
                ):
                    yield path + "/"
                else:
                    stack.append(path + "/")
            elif not in_sorted(listed, path):
                yield path


def _holds(paths: list[str], prefix: str) -> bool:
    """Does the sorted `paths` hold one starting with `prefix`?"""
    at = bisect.bisect_left(paths, prefix)
    return at < len(paths) and paths[at].startswith(prefix)


def _measured(root: Path, item: JunkItem) -> JunkItem:
    """The item with its size and file count, by lstat, unless _collect already had them
    from git's index (strings, not Path objects: this runs once per file)."""
    if item.files:
        return item
    absolute = root / item.path
    if item.link or not item.folder:
        try:
            return item._replace(size=os.lstat(absolute).st_size, files=1)
        except OSError:
            return item._replace(files=1)  # listed by git, gone from disk
    if item.tracked and item.tracked_files:
        base = str(root) + os.sep
        size = 0
        for path in item.tracked_files:
            try:
                size += os.lstat(base + path).st_size
            except OSError:
                pass
        return item._replace(size=size, files=len(item.tracked_files))
    size, files = folder_size(absolute)
    return item._replace(size=size, files=files)


def folder_size(folder: Path) -> tuple[int, int]:
    """Bytes and file count under `folder`, by stat; symlinks count as themselves."""
    size = files = 0
    stack = [str(folder)]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    size += entry.stat(follow_symlinks=False).st_size
                    files += 1
            except OSError:
                continue
    return size, files


def human_size(size: int) -> str:
    """1536 -> "1.5 KB": sizes in the plan and in messages (powers of 1024)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"  # unreachable; keeps type checkers content
