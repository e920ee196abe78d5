"""What PY007 proves offline, pip's resolver confirms for real.

Two tiny wheels of a distribution named `redis` (3.5.3 and 4.0.0) go into a local folder, and
pip resolves against that folder only (`--no-index --find-links`), so the test needs no
network and installs nothing (`--dry-run`).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from auditor.testing import check_files


def pip_dry_run(
    requirements: Path, wheels: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", *extra]
    command += ["--find-links", str(wheels), "--isolated", "-r", str(requirements)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_offline_conflict_fails_pip_install_dry_run_too(
    tmp_path: Path, build_wheel: Callable[..., Path]
) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    build_wheel(wheels, "redis", "3.5.3")
    build_wheel(wheels, "redis", "4.0.0")
    conflicting = "redis>=4.0\nredis<4.0\n"
    satisfiable = "redis>=3.0\nredis<4.0\n"

    assert [f.code for f in check_files({"requirements.txt": conflicting}, ["PY007"])] == ["PY007"]
    assert check_files({"requirements.txt": satisfiable}, ["PY007"]) == []

    bad = tmp_path / "bad.txt"
    bad.write_text(conflicting)
    refused = pip_dry_run(bad, wheels)
    assert refused.returncode != 0
    assert "conflict" in (refused.stdout + refused.stderr).lower()

    good = tmp_path / "good.txt"
    good.write_text(satisfiable)
    accepted = pip_dry_run(good, wheels)
    assert accepted.returncode == 0, accepted.stderr
    assert "redis-3.5.3" in accepted.stdout


def test_py003_and_py010_fixes_give_requirements_pip_installs(
    tmp_path: Path, build_wheel: Callable[..., Path]
) -> None:
    """`pydantic<2` raised to the spec's floor resolves to pydantic 2; pytest moved into a
    new requirements-dev.txt leaves the image's file without it and the dev file with both."""
    from auditor.rule import Example
    from auditor.testing import run_example
    from rules.python_deps.hygiene import DevToolInProduction
    from rules.python_deps.spec import SpecVersionMismatch

    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for name, version in (
        ("fastapi", "0.115.0"),
        ("uvicorn", "0.30.3"),
        ("pydantic", "1.10.13"),
        ("pydantic", "2.5.0"),
        ("pytest", "8.3.3"),
    ):
        build_wheel(wheels, name, version)
    original = "fastapi==0.115.0\nuvicorn==0.30.3\npydantic<2  # models\npytest==8.3.3\n"

    files = {"requirements.txt": original}
    raised = run_example(SpecVersionMismatch, Example(files, True, unsafe=True)).files
    files = {"requirements.txt": raised["requirements.txt"]}
    moved = run_example(DevToolInProduction, Example(files, True, unsafe=True)).files
    assert moved["requirements.txt"] == (
        "fastapi==0.115.0\nuvicorn==0.30.3\npydantic>=2.0.0  # models\n"
    )
    assert moved["requirements-dev.txt"] == "-r requirements.txt\npytest==8.3.3\n"
    assert check_files(moved, ["PY003", "PY010"]) == []

    project = tmp_path / "project"
    project.mkdir()
    for path, text in moved.items():
        (project / path).write_text(text)
    # --ignore-installed: the test's own environment has a pydantic already
    production = pip_dry_run(project / "requirements.txt", wheels, "--ignore-installed")
    assert production.returncode == 0, production.stderr
    would_install = production.stdout.rsplit("Would install", 1)[-1].split()
    assert sorted(would_install) == ["fastapi-0.115.0", "pydantic-2.5.0", "uvicorn-0.30.3"]
    development = pip_dry_run(project / "requirements-dev.txt", wheels, "--ignore-installed")
    assert development.returncode == 0, development.stderr
    assert "pytest-8.3.3" in development.stdout and "pydantic-2.5.0" in development.stdout
