"""Throughput on large and hostile inputs, per document kind. Not a test: run it.

    .venv/bin/python benchmarks/bench_parsing.py [--size 5MB] [--only NAME] [--no-peer]

For each recipe of `hostile_inputs.py` (generated here, at run time, at `--size`), it times
in one process: parsing the file as its document kind, and a whole audit of a project holding
it (every rule, the file parsed as each kind the rules read). It prints the size, MB/s for the
parse and for the audit, and for Dockerfiles hadolint's time on the same file (run as users
run it; `--no-peer` skips it, `--peer-timeout` bounds it) and the ratio of the two audits.

Goals (issue 8): time linear in the input for every kind and rule, at least 2 MB/s on
Dockerfiles, and no input of 5 MB above 10 s. Kinds without a recipe are listed as such, so a
new document kind shows up here until it has one. On a shared machine the wall-clock time
follows the load; the CPU seconds of the audit (`cpu s`) are steadier. At the end it runs the
issue's own cases, at the issue's sizes, through the CLI (`bench_hostile_cli.py`; `--no-cli`
skips them).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_hostile_cli import default_cli, run_issue_cases
from hostile_inputs import RECIPES

import rules
from auditor.config import Config
from auditor.documents import KIND_MODULES, kind_module
from auditor.documents.base import SourceFile
from auditor.engine import audit, select_rules
from auditor.project import Project

MEGABYTE = 1_000_000


def parse_size(text: str) -> int:
    units = {"kb": 1_000, "mb": MEGABYTE, "gb": 1_000 * MEGABYTE, "": 1}
    number = text.lower().rstrip("b").rstrip("kmg")
    unit = text.lower()[len(number) :]
    unit = unit if unit.endswith("b") or not unit else unit + "b"
    return int(float(number) * units[unit])


def kind_of(path: str) -> str:
    return next(kind for kind in KIND_MODULES if kind_module(kind).matches(path))


def time_parse(path: str, data: bytes) -> float:
    started = time.perf_counter()
    source = SourceFile.from_bytes(path, Path(path), data)
    document = kind_module(kind_of(path)).parse(source)
    elapsed = time.perf_counter() - started
    if document.parse_error is not None:
        print(f"    (parse error: {document.parse_error.message})")
    return elapsed


def time_audit(root: Path, config: Config) -> tuple[float, float, int]:
    """Wall-clock and CPU seconds of a whole audit, and how many rules failed."""
    selected = select_rules(config)
    started, cpu = time.perf_counter(), time.process_time()
    result = audit(Project(root, config), config, selected)
    return time.perf_counter() - started, time.process_time() - cpu, len(result.failures)


def time_hadolint(path: Path, timeout: float) -> float | None:
    binary = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    started = time.perf_counter()
    try:
        subprocess.run(
            [binary, "--no-fail", str(path)], capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="5MB", help="size of each input (default 5MB)")
    parser.add_argument("--only", action="append", help="run only these recipes")
    parser.add_argument("--no-peer", action="store_true", help="do not run hadolint")
    parser.add_argument("--peer-timeout", type=float, default=60.0)
    parser.add_argument("--cli", default=default_cli(), help="mami-audit for the issue's cases")
    parser.add_argument("--cli-repeat", type=int, default=3, help="runs per issue case")
    parser.add_argument("--no-cli", action="store_true", help="skip the issue's cases")
    options = parser.parse_args()
    size = parse_size(options.size)
    rules.load_all()
    # The size cap is for users' projects; here the point is to read the large files.
    config = Config(max_file_size=size * 4 + MEGABYTE)
    print(f"{'recipe':<22} {'kind':<13} {'MB':>6} {'parse MB/s':>11} {'audit s':>8} "
          f"{'cpu s':>6} {'audit MB/s':>11} {'hadolint s':>11} {'ratio':>6}")  # fmt: skip
    worst = 0.0
    covered = set()
    for name, recipe in RECIPES.items():
        if options.only and name not in options.only:
            continue
        path, text = recipe(size)
        data = text.encode()
        megabytes = len(data) / MEGABYTE
        kind = kind_of(path)
        covered.add(kind)
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            (root / "mami-audit.toml").write_text("")
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(data)
            if path != "Dockerfile":  # an ignore file is read for a Dockerfile's build
                (root / "Dockerfile").write_text("FROM python:3.11-slim\nCOPY . /app\n")
            parse_seconds = time_parse(path, data)
            audit_seconds, cpu_seconds, failures = time_audit(root, config)
            worst = max(worst, audit_seconds)
            peer = "-"
            ratio = "-"
            if kind == "dockerfile" and not options.no_peer:
                seconds = time_hadolint(root / path, options.peer_timeout)
                peer = f">{options.peer_timeout:.0f}" if seconds is None else f"{seconds:.2f}"
                if seconds:
                    ratio = f"{audit_seconds / seconds:.2f}"
        failed = f"  {failures} rules failed" if failures else ""
        print(
            f"{name:<22} {kind:<13} {megabytes:6.2f} {megabytes / parse_seconds:11.1f} "
            f"{audit_seconds:8.2f} {cpu_seconds:6.2f} {megabytes / audit_seconds:11.2f} "
            f"{peer:>11} {ratio:>6}"
            f"{failed}",
            flush=True,
        )
    if not options.only:  # with --only, the kinds left out were left out on purpose
        for kind in sorted(set(KIND_MODULES) - covered):
            print(f"{'(no recipe)':<22} {kind:<13}")
    print(f"slowest audit: {worst:.2f} s (goal: under 10 s at 5 MB)")
    if not options.no_cli:
        print()
        run_issue_cases(options.cli, options.cli_repeat)


if __name__ == "__main__":
    main()
