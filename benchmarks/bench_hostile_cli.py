"""The hostile inputs of issue 8 (case 13), at the sizes the issue lists, through the real CLI.

    .venv/bin/python benchmarks/bench_hostile_cli.py [--cli PATH] [--repeat 3]

Each case is written into an empty folder and checked the way a user runs it: `mami-audit
check <folder>`, then `mami-audit check --fix --unsafe-fixes <copy>` on a fresh copy. It prints
the median wall-clock and CPU seconds of each (the CPU seconds of the child process: steadier
on a shared machine) and whether the slower of the two is under the issue's 10 s goal.

Use a regular (non-editable) install for `--cli`, as users have: the default is the
`mami-audit` next to this Python, else the one on PATH. `bench_parsing.py` prints this table
at its end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile_inputs import HEAD, RECIPES

GOAL_SECONDS = 10.0


class Case(NamedTuple):
    label: str  # as the issue words it
    recipe: str
    size: int  # the recipe's size argument that gives the issue's input


# The issue's list, in its order, at its sizes (see each recipe for how size maps to count).
ISSUE_CASES = [
    Case("one 1 MB word in a RUN", "long-word", 1_000_000),
    Case("one 2 MB word in a RUN", "long-word", 2_000_000),
    Case("8,000 continuation lines", "continuation-lines", 8_000 * 20),
    Case("5,000 heredocs on one RUN", "many-heredocs", 5_000 * 30),
    Case("ENV X= + 400k letters", "long-env-value", 400_000),
    Case("RUN useradd x 40k (one line)", "repeated-commands", 40_000 * 12),
    Case("RUN useradd x 40k (40k RUNs)", "repeated-run-lines", 40_000 * 12),
    Case("apt-get install - + 60k y", "apt-dash-flags", 60_000),
    Case("# syntax=a + 100k spaces + b", "spaced-directive", 100_000),
    Case(".dockerignore: 400 * then b", "ignore-stars", 400),
    Case(".dockerignore: 2,500 * then b", "ignore-stars", 2_500),
]


class Timing(NamedTuple):
    wall: float
    cpu: float
    exit_code: int


class Row(NamedTuple):
    case: Case
    megabytes: float
    check: Timing
    fix: Timing

    @property
    def worst(self) -> float:
        return max(self.check.wall, self.fix.wall)


def default_cli() -> str:
    beside = Path(sys.executable).parent / "mami-audit"
    return str(beside) if beside.exists() else (shutil.which("mami-audit") or "mami-audit")


def write_case(folder: Path, case: Case) -> int:
    path, text = RECIPES[case.recipe](case.size)
    data = text.encode()
    folder.mkdir()
    (folder / path).write_bytes(data)
    if path != "Dockerfile":  # an ignore file is read for a Dockerfile's build
        (folder / "Dockerfile").write_text(f"{HEAD}COPY . /app\n")
    return len(data)


def run_once(command: list[str]) -> Timing:
    """One run, its wall-clock time and the CPU time of the child (user + system)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode not in (0, 1):
        print(f"    exit {process.returncode}: {error.strip()[:300]}", file=sys.stderr)
    return Timing(wall, usage.ru_utime + usage.ru_stime, process.returncode)


def median_timing(timings: list[Timing]) -> Timing:
    return Timing(
        statistics.median(t.wall for t in timings),
        statistics.median(t.cpu for t in timings),
        max(t.exit_code for t in timings),
    )


def measure(case: Case, cli: str, repeat: int) -> Row:
    checks, fixes = [], []
    with tempfile.TemporaryDirectory() as temporary:
        original = Path(temporary) / "case"
        size = write_case(original, case)
        for attempt in range(repeat):
            checks.append(run_once([cli, "check", str(original)]))
            copy = Path(temporary) / f"fix-{attempt}"
            shutil.copytree(original, copy)  # every --fix starts from the unfixed input
            fixes.append(run_once([cli, "check", "--fix", "--unsafe-fixes", str(copy)]))
    return Row(case, size / 1_000_000, median_timing(checks), median_timing(fixes))


def print_table(rows: list[Row]) -> None:
    print(f"{'issue case (CLI)':<32} {'MB':>5} {'check s':>8} {'cpu s':>6} "
          f"{'--fix s':>8} {'cpu s':>6}  under {GOAL_SECONDS:.0f} s")  # fmt: skip
    for row in rows:
        verdict = "yes" if row.worst < GOAL_SECONDS else "NO"
        failed = [t.exit_code for t in (row.check, row.fix) if t.exit_code not in (0, 1)]
        note = f"  (exit {failed[0]})" if failed else ""
        print(
            f"{row.case.label:<32} {row.megabytes:5.2f} {row.check.wall:8.2f} "
            f"{row.check.cpu:6.2f} {row.fix.wall:8.2f} {row.fix.cpu:6.2f}  {verdict}{note}",
            flush=True,
        )
    worst = max(rows, key=lambda row: row.worst)
    print(f"slowest issue case: {worst.case.label}, {worst.worst:.2f} s "
          f"(goal: every one under {GOAL_SECONDS:.0f} s)")  # fmt: skip


def run_issue_cases(cli: str, repeat: int, only: list[str] | None = None) -> list[Row]:
    cases = [case for case in ISSUE_CASES if not only or case.recipe in only]
    rows = [measure(case, cli, repeat) for case in cases]
    if rows:
        print_table(rows)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cli", default=default_cli(), help="the mami-audit to run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (median kept)")
    parser.add_argument("--only", action="append", help="only the cases of these recipes")
    options = parser.parse_args()
    print(f"CLI: {options.cli}")
    run_issue_cases(options.cli, options.repeat, options.only)


if __name__ == "__main__":
    main()
