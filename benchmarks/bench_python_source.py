"""What the Python source family (PS) adds to a whole-repository audit. Not a test: run it.

    .venv/bin/python benchmarks/bench_python_source.py [--runs 20] [--root PATH]

Runs `mami-audit check ROOT --output-format concise` as users run it (fresh processes, the
installed console script), once with every rule and once with `--ignore PS`, alternating so
background load hits both alike, after one warm-up each. Prints both medians, the difference
(what the family costs: parsing the app package with `ast`, the facts, the rules) and their
ratio; the goal is a difference under 40 ms on this repository.

Then it lists the modules a run with the family imports that a run without it does not, and
says whether libcst was among them (it must not be: libcst is imported only by --fix).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}

_RUN_AND_LIST_MODULES = """
import json, sys
from auditor.cli import main

listing, arguments = sys.argv[1], sys.argv[2:]
try:
    main(arguments)
except SystemExit:
    pass
finally:
    with open(listing, "w") as out:
        json.dump(sorted(sys.modules), out)
"""


def console_script() -> str:
    beside_python = Path(sys.executable).parent / "mami-audit"
    if not beside_python.exists():
        sys.exit("mami-audit is not installed in this environment (pip install -e .)")
    return str(beside_python)


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds: user + system) of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, env=ENVIRONMENT, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode > 1:
        sys.exit(f"{' '.join(command)} failed (exit {done.returncode}):\n{done.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def modules_loaded(root: Path, *arguments: str) -> set[str]:
    with tempfile.TemporaryDirectory() as folder:
        listing = Path(folder) / "modules.json"
        environment = dict(ENVIRONMENT, PYTHONPATH=str(REPOSITORY))
        subprocess.run(
            [sys.executable, "-c", _RUN_AND_LIST_MODULES, str(listing), *arguments],
            cwd=root,
            capture_output=True,
            env=environment,
            check=False,
        )
        return set(json.loads(listing.read_text()))


def parse_floor(root: Path, runs: int) -> float:
    """Median ms to read and `ast.parse` the app package's Python files, in this process."""
    import ast

    from auditor.config import Config
    from auditor.facts.python_code import app_package, python_paths
    from auditor.project import Project

    project = Project(root, Config())
    package = app_package(project)
    paths = [p for p in python_paths(project) if package is None or p.startswith(package + "/")]
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        for path in paths:
            ast.parse((root / path).read_text(encoding="utf-8"), filename=path)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--root", type=Path, default=REPOSITORY, help="project to audit")
    options = parser.parse_args()
    root = options.root.resolve()
    script = console_script()
    with_family = [script, "check", ".", "--output-format", "concise"]
    without_family = [*with_family, "--ignore", "PS"]

    timed(with_family, root)  # warm-up: bytecode caches, file system caches
    timed(without_family, root)
    runs_with, runs_without = [], []
    for _ in range(options.runs):
        runs_with.append(timed(with_family, root))
        runs_without.append(timed(without_family, root))
    print(f"project: {root}  ({options.runs} runs each, medians; wall clock / CPU time)")
    for label, column in (("wall clock", 0), ("CPU time", 1)):
        median_with = statistics.median(run[column] for run in runs_with) * 1000
        median_without = statistics.median(run[column] for run in runs_without) * 1000
        print(f"  {label}:")
        print(f"    every rule:          {median_with:7.1f} ms")
        print(f"    every rule but PS:   {median_without:7.1f} ms")
        added = median_with - median_without
        print(f"    the PS family adds:  {added:7.1f} ms (goal: under 40 ms)")
        print(f"    ratio:               {median_with / median_without:7.2f}x")
    floor = parse_floor(root, options.runs)
    print(f"  of which ast.parse of the app package alone: {floor:.1f} ms (the floor: every")
    print("  PS rule needs the parsed modules; on a busy machine all figures grow alike)")

    arguments = ["check", ".", "--output-format", "concise"]
    loaded_with = modules_loaded(root, *arguments)
    loaded_without = modules_loaded(root, *arguments, "--ignore", "PS")
    added = sorted(loaded_with - loaded_without)
    print(f"\nmodules the PS family imports ({len(added)}):")
    for name in added:
        print(f"  {name}")
    libcst = any(name == "libcst" or name.startswith("libcst.") for name in loaded_with)
    print(f"\nlibcst imported without --fix: {'YES (a regression)' if libcst else 'no'}")


if __name__ == "__main__":
    main()
