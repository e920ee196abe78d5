"""The markdown format of the readiness report: for a pull request comment or a job summary
(`>> $GITHUB_STEP_SUMMARY`). GitHub-flavoured Markdown tables; text from the audited files is
escaped so it cannot break a table or inject HTML.
"""

from __future__ import annotations

from typing import TextIO

from auditor.readiness import CriterionStatus, Status, percent
from auditor.report.readiness import ReadinessReport
from auditor.report.readiness.summary import headline
from auditor.report.sanitize import inline

MAX_FINDINGS_PER_CRITERION = 20  # a job summary is capped at 1 MiB
ICONS = {
    Status.PASS: "✅",
    Status.FAIL: "❌",
    Status.NOT_CHECKED: "⚪",
    Status.RUNTIME_ONLY: "🔵",
}


def cell(text: str) -> str:
    """One table cell: one line, `|` escaped, HTML special characters as entities."""
    text = inline(text)
    for character, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = text.replace(character, entity)
    return text.replace("|", "\\|").replace("\\n", " ")


def _findings_cell(item: CriterionStatus) -> str:
    shown = [
        f"`{cell(f.path)}:{f.span.line}` {f.code} {cell(f.message)}"
        for f in item.findings[:MAX_FINDINGS_PER_CRITERION]
    ]
    hidden = len(item.findings) - len(shown)
    if hidden:
        shown.append(f"and {hidden} more")
    return "<br>".join(shown)


def render(report: ReadinessReport, out: TextIO) -> None:
    readiness = report.readiness
    lines = [
        f"## mami-audit readiness: {percent(readiness.readiness)}",
        "",
        headline(readiness),
        "",
    ]
    lines += [
        "| requirement | readiness | pass | fail | not checked | runtime-only |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for item in readiness.requirements:
        counts = " | ".join(str(item.count(status)) for status in Status)
        title = cell(f"{item.requirement.id} {item.requirement.title}")
        lines.append(f"| {title} | {percent(item.readiness)} | {counts} |")
    lines.append("")
    failing = [item for item in readiness.criteria if item.status is Status.FAIL]
    if failing:
        lines += ["### Failing criteria", "", "| criterion | findings |", "| --- | --- |"]
        for item in failing:
            criterion = f"{ICONS[Status.FAIL]} **{item.criterion.id}** {cell(item.criterion.text)}"
            lines.append(f"| {criterion} | {_findings_cell(item)} |")
        lines.append("")
    for status, title in (
        (Status.NOT_CHECKED, "Not checked"),
        (Status.RUNTIME_ONLY, "Runtime-only: verify these by running the stack"),
        (Status.PASS, "Passing"),
    ):
        items = [item for item in readiness.criteria if item.status is status]
        if not items:
            continue
        lines += [
            f"<details><summary>{title} ({len(items)})</summary>",
            "",
            "| criterion | detail |",
            "| --- | --- |",
        ]
        for item in items:
            detail = item.reason
            lines.append(
                f"| {ICONS[status]} **{item.criterion.id}** {cell(item.criterion.text)} | {cell(detail)} |"
            )
        lines += ["", "</details>", ""]
    out.write("\n".join(lines))
