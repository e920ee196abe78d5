"""Reading a file's bytes into text every document kind shares.

The text a document holds has its BOM removed and its line endings normalised to "\\n";
`SourceFile` remembers both, plus the encoding, so the fixer can write the file back the
way it was. Bytes that are not UTF-8 are not guessed at: the document records a parse error
at the line of the first bad byte and rules skip it.

The immutable ParseError and SourceFile are NamedTuples: every run creates these classes at
start-up, and a NamedTuple class is much cheaper to create than a frozen dataclass.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from auditor.values import Span


class ParseError(NamedTuple):
    """Why a file could not be read or parsed, at the place where it breaks."""

    message: str
    line: int = 1
    column: int = 1


class SourceFile(NamedTuple):
    path: str  # relative to the project root, POSIX separators
    absolute: Path
    text: str  # decoded, BOM removed, line endings "\n"
    newline: str = "\n"  # the file's dominant line ending: "\n", "\r\n" or "\r"
    bom: bool = False
    encoding: str = "utf-8"
    error: ParseError | None = None  # set when the bytes could not be decoded or read

    @classmethod
    def from_bytes(cls, path: str, absolute: Path, data: bytes) -> SourceFile:
        bom = data.startswith(codecs.BOM_UTF8)
        body = data[len(codecs.BOM_UTF8) :] if bom else data
        if b"\x00" in body:
            line = body[: body.index(b"\x00")].count(b"\n") + 1
            return cls(path, absolute, "", bom=bom, error=ParseError("binary file", line))
        try:
            raw = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = body[: exc.start].count(b"\n") + 1
            column = exc.start - (body.rfind(b"\n", 0, exc.start) + 1) + 1
            message = f"not UTF-8 text (byte 0x{body[exc.start]:02x})"
            return cls(path, absolute, "", bom=bom, error=ParseError(message, line, column))
        return cls(path, absolute, normalise_newlines(raw), dominant_newline(raw), bom)

    @classmethod
    def read(cls, path: str, absolute: Path) -> SourceFile:
        try:
            data = absolute.read_bytes()
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            return cls(path, absolute, "", error=ParseError(f"cannot read file: {reason}"))
        return cls.from_bytes(path, absolute, data)

    def encode(self, text: str) -> bytes:
        """Turn normalised text back into bytes with this file's BOM and line endings."""
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        data = text.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def dominant_newline(text: str) -> str:
    crlf = text.count("\r\n")
    lone_cr = text.count("\r") - crlf
    lone_lf = text.count("\n") - crlf
    best = max((lone_lf, "\n"), (crlf, "\r\n"), (lone_cr, "\r"), key=lambda pair: pair[0])
    return best[1] if best[0] else "\n"


@dataclass
class Document:
    """A parsed file. Subclasses add their model; `parse_error` is set when parsing failed.

    Document kinds live in one module each under auditor/documents/ and expose
    `KIND` (a short name such as "dockerfile"), `matches(relative_path) -> bool` and
    `parse(source: SourceFile) -> Document`.
    """

    source: SourceFile
    parse_error: ParseError | None = field(default=None)

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
