"""The json format of the readiness report: a public contract (docs/output-formats.md).

Within a major version keys are only ever added, never removed, renamed or retyped. The
html format embeds this same document, so the page and the JSON cannot disagree.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from auditor import __version__
from auditor.readiness import CriterionStatus, RequirementStatus, Status
from auditor.report.json_report import finding_summary_to_json
from auditor.report.readiness import ReadinessReport

STATUSES = tuple(status.value for status in Status)


def _counts(source: Any) -> dict[str, int]:
    return {status.value: source.count(status) for status in Status}


def _criterion(item: CriterionStatus) -> dict[str, Any]:
    criterion = item.criterion
    return {
        "id": criterion.id,
        "text": criterion.text,
        "status": item.status.value,
        "rules": list(item.rules),
        "reason": item.reason,
        "verify": criterion.verify if item.status is Status.RUNTIME_ONLY else None,
        "pending": list(criterion.pending) if not item.rules else [],
        "findings": [finding_summary_to_json(finding) for finding in item.findings],
    }


def _requirement(item: RequirementStatus) -> dict[str, Any]:
    return {
        "id": item.requirement.id,
        "title": item.requirement.title,
        "readiness": _ratio(item.readiness),
        "counts": _counts(item),
        "checkable": item.checkable,
        "criteria": [_criterion(criterion) for criterion in item.criteria],
    }


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def report_to_json(report: ReadinessReport) -> dict[str, Any]:
    readiness, run = report.readiness, report.run
    return {
        "version": __version__,
        "root": str(run.root),
        "readiness": _ratio(readiness.readiness),
        "summary": {
            "criteria": len(readiness.criteria),
            "checkable": readiness.checkable,
            **_counts(readiness),
            "files": run.files,
            "findings": len(run.findings),
            "rules": len(run.rules),
        },
        "requirements": [_requirement(item) for item in readiness.requirements],
    }


def render(report: ReadinessReport, out: TextIO) -> None:
    json.dump(report_to_json(report), out, indent=2, ensure_ascii=False)
    out.write("\n")
