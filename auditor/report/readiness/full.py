"""The full format of the readiness report: each requirement with a bar, then its criteria.

    R4 Health checks                                  40%  ████░░░░░░
      fail          R4.1  mami-ai's health check calls `/health` every 30 seconds.
                          Dockerfile:9:1 DF002 The final stage has no HEALTHCHECK
      not checked   R4.3  elasticsearch's health check calls `_cluster/health`.
                          no rule checks it yet (pending #11 (CP / OB, ...))

Colour comes from rich, and only on a terminal (as in the check report's full format).
"""

from __future__ import annotations

from typing import TextIO

from rich.text import Text

from auditor.readiness import CriterionStatus, RequirementStatus, Status, percent
from auditor.report.full import make_console
from auditor.report.readiness import ReadinessReport
from auditor.report.readiness.summary import headline
from auditor.report.sanitize import inline

BAR_WIDTH = 10
STYLES = {
    Status.PASS: "green",
    Status.FAIL: "bold red",
    Status.NOT_CHECKED: "yellow",
    Status.RUNTIME_ONLY: "blue",
}
LABEL_WIDTH = max(len(status.label) for status in Status)
INDENT = " " * (2 + LABEL_WIDTH + 2 + 7)


def bar(value: float | None) -> str:
    if value is None:
        return " " * BAR_WIDTH
    filled = int(value * BAR_WIDTH + 1e-9)
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def _requirement_line(item: RequirementStatus) -> Text:
    line = Text()
    title = f"{item.requirement.id} {item.requirement.title}"
    line.append(f"{title:<52}", style="bold")
    line.append(f"{percent(item.readiness):>5}  ")
    line.append(bar(item.readiness), style="green")
    counts = ", ".join(
        f"{item.count(status)} {status.label}" for status in Status if item.count(status)
    )
    line.append(f"  {counts}", style="dim")
    return line


def _criterion_lines(item: CriterionStatus) -> list[Text]:
    first = Text("  ")
    first.append(f"{item.status.label:<{LABEL_WIDTH}}", style=STYLES[item.status])
    first.append(f"  {item.criterion.id:<6} ")
    first.append(inline(item.criterion.text))
    lines = [first]
    if item.status is Status.FAIL:
        for finding in item.findings:
            where = f"{finding.path}:{finding.span.line}:{finding.span.column}"
            lines.append(Text(f"{INDENT}{inline(where)} {finding.code} {inline(finding.message)}"))
    elif item.status is Status.RUNTIME_ONLY:
        lines.append(Text(f"{INDENT}{item.criterion.runtime_only}", style="dim"))
        lines.append(Text(f"{INDENT}Verify: {item.criterion.verify}", style="dim"))
    else:
        lines.append(Text(f"{INDENT}{item.reason}", style="dim"))
    return lines


def render(report: ReadinessReport, out: TextIO) -> None:
    console = make_console(out)
    run = report.run
    files = f"{run.files} file" + ("" if run.files == 1 else "s")
    console.print(
        Text(f"mami-audit readiness: {run.root} ({files}, {len(run.rules)} rules)", style="bold")
    )
    for requirement in report.readiness.requirements:
        console.print()
        console.print(_requirement_line(requirement))
        for criterion in requirement.criteria:
            for line in _criterion_lines(criterion):
                console.print(line)
    console.print()
    console.print(Text(headline(report.readiness), style="bold"))
