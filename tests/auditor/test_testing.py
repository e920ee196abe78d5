"""The rule-testing harness itself: run_example and check_files must be able to fail."""

from __future__ import annotations

import pytest

from auditor.rule import Rule, registry
from auditor.testing import RuleFailed, check_files, run_example

pytestmark = pytest.mark.usefixtures("use_rules")


def rule(code: str) -> type[Rule]:
    found = registry.get(code)
    assert found is not None
    return found


def test_run_example_applies_safe_fixes_and_unsafe_only_when_asked() -> None:
    text = "from python:3.11\n# TODO x\nRUN true\n"
    safe = run_example(rule("TS002"), Rule.bad(text))
    assert safe.files == {"Dockerfile": text} and len(safe.findings) == 1
    unsafe = run_example(rule("TS002"), Rule.bad(text, unsafe=True))
    assert unsafe.files == {"Dockerfile": "from python:3.11\nRUN true\n"}


def test_run_example_reports_only_the_rule_under_test_and_created_files() -> None:
    run = run_example(rule("TS005"), Rule.bad({"svc/Dockerfile": "FORM broken\nFROM a\n"}))
    assert run.findings == []  # the Dockerfile does not parse, so the sample rule skips it
    run = run_example(rule("TS005"), Rule.bad({"svc/Dockerfile": "FROM a\n"}))
    assert [f.code for f in run.findings] == ["TS005"]
    assert run.files == {"svc/Dockerfile": "FROM a\n", "svc/.dockerignore": ".git\n"}


def test_run_example_honours_the_example_config() -> None:
    run = run_example(rule("TS007"), Rule.bad("FROM a\n", config={"expect": {"app-port": 9000}}))
    assert [f.message for f in run.findings] == ["port 9000"]


def test_a_crashing_rule_fails_the_test() -> None:
    with pytest.raises(
        RuleFailed, match="rule TS003 \\(exploding-rule\\) failed on boom/Dockerfile"
    ):
        run_example(rule("TS003"), Rule.bad({"boom/Dockerfile": "FROM a\n"}))
    with pytest.raises(RuleFailed):
        check_files({"boom/Dockerfile": "FROM a\n"}, select=["TS003"])


def test_check_files_runs_the_real_engine() -> None:
    files = {
        "Dockerfile": "# mami-audit: ignore[TS001]\nfrom a\nfrom b AS c\n",
        "x/Dockerfile": b"\xff",
    }
    found = check_files(files, select=["TS001", "AU001"], config={"severity": {"TS001": "error"}})
    assert [(f.code, f.path, f.span.line, f.severity.value) for f in found] == [
        ("TS001", "Dockerfile", 3, "error"),
        ("AU001", "x/Dockerfile", 1, "error"),
    ]
