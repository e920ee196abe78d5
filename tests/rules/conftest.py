"""Fixtures for the rule tests."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def build_wheel() -> Callable[..., Path]:
    """`build_wheel(folder, name, version, requires=[...])`: a minimal pure-Python wheel."""
    return _build_wheel


def _build_wheel(folder: Path, name: str, version: str, requires: list[str] | None = None) -> Path:
    """A minimal valid pure-Python wheel: one module and the dist-info files pip reads."""
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}_stub.py": b"",
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
            + "".join(f"Requires-Dist: {item}\n" for item in requires or ())
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
