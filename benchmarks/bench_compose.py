"""mami-audit's compose and observability families against dclint, on the same files, in one
run, start-up included. Not a test: run it.

    .venv/bin/python benchmarks/bench_compose.py [--runs 20]

The files are the reference project's stack: docker-compose.yml, docker-compose.prod.yml,
.env.example and docker/ (Prometheus, alert rules, Grafana provisioning), copied into a
temporary folder. Both tools run as users run them, as fresh processes:
`mami-audit check <folder> --select CP,OB,AU` and `dclint docker-compose.yml
docker-compose.prod.yml` (dclint reads only compose files; mami-audit reads the docker/ files
as well and builds the merged stacks). dclint comes from npm: `npm ci` in benchmarks/
installs it (package.json + package-lock.json there). Alternating runs after a warm-up;
prints both medians and their ratio. The goal is a ratio of at most 0.33 (3x faster).

It also measures, in this process, what the compose-spec schema costs (importing jsonschema
and building the validator, once per run; validating each file) next to reading the YAML,
so the price of CP001 is known.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench_dockerfile import describe_install, find_tool, script_python, time_alternately

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
STACK_FILES = ("docker-compose.yml", "docker-compose.prod.yml", ".env.example")


def dclint() -> str:
    local = HERE / "node_modules" / ".bin" / "dclint"
    if local.exists():
        return str(local)
    found = shutil.which("dclint")
    if found is None:
        sys.exit("dclint not found: run `npm ci` in benchmarks/")
    return found


_SCHEMA_COST = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
root = Path(sys.argv[2])
from auditor.facts import compose
start = time.perf_counter()
import jsonschema
imported = time.perf_counter()
compose._validator()
built = time.perf_counter()
from auditor.documents import yaml_tree
from auditor.project import Project
project = Project(root)
for name in ("docker-compose.yml", "docker-compose.prod.yml"):
    text = (root / name).read_text()
    began = time.perf_counter()
    yaml_tree.load(text)
    loaded = time.perf_counter()
    compose.schema_problems(project, name)
    checked = time.perf_counter()
    print(f"{name:>24}: YAML {1000 * (loaded - began):5.1f} ms, read + schema "
          f"{1000 * (checked - loaded):5.1f} ms")
print(f"{'import jsonschema':>24}: {1000 * (imported - start):5.1f} ms (once)")
print(f"{'build the validator':>24}: {1000 * (built - imported):5.1f} ms (once)")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args()

    mami_audit = find_tool("mami-audit")
    python = script_python(mami_audit)
    print(f"mami-audit: {mami_audit} ({describe_install(python)})")

    with tempfile.TemporaryDirectory(prefix="mami-audit-bench-compose-") as folder:
        root = Path(folder)
        for name in STACK_FILES:
            shutil.copy2(REPOSITORY / name, root / name)
        shutil.copytree(REPOSITORY / "docker", root / "docker")
        compose = [str(root / name) for name in STACK_FILES if name.startswith("docker-compose")]
        commands = {
            "mami-audit": [
                mami_audit,
                "check",
                folder,
                "--select",
                "CP,OB,AU",
                "--output-format",
                "concise",
            ],
            "dclint": [dclint(), *compose],
        }
        import subprocess

        cost = subprocess.run(
            [script_python(mami_audit), "-c", _SCHEMA_COST, str(REPOSITORY), folder],
            capture_output=True,
            text=True,
            check=False,
        )
        breakdown = cost.stdout if cost.returncode == 0 else cost.stderr
        timings = time_alternately(commands, options.runs)

    for name, timing in timings.items():
        print(timing.line(name, options.runs))
    medians = {name: statistics.median(timing.wall) for name, timing in timings.items()}
    ratio = medians["mami-audit"] / medians["dclint"]
    verdict = "meets" if ratio <= 0.33 else "does NOT meet"
    print(f"     ratio: mami-audit / dclint = {ratio:.2f} ({verdict} the <= 0.33 goal)")
    print("in-process cost of the compose-spec schema (CP001):")
    print(breakdown.rstrip())


if __name__ == "__main__":
    main()
