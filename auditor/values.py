"""The value types every layer shares: severities, positions, edits, fixes, findings.

They depend on nothing else in mami-audit, so the layers import one way: config, documents,
the engine, the fixer and the reporters import these, and `auditor.rule` (which re-exports
them for rule modules) builds on them without `config` ever importing `rule`.

The immutable values are NamedTuples rather than frozen dataclasses: every run creates these
classes at start-up, and a NamedTuple class costs a small fraction of a dataclass's (which
compiles each generated method). Copy one with a change through `_replace` (the NamedTuple
API, despite the underscore).

Positions everywhere are 1-based. `end_column` is exclusive (it points one past the last
character), the way SARIF counts. Columns count characters of the decoded text, whose line
endings are normalised to "\\n" and whose BOM is removed (see documents.base.SourceFile).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Applicability(str, enum.Enum):
    SAFE = "safe"  # keeps behaviour the user relies on and loses no comment
    UNSAFE = "unsafe"  # applied only with --unsafe-fixes


class Span(NamedTuple):  # ordered by line, column, end_line, end_column
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int = 1) -> Span:
        return cls(line, column, line, column)

    @classmethod
    def lines(cls, first: int, last: int, last_line_length: int) -> Span:
        """Whole lines `first`..`last`; the last line is `last_line_length` characters long."""
        return cls(first, 1, last, last_line_length + 1)


class EditKind(str, enum.Enum):
    REPLACE = "replace"  # replace the text in `span` by `content` (an insertion when empty)
    CREATE = "create"  # create the file `path` with `content`; it must not exist
    DELETE = "delete"  # delete the file `path`


class Edit(NamedTuple):
    path: str  # relative to the project root, POSIX separators
    kind: EditKind
    span: Span | None = None
    content: str = ""

    @classmethod
    def replace(cls, path: str, span: Span, content: str) -> Edit:
        return cls(path, EditKind.REPLACE, span, content)

    @classmethod
    def insert(cls, path: str, line: int, column: int, content: str) -> Edit:
        return cls(path, EditKind.REPLACE, Span.point(line, column), content)

    @classmethod
    def delete_text(cls, path: str, span: Span) -> Edit:
        return cls(path, EditKind.REPLACE, span, "")

    @classmethod
    def create_file(cls, path: str, content: str) -> Edit:
        return cls(path, EditKind.CREATE, None, content)

    @classmethod
    def delete_file(cls, path: str) -> Edit:
        return cls(path, EditKind.DELETE)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "kind": self.kind.value}
        if self.span is not None:
            data.update(
                line=self.span.line,
                column=self.span.column,
                end_line=self.span.end_line,
                end_column=self.span.end_column,
            )
        if self.kind is not EditKind.DELETE:
            data["content"] = self.content
        return data


class Fix(NamedTuple):
    applicability: Applicability
    message: str  # imperative, shown to the user: "Add `USER mami` before CMD"
    edits: tuple[Edit, ...]

    @classmethod
    def safe(cls, message: str, *edits: Edit) -> Fix:
        return cls(Applicability.SAFE, message, tuple(edits))

    @classmethod
    def unsafe(cls, message: str, *edits: Edit) -> Fix:
        return cls(Applicability.UNSAFE, message, tuple(edits))


class Finding(NamedTuple):
    code: str
    name: str
    message: str
    path: str  # relative to the project root, POSIX separators
    span: Span
    severity: Severity
    requirements: tuple[str, ...] = ()
    fix: Fix | None = None
    peers: tuple[str, ...] = ()

    @property
    def sort_key(self) -> tuple[str, Span, str]:
        return (self.path, self.span, self.code)


class Example(NamedTuple):
    """A snippet shown in a rule's docs and run by the generic example test.

    `files` maps relative paths to their text; a bare string is the rule's `example_path`.
    A bad example must yield at least one finding of its rule (exactly `count` when given);
    with `fixed`, applying the rule's fixes (unsafe ones too when `unsafe`) must turn each
    listed file into the given text. A good example must yield no finding of its rule.
    """

    files: Mapping[str, str]
    bad: bool
    fixed: Mapping[str, str] | None = None
    count: int | None = None
    unsafe: bool = False
    config: Mapping[str, Any] = MappingProxyType({})  # [tool.mami-audit] keys
