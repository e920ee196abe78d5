"""Helpers the PY rules share: the base class, spans and text edits of requirement lines."""

from __future__ import annotations

from auditor.documents.requirements import Requirement, RequirementsFile
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Edit, Rule, Span
from rules.python_deps._model import Entry

_HEAD_RE = LazyPattern(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?")


class DependencyRule(Rule):
    """A rule of the Python dependency family; bare-string examples are requirements.txt."""

    example_path = "requirements.txt"


def editable_line(entry: Entry) -> bool:
    """Can a fix rewrite this requirement's text? (A single line of a requirements file.)"""
    requirement = entry.requirement
    return isinstance(entry.document, RequirementsFile) and requirement.line == requirement.end_line


def with_specifier(requirement: Requirement, specifier: str) -> str:
    """The requirement's text with its version specifier replaced; the name, extras and
    marker as written: `uvicorn[standard]>=0.20 ; python_version>"3"` -> `uvicorn[standard]==0.30.3
    ; python_version>"3"`."""
    text = requirement.text
    head = _HEAD_RE.match(text)
    if head is None:
        return text
    rest = text[head.end() :]
    marker = ""
    if ";" in rest:
        before, _, after = rest.partition(";")
        marker = (" ;" if before.endswith(" ") else ";") + after
    return head.group(0).rstrip() + specifier + marker


def replace_requirement(entry: Entry, new_text: str) -> Edit:
    return Edit.replace(entry.document.path, entry.span(), new_text)


def delete_requirement_line(entry: Entry) -> Edit:
    """Delete the requirement's lines; an inline comment stays behind as a comment line."""
    document = entry.document
    requirement = entry.requirement
    last = requirement.end_line
    physical = document.lines[last - 1]
    comment_at = physical.find(" #")
    if comment_at >= 0 and requirement.line == last:
        comment = physical[comment_at:].strip()
        span = Span(requirement.line, 1, last, len(physical) + 1)
        return Edit.replace(document.path, span, comment)
    if last < len(document.lines):
        return Edit.delete_text(document.path, Span(requirement.line, 1, last + 1, 1))
    if requirement.line > 1:  # the last line, without a line end: take the previous one's
        previous = requirement.line - 1
        start = Span(previous, document.line_length(previous) + 1, last, len(physical) + 1)
        return Edit.delete_text(document.path, start)
    return Edit.delete_text(document.path, Span(1, 1, last, len(physical) + 1))
