"""action.yml, the composite GitHub Action.

check-jsonschema validates it against its vendored action-metadata schema and zizmor audits it
offline. Its audit step then runs for real, as the runner runs a composite step (`bash
--noprofile --norc -eo pipefail FILE`, inputs set into its `env:`), with RUNNER_TEMP holding a
virtualenv that is this one, on flawed projects; the install step runs once on its own, a real
pip install of a copy of this repository.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor.testing import write_files

from .conftest import load_yaml, run_tool

ACTION = Path("action.yml")


@pytest.fixture(scope="module")
def action(repo_root: Path) -> dict[str, Any]:
    return load_yaml(repo_root / ACTION)


def test_action_matches_the_action_metadata_schema() -> None:
    result = run_tool("check-jsonschema", "--builtin-schema", "vendor.github-actions", ACTION)
    assert result.returncode == 0, result.output


def test_zizmor_finds_nothing_in_the_action() -> None:
    result = run_tool("zizmor", "--offline", "--no-progress", ACTION)
    assert result.returncode == 0, result.output
    assert "No findings to report" in result.output


def test_inputs_are_the_documented_ones(repo_root: Path, action: dict[str, Any]) -> None:
    assert list(action["inputs"]) == ["path", "version", "args", "fail-on", "sarif-file"]
    usage = (repo_root / "docs" / "usage.md").read_text()
    for name, spec in action["inputs"].items():
        assert spec["description"] and "default" in spec
        assert f"| `{name}` |" in usage, name
    readme = (repo_root / "README.md").read_text()
    assert re.search(r"- uses: actions/checkout@<sha>.*\n- uses: OWNER/mami-audit@<sha>", readme)


def test_inputs_reach_scripts_only_through_the_environment(action: dict[str, Any]) -> None:
    for step in action["runs"]["steps"]:
        assert "${{" not in step["run"], step["name"]


def _run_audit_step(
    action: dict[str, Any], project: Path, tmp_path: Path, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], str, str]:
    step = next(step for step in action["runs"]["steps"] if step.get("id") == "audit")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    (runner_temp / "mami-audit-venv").symlink_to(Path(sys.prefix))
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    summary.write_text("")
    output.write_text("")
    values = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    values.update({name.replace("_", "-"): value for name, value in inputs.items()})
    environment = dict(
        os.environ,
        RUNNER_TEMP=str(runner_temp),
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_OUTPUT=str(output),
        NO_COLOR="1",
    )
    for name, expression in step["env"].items():
        environment[name] = values[
            re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", expression).group(1)
        ]
    script = tmp_path / "step.sh"
    script.write_text(step["run"])
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done, summary.read_text(), output.read_text()


FLAWED = {
    "Dockerfile": 'FROM python:3.11-slim\nCOPY . /app\nCMD ["python", "-m", "app"]\n',
    "mami-audit.toml": 'select = ["DF001", "GH014"]\n',
    ".github/workflows/docker-build.yml": "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
    "    steps:\n      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8\n",
}


def test_the_audit_step_annotates_summarises_and_fails_on_errors(
    action: dict[str, Any], tmp_path: Path
) -> None:
    project = tmp_path / "project"
    write_files(project, FLAWED)
    done, summary, output = _run_audit_step(action, project, tmp_path, sarif_file="out.sarif")
    assert done.returncode == 1, done.stderr
    assert "::error file=Dockerfile,line=1" in done.stdout and "title=DF001" in done.stdout
    assert "::warning file=.github/workflows/docker-build.yml" in done.stdout
    assert "::error title=mami-audit::1 findings at or above 'error'" in done.stdout
    assert (
        summary.startswith("## mami-audit readiness: ")
        and "| R1 Docker image compatibility |" in summary
    )
    assert output.split() == ["findings=2", "failing=1"]
    assert (project / "out.sarif").read_text().startswith("{")


def test_fail_on_warning_and_never(action: dict[str, Any], tmp_path: Path) -> None:
    project = tmp_path / "project"
    write_files(project, {**FLAWED, "mami-audit.toml": 'select = ["GH014"]\n'})
    runs = {}
    for fail_on in ("warning", "error", "never"):
        scratch = tmp_path / fail_on
        scratch.mkdir()
        runs[fail_on] = _run_audit_step(action, project, scratch, fail_on=fail_on)
    assert runs["warning"][0].returncode == 1
    assert runs["error"][0].returncode == 0, runs["error"][0].stdout + runs["error"][0].stderr
    assert runs["error"][2].split() == ["findings=1", "failing=0"]
    assert runs["never"][0].returncode == 0


def test_a_wrong_fail_on_is_a_usage_error(action: dict[str, Any], tmp_path: Path) -> None:
    project = tmp_path / "project"
    write_files(project, FLAWED)
    done, _, _ = _run_audit_step(action, project, tmp_path, fail_on="critical")
    assert done.returncode == 2
    assert "fail-on must be error, warning, info or never" in done.stdout


def test_the_install_step_installs_the_actions_own_source(
    repo_root: Path, action: dict[str, Any], tmp_path: Path
) -> None:
    """As on a runner: `python3 -m venv`, then pip installs the action's source (a copy of
    this repository, so the build leaves nothing in the work tree) with its dependencies."""
    import shutil

    step = next(step for step in action["runs"]["steps"] if step["name"] == "Install mami-audit")
    source = tmp_path / "action-source"
    ignored = shutil.ignore_patterns(".git", ".venv", "node_modules", "__pycache__", "*.egg-info")
    shutil.copytree(repo_root, source, ignore=ignored, symlinks=True)
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    script = tmp_path / "install.sh"
    script.write_text(step["run"])
    environment = dict(
        os.environ,
        RUNNER_TEMP=str(runner_temp),
        MAMI_AUDIT_VERSION="",
        MAMI_AUDIT_SOURCE=str(source),
    )
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("mami-audit ")
    assert (runner_temp / "mami-audit-venv" / "bin" / "mami-audit").exists()
