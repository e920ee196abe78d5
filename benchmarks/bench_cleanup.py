"""The cleanup plan against `git clean -n -d -X` on a project with a committed node_modules.

    .venv/bin/python benchmarks/bench_cleanup.py [--files 100000] [--runs 5] [--keep]
    .venv/bin/python benchmarks/bench_cleanup.py --project KEPT_PROJECT   # reuse one

Generates, in a temporary folder, a git repository shaped like a Mami AI project whose
frontend/node_modules (FILES files in packages of 100) is committed, with a Dockerfile and a
.dockerignore at the root. Then times, in the same run, as fresh processes:

- `mami-audit cleanup --output-format json`, the console script installed beside this
  Python (the whole plan: the junk and its sizes from git's index, the uncommitted-changes
  check, the ignore-file fixes, the build-context sizes; an editable install, as
  scripts/setup.sh makes, adds start-up time, and the output says which it is), and
- `git clean -n -d -X`, git's own dry-run listing of what it would clean,

and prints both medians and their ratio. Goal: the plan within 2x of git clean. Each command
runs once to warm up (the page cache; mami-audit's bytecode, which a user's install has), then
both in turn `--runs` times, so that a change in the machine's load falls on both alike. It
also prints the floor no change in the plan can remove: Python starting and importing the CLI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dockerfile import (  # noqa: E402  (a sibling script)
    ENVIRONMENT,
    describe_install,
    find_tool,
    script_python,
    time_alternately,
)

PACKAGE_SIZE = 100  # files per generated package


def git(root: Path, *args: str) -> None:
    environment = dict(
        os.environ,
        GIT_AUTHOR_NAME="bench",
        GIT_AUTHOR_EMAIL="bench@example.com",
        GIT_COMMITTER_NAME="bench",
        GIT_COMMITTER_EMAIL="bench@example.com",
    )
    subprocess.run(["git", "-C", str(root), *args], check=True, env=environment,
                   stdout=subprocess.DEVNULL)


def generate(root: Path, files: int) -> None:
    (root / "app").mkdir(parents=True)
    (root / "app/__init__.py").write_text("")
    (root / "app/main.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n")
    (root / "requirements.txt").write_text("fastapi==0.115.0\n")
    (root / "Dockerfile").write_text(
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\nCOPY app/ app/\n"
    )
    (root / ".dockerignore").write_text(".git\n.venv\n.env\ntests\n**/__pycache__\n")
    (root / ".gitignore").write_text(".venv/\n.env\n")
    (root / "FAZE_1_NOTES.md").write_text("notes\n")
    modules = root / "frontend" / "node_modules"
    body = "module.exports = function () { return 42 }\n" * 4
    for number in range(files):
        package = modules / f"package-{number // PACKAGE_SIZE:05d}"
        if number % PACKAGE_SIZE == 0:
            package.mkdir(parents=True)
        (package / f"file-{number % PACKAGE_SIZE:03d}.js").write_text(body)
    (root / "frontend/package.json").write_text('{"name": "ui", "private": true}\n')
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "project with a committed node_modules")


def timed(command: list[str], root: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=root, capture_output=True, text=True, check=False, env=ENVIRONMENT
    )
    return time.perf_counter() - started, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the generated project")
    parser.add_argument("--project", type=Path, help="a project kept by an earlier --keep")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="mami-audit-bench-cleanup-"))
    root = options.project.resolve() if options.project else folder / "project"
    try:
        if options.project is None:
            print(f"generating {options.files} committed node_modules files in {root} ...")
            generate(root, options.files)
        script = find_tool("mami-audit")  # the console script, as a user runs it
        python = script_python(script)
        print(f"mami-audit: {script} ({describe_install(python)})")
        mami_audit = [script, "cleanup", "--output-format", "json"]
        _, plan_run = timed(mami_audit, root)  # also writes the bytecode, as an install has it
        if plan_run.returncode not in (0, 1):
            sys.exit(f"mami-audit cleanup failed: {plan_run.stderr}")
        plan = json.loads(plan_run.stdout)
        junk = {entry["path"]: entry["files"] for entry in plan["paths"]}
        print(f"mami-audit found: {junk}")
        commands = {
            "mami-audit": mami_audit,
            "git clean": ["git", "clean", "-n", "-d", "-X"],
            "floor": [python, "-c", "import auditor.cli"],
        }
        timings = time_alternately(commands, options.runs, cwd=root)
        for name, timing in timings.items():
            print("  " + timing.line(name, options.runs))
        ours, peer, floor = (statistics.median(timings[name].wall) for name in commands)
        print(f"mami-audit cleanup (plan): {ours:.3f} s")
        print(f"git clean -n -d -X:        {peer:.3f} s")
        print(f"ratio (mami-audit / git clean): {ours / peer:.2f}x  (goal: within 2x)")
        print(f"for reference, Python start-up + importing the CLI: {floor:.3f} s")
    finally:
        if options.keep and options.project is None:
            print(f"kept {root}")
        else:  # (with --project, `folder` is an unused empty one)
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parents[1])
    sys.path.insert(0, str(Path.cwd()))
    main()
