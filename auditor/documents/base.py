"""Reading a file's bytes into text every document kind shares.

Line ends are "\n" and "\r\n", as BuildKit, moby's ignore-file reader and git's diff see
them: the text a document holds has its BOM removed and each "\r\n" turned into "\n", and a
lone "\r" stays a character of its line (so `# note\rRUN x` is one comment line, as Docker
reads it, never a comment and an instruction). `SourceFile` remembers which lines ended in
"\r\n", the BOM and the encoding, so that the fixer writes back every byte no edit touched
exactly as it was (`apply_edits`), whatever mix of line ends the file has. Bytes that are not
UTF-8 are not guessed at: the document records a parse error at the line of the first bad
byte and rules skip it.

Only regular files are read (a FIFO would block for ever, /dev/zero would never end), and only
up to a size limit: anything else becomes a document whose parse error says why it was not
read, which AU001 reports. `fingerprint` records what was read, so that the fixer can tell a
file changed on disk since (another editor, another run) and leave it alone.

The immutable ParseError and SourceFile are NamedTuples: every run creates these classes at
start-up, and a NamedTuple class is much cheaper to create than a frozen dataclass.
"""

from __future__ import annotations

import codecs
import os
import stat
from bisect import bisect_left
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import ClassVar, NamedTuple

from auditor.records import field, record
from auditor.values import Span

DEFAULT_MAX_FILE_SIZE = 16 * 1024 * 1024  # bytes; the config's `max-file-size`


class ParseError(NamedTuple):
    """Why a file could not be read or parsed, at the place where it breaks."""

    message: str
    line: int = 1
    column: int = 1


class Fingerprint(NamedTuple):
    """What identifies the bytes a file held when it was read."""

    device: int
    inode: int
    size: int
    mtime_ns: int
    # zlib.crc32 of the bytes: catches a same-size rewrite within one clock tick. None for a
    # file that was not read (too large, say): its stat alone identifies it then.
    checksum: int | None

    @classmethod
    def of(cls, info: os.stat_result, data: bytes) -> Fingerprint:
        import zlib

        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, zlib.crc32(data))

    @classmethod
    def of_stat(cls, info: os.stat_result) -> Fingerprint:
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, None)


class SourceFile(NamedTuple):
    path: str  # relative to the project root, POSIX separators
    absolute: Path
    text: str  # decoded, BOM removed, "\r\n" turned into "\n" (a lone "\r" is kept)
    newline: str = "\n"  # the file's dominant line end, for lines a fix adds: "\n" or "\r\n"
    bom: bool = False
    encoding: str = "utf-8"
    error: ParseError | None = None  # set when the bytes could not be decoded or read
    crlf: tuple[int, ...] = ()  # offsets in `text` of the "\n"s that were "\r\n", sorted
    fingerprint: Fingerprint | None = None  # of the file on disk; None for in-memory text

    @classmethod
    def from_bytes(
        cls, path: str, absolute: Path, data: bytes, fingerprint: Fingerprint | None = None
    ) -> SourceFile:
        bom = data.startswith(codecs.BOM_UTF8)
        body = data[len(codecs.BOM_UTF8) :] if bom else data
        if b"\x00" in body:
            line = body[: body.index(b"\x00")].count(b"\n") + 1
            return cls(
                path, absolute, "", bom=bom, error=ParseError("binary file", line),
                fingerprint=fingerprint,
            )  # fmt: skip
        try:
            raw = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = body[: exc.start].count(b"\n") + 1
            column = exc.start - (body.rfind(b"\n", 0, exc.start) + 1) + 1
            message = f"not UTF-8 text (byte 0x{body[exc.start]:02x})"
            error = ParseError(message, line, column)
            return cls(path, absolute, "", bom=bom, error=error, fingerprint=fingerprint)
        text, crlf = split_crlf(raw)
        newline = "\r\n" if len(crlf) * 2 > text.count("\n") else "\n"
        return cls(path, absolute, text, newline, bom, crlf=crlf, fingerprint=fingerprint)

    @classmethod
    def read(cls, path: str, absolute: Path, max_size: int = DEFAULT_MAX_FILE_SIZE) -> SourceFile:
        """Read a regular file of at most `max_size` bytes; anything else is a parse error."""
        try:
            data, info = read_regular_file(absolute, max_size)
        except NotReadable as exc:
            return cls(path, absolute, "", error=ParseError(str(exc)))
        return cls.from_bytes(path, absolute, data, Fingerprint.of(info, data))

    def encode(self, text: str) -> bytes:
        """Turn a whole new text into bytes with this file's BOM and dominant line end.

        For text derived from this file by edits, `apply_edits` keeps each line's own end."""
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        data = text.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data

    def apply_edits(self, edits: Iterable[tuple[int, int, str]]) -> bytes:
        """The file's bytes after replacing text[start:end] by content for each edit.

        Edits are offsets into `text` and must not overlap. Every character outside them is
        written back as it was read, "\r\n" included; the "\n"s of new content take the line
        end of the line the edit is on (the dominant one at the end of the file).
        """
        pieces: list[str] = []
        position = 0
        for start, end, content in sorted(edits, key=lambda edit: (edit[0], edit[1])):
            pieces.append(self._original(position, start))
            pieces.append(content.replace("\n", self._newline_at(start)))
            position = end
        pieces.append(self._original(position, len(self.text)))
        data = "".join(pieces).encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data

    def _original(self, start: int, end: int) -> str:
        """text[start:end] with the line ends it had on disk."""
        if not self.crlf:
            return self.text[start:end]
        first, last = bisect_left(self.crlf, start), bisect_left(self.crlf, end)
        if first == last:
            return self.text[start:end]
        pieces, position = [], start
        for offset in self.crlf[first:last]:
            pieces.append(self.text[position:offset])
            pieces.append("\r\n")
            position = offset + 1
        pieces.append(self.text[position:end])
        return "".join(pieces)

    def _newline_at(self, offset: int) -> str:
        """The line end of the line holding `offset`; of the line before for the last line."""
        found = self.text.find("\n", offset)
        if found < 0:
            found = self.text.rfind("\n", 0, offset)
            if found < 0:
                return self.newline
        if not self.crlf:
            return "\n"
        index = bisect_left(self.crlf, found)
        return "\r\n" if index < len(self.crlf) and self.crlf[index] == found else "\n"


class NotReadable(Exception):
    """A file that is not read: not a regular file, too large, or an OS error."""


_FILE_TYPES = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def read_regular_file(path: Path | str, max_size: int) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file and its stat, or NotReadable saying why not.

    Opened without blocking (opening a FIFO for reading waits for a writer), then checked on
    the open descriptor, so a file swapped after a look cannot slip through; never reads more
    than `max_size` + 1 bytes, so a file that grows while read cannot exhaust memory.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise NotReadable(f"cannot read file: {exc.strerror or type(exc).__name__}") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _FILE_TYPES if test(info.st_mode)), "special")
            raise NotReadable(f"not read: {kind}, not a regular file")
        if info.st_size > max_size:
            raise NotReadable(too_large(info.st_size, max_size))
        chunks, total = [], 0
        while True:
            chunk = os.read(descriptor, min(max(info.st_size - total, 0), max_size) + 65536)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_size:
                raise NotReadable(too_large(total, max_size))
        return b"".join(chunks), info
    except OSError as exc:
        raise NotReadable(f"cannot read file: {exc.strerror or type(exc).__name__}") from None
    finally:
        os.close(descriptor)


def too_large(size: int, max_size: int) -> str:
    return (
        f"not read: {_megabytes(size)} is over the size limit of {_megabytes(max_size)} "
        "(max-file-size in the config)"
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{size} bytes"


def split_crlf(raw: str) -> tuple[str, tuple[int, ...]]:
    """(text with "\r\n" turned into "\n", the offsets of those "\n"s in that text)."""
    if "\r\n" not in raw:
        return raw, ()
    parts = raw.split("\r\n")
    offsets, position = [], -1
    for part in parts[:-1]:
        position += len(part) + 1
        offsets.append(position)
    return "\n".join(parts), tuple(offsets)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n")


@record
class Document:
    """A parsed file. Subclasses add their model; `parse_error` is set when parsing failed.

    Document kinds live in one module each under auditor/documents/ and expose
    `KIND` (a short name such as "dockerfile"), `matches(relative_path) -> bool` and
    `parse(source: SourceFile) -> Document`.
    """

    source: SourceFile
    parse_error: ParseError | None = field(default=None)
    # Docker reads only "\n" and "\r\n" as line ends; Python and YAML also a lone "\r".
    # A kind that does sets this, and its lines (and positions) split there too.
    lone_cr_ends_lines: ClassVar[bool] = False

    def __post_init__(self) -> None:
        if self.parse_error is None and self.source.error is not None:
            self.parse_error = self.source.error

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def text(self) -> str:
        return self.source.text

    @cached_property
    def lines(self) -> list[str]:
        """The lines without their line endings; `lines[0]` is line 1."""
        if self.lone_cr_ends_lines and "\r" in self.text:
            import re

            return re.split("[\r\n]", self.text)  # one character each: offsets stay true
        return self.text.split("\n")

    def line_length(self, line: int) -> int:
        return len(self.lines[line - 1]) if 0 < line <= len(self.lines) else 0

    def statement_range(self, line: int) -> tuple[int, int]:
        """First and last line of the statement that starts at `line`.

        A suppression comment applies to the statement after it; kinds whose statements span
        several lines (a Dockerfile instruction with continuations) override this.
        """
        return line, line

    def line_span(self, first: int, last: int | None = None) -> Span:
        last = first if last is None else last
        return Span.lines(first, last, self.line_length(last))

    @cached_property
    def _line_offsets(self) -> list[int]:
        offsets = [0]
        for line in self.lines[:-1]:
            offsets.append(offsets[-1] + len(line) + 1)
        return offsets

    def offset(self, line: int, column: int) -> int:
        """Character offset into `text` of a 1-based line and column."""
        return self._line_offsets[line - 1] + column - 1

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset into `text`."""
        from bisect import bisect_right

        index = bisect_right(self._line_offsets, offset) - 1
        return index + 1, offset - self._line_offsets[index] + 1
