"""The PY family's offline rules against deptry on the same tree, start-up included. Run it.

    .venv/bin/python benchmarks/bench_python_deps.py [--runs 15] [--root PATH]

Both run as users run them, as fresh processes on the same folder (this repository by
default): `mami-audit check ROOT --select PY` (every offline PY rule: the requirements and
pyproject documents, the install sets from the Dockerfiles, the imports of the app code; the
online rules are not selected without --online) and `deptry ROOT`. One warm-up run each, then
`--runs` timed runs, alternating. Prints both medians and their ratio; the goal is a ratio of
1.0 or less (no slower than deptry).

The two do not do the same work: deptry reads every Python file of the tree and the metadata
of the environment it runs in; mami-audit reads the app package's Python files (see
auditor/facts/python_code.py), every requirements file, the pyproject and the Dockerfiles.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dockerfile import (  # noqa: E402  (a sibling script, not a package)
    describe_install,
    find_tool,
    script_python,
    time_alternately,
)

REPOSITORY = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--root", type=Path, default=REPOSITORY, help="the tree to audit")
    options = parser.parse_args()
    root = str(options.root.resolve())

    mami_audit = find_tool("mami-audit")
    print(f"mami-audit: {mami_audit} ({describe_install(script_python(mami_audit))})")
    deptry = find_tool("deptry")
    commands = {
        "mami-audit": [mami_audit, "check", root, "--select", "PY", "--output-format", "concise"],
        "deptry": [deptry, root],
    }
    timings = time_alternately(commands, options.runs)

    for name, timing in timings.items():
        print(timing.line(name, options.runs))
    medians = {name: statistics.median(timing.wall) for name, timing in timings.items()}
    ratio = medians["mami-audit"] / medians["deptry"]
    verdict = "meets" if ratio <= 1.0 else "does NOT meet"
    print(f"     ratio: mami-audit (PY) / deptry = {ratio:.2f}x ({verdict} the 1.0x goal)")


if __name__ == "__main__":
    main()
