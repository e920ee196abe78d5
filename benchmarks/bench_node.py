"""The Node family (NP) against syncpack, and on big generated lockfiles. Not a test: run it.

    npm ci --prefix benchmarks        # once: installs the peer, syncpack 15 (Rust)
    .venv/bin/python benchmarks/bench_node.py [--runs 20] [--packages 2000] [--big-mb 100]

1. This repository's frontend (package.json, package-lock.json, vite.config.ts, Dockerfile),
   copied into a folder of its own: `mami-audit check <folder> --select NP` against
   `syncpack lint` in that folder (and `npm ls --all`, a second reference that also reads
   the lockfile), as fresh processes, one warm-up each, then `--runs` alternating runs.
   Prints medians and the ratio; the goal is mami-audit faster than syncpack.
2. A generated project whose lockfile holds `--packages` packages (>= 1,000): the same
   mami-audit command, timed the same way, beside syncpack on the same folder.
3. A generated lockfile of about `--big-mb` MB, parsed in a fresh process: time and peak
   memory of reading and parsing it (bounded memory: the text plus a small record per
   package), and of the whole NP run on it. `--big-mb 0` skips it.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dockerfile import script_python, time_alternately  # noqa: E402  (a sibling script)

REPOSITORY = Path(__file__).resolve().parents[1]
FRONTEND_FILES = ("package.json", "package-lock.json", "vite.config.ts", "Dockerfile")


def find(name: str, *extra: Path) -> str | None:
    for candidate in (Path(sys.executable).parent / name, *extra):
        if candidate.exists():
            return str(candidate)
    return shutil.which(name)


def race(commands: dict[str, list[str]], cwd: Path, runs: int) -> dict[str, float]:
    """Median wall-clock seconds of each command, run in turn (bench_dockerfile's timing)."""
    timings = time_alternately(commands, runs, cwd=cwd)
    for name, timing in timings.items():
        print("  " + timing.line(name, runs))
    return {name: statistics.median(timing.wall) for name, timing in timings.items()}


def generated_project(folder: Path, packages: int) -> None:
    """A Vite app whose lockfile holds `packages` entries, some nested, all consistent."""
    direct = {f"pkg-{i}": f"1.{i % 7}.{i % 13}" for i in range(0, packages, 20)}
    entries: dict[str, dict] = {
        "": {"name": "big", "dependencies": direct, "engines": {"node": ">=22"}}
    }
    for i in range(packages):
        version = f"1.{i % 7}.{i % 13}"
        entry = {
            "version": version,
            "resolved": f"https://registry.npmjs.org/pkg-{i}/-/pkg-{i}-{version}.tgz",
            "integrity": "sha512-" + "A" * 86 + "==",
            "license": "MIT",
            "dependencies": {
                f"pkg-{(i * 7 + 1) % packages}": "^1.0.0",
                f"pkg-{(i * 3 + 2) % packages}": "*",
            },
            "engines": {"node": ">=18" if i % 3 else "^20.19.0 || >=22.12.0"},
        }
        entries[f"node_modules/pkg-{i}"] = entry
        if i % 50 == 0:  # a nested copy, as npm writes when two versions are needed
            entries[f"node_modules/pkg-{i}/node_modules/pkg-{(i + 1) % packages}"] = dict(entry)
    lock = {"name": "big", "lockfileVersion": 3, "requires": True, "packages": entries}
    package = {
        "name": "big",
        "private": True,
        "engines": {"node": ">=22"},
        "scripts": {"dev": "vite", "build": "vite build"},
        "dependencies": direct,
    }
    (folder / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    (folder / "package-lock.json").write_text(json.dumps(lock, indent=2) + "\n")
    (folder / "Dockerfile").write_text(
        "FROM node:22-alpine\nCOPY package.json package-lock.json ./\nRUN npm ci\n"
    )


def big_lockfile(folder: Path, megabytes: int) -> None:
    packages = max(1000, megabytes * 2350)  # about 425 bytes per generated entry
    generated_project(folder, packages)


def peak_memory_mb() -> float:
    """This process's peak resident memory. /proc's VmHWM starts afresh at exec; getrusage's
    ru_maxrss would carry over the parent's peak (the generator's) on Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def parse_in_process(folder: Path) -> None:
    sys.path.insert(0, str(REPOSITORY))
    from auditor.config import Config
    from auditor.documents.base import SourceFile
    from auditor.documents.package_lock import parse
    from auditor.engine import audit, select_rules
    from auditor.project import Project
    from rules import load_all

    path = folder / "package-lock.json"
    size = path.stat().st_size
    # Above the default max-file-size a lockfile is reported, not read: raise the cap so the
    # parser itself is measured, and fail loudly if it still is not read.
    cap = 2 * size
    start = time.perf_counter()
    lock = parse(SourceFile.read("package-lock.json", path, max_size=cap))
    if lock.parse_error is not None:
        sys.exit(f"the generated lockfile did not parse: {lock.parse_error}")
    parsed = time.perf_counter() - start
    peak = peak_memory_mb()
    print(
        f"  parse: {size / 1e6:.0f} MB, {len(lock.packages)} packages in {parsed:.2f} s; "
        f"peak memory {peak:.0f} MB ({peak / (size / 1e6):.1f}x the file)"
    )
    del lock
    load_all()
    config = Config(max_file_size=cap).with_overrides(select=["NP"])
    start = time.perf_counter()
    result = audit(Project(folder, config), config, select_rules(config))
    elapsed = time.perf_counter() - start
    peak = peak_memory_mb()
    print(
        f"  whole NP audit (parse included): {elapsed:.2f} s, {len(result.findings)} findings; "
        f"peak memory {peak:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--packages", type=int, default=2000)
    parser.add_argument("--big-mb", type=int, default=100)
    parser.add_argument("--parse-only", type=Path, help=argparse.SUPPRESS)  # section 3's child
    options = parser.parse_args()
    if options.parse_only:
        parse_in_process(options.parse_only)
        return
    if options.packages < 1000:
        sys.exit("--packages: at least 1000")

    mami_audit = find("mami-audit")
    syncpack = find("syncpack", REPOSITORY / "benchmarks" / "node_modules" / ".bin" / "syncpack")
    npm = shutil.which("npm")
    if mami_audit is None:
        sys.exit("mami-audit not found: install it into this environment")
    if syncpack is None:
        sys.exit("syncpack not found: run `npm ci --prefix benchmarks` first")
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(f"machine: {os.cpu_count()} CPUs, load average {load} (a busy machine slows both alike)")
    version = subprocess.run(
        [syncpack, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(f"peer: {version} ({syncpack})")

    with tempfile.TemporaryDirectory(prefix="mami-audit-bench-node-") as name:
        folder = Path(name) / "frontend"
        folder.mkdir()
        for file in FRONTEND_FILES:
            shutil.copy(REPOSITORY / "frontend" / file, folder / file)
        commands = {
            "mami-audit NP": [
                mami_audit,
                "check",
                str(folder),
                "--select",
                "NP",
                "--output-format",
                "concise",
            ],
            "syncpack lint": [syncpack, "lint"],
        }
        if npm:
            commands["npm ls --all"] = [npm, "ls", "--all", "--package-lock-only"]
        # The floor: Python starting and importing the command line, before any file is read.
        commands["start-up"] = [script_python(mami_audit), "-c", "import auditor.cli"]
        print(f"\n1. this repository's frontend ({', '.join(FRONTEND_FILES)})")
        medians = race(commands, folder, options.runs)
        ratio = medians["mami-audit NP"] / medians["syncpack lint"]
        verdict = "faster than" if ratio < 1 else "NOT faster than"
        print(f"  ratio: mami-audit / syncpack = {ratio:.2f}x ({verdict} the peer)")
        floor = medians["start-up"] / medians["syncpack lint"]
        print(f"  reference: Python starting and importing the CLI: {floor:.2f}x syncpack's time")

        big = Path(name) / "generated"
        big.mkdir()
        generated_project(big, options.packages)
        count = len(json.loads((big / "package-lock.json").read_text())["packages"]) - 1
        print(f"\n2. a generated lockfile of {count} packages")
        commands = {
            "mami-audit NP": [
                mami_audit,
                "check",
                str(big),
                "--select",
                "NP",
                "--output-format",
                "concise",
            ],
            "syncpack lint": [syncpack, "lint"],
        }
        if npm:
            commands["npm ls --all"] = [npm, "ls", "--all", "--package-lock-only"]
        medians = race(commands, big, max(3, options.runs // 4))
        ratio = medians["mami-audit NP"] / medians["syncpack lint"]
        print(f"  ratio: mami-audit / syncpack = {ratio:.2f}x (syncpack reads package.json only)")

        if options.big_mb:
            huge = Path(name) / "huge"
            huge.mkdir()
            big_lockfile(huge, options.big_mb)
            print(f"\n3. a generated lockfile of about {options.big_mb} MB (a fresh process)")
            subprocess.run([sys.executable, __file__, "--parse-only", str(huge)], check=True)


if __name__ == "__main__":
    main()
