"""Real readiness reports for the tests: audit a folder with the real engine, then assess it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import rules
from auditor.config import Config, config_for
from auditor.engine import audit, select_rules
from auditor.project import Project
from auditor.readiness import assess
from auditor.report.readiness import ReadinessReport
from auditor.result import FailedRule, RunResult
from auditor.rule import registry


def readiness_report(root: Path, select: Sequence[str] | None = None) -> ReadinessReport:
    rules.load_all()
    config: Config = config_for(root, None)
    if select is not None:
        config = config.with_overrides(select=list(select))
    selected = select_rules(config)
    project = Project(root, config)
    result = audit(project, config, selected)
    run = RunResult(
        root=root.resolve(),
        findings=result.findings,
        rules=selected,
        files=len(project.files()),
        failed_rules=len({failure.rule for failure in result.failures}),
        rule_failures=[FailedRule.from_failure(failure) for failure in result.failures],
        rules_without_input=frozenset(result.without_input),
    )
    return ReadinessReport(assess(run, list(registry)), run)
