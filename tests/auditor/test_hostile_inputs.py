"""The stress set of issue 8, case 13: inputs whose audit once took time growing faster than
their size (a 1 MB word: 17 s, 2 MB: 73 s; 2,500 `*` in a .dockerignore: over a minute).

Each input is generated here (benchmarks/hostile_inputs.py holds the recipes; nothing large
is committed), at a size where the old quadratic code needed minutes, and audited by the CLI
in a fresh process: every rule must run (no rule failure) and the run must end. The timeout
is a hang guard far above what linear code needs (about a second each here), not a speed
measurement; benchmarks/bench_parsing.py measures MB/s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY / "benchmarks"))

from hostile_inputs import HEAD, RECIPES

HANG_GUARD = 90  # seconds per run; linear code needs about one

# (recipe, size): the sizes, or larger where the old code was merely slow.
CASES = [
    ("long-word", 2_000_000),
    ("continuation-lines", 8_000 * 20),
    ("many-heredocs", 5_000 * 30),
    ("long-env-value", 400_000),
    ("repeated-commands", 80_000 * 12),
    ("apt-dash-flags", 240_000),
    ("spaced-directive", 400_000),
    ("repeated-installs", 20_000 * 50),
    ("ignore-stars", 2_500),
]


def audit_json(root: Path, *options: str):  # type: ignore[no-untyped-def]
    """`python -m auditor --output-format json OPTIONS` in `root`; every rule must have run."""
    environment = dict(os.environ, PYTHONPATH=str(REPOSITORY), NO_COLOR="1")
    command = [sys.executable, "-m", "auditor", "--output-format", "json", *options]
    try:
        done = subprocess.run(
            command,
            cwd=root,
            capture_output=True,
            text=True,
            env=environment,
            timeout=HANG_GUARD,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"no answer within {HANG_GUARD} s")
    assert done.returncode in (0, 1), done.stderr  # 3 would be a rule that failed
    assert "error" not in done.stderr, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(("recipe", "size"), CASES, ids=[name for name, _ in CASES])
def test_a_hostile_input_is_audited_in_linear_time(recipe, size, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path, text = RECIPES[recipe](size)
    (tmp_path / "mami-audit.toml").write_text("")
    (tmp_path / path).write_text(text)
    if path != "Dockerfile":
        (tmp_path / "Dockerfile").write_text(f"{HEAD}COPY . /app\n")
    report = audit_json(tmp_path)
    assert report["summary"]["files"] >= 1


def test_five_thousand_heredocs_are_fixed_too(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path, text = RECIPES["many-heredocs"](5_000 * 30)
    (tmp_path / "mami-audit.toml").write_text("")
    (tmp_path / path).write_text(text)
    report = audit_json(tmp_path, "--fix", "--unsafe-fixes")
    assert report["summary"]["fixed"] > 0
    assert "USER mami" in (tmp_path / path).read_text()


def test_a_50_mb_dockerfile_is_reported_as_too_large_without_reading_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "mami-audit.toml").write_text("")
    with open(tmp_path / "Dockerfile", "wb") as stream:
        stream.truncate(50 * 1024 * 1024)  # sparse: no 50 MB written to the test machine's disk
    report = audit_json(tmp_path, "--select", "AU001")
    (finding,) = report["findings"]
    assert finding["message"] == (
        "cannot parse: not read: 50.0 MB is over the size limit of 16.0 MB "
        "(max-file-size in the config)"
    )
    assert os.path.getsize(tmp_path / "Dockerfile") == 50 * 1024 * 1024
