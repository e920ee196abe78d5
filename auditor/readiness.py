"""Readiness: every spec criterion traced to the rules that enforce it, and its status in a run.

The spec's criteria, and for those no rule can enforce their reason, live in one data file,
`spec_criteria.toml` beside this module. A criterion's status source is exactly one of:
the registered rules that cite it (`Rule.requirements`), `runtime-only` (with how a team
verifies it), or `pending` (the issue whose family will enforce it). `coverage()` computes
that from the data file and the registry; tests hold the two to each other.

`assess()` turns a finished run into a status per criterion:

- `fail`: an enforcing rule found something (its findings are attached);
- `not-checked`: no rule enforces it yet, its rules were not selected, raised, or found no
  file of the kind they read (or the project has no file at all);
- `pass`: every enforcing rule ran on at least one file between them and found nothing;
- `runtime-only`: nothing in the files can show it; the how-to says what to run instead.

The readiness of a requirement is its passing criteria over its statically checkable ones
(pass, fail and not checked; runtime-only criteria are left out), and the same over all
criteria for the whole project. A requirement with only runtime-only criteria has none.

`python -m auditor.readiness --write-docs` regenerates docs/spec-coverage.md; `--check-docs`
exits 1 when it is stale; `--prune-pending` (for whoever merges a rule family) drops `pending`
from the criteria the registered rules now enforce, then writes the docs.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from auditor.result import RunResult
    from auditor.rule import Finding, Rule

DATA_FILE = Path(__file__).with_name("spec_criteria.toml")
DOCS_FILE = Path(__file__).resolve().parents[1] / "docs" / "spec-coverage.md"


class Criterion(NamedTuple):
    id: str  # "R4.2"
    requirement: str  # "R4"
    text: str
    runtime_only: str = ""  # why no file can show it
    verify: str = ""  # how a team checks it instead
    pending: tuple[str, ...] = ()  # issues whose families will enforce it, e.g. ("#11",)


class Requirement(NamedTuple):
    id: str  # "R4"
    title: str
    criteria: tuple[Criterion, ...]


class Spec(NamedTuple):
    requirements: tuple[Requirement, ...]
    issues: dict[str, str]  # "#11" -> what that issue's family covers

    @property
    def criteria(self) -> dict[str, Criterion]:
        return {c.id: c for requirement in self.requirements for c in requirement.criteria}


@cache
def load_spec(path: Path = DATA_FILE) -> Spec:
    import tomllib

    with open(path, "rb") as stream:
        data = tomllib.load(stream)
    requirements = []
    for entry in data["requirements"]:
        criteria = tuple(
            Criterion(
                id=item["id"],
                requirement=entry["id"],
                text=item["text"],
                runtime_only=item.get("runtime-only", ""),
                verify=item.get("verify", ""),
                pending=tuple(item.get("pending", ())),
            )
            for item in entry["criteria"]
        )
        requirements.append(Requirement(entry["id"], entry["title"], criteria))
    return Spec(tuple(requirements), dict(data.get("issues", {})))


def enforcing_rules(rules: Iterable[type[Rule]]) -> dict[str, list[type[Rule]]]:
    """Criterion id -> the rules citing it, in code order."""
    found: dict[str, list[type[Rule]]] = {}
    for rule in sorted(rules, key=lambda rule: rule.code):
        for criterion in rule.requirements:
            found.setdefault(criterion, []).append(rule)
    return found


class Status(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    NOT_CHECKED = "not-checked"
    RUNTIME_ONLY = "runtime-only"

    @property
    def label(self) -> str:
        return "not checked" if self is Status.NOT_CHECKED else self.value


class CriterionStatus(NamedTuple):
    criterion: Criterion
    status: Status
    rules: tuple[str, ...]  # codes of the rules enforcing it (all registered ones)
    findings: tuple[Finding, ...]  # for fail: what the enforcing rules found
    reason: str  # one line: why not checked, how to verify, which rules passed


class RequirementStatus(NamedTuple):
    requirement: Requirement
    criteria: tuple[CriterionStatus, ...]

    def count(self, status: Status) -> int:
        return sum(1 for item in self.criteria if item.status is status)

    @property
    def checkable(self) -> int:
        return len(self.criteria) - self.count(Status.RUNTIME_ONLY)

    @property
    def readiness(self) -> float | None:
        """Passing criteria over checkable ones, 0..1; None when none is checkable."""
        return self.count(Status.PASS) / self.checkable if self.checkable else None


class Readiness(NamedTuple):
    requirements: tuple[RequirementStatus, ...]

    @property
    def criteria(self) -> list[CriterionStatus]:
        return [item for requirement in self.requirements for item in requirement.criteria]

    def count(self, status: Status) -> int:
        return sum(requirement.count(status) for requirement in self.requirements)

    @property
    def checkable(self) -> int:
        return sum(requirement.checkable for requirement in self.requirements)

    @property
    def readiness(self) -> float | None:
        return self.count(Status.PASS) / self.checkable if self.checkable else None

    @property
    def nothing_checked(self) -> bool:
        return self.count(Status.PASS) == 0 and self.count(Status.FAIL) == 0


def percent(value: float | None) -> str:
    """0.8571 -> "86%"; None -> "n/a". Floors, so 99.6% is not shown as a finished 100%."""
    if value is None:
        return "n/a"
    return f"{int(value * 100 + 1e-9)}%"


def assess(run: RunResult, registered: Sequence[type[Rule]], spec: Spec | None = None) -> Readiness:
    """The status of every criterion after `run`, which ran `run.rules` of `registered`."""
    spec = spec or load_spec()
    by_criterion = enforcing_rules(registered)
    selected = {rule.code for rule in run.rules}
    findings_by_code: dict[str, list[Finding]] = {}
    for finding in run.findings:
        findings_by_code.setdefault(finding.code, []).append(finding)
    results = []
    for requirement in spec.requirements:
        statuses = tuple(
            _criterion_status(
                criterion, by_criterion.get(criterion.id, []), selected, findings_by_code, run, spec
            )
            for criterion in requirement.criteria
        )
        results.append(RequirementStatus(requirement, statuses))
    return Readiness(tuple(results))


def _criterion_status(
    criterion: Criterion,
    rules: list[type[Rule]],
    selected: set[str],
    findings_by_code: dict[str, list[Finding]],
    run: RunResult,
    spec: Spec,
) -> CriterionStatus:
    codes = tuple(rule.code for rule in rules)

    def status(value: Status, reason: str, findings: Sequence[Finding] = ()) -> CriterionStatus:
        return CriterionStatus(criterion, value, codes, tuple(findings), reason)

    if not rules:
        if criterion.runtime_only:
            return status(
                Status.RUNTIME_ONLY, f"{criterion.runtime_only} Verify: {criterion.verify}"
            )
        issues = ", ".join(
            f"{issue} ({spec.issues.get(issue, 'open')})" for issue in criterion.pending
        )
        return status(
            Status.NOT_CHECKED,
            f"no rule checks it yet (pending {issues})" if issues else "no rule checks it",
        )
    found = sorted(
        (f for code in codes for f in findings_by_code.get(code, ())), key=lambda f: f.sort_key
    )
    if found:
        return status(
            Status.FAIL,
            f"{len(found)} finding{'s' if len(found) != 1 else ''} of {', '.join(sorted({f.code for f in found}))}",
            found,
        )
    # A rule that needs the network runs only with --online: without it, the criterion is as
    # checked as its offline rules make it, and stays not-checked only when it has none.
    offline_ran = any(not rule.online and rule.code in selected for rule in rules)
    deselected = [
        rule.code
        for rule in rules
        if rule.code not in selected and not (rule.online and offline_ran)
    ]
    if deselected:
        return status(Status.NOT_CHECKED, f"rules not selected: {', '.join(deselected)}")
    failed = [code for code in codes if code in run.failed_codes]
    if failed:
        return status(Status.NOT_CHECKED, f"rules failed to run: {', '.join(failed)}")
    if run.files == 0:
        # Rules that work from the file list (junk files) find nothing in an empty project
        # without having checked anything.
        return status(Status.NOT_CHECKED, "the project has no file to check")
    ran = [code for code in codes if code in selected]  # online rules may not have run
    if all(code in run.rules_without_input for code in ran):
        return status(Status.NOT_CHECKED, f"no file for {', '.join(ran)} to read")
    return status(Status.PASS, f"checked by {', '.join(ran)}: nothing found")


# -- traceability --------------------------------------------------------------------------


class CoverageProblem(NamedTuple):
    criterion: str
    message: str


def coverage_problems(
    registered: Iterable[type[Rule]], spec: Spec | None = None
) -> list[CoverageProblem]:
    """What makes the data file and the registry disagree; [] when every criterion has
    exactly one status source and every cited criterion exists."""
    spec = spec or load_spec()
    rules = list(registered)
    by_criterion = enforcing_rules(rules)
    known = spec.criteria
    problems = []
    for rule in rules:
        for cited in rule.requirements:
            if cited not in known:
                problems.append(
                    CoverageProblem(
                        cited, f"{rule.code} cites {cited}, which the spec does not have"
                    )
                )
    for criterion in known.values():
        sources = []
        if criterion.id in by_criterion:
            sources.append(
                "enforced by " + ", ".join(rule.code for rule in by_criterion[criterion.id])
            )
        if criterion.runtime_only:
            sources.append("runtime-only")
            if not criterion.verify:
                problems.append(CoverageProblem(criterion.id, "runtime-only without `verify`"))
        if criterion.pending:
            sources.append("pending " + ", ".join(criterion.pending))
            for issue in criterion.pending:
                if issue not in spec.issues:
                    problems.append(
                        CoverageProblem(
                            criterion.id, f"pending names {issue}, which [issues] does not list"
                        )
                    )
        if not sources:
            problems.append(
                CoverageProblem(
                    criterion.id, "neither enforced by a rule, runtime-only nor pending"
                )
            )
        elif len(sources) > 1:
            problems.append(
                CoverageProblem(
                    criterion.id,
                    "more than one status source: "
                    + "; ".join(sources)
                    + " (remove the stale entry in spec_criteria.toml)",
                )
            )
    return problems


def coverage_markdown(registered: Iterable[type[Rule]], spec: Spec | None = None) -> str:
    """docs/spec-coverage.md: which rules enforce each criterion, or why none does."""
    spec = spec or load_spec()
    by_criterion = enforcing_rules(registered)
    total = len(spec.criteria)
    enforced = sum(1 for cid in spec.criteria if cid in by_criterion)
    runtime = sum(1 for c in spec.criteria.values() if c.runtime_only and c.id not in by_criterion)
    pending = total - enforced - runtime
    lines = [
        "# Spec coverage",
        "",
        "<!-- Generated by `python -m auditor.readiness --write-docs` from",
        "     auditor/spec_criteria.toml and the registered rules; do not edit by hand. -->",
        "",
        "Where the status of each criterion of the Docker production-readiness spec comes from.",
        "`mami-audit report` shows the status itself, per project (see",
        "[output-formats.md](output-formats.md#the-readiness-report)).",
        "",
        f"Of {total} criteria: {enforced} enforced by rules, {runtime} runtime-only, "
        f"{pending} pending (their rule families have not landed yet).",
        "",
    ]
    for requirement in spec.requirements:
        lines += [
            f"## {requirement.id} {requirement.title}",
            "",
            "| criterion | status source |",
            "| --- | --- |",
        ]
        for criterion in requirement.criteria:
            rules = by_criterion.get(criterion.id, [])
            if rules:
                source = "enforced by " + ", ".join(f"`{rule.code}` {rule.name}" for rule in rules)
            elif criterion.runtime_only:
                source = f"runtime-only: {criterion.runtime_only} Verify: {criterion.verify}"
            else:
                issues = ", ".join(
                    f"{issue} ({spec.issues.get(issue, 'open')})" for issue in criterion.pending
                )
                source = f"pending: {issues}"
            text = f"**{criterion.id}** {criterion.text}"
            lines.append(f"| {_cell(text)} | {_cell(source)} |")
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def prune_pending(registered: Iterable[type[Rule]], path: Path = DATA_FILE) -> list[str]:
    """Remove the `pending = [...]` line of each criterion that registered rules enforce (a
    family has landed); returns those criteria. A minimal text edit: comments and order stay."""
    import re

    enforced = enforcing_rules(registered)
    text = path.read_text(encoding="utf-8")
    pruned = []
    for criterion in load_spec(path).criteria.values():
        if criterion.pending and criterion.id in enforced:
            block = re.compile(
                rf'(id = "{re.escape(criterion.id)}"\ntext = "[^\n]*"\n(?:[\w-]+ = [^\n]*\n)*?)'
                r"pending = \[[^\]\n]*\]\n"
            )
            text, count = block.subn(r"\1", text, count=1)
            if count:
                pruned.append(criterion.id)
    path.write_text(text, encoding="utf-8")
    load_spec.cache_clear()  # the file changed under the cache
    return pruned


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    import rules
    from auditor.rule import registry

    parser = argparse.ArgumentParser(prog="python -m auditor.readiness")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write-docs", action="store_true", help=f"write {DOCS_FILE.name}")
    action.add_argument("--check-docs", action="store_true", help="exit 1 when it is stale")
    action.add_argument(
        "--prune-pending",
        action="store_true",
        help="drop `pending` from criteria registered rules now enforce, then write the docs",
    )
    options = parser.parse_args(argv)
    rules.load_all()
    if options.prune_pending:
        for criterion in prune_pending(list(registry)):
            print(f"{criterion}: enforced now, no longer pending")
    expected = coverage_markdown(list(registry))
    if options.write_docs or options.prune_pending:
        DOCS_FILE.write_text(expected, encoding="utf-8")
        return 0
    current = DOCS_FILE.read_text(encoding="utf-8") if DOCS_FILE.exists() else ""
    if current != expected:
        print(
            f"{DOCS_FILE} is stale: run python -m auditor.readiness --write-docs", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
