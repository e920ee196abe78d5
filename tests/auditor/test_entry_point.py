"""The console script ends the process without Python's teardown (auditor.cli.entry_point):
what a normal exit guarantees must still hold — the exit status, every byte of the report
through a pipe, exit handlers, and a quiet end when the reader goes away."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLE = REPOSITORY / "examples" / "legacy-mami"
ENVIRONMENT = dict(os.environ, PYTHONPATH=str(REPOSITORY), NO_COLOR="1")


def run_module(*arguments: str, cwd: Path = REPOSITORY) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=ENVIRONMENT,
        timeout=300,
    )


def test_exit_statuses_are_kept(tmp_path: Path) -> None:
    (tmp_path / "mami-audit.toml").write_text("")
    assert run_module("check", ".", cwd=tmp_path).returncode == 0
    (tmp_path / "Dockerfile").write_text("FROM python:3.9\n")
    assert run_module("check", ".", cwd=tmp_path).returncode == 1
    usage = run_module("check", ".", "--select", "NOPE999", cwd=tmp_path)
    assert usage.returncode == 2 and "unknown rule selector" in usage.stderr


def test_a_long_report_reaches_the_pipe_whole() -> None:
    done = run_module("check", str(EXAMPLE), "--output-format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)  # cut short, it would not parse
    assert len(report["findings"]) > 100


def test_exit_handlers_still_run(tmp_path: Path) -> None:
    (tmp_path / "mami-audit.toml").write_text("")
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('handler ran', file=sys.stderr))\n"
        "from auditor.cli import entry_point\n"
        "sys.argv = ['mami-audit', 'check', '.']\n"
        "entry_point()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=ENVIRONMENT,
        timeout=120,
    )
    assert done.returncode == 0 and "handler ran" in done.stderr


def test_a_reader_that_goes_away_gets_no_traceback() -> None:
    reader = subprocess.Popen(
        ["head", "-c", "20"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    writer = subprocess.run(
        [sys.executable, "-m", "auditor", "check", str(EXAMPLE), "--output-format", "json"],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        text=True,
        env=ENVIRONMENT,
        timeout=300,
    )
    reader.stdin.close()  # type: ignore[union-attr]
    reader.wait(timeout=60)
    assert "Traceback" not in writer.stderr and "Exception ignored" not in writer.stderr
    assert writer.returncode in (1, 2)
