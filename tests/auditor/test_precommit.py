"""The real pre-commit runs this repository's hook on a temporary git repository.

`pre-commit try-repo` installs mami-audit from this repository (committed state plus any
uncommitted changes to tracked files) into its own virtualenv, from PyPI, then runs the hook
on the files it is given, as `git commit` would. The first run takes about a minute; later
runs of the same commit reuse pre-commit's cache.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


@pytest.mark.skipif(not PRE_COMMIT.exists(), reason="pre-commit is in the test extra; install it")
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_hook_reports_only_on_the_files_it_is_given(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    (project / "Dockerfile").write_text("FROM python:3.11-slim\nFORM python:3.11-slim\n")
    (project / "untouched.Dockerfile").write_text("FORM also broken\n")
    (project / "mami-audit.toml").write_text('select = ["AU001"]\n')
    subprocess.run(["git", "-C", str(project), "add", "."], check=True)

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        command = [str(PRE_COMMIT), "try-repo", str(REPOSITORY), "mami-audit", "--files", *files]
        environment = dict(os.environ, NO_COLOR="1")
        return subprocess.run(
            command, cwd=project, capture_output=True, text=True, env=environment, timeout=900
        )

    failing = try_repo("Dockerfile", "mami-audit.toml")
    output = failing.stdout + failing.stderr
    assert failing.returncode == 1, output
    assert "mami-audit" in output and "Failed" in output
    assert "AU001 parse-error" in output and "Dockerfile:2:1" in output
    assert "untouched.Dockerfile" not in output  # not among the changed files

    passing = try_repo("mami-audit.toml")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout


@pytest.mark.skipif(not PRE_COMMIT.exists(), reason="pre-commit is in the test extra; install it")
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_fix_hook_applies_safe_fixes_then_passes(tmp_path: Path) -> None:
    project = tmp_path / "project"
    workflow = project / ".github" / "workflows" / "ci.yml"
    workflow.parent.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    sha = "08c6903cd8c0fde910a37f88322edcfb5dd907a8"
    workflow.write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        f"      - uses: actions/checkout@{sha} # v5.0.0\n      - run: make\n"
    )
    (project / "mami-audit.toml").write_text('select = ["GH014"]\n')
    subprocess.run(["git", "-C", str(project), "add", "."], check=True)

    def try_repo() -> subprocess.CompletedProcess[str]:
        command = [str(PRE_COMMIT), "try-repo", str(REPOSITORY), "mami-audit-fix", "--all-files"]
        environment = dict(os.environ, NO_COLOR="1")
        return subprocess.run(
            command, cwd=project, capture_output=True, text=True, env=environment, timeout=900
        )

    fixing = try_repo()
    output = fixing.stdout + fixing.stderr
    assert fixing.returncode == 1, output  # pre-commit fails a hook that changed files
    assert "files were modified by this hook" in output
    assert f"{sha} # v5.0.0\n        with:\n          persist-credentials: false\n" in workflow.read_text()

    subprocess.run(["git", "-C", str(project), "add", "."], check=True)
    again = try_repo()
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Passed" in again.stdout


def test_hook_audits_a_staged_file_whose_name_starts_with_a_dash(tmp_path: Path) -> None:
    """pre-commit passes `-x.Dockerfile` as an argument of its own, after the hook's args."""
    project = tmp_path / "project"
    project.mkdir()
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    (project / "-x.Dockerfile").write_text("FROM python:3.11-slim\nFORM python:3.11-slim\n")
    (project / "mami-audit.toml").write_text('select = ["AU001"]\n')
    subprocess.run(["git", "-C", str(project), "add", "--", "."], check=True)
    command = [str(PRE_COMMIT), "try-repo", str(REPOSITORY), "mami-audit", "--all-files"]
    done = subprocess.run(
        command,
        cwd=project,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_COLOR="1"),
        timeout=900,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "-x.Dockerfile:2:1" in output and "AU001 parse-error" in output
    assert "No such option" not in output
