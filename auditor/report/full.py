"""The full format: findings grouped by file, with the offending lines and a marker.

    Dockerfile  (1 finding)

    error DF001 [*] root-user: The final stage runs as root
      --> Dockerfile:12:1
       |
    12 | CMD ["python", "app.py"]
       | ^^^^^^^^^^^^^^^^^^^^^^^^
       |
       = spec: R1.5, R14.4
       = help: Switch to `USER mami` before CMD

    1 finding in 1 file, 1 fixable with --fix.

Colour comes from rich, which leaves it out when NO_COLOR is set; rich is not even imported
when the output is not a terminal (a pipe, --output-file): see styled.py. Source lines are
read from disk for display only; a file that cannot be read or decoded is shown without its
lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from auditor.documents.base import SourceFile
from auditor.report.sanitize import escape_character, inline, is_unsafe
from auditor.report.styled import Text, cell_len, make_console
from auditor.report.summary import (
    fixable_ids,
    fixed_lines,
    plural,
    rule_counts,
    statistics_lines,
    summary_lines,
)
from auditor.result import RunResult
from auditor.rule import Applicability, Finding, Severity

TAB_WIDTH = 4
MAX_SPAN_LINES = 6  # longer spans show their first and last lines around an ellipsis
SEVERITY_STYLES = {
    Severity.ERROR: "bold red",
    Severity.WARNING: "bold yellow",
    Severity.INFO: "bold blue",
}
GUTTER_STYLE = "bold blue"


class SourceLines:
    """The lines of the files findings point at, read once each."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, list[str] | None] = {}

    def get(self, path: str) -> list[str] | None:
        if path not in self._cache:
            source = SourceFile.read(path, self.root / path)
            self._cache[path] = (
                None if source.error is not None else hide_passwords(source.text).split("\n")
            )
        return self._cache[path]


def hide_passwords(text: str) -> str:
    """`https://user:secret@host` -> `https://user:******@host`, same length so the carets
    under a line stay aligned: a report must not print a password a file holds."""
    if "@" not in text:
        return text
    import re

    return re.sub(
        r"(://[^/@:\s]*:)([^/@\s]+)(@)",
        lambda match: match.group(1) + "*" * len(match.group(2)) + match.group(3),
        text,
    )


def display_line(line: str) -> tuple[str, list[int]]:
    """The line as printed (tabs expanded, control characters escaped) and, for each
    character index 0..len(line), the terminal cell where that character starts."""
    pieces: list[str] = []
    cells = [0]
    for character in line:
        if character == "\t":
            piece = " " * (TAB_WIDTH - cells[-1] % TAB_WIDTH)
        elif is_unsafe(character):
            piece = escape_character(character)
        else:
            piece = character
        pieces.append(piece)
        cells.append(cells[-1] + cell_len(piece))
    return "".join(pieces), cells


def shown_line_numbers(first: int, last: int) -> list[int | None]:
    """Line numbers to show for a span; None stands for the elided middle."""
    if last - first + 1 <= MAX_SPAN_LINES:
        return list(range(first, last + 1))
    head = MAX_SPAN_LINES // 2
    tail = MAX_SPAN_LINES - head - 1
    return [*range(first, first + head), None, *range(last - tail + 1, last + 1)]


def snippet(finding: Finding, lines: list[str], width: int) -> Iterator[Text]:
    """The offending lines under a gutter of `width`, with carets under a one-line span."""
    span = finding.span
    last = min(max(span.end_line, span.line), len(lines))
    bar = (" " * width + " |", GUTTER_STYLE)
    marker_style = SEVERITY_STYLES[Severity(finding.severity)].replace("bold ", "")
    yield Text.assemble(bar)
    if span.line == last:
        text, cells = display_line(lines[span.line - 1])
        start = min(max(span.column - 1, 0), len(lines[span.line - 1]))
        end = min(max(span.end_column - 1, start), len(lines[span.line - 1]))
        if span.end_line > span.line:  # the span runs past the end of the file
            end = len(lines[span.line - 1])
        carets = "^" * max(cells[end] - cells[start], 1)
        yield Text.assemble((f"{span.line:>{width}} | ", GUTTER_STYLE), text)
        yield Text.assemble(bar, " " + " " * cells[start], (carets, marker_style))
    else:
        for number in shown_line_numbers(span.line, last):
            if number is None:
                yield Text.assemble((f"{'...':>{width}} ", GUTTER_STYLE), (">", marker_style))
                continue
            text, _ = display_line(lines[number - 1])
            # ">" in the gutter marks each line of a multi-line span.
            yield Text.assemble(
                (f"{number:>{width}} ", GUTTER_STYLE), (">", marker_style), " " + text
            )
    yield Text.assemble(bar)


def fix_hint(finding: Finding, fixable: bool) -> str | None:
    if finding.fix is None:
        return None
    message = inline(finding.fix.message)
    if finding.fix.applicability is Applicability.UNSAFE and not fixable:
        return f"help: {message} (unsafe fix: apply with --fix --unsafe-fixes)"
    return f"help: {message}"


def finding_block(finding: Finding, lines: list[str] | None, fixable: bool) -> Iterator[Text]:
    span = finding.span
    severity = Severity(finding.severity)
    header = Text.assemble(
        (severity.value, SEVERITY_STYLES[severity]),
        " ",
        (finding.code, "bold"),
        " ",
    )
    if fixable:
        header.append("[*] ", style="bold cyan")
    header.append(finding.name, style="bold")
    header.append(": " + inline(finding.message))
    yield header

    show_source = lines is not None and 1 <= span.line <= len(lines)
    last_shown = min(max(span.end_line, span.line), len(lines)) if show_source else span.line
    width = max(len(str(last_shown)), 2)
    if last_shown - span.line + 1 > MAX_SPAN_LINES:
        width = max(width, 3)  # room for the "..." that stands for elided lines
    location = f"{inline(finding.path)}:{span.line}:{span.column}"
    yield Text.assemble((" " * (width - 1) + "--> ", GUTTER_STYLE), location)
    if show_source:
        yield from snippet(finding, lines, width)
    notes = []
    if finding.requirements:
        notes.append("spec: " + ", ".join(finding.requirements))
    hint = fix_hint(finding, fixable)
    if hint is not None:
        notes.append(hint)
    for note in notes:
        note_style = "cyan" if note.startswith("help") else ""
        yield Text.assemble((" " * width + " = ", GUTTER_STYLE), (note, note_style))


def render(
    result: RunResult, out: TextIO, *, show_fixes: bool = False, statistics: bool = False
) -> None:
    console = make_console(out)
    if statistics:
        for line in statistics_lines(rule_counts(result)):
            console.print(Text(line))
        if result.findings:
            console.print()
    else:
        sources = SourceLines(result.root)
        fixable = fixable_ids(result)
        by_file: dict[str, list[Finding]] = {}
        for finding in sorted(result.findings, key=lambda finding: finding.sort_key):
            by_file.setdefault(finding.path, []).append(finding)
        for path, findings in by_file.items():
            console.print(
                Text.assemble(
                    (inline(path), "bold underline"),
                    (f"  ({plural(len(findings), 'finding')})", "dim"),
                )
            )
            console.print()
            lines = sources.get(path)
            for finding in findings:
                for text in finding_block(finding, lines, id(finding) in fixable):
                    console.print(text)
                console.print()
    if show_fixes and result.fixed:
        for line in fixed_lines(result):
            console.print(Text(line))
        console.print()
    for line in summary_lines(result, mention_fixed=not show_fixes):
        style = "bold green" if line == "All checks passed." else "bold"
        console.print(Text(line, style=style))
