"""The readiness report's formats on real runs: the JSON contract, Markdown that renders as
tables (markdown-it, the parser rich ships with, in its GitHub-like table mode), JUnit XML that
validates against the Jenkins xunit-plugin schema, and the terminal format."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from auditor.readiness import Status, load_spec
from auditor.report.readiness import FORMATS, render
from auditor.testing import write_files

from .readiness_support import readiness_report

JUNIT_XSD = Path(sys.prefix) / "share" / "junit-schema" / "junit-10.xsd"
FLAWED = {
    "Dockerfile": 'FROM python:3.11-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nCMD ["python", "-m", "app"]\n',
    ".github/workflows/docker-build.yml": "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
    "    steps:\n      - uses: actions/checkout@v4\n",
}


@pytest.fixture(scope="module")
def flawed(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("flawed")
    write_files(root, FLAWED)
    return readiness_report(root)


def rendered(report, format_name: str) -> str:
    out = io.StringIO()
    render(format_name, report, out)
    return out.getvalue()


def test_json_contract(flawed) -> None:
    data = json.loads(rendered(flawed, "json"))
    assert list(data) == ["version", "root", "readiness", "summary", "requirements"]
    summary = data["summary"]
    assert (
        summary["criteria"]
        == len(load_spec().criteria)
        == sum(len(r["criteria"]) for r in data["requirements"])
    )
    for status in Status:
        assert summary[status.value] == sum(r["counts"][status.value] for r in data["requirements"])
    assert summary["checkable"] == summary["criteria"] - summary["runtime-only"]
    assert data["readiness"] == round(summary["pass"] / summary["checkable"], 4)
    criteria = {c["id"]: c for r in data["requirements"] for c in r["criteria"]}
    assert set(criteria["R1.5"]) == {
        "id",
        "text",
        "status",
        "rules",
        "reason",
        "verify",
        "pending",
        "findings",
    }
    assert criteria["R1.5"]["status"] == "fail"
    assert criteria["R1.5"]["findings"][0] == {
        "code": "DF001",
        "name": "root-user",
        "message": criteria["R1.5"]["findings"][0]["message"],
        "severity": "error",
        "path": "Dockerfile",
        "line": 1,
        "column": 1,
        "end_line": 1,
        "end_column": criteria["R1.5"]["findings"][0]["end_column"],
    }
    assert criteria["R3.5"]["status"] == "runtime-only" and criteria["R3.5"]["verify"]
    # Pending criteria (none once every rule family has landed) are not checked by any rule.
    for pending in (c for c in criteria.values() if c["pending"]):
        assert pending["status"] == "not-checked" and pending["rules"] == []


def test_markdown_renders_as_tables_with_every_requirement(flawed) -> None:
    from markdown_it import MarkdownIt

    text = rendered(flawed, "markdown")
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert html.count("<table>") >= 2  # the summary and the failing criteria
    summary_table = html.split("<table>")[1]
    assert summary_table.count("<tr>") == 1 + len(load_spec().requirements)
    assert "<td>R13 GitHub Actions CI/CD pipeline</td>" in summary_table
    failing = html.split("<table>")[2]
    assert "DF001" in failing and "<code>Dockerfile:1</code>" in failing


def test_junit_validates_against_the_junit_schema(flawed) -> None:
    import xmlschema

    assert JUNIT_XSD.is_file(), "run scripts/setup.sh (scripts/fetch_junit_schema.sh) first"
    schema = xmlschema.XMLSchema(str(JUNIT_XSD))
    text = rendered(flawed, "junit")
    schema.validate(text)
    from xml.etree import ElementTree

    suites = ElementTree.fromstring(text)
    cases = suites.findall("./testsuite/testcase")
    assert len(cases) == len(load_spec().criteria)
    assert (
        int(suites.get("failures"))
        == flawed.readiness.count(Status.FAIL)
        == len(suites.findall("./testsuite/testcase/failure"))
    )
    skipped = flawed.readiness.count(Status.NOT_CHECKED) + flawed.readiness.count(
        Status.RUNTIME_ONLY
    )
    assert len(suites.findall("./testsuite/testcase/skipped")) == skipped


def test_junit_schema_check_rejects_a_broken_report(flawed) -> None:
    import xmlschema

    schema = xmlschema.XMLSchema(str(JUNIT_XSD))
    text = rendered(flawed, "junit").replace("<testcase ", '<testcase bogus="1" ', 1)
    assert not schema.is_valid(text)


def test_full_format_shows_each_requirement_and_the_verdict(flawed) -> None:
    text = rendered(flawed, "full")
    for requirement in load_spec().requirements:
        assert f"{requirement.id} {requirement.title}" in text
    assert "Dockerfile:1:1 DF001" in text
    assert text.rstrip().splitlines()[-1].startswith("Readiness ")
    assert "\x1b[" not in text  # not a terminal: no colour


def test_an_empty_folder_says_so_plainly_in_every_format(tmp_path: Path) -> None:
    report = readiness_report(tmp_path)
    for format_name in FORMATS:
        text = rendered(report, format_name)
        if format_name in ("full", "markdown", "html"):
            assert "Nothing was checked" in text, format_name
    assert json.loads(rendered(report, "json"))["summary"]["pass"] == 0


def test_markdown_cells_cannot_break_the_table_or_inject_html() -> None:
    from markdown_it import MarkdownIt

    from auditor.report.readiness.markdown import cell

    hostile = "a | b <img src=x onerror=alert(1)>\nnext line & more"
    html = (
        MarkdownIt("commonmark")
        .enable("table")
        .render(f"| x | y |\n| --- | --- |\n| {cell(hostile)} | z |\n")
    )
    assert html.count("<td>") == 2
    assert "<img" not in html and "&lt;img" in html
