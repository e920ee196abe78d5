"""How a run's results are shown: one module per output format.

The CLI calls `render(format_name, result, out, ...)`. Only the chosen format's module is
imported, so a run that asks for `concise` or `json` never pays for importing rich.
Reporters never compute findings; they only arrange what the engine put in the RunResult.
The formats and their contracts are documented in docs/output-formats.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from auditor.result import RunResult

FORMATS = ("full", "concise", "json", "sarif", "github")

# Format name -> module that defines `render(result, out, *, show_fixes, statistics)`.
_FORMAT_MODULES = {
    "full": "auditor.report.full",
    "concise": "auditor.report.concise",
    "json": "auditor.report.json_report",
    "sarif": "auditor.report.sarif",
    "github": "auditor.report.github",
}


def render(
    format_name: str,
    result: RunResult,
    out: TextIO,
    *,
    show_fixes: bool = False,
    statistics: bool = False,
) -> None:
    """Write `result` to `out` in the named format.

    `show_fixes` lists the findings whose fixes were applied (full and concise);
    `statistics` replaces the list of findings by counts per rule (full and concise) or
    adds a `statistics` array (json). sarif and github ignore both: their consumers expect
    one result or annotation per finding and nothing else.
    """
    module_name = _FORMAT_MODULES.get(format_name)
    if module_name is None:
        choices = ", ".join(FORMATS)
        raise ValueError(f"unknown output format {format_name!r} (choose from {choices})")
    module = importlib.import_module(module_name)
    module.render(result, out, show_fixes=show_fixes, statistics=statistics)
