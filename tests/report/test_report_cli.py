"""`mami-audit report` from the command line: formats, exit codes, the project root, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from auditor.testing import write_files

REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLE = REPOSITORY / "examples" / "legacy-mami"


def report(*arguments: str, cwd: Path = REPOSITORY) -> subprocess.CompletedProcess[str]:
    return mami_audit("report", *arguments, cwd=cwd)


def mami_audit(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "PYTHONPATH": str(REPOSITORY)},
    )


def test_this_repository_fails_no_criterion() -> None:
    done = report(".", "--output-format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["summary"]["fail"] == 0
    statuses = {c["status"] for r in data["requirements"] for c in r["criteria"]}
    assert statuses <= {"pass", "runtime-only", "not-checked"}
    # every criterion some registered rule enforces passes here
    for criterion in (c for r in data["requirements"] for c in r["criteria"]):
        if criterion["rules"]:
            assert criterion["status"] == "pass", criterion


def test_the_bundled_example_fails_with_its_findings() -> None:
    done = report("examples/legacy-mami", "--output-format", "json")
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    # The example is a project of its own; paths are shown from the current folder, as check
    # shows them, so `root` is that folder.
    assert data["root"] == str(REPOSITORY)
    criteria = {c["id"]: c for r in data["requirements"] for c in r["criteria"]}
    assert criteria["R13.1"]["status"] == "fail"
    assert {f["code"] for f in criteria["R13.5"]["findings"]} == {"GH002", "GH003"}
    assert criteria["R1.5"]["findings"][0]["path"] == "examples/legacy-mami/Dockerfile"


def test_report_and_check_show_the_same_paths_for_a_subproject(tmp_path: Path) -> None:
    """A subfolder with its own pyproject.toml is the root; both commands still show paths
    from the current folder (the issue-15 case: CI annotations need them)."""
    write_files(tmp_path, {"api/pyproject.toml": "", "api/Dockerfile": "FROM python:3.9\n"})
    done = report("api", "--output-format", "json", cwd=tmp_path)
    criteria = {c["id"]: c for r in json.loads(done.stdout)["requirements"] for c in r["criteria"]}
    reported = {f["path"] for c in criteria.values() for f in c["findings"]}
    assert "api/Dockerfile" in reported and "Dockerfile" not in reported
    check = mami_audit("check", "api", "--output-format", "concise", cwd=tmp_path)
    assert "api/Dockerfile:1:" in check.stdout
    diff = mami_audit("check", "api", "--diff", "--unsafe-fixes", cwd=tmp_path)
    assert "--- a/api/Dockerfile\n+++ b/api/Dockerfile\n" in diff.stdout, diff.stderr


def test_a_subfolder_reports_its_whole_project(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {"mami-audit.toml": "", "Dockerfile": "FROM python:3.11-slim\n", "app/main.py": ""},
    )
    done = report("app", "--output-format", "json", cwd=tmp_path)
    data = json.loads(done.stdout)
    assert data["root"] == str(tmp_path)
    assert data["summary"]["fail"] > 0 and done.returncode == 1


def test_an_empty_folder_is_not_checked_and_exits_0(tmp_path: Path) -> None:
    done = report(str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "Nothing was checked" in done.stdout


def test_output_file_and_exit_zero(tmp_path: Path) -> None:
    target = tmp_path / "readiness.xml"
    done = report(
        "examples/legacy-mami", "--output-format", "junit", "-o", str(target), "--exit-zero"
    )
    assert done.returncode == 0 and done.stdout == ""
    assert target.read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')


def test_usage_errors_exit_2() -> None:
    missing = report("no/such/folder")
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    selector = report(".", "--select", "NOPE999")
    assert selector.returncode == 2 and "unknown rule selector" in selector.stderr
    bad_format = report(".", "--output-format", "sarif")
    assert bad_format.returncode == 2


def test_deselected_rules_leave_their_criteria_not_checked() -> None:
    done = report(".", "--ignore", "GH", "--output-format", "json")
    data = json.loads(done.stdout)
    r13 = next(r for r in data["requirements"] if r["id"] == "R13")
    assert {c["status"] for c in r13["criteria"]} == {"not-checked"}
    assert all("not selected" in c["reason"] for c in r13["criteria"])
