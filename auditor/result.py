"""The outcome of one run, handed from the engine to the reporters."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from auditor.records import field, record
from auditor.rule import Applicability, Finding, Rule


class FailedRule(NamedTuple):
    """A rule that raised during the run, as the reports show it: its findings may be missing."""

    code: str
    name: str
    path: str | None  # the file it was checking, when known
    message: str  # the error, e.g. "KeyError: 'x'"

    @classmethod
    def from_failure(cls, failure: Any) -> FailedRule:
        """From the engine's RuleFailure (rule, path, error), without importing the engine."""
        error = f"{type(failure.error).__name__}: {failure.error}"
        return cls(failure.rule.code, failure.rule.name, failure.path, error)


@record
class RunResult:
    root: Path  # the audited project's root; finding paths are relative to it
    findings: list[Finding]  # what is left after suppressions and any applied fixes, sorted
    rules: list[type[Rule]]  # the rules that ran, in code order
    files: int  # how many files were audited
    fixed: list[Finding] = field(default_factory=list)  # findings whose fixes were applied
    unsafe_fixes_enabled: bool = False
    failed_rules: int = 0  # rules that raised: the findings may be incomplete
    rule_failures: list[FailedRule] = field(default_factory=list)  # each failure, for reports
    # For the readiness report: codes of the rules that found no file of the kinds they read.
    rules_without_input: frozenset[str] = frozenset()

    @property
    def failed_codes(self) -> frozenset[str]:
        """Codes of the rules that raised."""
        return frozenset(failure.code for failure in self.rule_failures)

    @property
    def fixable(self) -> list[Finding]:
        """Remaining findings whose fix would be applied by --fix (or --unsafe-fixes if on)."""
        allowed = {Applicability.SAFE}
        if self.unsafe_fixes_enabled:
            allowed.add(Applicability.UNSAFE)
        return [f for f in self.findings if f.fix and f.fix.applicability in allowed]

    @property
    def hidden_unsafe_fixes(self) -> list[Finding]:
        """Remaining findings with an unsafe fix that --unsafe-fixes would apply."""
        if self.unsafe_fixes_enabled:
            return []
        return [
            f
            for f in self.findings
            if f.fix is not None and f.fix.applicability is Applicability.UNSAFE
        ]
