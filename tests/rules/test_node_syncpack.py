"""NP014 beside the real syncpack (`syncpack lint`, installed by `npm ci --prefix benchmarks`)
on a workspaces project: both name the same packages at the same package.json files."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from auditor.testing import check_files

SYNCPACK = Path(__file__).resolve().parents[2] / "benchmarks" / "node_modules" / ".bin" / "syncpack"
_MISMATCH_RE = re.compile(r"✘ \S+ → \S+ in (\S+) at \.(\w+) \((DiffersToHighestOrLowestSemver)\)")


def _project() -> dict[str, str]:
    def package(name: str, **sections: dict[str, str]) -> str:
        return json.dumps({"name": name, "version": "1.0.0", **sections}, indent=2) + "\n"

    return {
        "package.json": package(
            "mono", workspaces=["packages/*"], devDependencies={"typescript": "5.9.3"}
        ),
        "packages/web/package.json": package(
            "web",
            dependencies={"react": "19.2.0", "zustand": "5.0.9"},
            devDependencies={"typescript": "5.9.3"},
        ),
        "packages/admin/package.json": package(
            "admin",
            dependencies={"react": "18.3.1", "zustand": "^5.0.0", "axios": "1.7.9"},
            devDependencies={"typescript": "~5.8.0"},
        ),
        "packages/docs/package.json": package("docs", dependencies={"axios": "1.7.9"}),
    }


@pytest.mark.skipif(
    not SYNCPACK.exists(),
    reason="syncpack is not installed (npm ci --prefix benchmarks)",
)
def test_np014_names_what_syncpack_lint_names(tmp_path: Path) -> None:
    files = _project()
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    done = subprocess.run(
        [str(SYNCPACK), "lint"],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    syncpack = sorted(
        (match.group(1), match.group(2))
        for match in _MISMATCH_RE.finditer(done.stdout + done.stderr)
    )
    assert syncpack, done.stdout + done.stderr
    ours = sorted(
        (
            finding.path,
            _section_of(files[finding.path], finding.message.split(" ", 1)[0]),
        )
        for finding in check_files(files, select=["NP014"])
    )
    assert ours == syncpack


def _section_of(text: str, name: str) -> str:
    data = json.loads(text)
    return next(
        section for section in ("dependencies", "devDependencies") if name in data.get(section, {})
    )
