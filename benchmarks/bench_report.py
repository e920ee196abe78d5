"""`mami-audit report` against `mami-audit check` on this repository. Not a test: run it.

    .venv/bin/python benchmarks/bench_report.py [--runs 15] [--path .]

Both run as users run them, as fresh processes of the installed console script, on the same
project: `check PATH --output-format concise` and `report PATH --output-format FORMAT` (json
by default; --format picks another). One warm-up run each, then `--runs` timed runs,
alternating so that background load hits both alike. Prints both medians (wall clock and CPU)
and the ratio report/check; the goal is report within 10 % of check (ratio <= 1.10): the
report is the same audit plus the readiness data file and one format.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dockerfile import describe_install, find_tool, script_python, time_alternately  # noqa: E402

REPOSITORY = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--path", type=Path, default=REPOSITORY, help="project to audit (default: this repository)"
    )
    parser.add_argument(
        "--format", default="json", choices=("full", "json", "markdown", "junit", "html")
    )
    options = parser.parse_args()

    mami_audit = find_tool("mami-audit")
    print(f"mami-audit: {mami_audit} ({describe_install(script_python(mami_audit))})")
    print(f"project: {options.path.resolve()}")
    path = str(options.path)
    commands = {
        "check": [mami_audit, "check", path, "--output-format", "concise"],
        "report": [mami_audit, "report", path, "--output-format", options.format],
    }
    timings = time_alternately(commands, options.runs)
    for name, timing in timings.items():
        print(timing.line(name, options.runs))
    wall = statistics.median(timings["report"].wall) / statistics.median(timings["check"].wall)
    cpu = statistics.median(timings["report"].cpu) / statistics.median(timings["check"].cpu)
    verdict = "within" if wall <= 1.10 else "OVER"
    print(f"ratio report/check: wall {wall:.2f}x, CPU {cpu:.2f}x ({verdict} the 1.10 goal)")


if __name__ == "__main__":
    main()
