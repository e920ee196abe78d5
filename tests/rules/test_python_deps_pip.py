"""What PY007 proves offline, pip's resolver confirms for real.

Two tiny wheels of a distribution named `redis` (3.5.3 and 4.0.0) go into a local folder, and
pip resolves against that folder only (`--no-index --find-links`), so the test needs no
network and installs nothing (`--dry-run`).
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

from auditor.testing import check_files


def build_wheel(folder: Path, name: str, version: str) -> Path:
    """A minimal valid pure-Python wheel: one module and the dist-info files pip reads."""
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}_stub.py": b"",
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        ).encode(),
        f"{dist_info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record_lines = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record_lines.append(f"{path},sha256={digest},{len(data)}")
    record_lines.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record_lines) + "\n").encode()
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


def pip_dry_run(requirements: Path, wheels: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index"]
    command += ["--find-links", str(wheels), "--isolated", "-r", str(requirements)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_offline_conflict_fails_pip_install_dry_run_too(tmp_path: Path) -> None:
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
