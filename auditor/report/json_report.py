"""The json format: the machine-readable contract of `mami-audit check --output-format json`.

The shape is a public contract (docs/output-formats.md): within a major version keys are
only ever added, never removed, renamed or retyped. `--statistics` adds a `statistics`
array next to the findings; every other key is always present.
"""

from __future__ import annotations

import json
import os
from typing import Any, TextIO

from auditor import __version__
from auditor.report.summary import rule_counts
from auditor.result import FailedRule, RunResult
from auditor.rule import Finding, Severity


def finding_summary_to_json(finding: Finding) -> dict[str, Any]:
    """What a finding is and where: the part the readiness report's JSON shares."""
    span = finding.span
    return {
        "code": finding.code,
        "name": finding.name,
        "message": finding.message,
        "severity": Severity(finding.severity).value,
        "path": finding.path,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }


def finding_to_json(finding: Finding) -> dict[str, Any]:
    fix = None
    if finding.fix is not None:
        fix = {
            "applicability": finding.fix.applicability.value,
            "message": finding.fix.message,
            "edits": [edit.to_json() for edit in finding.fix.edits],
        }
    return {
        **finding_summary_to_json(finding),
        "requirements": list(finding.requirements),
        "fix": fix,
    }


def failure_to_json(failure: FailedRule) -> dict[str, Any]:
    return {
        "code": failure.code,
        "name": failure.name,
        "path": failure.path,
        "message": failure.message,
    }


def result_to_json(result: RunResult, *, statistics: bool = False) -> dict[str, Any]:
    findings = sorted(result.findings, key=lambda finding: finding.sort_key)
    document: dict[str, Any] = {
        "version": __version__,
        "root": os.fspath(result.root.absolute()),
        "findings": [finding_to_json(finding) for finding in findings],
        "summary": {
            "files": result.files,
            "findings": len(result.findings),
            "fixable": len(result.fixable),
            "fixed": len(result.fixed),
        },
        "failed_rules": [failure_to_json(failure) for failure in result.rule_failures],
    }
    if statistics:
        document["statistics"] = [
            {"code": row.code, "name": row.name, "count": row.count, "fixable": row.fixable}
            for row in rule_counts(result)
        ]
    return document


def render(
    result: RunResult, out: TextIO, *, show_fixes: bool = False, statistics: bool = False
) -> None:
    json.dump(result_to_json(result, statistics=statistics), out, indent=2, ensure_ascii=False)
    out.write("\n")
