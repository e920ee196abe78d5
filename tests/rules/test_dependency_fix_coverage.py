"""How far `check --fix --unsafe-fixes` takes a legacy project's frontend and requirements.

The bundled legacy example (without its mami-audit.toml, as a user's project would come)
is fixed twice: the second run must change nothing, and what is left of the Node and
Python dependency families must be what no fix can settle without a guess.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from auditor.testing import write_files

REPOSITORY = Path(__file__).resolve().parents[2]


def run_cli(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *arguments],
        check=False,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(REPOSITORY), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
    )


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _codes(root: Path) -> list[str]:
    done = run_cli(root, "check", ".", "--select", "NP,PY", "--output-format", "concise")
    return [line for line in done.stdout.splitlines() if ": NP" in line or ": PY" in line]


def test_the_legacy_example_is_fixed_as_far_as_no_guess_is_needed(tmp_path: Path) -> None:
    root = tmp_path / "legacy"
    shutil.copytree(REPOSITORY / "examples" / "legacy-mami", root)
    (root / "mami-audit.toml").unlink(missing_ok=True)
    before = _codes(root)
    fixed_codes = ("NP007", "NP008", "NP010", "NP012", "NP015", "NP019", "PY003", "PY010")
    for code in (*fixed_codes, "PY020"):
        assert any(f" {code} " in line for line in before), code

    first = run_cli(root, "check", ".", "--fix", "--unsafe-fixes")
    assert "Traceback" not in first.stderr, first.stderr
    fixed = _snapshot(root)
    second = run_cli(root, "check", ".", "--fix", "--unsafe-fixes")
    assert "Traceback" not in second.stderr, second.stderr
    assert _snapshot(root) == fixed  # a second --fix changes nothing

    after = _codes(root)
    for code in (*fixed_codes, "PY008"):
        assert not any(f" {code} " in line for line in after), (code, after)
    # The spec's missing packages are declared; only the lockfile (npm install) lags.
    assert not any(" NP001 " in line for line in after), after
    # Without a tsconfig.json, `tsc -b` cannot run: told so, not fixed.
    assert any(" NP011 " in line and "no tsconfig.json" in line for line in after), after
    # The code imports google.generativeai, which PY009 replaced: the code must move first.
    assert [line for line in after if " PY020 " in line] == [
        line for line in after if " PY020 " in line and "`google`" in line
    ]
    assert (root / "requirements-dev.txt").read_text() == "-r requirements.txt\npytest==7.4.0\n"
    assert '"dev": "vite"' in (root / "frontend" / "package.json").read_text()


def test_a_conflict_with_the_spec_version_resolves_through_py003_and_py008(
    tmp_path: Path,
) -> None:
    """PY007 has no fix of its own: when one side is the spec's value, PY003 moves the other
    to it and PY008 removes the then exact repeat (its comment kept)."""
    write_files(
        tmp_path,
        {
            "requirements.txt": "fastapi==0.115.0\nuvicorn==0.30.3\npydantic>=2.0.0\n"
            "fastapi==0.110.0  # old\npydantic<2\n"
        },
    )
    run_cli(tmp_path, "check", ".", "--select", "PY003,PY007,PY008", "--fix", "--unsafe-fixes")
    assert (tmp_path / "requirements.txt").read_text() == (
        "fastapi==0.115.0\nuvicorn==0.30.3\npydantic>=2.0.0\n# old\n"
    )
    done = run_cli(tmp_path, "check", ".", "--select", "PY003,PY007,PY008")
    assert done.returncode == 0, done.stdout
