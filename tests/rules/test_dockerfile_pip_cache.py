"""DF006 reads PIP_NO_CACHE_DIR the way pip does: the real pip decides, not a guess.

pip's `--no-cache-dir` option, set from the environment, turns the cache off for every value
its strtobool accepts, false ones included, keeps it for an empty value and refuses anything
else. Each value here is given to the installed pip (`pip cache dir`, which fails when the
cache is off) and to DF006 in a Dockerfile's ENV; the two must agree.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from auditor.testing import check_files
from rules.dockerfile.build import PIP_BOOLEAN_WORDS, pip_turns_cache_off

VALUES = sorted(PIP_BOOLEAN_WORDS) + ["TRUE", "Off", "", "2", "maybe", "nope"]


def pip_runs_without_cache(value: str) -> bool:
    environment = dict(os.environ, PIP_NO_CACHE_DIR=value, PIP_DISABLE_PIP_VERSION_CHECK="1")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "cache", "dir"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    output = done.stdout + done.stderr
    if done.returncode == 0:
        return False  # pip printed its cache folder: the cache is on
    assert "cache is disabled" in output or "invalid truth value" in output, output
    return "cache is disabled" in output


@pytest.mark.parametrize("value", VALUES)
def test_df006_follows_pip(value: str) -> None:
    without_cache = pip_runs_without_cache(value)
    assert pip_turns_cache_off(value) == without_cache
    text = f"FROM python:3.11-slim\nENV PIP_NO_CACHE_DIR={value}\nRUN pip install fastapi\n"
    findings = check_files({"Dockerfile": text}, select=["DF006"])
    assert bool(findings) == (not without_cache), (value, findings)


def test_pip_really_treats_false_values_as_no_cache() -> None:
    """The quirk DF006 relies on, kept visible: a pip that changes it fails here first."""
    assert pip_runs_without_cache("0") and pip_runs_without_cache("false")
    assert not pip_runs_without_cache("")
