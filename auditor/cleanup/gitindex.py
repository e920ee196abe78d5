"""The tracked files and their sizes, read straight from .git/index.

Git keeps each tracked file's stat data, size included, in its index. Reading the file gives
the cleanup plan the paths and sizes of a committed 100k-file node_modules without running
`git ls-files` and without one lstat per file (which is what made the plan slow).

Only the plain formats are read: index versions 2, 3 and 4, SHA-1 object names, no split
index (`link` extension) and no sparse-index folder entries. For anything else `read_index`
returns None and the caller asks git (`git ls-files`) and stats the files instead. A size in
the index is what the file had when git last looked at it, and is stored modulo 2**32.

Reading a 100k-entry index is Python work of about 40 ms. An `IndexReading` does it on a
thread while its owner goes on (the cleanup plan's GitView starts one, then waits for git to
list the project's untracked files); it belongs to that owner, so no later run can take an
index read before a change.
"""

from __future__ import annotations

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


class IndexFile(NamedTuple):
    paths: list[str]  # relative to the top of the work tree, in index order (sorted)
    sizes: list[int]
    gitlinks: frozenset[str]  # submodules: tracked as one entry, never junk
    ascii: bool = False  # every path is ASCII, known without looking again


class IndexReading:
    """`read_index(git_dir)`, started on a thread now; `result()` waits for it."""

    def __init__(self, git_dir: Path) -> None:
        import threading

        self._index: IndexFile | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._read, args=(git_dir,), daemon=True)
        self._thread.start()

    def _read(self, git_dir: Path) -> None:
        try:
            self._index = read_index(git_dir)
        except BaseException as error:  # handed to whoever asks for the result
            self._error = error

    def result(self) -> IndexFile | None:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._index


def read_index(git_dir: Path) -> IndexFile | None:
    """The index's entries, or None when it is in a form not read here (see above)."""
    if _uses_sha256(git_dir):
        return None
    try:
        data = (git_dir / "index").read_bytes()
    except FileNotFoundError:
        return IndexFile([], [], frozenset())  # nothing staged yet
    except OSError:
        return None
    if len(data) < _HEADER.size:
        return None
    signature, version, count = _HEADER.unpack_from(data, 0)
    if signature != b"DIRC" or version not in (2, 3, 4):
        return None
    try:
        parsed = _plain_entries(data, count) if version < 4 else None
        parsed_plain = parsed is not None
        parsed = parsed or _entries(data, version, count)
    except (struct.error, IndexError, ValueError):
        return None
    if parsed is None:
        return None
    paths, sizes, gitlinks, end = parsed
    if _has_split_index(data, end):
        return None
    # _plain_entries takes ASCII names only and lists no gitlink.
    return IndexFile(paths, sizes, frozenset(gitlinks), ascii=parsed_plain)


_PLAIN_KINDS = frozenset({0o100000 >> 12, 0o120000 >> 12})  # a file, a symlink
_PLAIN_FLAGS_MAX = _NAME_MASK - 1  # above: assume-valid, extended, a stage, a 4095-byte name


def _plain_entries(data: bytes, count: int) -> tuple[list[str], list[int], list[str], int] | None:
    """The usual index, read in about half the time of `_entries`: version 2 or 3, every
    entry a file or symlink at stage 0 with its name's length in its flags, every name ASCII.
    None for anything else, which `_entries` then reads.

    Names are sliced from one latin-1 decoding of the whole file (the same characters as
    UTF-8 for ASCII, checked at the end) rather than decoded one by one, and one test of
    the flags' value covers the four unusual cases."""
    text = data.decode("latin-1")
    unpack = _MODE_SIZE_FLAGS.unpack_from
    names: list[str] = []
    sizes: list[int] = []
    add_name, add_size = names.append, sizes.append
    offset = _HEADER.size
    for _ in range(count):
        mode, size, flags = unpack(data, offset + _MODE_OFFSET)
        if flags > _PLAIN_FLAGS_MAX or mode >> 12 not in _PLAIN_KINDS:
            return None
        start = offset + _FIXED_LENGTH
        add_name(text[start : start + flags])
        add_size(size)
        # Entries are padded with 1-8 NULs to a multiple of 8 bytes.
        offset += (_FIXED_LENGTH + 8 + flags) & ~7
    if not "".join(names).isascii():
        return None
    return names, sizes, [], offset


def _entries(
    data: bytes, version: int, count: int
) -> tuple[list[str], list[int], list[str], int] | None:
    names: list[bytes] = []
    sizes: list[int] = []
    gitlinks: list[bytes] = []
    offset = _HEADER.size
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
