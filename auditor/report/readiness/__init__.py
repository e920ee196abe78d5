"""How a readiness report is shown: one module per format, imported only when used.

The CLI's `report` command calls `render(format_name, report, out)`. Reporters only arrange
what `auditor.readiness.assess` computed; the formats and the JSON contract are documented in
docs/output-formats.md ("The readiness report").
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, NamedTuple, TextIO

if TYPE_CHECKING:
    from auditor.readiness import Readiness
    from auditor.result import RunResult

FORMATS = ("full", "json", "markdown", "junit", "html")

_FORMAT_MODULES = {
    "full": "auditor.report.readiness.full",
    "json": "auditor.report.readiness.json_report",
    "markdown": "auditor.report.readiness.markdown",
    "junit": "auditor.report.readiness.junit",
    "html": "auditor.report.readiness.html",
}


class ReadinessReport(NamedTuple):
    readiness: Readiness
    run: RunResult  # the audit the statuses come from (root, files, findings, rules)


def render(format_name: str, report: ReadinessReport, out: TextIO) -> None:
    module_name = _FORMAT_MODULES.get(format_name)
    if module_name is None:
        choices = ", ".join(FORMATS)
        raise ValueError(f"unknown report format {format_name!r} (choose from {choices})")
    importlib.import_module(module_name).render(report, out)
