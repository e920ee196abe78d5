"""The tracked files and their sizes, read straight from .git/index.

Git keeps each tracked file's stat data, size included, in its index. Reading the file gives
the cleanup plan the paths and sizes of a committed 100k-file node_modules without running
`git ls-files` and without one lstat per file (which is what made the plan slow).

Only the plain formats are read: index versions 2, 3 and 4, SHA-1 object names, no split
index (`link` extension) and no sparse-index folder entries. For anything else `read_index`
returns None and the caller asks git (`git ls-files`) and stats the files instead. A size in
the index is what the file had when git last looked at it, and is stored modulo 2**32.

Listing a 100k-entry index is Python work of about 40-70 ms, so folders whose files are
only counted (`fold`: a committed node_modules) are read as runs, in a third of that, and
the stat data of the listed entries is kept (EntryStats) to spare git a look at files that
did not change. An `IndexReading` reads on a thread while its owner goes on (the cleanup
plan's GitView starts one, then waits for git to list the project's untracked files); it
belongs to that owner, so no later run can take an index read before a change.
"""

from __future__ import annotations

import os
import stat
import struct
from pathlib import Path
from typing import NamedTuple

_HEADER = struct.Struct(">4sII")
# What is read of each entry, from its mode field (24 bytes in, after ctime, mtime, dev, ino):
# mode, size and flags, skipping uid, gid and the object name.
_MODE_SIZE_FLAGS = struct.Struct(">I8xI20xH")
_MODE_OFFSET = 24
_FIXED_LENGTH = 62  # the fixed part of an entry, up to the name
_EXTENDED = 0x4000
_NAME_MASK = 0x0FFF
_STAGE = 0x3000
_GITLINK = 0o160000
_SPARSE_DIRECTORY = 0o040000


class FoldedRun:
    """The entries under one folder (`frontend/node_modules`), counted and sized as one run of
    the sorted index, their paths read only if asked for (`entries`: --apply needs them, the
    plan does not). Paths are relative to the top of the work tree, less `cut` characters
    (see `relative`)."""

    __slots__ = ("folder", "count", "size", "first", "_data", "_start", "_cut")

    def __init__(
        self, folder: str, count: int, size: int, first: str, data: bytes, start: int, cut: int = 0
    ) -> None:
        self.folder = folder  # no trailing "/"
        self.count = count
        self.size = size  # the sum of the index's sizes
        self.first = first  # the first path inside
        self._data = data  # the whole index file, and where the run starts in it
        self._start = start
        self._cut = cut

    def relative(self, prefix: str) -> FoldedRun:
        """The run with `prefix` ("sub/", a folder inside the work tree) cut from its paths."""
        cut = len(prefix)
        return FoldedRun(
            self.folder[cut:], self.count, self.size, self.first[cut:], self._data, self._start,
            self._cut + cut,
        )  # fmt: skip

    def entries(self) -> tuple[list[str], list[int]]:
        """Every path of the run and its size, in index order, the paths decoded as
        os.fsdecode decodes names."""
        parsed = _entries(self._data, 2, self.count, start=self._start)
        if parsed is None:  # cannot happen: _fold_run read these entries already
            raise ValueError(f"the index entries under {self.folder} changed form")
        return [path[self._cut :] for path in parsed[0]], parsed[1]

    def __repr__(self) -> str:
        return f"FoldedRun({self.folder!r}, {self.count} paths, {self.size} bytes)"


# The stat data at the start of an entry: ctime and mtime (seconds, nanoseconds), dev, ino,
# mode, uid, gid, size.
_STAT_DATA = struct.Struct(">10I")
_WORD = 0xFFFFFFFF  # git keeps each field modulo 2**32
_BILLION = 1_000_000_000


class EntryStats:
    """The stat data git recorded for the entries the usual index lists (`paths`, same order):
    enough to tell a file unchanged the way git tells it, without asking git."""

    __slots__ = ("_data", "_offsets", "_index_mtime")

    def __init__(self, data: bytes, offsets: list[int], index_mtime: tuple[int, int]) -> None:
        self._data = data
        self._offsets = offsets  # where each entry starts in `data`
        self._index_mtime = index_mtime  # (seconds, nanoseconds) when git wrote the index

    def sliced(self, start: int, end: int) -> EntryStats:
        """The stats of entries start..end (as `paths[start:end]`)."""
        return EntryStats(self._data, self._offsets[start:end], self._index_mtime)

    def unchanged(self, position: int, file: str) -> bool:
        """Is the file at `file` (an absolute path) the one entry `position` recorded: every
        field git compares is equal (as in git's match_stat_data, with nanoseconds, ctime,
        owner and inode checked, and the type and executable bit), and the entry is not
        racily clean (changed in the second git wrote the index, when git would compare
        contents)? git itself then reports no unstaged change. False: ask git."""
        fields = _STAT_DATA.unpack_from(self._data, self._offsets[position])
        ctime_s, ctime_ns, mtime_s, mtime_ns, dev, ino, mode, uid, gid, size = fields
        if (mtime_s, mtime_ns) >= self._index_mtime:
            return False
        try:
            found = os.lstat(file)
        except OSError:
            return False
        ctime, mtime = divmod(found.st_ctime_ns, _BILLION), divmod(found.st_mtime_ns, _BILLION)
        recorded = (ctime_s, ctime_ns, mtime_s, mtime_ns, dev, ino, uid, gid, size)
        on_disk = (
            ctime[0] & _WORD,
            ctime[1],
            mtime[0] & _WORD,
            mtime[1],
            found.st_dev & _WORD,
            found.st_ino & _WORD,
            found.st_uid,
            found.st_gid,
            found.st_size & _WORD,
        )
        same_kind = stat.S_IFMT(found.st_mode) == mode & 0o170000
        same_exec = stat.S_ISLNK(found.st_mode) or not (mode ^ found.st_mode) & 0o100
        return recorded == on_disk and same_kind and same_exec

    def __repr__(self) -> str:
        return f"EntryStats({len(self._offsets)} entries)"


class IndexFile(NamedTuple):
    paths: list[str]  # relative to the top of the work tree, in index order (sorted)
    sizes: list[int]
    gitlinks: frozenset[str]  # submodules: tracked as one entry, never junk
    ascii: bool = False  # every path in `paths` is ASCII, known without looking again
    folded: tuple[FoldedRun, ...] = ()  # runs of entries not in `paths` (read_index's `fold`)
    stats: EntryStats | None = None  # for `paths`, from the usual index only


class IndexReading:
    """`read_index(git_dir, fold)`, started on a thread now; `result()` waits for it."""

    def __init__(self, git_dir: Path, fold: frozenset[str] = frozenset()) -> None:
        import threading

        self._index: IndexFile | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._read, args=(git_dir, fold), daemon=True)
        self._thread.start()

    def _read(self, git_dir: Path, fold: frozenset[str]) -> None:
        try:
            self._index = read_index(git_dir, fold)
        except BaseException as error:  # handed to whoever asks for the result
            self._error = error

    def result(self) -> IndexFile | None:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._index


def read_index(git_dir: Path, fold: frozenset[str] = frozenset()) -> IndexFile | None:
    """The index's entries, or None when it is in a form not read here (see above).

    `fold`: folder names (`node_modules`) whose entries are not listed one by one: the usual
    index gives each such folder as one FoldedRun (the outermost, when they nest), which
    takes a third of the time of listing a committed node_modules; `paths` holds the rest."""
    if _uses_sha256(git_dir):
        return None
    try:
        with open(git_dir / "index", "rb") as index_file:
            data = index_file.read()
            index_mtime_ns = os.fstat(index_file.fileno()).st_mtime_ns
    except FileNotFoundError:
        return IndexFile([], [], frozenset())  # nothing staged yet
    except OSError:
        return None
    if len(data) < _HEADER.size:
        return None
    signature, version, count = _HEADER.unpack_from(data, 0)
    if signature != b"DIRC" or version not in (2, 3, 4):
        return None
    plain = None
    if version < 4:
        try:
            plain = _plain_entries(data, count, fold)
        except (struct.error, IndexError, ValueError):
            plain = None  # a block of a folded run went past an unusual entry: read it all
    if plain is not None:
        # ASCII names only (outside folded runs), no gitlink, and where each entry starts.
        paths, sizes, _, end, folded, offsets = plain
        if _has_split_index(data, end):
            return None
        stats = EntryStats(data, offsets, divmod(index_mtime_ns, _BILLION))
        return IndexFile(paths, sizes, frozenset(), ascii=True, folded=folded, stats=stats)
    try:
        parsed = _entries(data, version, count)
    except (struct.error, IndexError, ValueError):
        return None
    if parsed is None:
        return None
    paths, sizes, gitlinks, end = parsed
    if _has_split_index(data, end):
        return None
    return IndexFile(paths, sizes, frozenset(gitlinks))


_PLAIN_KINDS = frozenset({0o100000 >> 12, 0o120000 >> 12})  # a file, a symlink
_PLAIN_FLAGS_MAX = _NAME_MASK - 1  # above: assume-valid, extended, a stage, a 4095-byte name


def _plain_entries(
    data: bytes, count: int, fold: frozenset[str] = frozenset()
) -> tuple[list[str], list[int], list[str], int, tuple[FoldedRun, ...], list[int]] | None:
    """The usual index, read in about half the time of `_entries`: version 2 or 3, every
    entry a file or symlink at stage 0 with its name's length in its flags, every name ASCII
    (inside folded runs: any name). None for anything else, which `_entries` then reads.

    Names are sliced from one latin-1 decoding of the whole file (the same characters as
    UTF-8 for ASCII, checked at the end) rather than decoded one by one, and one test of
    the flags' value covers the four unusual cases. An entry inside a folder named in `fold`
    starts a run that _fold_run reads without listing it. Last: where each listed entry
    starts (for EntryStats)."""
    text = data.decode("latin-1")
    unpack = _MODE_SIZE_FLAGS.unpack_from
    markers = tuple(name + "/" for name in fold)  # a cheap first test: "node_modules/" in path
    names: list[str] = []
    sizes: list[int] = []
    folded: list[FoldedRun] = []
    offsets: list[int] = []
    add_name, add_size, add_offset = names.append, sizes.append, offsets.append
    offset = _HEADER.size
    position = 0
    while position < count:
        mode, size, flags = unpack(data, offset + _MODE_OFFSET)
        if flags > _PLAIN_FLAGS_MAX or mode >> 12 not in _PLAIN_KINDS:
            return None
        start = offset + _FIXED_LENGTH
        name = text[start : start + flags]
        if markers and any(marker in name for marker in markers):
            folder = _folded_folder(name, fold)
            if folder is not None:
                found = _fold_run(data, offset, count - position, folder)
                if found is None:
                    return None
                run, offset = found
                folded.append(run)
                position += run.count
                continue
        add_name(name)
        add_size(size)
        add_offset(offset)
        # Entries are padded with 1-8 NULs to a multiple of 8 bytes.
        offset += (_FIXED_LENGTH + 8 + flags) & ~7
        position += 1
    if not "".join(names).isascii():
        return None
    return names, sizes, [], offset, tuple(folded), offsets


def _folded_folder(path: str, fold: frozenset[str]) -> str | None:
    """The outermost folder of `path` whose name is in `fold` ("a/node_modules"), if any."""
    parts = path.split("/")
    for depth in range(len(parts) - 1):
        if parts[depth] in fold:
            return "/".join(parts[: depth + 1])
    return None


_BLOCK = 64  # entries read between two checks that the run goes on
# An entry's length from its flags (name length, padding included), for the flags of a plain
# entry only: anything else (a stage, extended flags, a name of 4095 bytes or more) raises
# IndexError, which sends the whole index to the general reader (see read_index).
_ENTRY_LENGTHS = [(_FIXED_LENGTH + 8 + length) & ~7 for length in range(_NAME_MASK)]


def _fold_run(
    data: bytes, offset: int, remaining: int, folder: str
) -> tuple[FoldedRun, int] | None:
    """The run of entries under `folder` that starts at `offset`, and the offset after it;
    None when an entry in it is not plain (then the general reader reads the whole index).

    The index is sorted, so when the entry after a block of entries is still under the
    folder, so is every entry in the block: the loop reads a block with no test per entry
    (unusual flags fail the length lookup; the modes met are collected and looked at once),
    then checks. The block in which the run ends is read again one entry at a time. (A mode
    other than a file's, a symlink's, a submodule's or a sparse folder's is not one git
    writes.)"""
    prefix = (folder + "/").encode("latin-1")
    first_start = offset
    unpack = _MODE_SIZE_FLAGS.unpack_from
    inside = data.startswith
    lengths = _ENTRY_LENGTHS
    total = read = mode_bits = 0
    while True:
        checkpoint = (offset, total, read)
        steps = min(_BLOCK, remaining - read)
        at = offset + _MODE_OFFSET
        for _ in range(steps):
            mode, size, flags = unpack(data, at)
            total += size
            mode_bits |= mode
            at += lengths[flags]
        offset = at - _MODE_OFFSET
        read += steps
        usual = not mode_bits & _SPARSE_DIRECTORY  # no submodule, no sparse folder
        if usual and read < remaining and inside(prefix, offset + _FIXED_LENGTH):
            continue
        offset, total, read = checkpoint
        while read < remaining and inside(prefix, offset + _FIXED_LENGTH):
            mode, size, flags = unpack(data, offset + _MODE_OFFSET)
            if flags > _PLAIN_FLAGS_MAX or mode >> 12 not in _PLAIN_KINDS:
                return None
            total += size
            offset += (_FIXED_LENGTH + 8 + flags) & ~7
            read += 1
        first_length = unpack(data, first_start + _MODE_OFFSET)[2]
        first_name = data[first_start + _FIXED_LENGTH : first_start + _FIXED_LENGTH + first_length]
        first = first_name.decode("utf-8", "surrogateescape")
        return FoldedRun(folder, read, total, first, data, first_start), offset


def _entries(
    data: bytes, version: int, count: int, start: int = _HEADER.size
) -> tuple[list[str], list[int], list[str], int] | None:
    names: list[bytes] = []
    sizes: list[int] = []
    gitlinks: list[bytes] = []
    offset = start
    previous = b""
    # The loop runs once per tracked file (100k in a committed node_modules): one unpack per
    # entry, names kept as bytes and decoded all at once below.
    unpack = _MODE_SIZE_FLAGS.unpack_from
    find = data.index
    add_name, add_size = names.append, sizes.append
    for _ in range(count):
        mode, size, flags = unpack(data, offset + _MODE_OFFSET)
        name_start = offset + _FIXED_LENGTH
        if flags & _EXTENDED:
            if version < 3:
                return None
            name_start += 2
        if mode & 0o170000 == _SPARSE_DIRECTORY:
            return None
        if version == 4:
            strip, name_start = _varint(data, name_start)
            end = find(b"\0", name_start)
            name = previous[: len(previous) - strip] + data[name_start:end]
            previous = name
            offset = end + 1
        else:
            length = flags & _NAME_MASK
            # The flags hold the name's length unless it is 0xFFF or longer.
            end = name_start + length if length < _NAME_MASK else find(b"\0", name_start)
            name = data[name_start:end]
            # Entries are padded with 1-8 NULs to a multiple of 8 bytes.
            offset += (end - offset + 8) & ~7
        if mode & 0o170000 == _GITLINK:
            gitlinks.append(name)
        if flags & _STAGE and names and names[-1] == name:
            continue  # a conflict stage: only happens mid-merge; list the path once
        add_name(name)
        add_size(size)
    return _decoded(names), sizes, _decoded(gitlinks), offset


def _decoded(names: list[bytes]) -> list[str]:
    """The names as os.fsdecode gives them on POSIX, in one decode call (NUL is never part
    of a name)."""
    if not names:
        return []
    return b"\0".join(names).decode("utf-8", "surrogateescape").split("\0")


def _varint(data: bytes, offset: int) -> tuple[int, int]:
    """Git's offset encoding (varint.c): 7 bits a byte, +1 per continuation."""
    byte = data[offset]
    offset += 1
    value = byte & 0x7F
    while byte & 0x80:
        byte = data[offset]
        offset += 1
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, offset


def _has_split_index(data: bytes, offset: int) -> bool:
    """Is there a `link` extension (the entries live in a shared index) after the entries?"""
    while offset + 8 <= len(data) - 20:
        signature = data[offset : offset + 4]
        (size,) = struct.unpack_from(">I", data, offset + 4)
        if signature == b"link":
            return True
        offset += 8 + size
    return False


def _uses_sha256(git_dir: Path) -> bool:
    """Does the repository name its objects by SHA-256 (32-byte names in the index)? A linked
    work tree's git dir has no config of its own: its `commondir` file points at the one that
    has. When unsure, say yes: the caller then asks git instead."""
    folders = [git_dir]
    try:
        common = (git_dir / "commondir").read_text().strip()
        folders.append((git_dir / common).resolve())
    except OSError:
        pass
    for folder in folders:
        try:
            config = (folder / "config").read_text(errors="replace")
        except OSError:
            continue
        return "sha256" in config.lower()
    return True
