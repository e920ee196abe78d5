"""The concise format: one `path:line:col: CODE message` line per finding, then a summary.

Like ruff's concise output, the summary follows on the same stream, so a pipe or
--output-file gets the whole report; summary lines never have the `path:line:col:` shape,
so tools that parse findings (editors, grep) skip them.
"""

from __future__ import annotations

from typing import TextIO

from auditor.report.sanitize import inline
from auditor.report.summary import fixed_lines, rule_counts, statistics_lines, summary_lines
from auditor.result import RunResult
from auditor.rule import Finding


def finding_line(finding: Finding) -> str:
    location = f"{inline(finding.path)}:{finding.span.line}:{finding.span.column}"
    return f"{location}: {finding.code} {inline(finding.message)}"


def render(
    result: RunResult, out: TextIO, *, show_fixes: bool = False, statistics: bool = False
) -> None:
    if statistics:
        lines = statistics_lines(rule_counts(result))
    else:
        findings = sorted(result.findings, key=lambda finding: finding.sort_key)
        lines = [finding_line(finding) for finding in findings]
    if show_fixes:
        lines.extend(fixed_lines(result))
    lines.extend(summary_lines(result, mention_fixed=not show_fixes))
    out.write("".join(line + "\n" for line in lines))
