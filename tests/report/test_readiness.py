"""The status of each criterion after real runs on projects built for the purpose."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from auditor.readiness import Status, load_spec, percent
from auditor.rule import Context, Finding, Rule, registry
from auditor.testing import registered, write_files

from .readiness_support import readiness_report

REPOSITORY = Path(__file__).resolve().parents[2]
GOOD_DOCKERFILE = (REPOSITORY / "Dockerfile").read_text()
BAD_DOCKERFILE = 'FROM python:3.11-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nCMD ["python", "-m", "app"]\n'


def statuses(report) -> dict[str, Status]:
    return {item.criterion.id: item.status for item in report.readiness.criteria}


def test_an_empty_folder_has_every_criterion_not_checked_or_runtime_only(tmp_path: Path) -> None:
    report = readiness_report(tmp_path)
    found = statuses(report)
    assert len(found) == len(load_spec().criteria)
    assert set(found.values()) == {Status.NOT_CHECKED, Status.RUNTIME_ONLY}
    assert report.readiness.nothing_checked
    assert report.readiness.readiness == 0.0
    reasons = {item.reason for item in report.readiness.criteria if item.rules}
    assert reasons == {"the project has no file to check"}


def test_findings_fail_their_criteria_and_carry_the_findings(tmp_path: Path) -> None:
    write_files(tmp_path, {"Dockerfile": BAD_DOCKERFILE})
    report = readiness_report(tmp_path)
    r15 = next(item for item in report.readiness.criteria if item.criterion.id == "R1.5")
    assert r15.status is Status.FAIL
    assert [(f.code, f.path, f.span.line) for f in r15.findings] == [("DF001", "Dockerfile", 1)]
    # GH001: a Dockerfile and no workflow
    r131 = next(item for item in report.readiness.criteria if item.criterion.id == "R13.1")
    assert r131.status is Status.FAIL and r131.findings[0].code == "GH001"
    # The other R13 rules had no workflow to read.
    assert statuses(report)["R13.2"] is Status.NOT_CHECKED


def test_a_clean_file_passes_the_criteria_its_rules_enforce(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "Dockerfile": GOOD_DOCKERFILE,
            "requirements.txt": "fastapi==0.115.0\n",
            "app/__init__.py": "",
        },
    )
    report = readiness_report(tmp_path, select=["DF001"])
    found = statuses(report)
    assert found["R1.5"] is Status.PASS
    # DF001 is the only rule citing R14.4 as well
    assert found["R14.4"] is Status.PASS
    # deselected rules: not checked, and the reason names them
    r41 = next(item for item in report.readiness.criteria if item.criterion.id == "R4.1")
    assert (
        r41.status is Status.NOT_CHECKED and "not selected" in r41.reason and "DF002" in r41.reason
    )


def test_a_rule_that_raises_leaves_its_criterion_not_checked(tmp_path: Path) -> None:
    class Broken(Rule):
        """Raises."""

        code = "ZZ950"
        name = "zz-broken"
        summary = "raises"
        requirements = ("R3.5",)

        def check(self, context: Context) -> Iterator[Finding]:
            context.project.documents("dockerfile")
            raise RuntimeError("boom")

    write_files(tmp_path, {"Dockerfile": GOOD_DOCKERFILE})
    with registered(Broken):
        report = readiness_report(tmp_path, select=["ZZ950"])
    r35 = next(item for item in report.readiness.criteria if item.criterion.id == "R3.5")
    assert r35.status is Status.NOT_CHECKED and "failed" in r35.reason


def test_runtime_only_criteria_carry_their_how_to(tmp_path: Path) -> None:
    report = readiness_report(tmp_path)
    r35 = next(item for item in report.readiness.criteria if item.criterion.id == "R3.5")
    assert r35.status is Status.RUNTIME_ONLY
    assert "Verify:" in r35.reason and "docker compose down" in r35.reason


def test_readiness_counts_pass_over_checkable_criteria(tmp_path: Path) -> None:
    write_files(tmp_path, {"Dockerfile": BAD_DOCKERFILE})
    readiness = readiness_report(tmp_path).readiness
    for requirement in readiness.requirements:
        checkable = len(requirement.criteria) - requirement.count(Status.RUNTIME_ONLY)
        assert requirement.checkable == checkable
        if checkable:
            assert requirement.readiness == requirement.count(Status.PASS) / checkable
    total = sum(r.count(Status.PASS) for r in readiness.requirements)
    assert readiness.readiness == total / readiness.checkable
    assert percent(0.996) == "99%" and percent(None) == "n/a" and percent(1.0) == "100%"


def test_this_repository_has_no_failing_criterion() -> None:
    report = readiness_report(REPOSITORY)
    found = statuses(report)
    assert Status.FAIL not in found.values()
    enforced = {c for rule in registry for c in rule.requirements}
    for criterion, status in found.items():
        if criterion in enforced:
            assert status is Status.PASS, criterion
        else:
            assert status in (Status.RUNTIME_ONLY, Status.NOT_CHECKED), criterion
