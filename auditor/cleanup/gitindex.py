"""The tracked files and their sizes, read straight from .git/index.

Git keeps each tracked file's stat data, size included, in its index. Reading the file gives
the cleanup plan the paths and sizes of a committed 100k-file node_modules without running
`git ls-files` and without one lstat per file (which is what made the plan slow).

Only the plain formats are read: index versions 2, 3 and 4, SHA-1 object names, no split
index (`link` extension) and no sparse-index folder entries. For anything else `read_index`
returns None and the caller asks git (`git ls-files`) and stats the files instead. A size in
the index is what the file had when git last looked at it, and is stored modulo 2**32.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import NamedTuple

_HEADER = struct.Struct(">4sII")
_FIXED = struct.Struct(">10I20sH")  # ctime, mtime (s, ns), dev, ino, mode, uid, gid, size
_FIXED_LENGTH = _FIXED.size  # 62
_EXTENDED = 0x4000
_NAME_MASK = 0x0FFF
_GITLINK = 0o160000
_SPARSE_DIRECTORY = 0o040000


class IndexFile(NamedTuple):
    paths: list[str]  # relative to the top of the work tree, in index order (sorted)
    sizes: list[int]
    gitlinks: frozenset[str]  # submodules: tracked as one entry, never junk


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
        parsed = _entries(data, version, count)
    except (struct.error, IndexError, ValueError):
        return None
    if parsed is None:
        return None
    paths, sizes, gitlinks, end = parsed
    if _has_split_index(data, end):
        return None
    return IndexFile(paths, sizes, frozenset(gitlinks))


def _entries(
    data: bytes, version: int, count: int
) -> tuple[list[str], list[int], list[str], int] | None:
    paths: list[str] = []
    sizes: list[int] = []
    gitlinks: list[str] = []
    offset = _HEADER.size
    previous = b""
    unpack = _FIXED.unpack_from  # the loop runs once per tracked file: keep it lean
    find = data.index
    for _ in range(count):
        start = offset
        fields = unpack(data, offset)
        mode, size, flags = fields[6], fields[9], fields[11]
        offset += _FIXED_LENGTH
        if flags & _EXTENDED:
            if version < 3:
                return None
            offset += 2
        if mode & 0o170000 == _SPARSE_DIRECTORY:
            return None
        if version == 4:
            strip, offset = _varint(data, offset)
            end = find(b"\0", offset)
            name = previous[: len(previous) - strip] + data[offset:end]
            offset = end + 1
            previous = name
        else:
            length = flags & _NAME_MASK
            # The flags hold the name's length unless it is 0xFFF or longer.
            end = offset + length if length < _NAME_MASK else find(b"\0", offset)
            name = data[offset:end]
            # Entries are padded with 1-8 NULs to a multiple of 8 bytes.
            offset = start + ((end - start + 8) & ~7)
        path = name.decode("utf-8", "surrogateescape")  # what os.fsdecode does on POSIX
        if mode & 0o170000 == _GITLINK:
            gitlinks.append(path)
        if (flags >> 12) & 0x3:  # a conflict stage: only happens mid-merge; list it once
            if paths and paths[-1] == path:
                continue
        paths.append(path)
        sizes.append(size)
    return paths, sizes, gitlinks, offset


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
