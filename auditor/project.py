"""The audited project: its root, the files it holds, and their documents parsed on demand.

Discovery lists the files rules may look at. Inside a git work tree it asks git itself
(`git ls-files --cached --others --exclude-standard`), so every .gitignore, .git/info/exclude
and global excludes file is honoured exactly as git does (the cleanup plan, which has read
git's index already, asks git for the untracked files only: see GitView); elsewhere it walks
the folders, pruning what .gitignore files exclude (auditor/gitignore_match.py, which matches
as git does). Either way it never descends into node_modules, .venv or .git, drops what the
config's `exclude` and `extend-exclude` name, and does not follow symlinked folders, so a
symlink loop cannot hang it. A file reached through symlinked files inside the root is
listed under one path only. Folders it cannot list are recorded in `problems` (the CLI
prints them as warnings); a file it cannot read becomes a document with a parse error
(reported by AU001), and so does a file that is not a regular file (a FIFO, a device) or is
larger than `max-file-size`: those are never read. The fixer's temp files
(`.<name>.mami-audit-<pid>.tmp`) are never listed; leftovers of a killed run are kept in
`stale_temp_files` for the next `--fix` to remove.

A PATH that is a symlink to a folder is audited under its own name, its files read where the
link points, but the root and the config stay those of the project holding the link, and the
fixer writes nothing that resolves outside the root.

Documents are parsed once, when a rule first asks for them, so only the kinds the selected
rules read are ever parsed (and their parser modules imported).

A project may carry an `overlay` of file contents (relative path -> bytes, or None for a
deleted file). The fixer uses it to audit the result of its edits before writing anything.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from auditor.config import Config
from auditor.documents import kind_module
from auditor.documents.base import Document, SourceFile
from auditor.documents.kinds import MATCHERS, kinds_of
from auditor.tempfiles import is_temp_file

if TYPE_CHECKING:
    from auditor.cleanup.gitview import GitView
    from auditor.gitignore_match import GitignoreMatcher

ALWAYS_PRUNED = frozenset({".git", ".venv", "node_modules"})
ROOT_MARKERS = ("pyproject.toml", "mami-audit.toml", ".git")


class DiscoveryProblem(NamedTuple):  # NamedTuples here: cheaper at start-up than dataclasses
    """A folder or file discovery could not look into, and why."""

    path: str  # relative POSIX path; "." for the root itself
    message: str


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding a ROOT_MARKERS entry; else `start`.

    The walk goes up `start` as written (absolute, `..` removed, symlinks not followed): a
    symlinked folder belongs to the project that holds the link, not to the one around the
    link's target."""
    start = Path(os.path.abspath(start))
    for folder in (start, *start.parents):
        if any(os.path.lexists(folder / marker) for marker in ROOT_MARKERS):
            return folder
    return start


class Targets(NamedTuple):
    """What the user asked to audit: the project root and which findings to report."""

    root: Path
    paths: tuple[str, ...]  # relative POSIX paths under the root; ("." ,) for all of it

    def scope(self, path: str) -> bool:
        """Is a finding at `path` inside one of the named files or folders?"""
        return any(
            target == "." or path == target or path.startswith(target + "/")
            for target in self.paths
        )

    @property
    def everything(self) -> bool:
        return "." in self.paths


class TargetError(ValueError):
    """A PATH argument that cannot be audited (it does not exist)."""


def resolve_targets(paths: list[Path]) -> Targets:
    """The project root for the PATHs and the scope of the report.

    The root is the nearest folder holding pyproject.toml, mami-audit.toml or .git at or above
    the PATHs' common folder (a file's own folder when it is the only PATH), so pre-commit,
    which passes changed files, audits the whole project and reports only on those files.
    """
    absolute = []
    for path in paths:
        try:
            os.stat(path)  # follows symlinks: a broken one is no PATH either
        except PermissionError:
            raise TargetError(f"{path}: cannot be reached (permission denied)") from None
        except OSError:
            if os.path.islink(path):
                raise TargetError(
                    f"{path}: a broken symlink (its target is missing or it loops)"
                ) from None
            raise TargetError(f"{path}: no such file or folder") from None
        # As written, symlinks not followed: a symlinked file or folder is audited as itself,
        # inside the project that holds the link (see find_root).
        absolute.append(Path(os.path.abspath(path)))
    folders = [
        path if path.is_dir() and not path.is_symlink() else path.parent for path in absolute
    ]
    root = find_root(Path(os.path.commonpath([str(folder) for folder in folders])))
    relative = []
    for path in absolute:
        inside = normalise(os.path.relpath(path, root).replace(os.sep, "/"))
        if inside is None:
            raise TargetError(f"{path}: outside the project root {root}")
        relative.append(inside)
    return Targets(root.resolve(), tuple(sorted(set(relative))))


def files_of_no_kind(targets: Targets) -> list[str]:
    """The named PATHs that are files no document kind reads: no rule can report on them."""
    unread = []
    for path in targets.paths:
        if path == "." or not (targets.root / path).is_file():
            continue
        if not kinds_of(path):
            unread.append(path)
    return unread


def normalise(path: str) -> str | None:
    """A clean relative POSIX path, or None when it is absolute or climbs out of the root."""
    path = path.replace("\\", "/") if os.sep == "\\" else path
    if not path or posixpath.isabs(path):
        return None
    clean = posixpath.normpath(path)
    if clean == ".." or clean.startswith("../"):
        return None
    return clean


class Project:
    def __init__(
        self,
        root: Path,
        config: Config | None = None,
        *,
        overlay: Mapping[str, bytes | None] | None = None,
        named: tuple[str, ...] = (),
        previous: Project | None = None,
        git: GitView | None = None,
    ) -> None:
        """`previous`: the same project before some overlay changes (the fixer's last pass);
        its file list and the documents of files that did not change are reused.
        `git`: the cleanup plan's view of git, whose index discovery reads its tracked
        files from (other runs ask `git ls-files`)."""
        self.root = root.resolve()
        self.config = config or Config()
        self.overlay: dict[str, bytes | None] = dict(overlay or {})
        # PATHs the user named: the config's exclude does not apply to them (as in ruff),
        # unless `force-exclude` is on (pre-commit passes files the project excludes).
        self.named = () if self.config.force_exclude else tuple(p for p in named if p != ".")
        self._named_paths = frozenset(named)  # preferred when a file has several paths
        self.problems: list[DiscoveryProblem] = []
        self.stale_temp_files: list[str] = []  # the fixer's, left by a run that was killed
        self._discovered: list[str] | None = None  # before the overlay is applied
        self._links: list[str] = []  # discovered paths that are symlinks to files
        self._files: list[str] | None = None
        self._sources: dict[str, SourceFile | None] = {}
        self._documents: dict[tuple[str, str], Document | None] = {}
        self._exclude_spec: GitignoreMatcher | FolderPatterns | None = None
        # How often rules asked for documents, and how many they got: the engine compares
        # these before and after each rule to tell which rules had no file to read.
        self.document_requests = 0
        self.documents_served = 0
        self.git = git if git is not None and git.covers(self.root) else None
        if previous is not None:
            self._reuse(previous)

    def _reuse(self, previous: Project) -> None:
        keys = set(previous.overlay) | set(self.overlay)
        missing = object()
        changed = {
            k for k in keys if previous.overlay.get(k, missing) != self.overlay.get(k, missing)
        }
        self._discovered = previous._discovered
        self.git = self.git or previous.git
        self.problems = list(previous.problems)
        self.stale_temp_files = previous.stale_temp_files
        self._sources = {
            path: src for path, src in previous._sources.items() if path not in changed
        }
        self._documents = {
            key: document for key, document in previous._documents.items() if key[0] not in changed
        }

    # -- discovery --------------------------------------------------------------------------

    def files(self) -> list[str]:
        """Relative POSIX paths of the discovered files, sorted."""
        if self._files is None:
            if self._discovered is None:
                self._discovered = self._discover()
                # A file named on the command line is audited even if .gitignore leaves it out.
                for named in self.named:
                    full = self.root / named
                    # Any file but a folder: a FIFO or device named here is reported, unread.
                    if full.exists() and not full.is_dir() and not self.is_excluded(named):
                        self._discovered.append(named)
                        if full.is_symlink():
                            self._links.append(named)
                    elif full.is_symlink() and full.is_dir():
                        # Discovery lists a symlinked folder but does not enter it; named,
                        # its files are audited (and left unwritten when outside the root).
                        self._discovered.extend(self._walk(named))
                self._discovered = self._one_path_per_file(self._discovered)
            found = set(self._discovered)
            for path, data in self.overlay.items():
                if data is None:
                    found.discard(path)
                elif not self.is_excluded(path):
                    found.add(path)
            self._files = sorted(found)
        return self._files

    def _one_path_per_file(self, paths: list[str]) -> list[str]:
        """Drop the extra paths of a file reached through symlinks inside the root.

        Otherwise `Dockerfile.prod -> Dockerfile` is audited, and reported, twice though a fix
        edits the one file once. The path kept is one the user named, else the file's own path,
        else the first link. A link to a file outside the root, or to one that is not
        discovered, is the only way to that file and is kept; dangling links are kept too.
        """
        if not self._links:  # discovery noted the symlinks as it met them
            return paths
        listed = set(paths)
        reached: dict[str, set[str]] = {}  # real path -> the listed paths that lead to it
        for link in self._links:
            real = os.path.realpath(os.path.join(self.root, link))
            target = normalise(os.path.relpath(real, self.root).replace(os.sep, "/"))
            if target is None or not os.path.isfile(real):
                continue
            reached.setdefault(target, {target} if target in listed else set()).add(link)
        dropped: set[str] = set()
        for target, group in reached.items():
            named = [path for path in sorted(group) if path in self._named_paths]
            keep = named[0] if named else target if target in group else min(group)
            dropped.update(group - {keep})
        return [path for path in paths if path not in dropped]

    def is_excluded(self, path: str) -> bool:
        """Does the config's exclude/extend-exclude, or the always-pruned set, drop `path`?"""
        if ALWAYS_PRUNED.intersection(path.rstrip("/").split("/")):
            return True
        if self._is_named(path):
            return False
        if self._exclude_spec is None:
            self._exclude_spec = exclusion_matcher(self.config.excluded_patterns)
        return self._exclude_spec.match_file(path)

    def _is_named(self, path: str) -> bool:
        """Is `path` a named PATH, inside one, or (a folder) on the way to one?"""
        clean = path.rstrip("/")
        for named in self.named:
            if clean == named or clean.startswith(named + "/"):
                return True
            if path.endswith("/") and named.startswith(clean + "/"):
                return True  # walk into the folders above a named PATH
        return False

    def _discover(self) -> list[str]:
        if _inside_git_work_tree(self.root):
            listed = self._git_files()
            if listed is not None:
                return listed
        return self._walk()

    def _git_files(self) -> list[str] | None:
        import subprocess  # here: a project outside git never pays for importing it

        tracked: list[str] | None = None
        try:
            if self.git is None:
                command = git_listing_command(self.root, tracked=True)
                done = subprocess.run(command, capture_output=True, check=False)
            else:
                # The cleanup plan's GitView started git listing the untracked files and
                # its own reading of the index, which gives the tracked ones.
                done = self.git.untracked_listing(self.root)
                tracked = self.git.tracked_files(self.root).paths
        except OSError:  # git is not installed: fall back to walking
            return None
        if done.returncode != 0:  # not a repository git accepts (e.g. dubious ownership)
            return None
        for line in os.fsdecode(done.stderr).splitlines():
            # git skips folders it cannot open and says so on stderr.
            marker = "could not open directory '"
            if marker in line:
                folder = line.split(marker, 1)[1].split("'", 1)[0].rstrip("/")
                reason = line.rsplit(":", 1)[-1].strip()
                self.problems.append(DiscoveryProblem(folder, f"cannot list folder: {reason}"))
        listed = [os.fsdecode(raw) for raw in done.stdout.split(b"\0") if raw]
        if tracked is not None:
            listed += _outside_pruned_folders(tracked)
        paths = []
        root = str(self.root)  # one lstat on a string per file: this loop is start-up time
        for path in listed:
            if self.is_excluded(path) or self._is_temp_file(path):
                continue
            # The index also lists files deleted from the work tree and submodule folders.
            try:
                mode = os.lstat(os.path.join(root, path)).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode):
                continue
            if stat.S_ISLNK(mode):
                self._links.append(path)
            paths.append(path)
        return paths

    def _is_temp_file(self, path: str) -> bool:
        if not is_temp_file(path.rsplit("/", 1)[-1]):
            return False
        self.stale_temp_files.append(path)
        return True

    def _walk(self, under: str = ".") -> list[str]:
        ignores = _GitignoreStack()
        paths: list[str] = []

        def record(error: OSError) -> None:
            where = self._relative(error.filename) if error.filename else "."
            self.problems.append(
                DiscoveryProblem(where, f"cannot list folder: {error.strerror or error}")
            )

        for folder, dirnames, filenames in os.walk(self.root / under, onerror=record):
            base = self._relative(folder)
            prefix = "" if base == "." else base + "/"
            ignores.enter(base, Path(folder) / ".gitignore", self.problems)
            kept_dirs = []
            for name in sorted(dirnames):
                path = prefix + name
                if name in ALWAYS_PRUNED or self.is_excluded(path + "/"):
                    continue
                if ignores.ignored(path, is_dir=True):
                    continue
                if os.path.islink(os.path.join(folder, name)):
                    paths.append(path)  # like git: a symlinked folder is listed, not entered
                    continue
                kept_dirs.append(name)
            dirnames[:] = kept_dirs
            for name in filenames:
                path = prefix + name
                if self._is_temp_file(path):
                    continue
                if not self.is_excluded(path) and not ignores.ignored(path, is_dir=False):
                    paths.append(path)
                    if os.path.islink(os.path.join(folder, name)):
                        self._links.append(path)
        return paths

    def _relative(self, absolute: str | os.PathLike[str]) -> str:
        relative = os.path.relpath(absolute, self.root)
        return relative.replace(os.sep, "/")

    # -- file access ------------------------------------------------------------------------

    def absolute(self, path: str) -> Path:
        return self.root / path

    def exists(self, path: str) -> bool:
        clean = normalise(path)
        if clean is None:
            return False
        if clean in self.overlay:
            return self.overlay[clean] is not None
        if self.is_dir(clean):
            return True
        return os.path.lexists(self.root / clean) if clean != "." else True

    def is_dir(self, path: str) -> bool:
        clean = normalise(path)
        if clean is None:
            return False
        if clean == ".":
            return True
        inside = clean + "/"
        if any(key.startswith(inside) and data is not None for key, data in self.overlay.items()):
            return True
        return (self.root / clean).is_dir()

    def source(self, path: str) -> SourceFile | None:
        """The file's decoded text (read once), or None when there is no such file."""
        clean = normalise(path)
        if clean is None:
            return None
        if clean not in self._sources:
            self._sources[clean] = self._read(clean)
        return self._sources[clean]

    def _read(self, path: str) -> SourceFile | None:
        absolute = self.root / path
        if path in self.overlay:
            data = self.overlay[path]
            return None if data is None else SourceFile.from_bytes(path, absolute, data)
        if path == "." or not os.path.lexists(absolute) or absolute.is_dir():
            return None
        return SourceFile.read(path, absolute, self.config.max_file_size)

    def document(self, path: str, kind: str) -> Document | None:
        """`path` parsed as `kind`, discovered or not; None when the file does not exist."""
        clean = normalise(path)
        if clean is None:
            return None
        key = (clean, kind)
        if key not in self._documents:
            source = self.source(clean)
            self._documents[key] = None if source is None else kind_module(kind).parse(source)
        self.document_requests += 1
        self.documents_served += self._documents[key] is not None
        return self._documents[key]

    def has_kind(self, kind: str) -> bool:
        """Does the project hold a file of that kind? Decided by path, without parsing or
        importing the kind's parser: rules ask it to skip a heavy model nobody needs (no
        compose file, no compose stacks)."""
        matches = MATCHERS[kind]
        return any(matches(path) for path in self.files())

    def documents(self, kind: str) -> list[Document]:
        """Every discovered file of that kind, parsed (parse errors included)."""
        matches = MATCHERS[kind]
        self.document_requests += 1
        found = [self.document(path, kind) for path in self.files() if matches(path)]
        return [document for document in found if document is not None]

    # -- what this run has read -------------------------------------------------------------

    def loaded_documents(self) -> list[Document]:
        """The documents parsed so far, in path order (a file parsed as two kinds twice)."""
        loaded = [(key, doc) for key, doc in self._documents.items() if doc is not None]
        return [doc for _, doc in sorted(loaded, key=lambda pair: pair[0])]

    def loaded_kinds(self) -> set[str]:
        return {kind for (_, kind), doc in self._documents.items() if doc is not None}

    def kinds_of(self, path: str) -> list[str]:
        """The document kinds this file is parsed as: those loaded for it, else those matching."""
        loaded = [kind for (where, kind) in self._documents if where == path]
        return loaded or kinds_of(path)

    def text_document(self, path: str) -> Document | None:
        """`path` as a document of any kind: one already parsed, else its plain text.

        For what every kind shares: the text, lines and positions (suppression comments,
        fix edits); a kind's statement ranges when that kind was parsed.
        """
        for (where, _), document in self._documents.items():
            if where == path and document is not None:
                return document
        source = self.source(path)
        return None if source is None else Document(source)


def git_listing_command(root: Path, *, tracked: bool) -> list[str]:
    """`git ls-files` for discovery under `root`: the untracked files git does not ignore and,
    with `tracked`, the tracked ones; never any inside an ALWAYS_PRUNED folder."""
    command = ["git", "-C", str(root), "ls-files", "-z", "--others", "--exclude-standard"]
    command += [f"--exclude={name}/" for name in sorted(ALWAYS_PRUNED)]
    if not tracked:
        return command + ["--", "."]
    # --exclude only filters untracked files: let git also drop the tracked ones (a committed
    # node_modules of 100k files), rather than decode and filter them here. Not .git: git
    # never tracks a path through one, and each pathspec costs a match per tracked file
    # (12 ms per 100k).
    tracked_pruned = sorted(ALWAYS_PRUNED - {".git"})
    command.insert(5, "--cached")
    return command + ["--", "."] + [f":(exclude,glob)**/{name}/**" for name in tracked_pruned]


def _inside_git_work_tree(folder: Path) -> bool:
    """Is there a .git (folder or file) at or above `folder`? Cheaper than asking git."""
    return any(os.path.lexists(parent / ".git") for parent in (folder, *folder.parents))


def _outside_pruned_folders(paths: list[str]) -> list[str]:
    """The sorted `paths` minus those inside an ALWAYS_PRUNED folder. The paths under one
    such folder are one run of the sorted list, skipped by bisect rather than looked at one
    by one: a committed node_modules of 100k files costs a few lookups."""
    from auditor.sorted_paths import folder_run_end

    kept: list[str] = []
    position = 0
    while position < len(paths):
        path = paths[position]
        parts = path.split("/")[:-1]
        pruned = [depth for depth, name in enumerate(parts) if name in ALWAYS_PRUNED]
        if not pruned:
            kept.append(path)
            position += 1
            continue
        folder = "/".join(parts[: pruned[0] + 1]) + "/"
        position = folder_run_end(paths, folder, position)
    return kept


class FolderPatterns:
    """gitignore patterns that only name folders (`node_modules/`, `tests/fixtures/`).

    The default `exclude` list and most configs are only such patterns. Matching them needs
    no pattern walk: one set lookup per path, which matters when discovery asks for every
    file of a large tree. `exclusion_matcher` uses this for them and GitignoreMatcher for
    anything else.
    Semantics as in gitignore: `name/` matches a folder of that name at any depth; a pattern
    with a slash before its end (`tests/fixtures/`, `/build/`) is anchored at the root.
    """

    _PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/")

    def __init__(self, anywhere: frozenset[str], anchored: tuple[str, ...]) -> None:
        self.anywhere = anywhere  # folder names matched at any depth
        self.anchored = anchored  # "a/b/" prefixes from the root

    @classmethod
    def parse(cls, patterns: tuple[str, ...]) -> FolderPatterns | None:
        """The patterns as FolderPatterns, or None if any needs a real gitignore matcher."""
        anywhere, anchored = set(), []
        for pattern in patterns:
            if not pattern.endswith("/") or not set(pattern) <= cls._PLAIN:
                return None
            body = pattern.strip("/")
            parts = body.split("/")
            if not body or any(part in ("", ".", "..") for part in parts):
                return None
            if pattern.startswith("/") or len(parts) > 1:
                anchored.append(body + "/")
            else:
                anywhere.add(body)
        return cls(frozenset(anywhere), tuple(anchored))

    def match_file(self, path: str) -> bool:
        folders = path.split("/")[:-1]  # a trailing "/" (a folder itself) leaves its name here
        if self.anywhere.intersection(folders):
            return True
        return path.startswith(self.anchored) if self.anchored else False


def exclusion_matcher(patterns: tuple[str, ...]) -> GitignoreMatcher | FolderPatterns:
    simple = FolderPatterns.parse(patterns)
    if simple is not None:
        return simple
    from auditor.gitignore_match import GitignoreMatcher

    return GitignoreMatcher.from_lines(patterns)


class _GitignoreStack:
    """The .gitignore files in force while walking: each applies below its own folder."""

    def __init__(self) -> None:
        self._specs: list[tuple[str, GitignoreMatcher]] = []  # (folder prefix, patterns)

    def enter(self, folder: str, gitignore: Path, problems: list[DiscoveryProblem]) -> None:
        prefix = "" if folder == "." else folder + "/"
        # os.walk is depth first: drop the specs of folders we have left.
        self._specs = [(base, spec) for base, spec in self._specs if prefix.startswith(base)]
        if not gitignore.is_file():
            return
        from auditor.gitignore_match import GitignoreMatcher

        try:
            text = gitignore.read_text(encoding="utf-8", errors="surrogateescape")
        except OSError as exc:
            where = prefix + ".gitignore"
            problems.append(DiscoveryProblem(where, f"cannot read: {exc.strerror or exc}"))
            return
        self._specs.append((prefix, GitignoreMatcher.from_text(text)))

    def ignored(self, path: str, *, is_dir: bool) -> bool:
        """Last match wins, and a deeper .gitignore overrides a shallower one, as in git."""
        for base, spec in reversed(self._specs):
            verdict = spec.verdict(path[len(base) :], is_dir=is_dir)
            if verdict is not None:
                return verdict
        return False
