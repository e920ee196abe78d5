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


def pip_dry_run(requirements: Path, wheels: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index"]
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
