"""The one kind of edit IG fixes make: missing lines appended under a comment."""

from __future__ import annotations

from auditor.documents.base import Document
from auditor.rule import Edit

COMMENT = "# Added by mami-audit (R21.6): keep these out"


def appended_block(text: str, lines: list[str]) -> str:
    """The text to add at the end of a file holding `text` so that it ends with `lines`."""
    opening = "" if not text or text.endswith("\n") else "\n"
    gap = "\n" if text.strip() else ""
    return opening + gap + COMMENT + "\n" + "\n".join(lines) + "\n"


def append_lines(document: Document, lines: list[str]) -> Edit:
    last = len(document.lines)
    block = appended_block(document.text, lines)
    return Edit.insert(document.path, last, len(document.lines[-1]) + 1, block)


def new_file(lines: list[str]) -> str:
    return COMMENT + "\n" + "\n".join(lines) + "\n"
