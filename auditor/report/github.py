"""The github format: GitHub Actions workflow commands that annotate the pull request.

Each finding becomes one line
`::error file=PATH,line=L,col=C,endLine=EL,endColumn=EC,title=TITLE::MESSAGE`
(`warning` and `notice` likewise), escaped exactly as the Actions toolkit escapes command
data and properties. Nothing else is written, so the whole stream can go to the runner.
"""

from __future__ import annotations

from typing import TextIO

from auditor.result import RunResult
from auditor.rule import Applicability, Finding, Severity

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """The toolkit's escaping of a command's message: `%`, CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """The toolkit's escaping of a property value: also `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation_message(finding: Finding) -> str:
    """The finding's message, then the spec criteria and the fix, one per line."""
    lines = [finding.message]
    if finding.requirements:
        lines.append("Spec: " + ", ".join(finding.requirements))
    if finding.fix is not None:
        how = "--fix" if finding.fix.applicability is Applicability.SAFE else "--unsafe-fixes"
        lines.append(f"Fix ({how}): {finding.fix.message}")
    return "\n".join(lines)


def annotation(finding: Finding) -> str:
    span = finding.span
    properties = [("file", finding.path), ("line", str(span.line))]
    # The toolkit refuses columns on an annotation that spans several lines.
    if span.end_line == span.line:
        properties.append(("col", str(span.column)))
    properties.append(("endLine", str(span.end_line)))
    if span.end_line == span.line:
        properties.append(("endColumn", str(span.end_column)))
    properties.append(("title", f"{finding.code} ({finding.name})"))
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    command = COMMANDS[Severity(finding.severity)]
    return f"::{command} {rendered}::{escape_data(annotation_message(finding))}"


def render(
    result: RunResult, out: TextIO, *, show_fixes: bool = False, statistics: bool = False
) -> None:
    findings = sorted(result.findings, key=lambda finding: finding.sort_key)
    out.write("".join(annotation(finding) + "\n" for finding in findings))
