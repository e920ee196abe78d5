""".github/workflows/docker-build.yml.

check-jsonschema validates it against its vendored GitHub-workflow schema (SchemaStore's), and
zizmor audits it offline for the known Actions pitfalls (unpinned actions, template
injection, credentials persisted by checkout, excessive permissions). The assertions then
check what the spec and the team agreed on: which jobs run, where the permissions are, when
the images are pushed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import load_yaml, run_tool

WORKFLOW = Path(".github/workflows/docker-build.yml")
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


@pytest.fixture(scope="module")
def workflow(repo_root: Path) -> dict[str, Any]:
    document = load_yaml(repo_root / WORKFLOW)
    # YAML 1.1 reads a bare `on:` key as the boolean True.
    if True in document:
        document["on"] = document.pop(True)
    return document


def all_steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(name, step) for name, job in workflow["jobs"].items() for step in job.get("steps", [])]


def run_text(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_workflow_matches_the_github_workflow_schema() -> None:
    result = run_tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", WORKFLOW)
    assert result.returncode == 0, result.output


def test_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    steps:\n      - run: echo\n")  # no runs-on
    result = run_tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", broken)
    assert result.returncode != 0


def test_zizmor_finds_nothing() -> None:
    result = run_tool("zizmor", "--offline", "--no-progress", WORKFLOW)
    assert result.returncode == 0, result.output
    assert "No findings to report" in result.output


def test_zizmor_flags_an_unpinned_action(tmp_path: Path) -> None:
    risky = tmp_path / ".github" / "workflows" / "risky.yml"
    risky.parent.mkdir(parents=True)
    risky.write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - uses: docker/login-action@v3\n"
    )
    result = run_tool("zizmor", "--offline", "--no-progress", risky)
    assert result.returncode != 0
    assert "unpinned-uses" in result.output


def test_runs_on_push_and_pull_request(workflow: dict[str, Any]) -> None:
    assert {"push", "pull_request"} <= set(workflow["on"])  # R13.1
    assert workflow["on"]["push"] is None, "every push runs the workflow, not only some branches"


def test_every_action_is_pinned_to_a_commit_with_its_version(repo_root: Path, workflow: dict[str, Any]) -> None:
    text = (repo_root / WORKFLOW).read_text()
    for job, step in all_steps(workflow):
        if "uses" in step and step["uses"] != "./":  # ./ is this repository's own action
            assert PINNED.match(step["uses"]), f"{job}: {step['uses']}"
            line = next(line for line in text.splitlines() if step["uses"] in line)
            assert re.search(r"# v\d+\.\d+\.\d+$", line), f"no version comment: {line.strip()}"


def test_permissions_are_read_only_except_where_a_job_needs_more(workflow: dict[str, Any]) -> None:
    assert workflow["permissions"] == {"contents": "read"}
    granted = {
        name: job["permissions"] for name, job in workflow["jobs"].items() if "permissions" in job
    }
    assert granted == {
        "mami-audit": {"contents": "read", "security-events": "write"},
        "push": {"contents": "read", "packages": "write"},
    }


def test_checkout_never_persists_credentials(workflow: dict[str, Any]) -> None:
    for job, step in all_steps(workflow):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False, job


def test_python_and_node_tests(workflow: dict[str, Any]) -> None:  # R13.4
    python = run_text(workflow["jobs"]["python-tests"])
    assert "pip install -r requirements.txt -r requirements-dev.txt" in python
    assert "pytest tests/app" in python
    node = workflow["jobs"]["node-tests"]
    assert node["defaults"]["run"]["working-directory"] == "frontend"
    commands = [step.get("run") for step in node["steps"] if "run" in step]
    assert [c for c in commands if c.startswith("npm")] == ["npm ci --no-audit --no-fund", "npm run build", "npm test"]


def test_mami_audit_annotates_and_uploads_sarif(repo_root: Path, workflow: dict[str, Any]) -> None:
    job = workflow["jobs"]["mami-audit"]
    # The job runs this repository's own action (dogfooding), failing on any finding.
    action = next(step for step in job["steps"] if step.get("uses") == "./")
    assert action["with"] == {"fail-on": "info", "sarif-file": "mami-audit.sarif"}
    action_text = (repo_root / "action.yml").read_text()
    assert '"$venv/bin/mami-audit" check "$TARGET" "${extra[@]}" --output-format github' in action_text
    assert "--output-format sarif --output-file" in action_text
    upload = next(step for step in job["steps"] if "upload-sarif" in step.get("uses", ""))
    assert upload["with"]["sarif_file"] == "mami-audit.sarif"
    assert "always()" in upload["if"]


def test_images_are_built_with_buildx_and_a_cache_then_smoke_tested(workflow: dict[str, Any]) -> None:  # R13.2
    job = workflow["jobs"]["images"]
    uses = [step.get("uses", "") for step in job["steps"]]
    assert any(u.startswith("docker/setup-buildx-action@") for u in uses)
    builds = [step for step in job["steps"] if step.get("uses", "").startswith("docker/build-push-action@")]
    assert {step["with"]["context"] for step in builds} == {".", "frontend"}
    for step in builds:
        assert step["with"]["push"] is False
        assert step["with"]["cache-from"].startswith("type=gha")
        assert step["with"]["cache-to"].startswith("type=gha")
    smoke = run_text(job)
    assert "{{.State.Health.Status}}" in smoke
    assert "curl -fsS http://localhost:8000/health" in smoke


def test_images_are_pushed_to_ghcr_only_from_main(workflow: dict[str, Any]) -> None:  # R13.3
    job = workflow["jobs"]["push"]
    assert job["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert set(job["needs"]) == set(workflow["jobs"]) - {"push"}
    login = next(step for step in job["steps"] if step.get("uses", "").startswith("docker/login-action@"))
    assert login["with"] == {
        "registry": "ghcr.io",
        "username": "${{ github.actor }}",
        "password": "${{ secrets.GITHUB_TOKEN }}",
    }
    pushes = [step for step in job["steps"] if step.get("with", {}).get("push") is True]
    assert len(pushes) == 2
    for name, other in workflow["jobs"].items():
        if name != "push":
            assert all(step.get("with", {}).get("push") is not True for step in other["steps"]), name


def test_no_job_hides_a_failure(workflow: dict[str, Any]) -> None:
    # A failing step must fail its job, and so the PR check (R13.5).
    for job_name, job in workflow["jobs"].items():
        assert not job.get("continue-on-error"), job_name
        for step in job["steps"]:
            assert not step.get("continue-on-error"), f"{job_name}: {step.get('name')}"
