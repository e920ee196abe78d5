"""Fix edits computed on first use, so that finding a problem never imports the fixer's tools.

A `LazyEdits` stands in for a Fix's tuple of edits. The first time the fixer (or a JSON
report) iterates it, it imports the named transformation module (a libcst codemod), runs its
`transform(text, *arguments) -> str | None` on the document's text, and turns the difference
into minimal line edits: comments and lines the codemod did not touch are not rewritten, and
a fix in another part of the file can still apply in the same pass. A transformation that
fails, or changes nothing, gives no edits.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

from auditor.rule import Edit, Span

if TYPE_CHECKING:
    from auditor.documents.base import Document


class LazyEdits(Sequence[Edit]):
    def __init__(self, document: Document, module: str, *arguments: Any) -> None:
        self._document = document
        self._module = module
        self._arguments = arguments
        self._edits: tuple[Edit, ...] | None = None

    def _compute(self) -> tuple[Edit, ...]:
        if self._edits is None:
            transform = importlib.import_module(self._module).transform
            try:
                new_text = transform(self._document.text, *self._arguments)
            except Exception:  # a codemod that cannot handle this file offers no edit
                new_text = None
            self._edits = () if new_text is None else line_edits(self._document, new_text)
        return self._edits

    def __iter__(self) -> Iterator[Edit]:
        return iter(self._compute())

    def __len__(self) -> int:
        return len(self._compute())

    @overload
    def __getitem__(self, index: int) -> Edit: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Edit]: ...

    def __getitem__(self, index: int | slice) -> Edit | Sequence[Edit]:
        return self._compute()[index]

    def __repr__(self) -> str:
        return f"LazyEdits({self._document.path!r}, {self._module!r})"


def line_edits(document: Document, new_text: str) -> tuple[Edit, ...]:
    """Replacements of whole line ranges turning the document's text into `new_text`."""
    old_lines = document.text.splitlines(keepends=True)
    new_lines = new_text.splitlines(keepends=True)
    starts = [0]
    for line in old_lines:
        starts.append(starts[-1] + len(line))
    edits = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, first, last, new_first, new_last in matcher.get_opcodes():
        if tag == "equal":
            continue
        start = document.position(starts[first])
        end = document.position(starts[last])
        span = Span(start[0], start[1], end[0], end[1])
        edits.append(Edit.replace(document.path, span, "".join(new_lines[new_first:new_last])))
    return tuple(edits)
