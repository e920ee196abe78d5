"""PS011 against its peer, ruff's T201, run for real on the same files.

PS011 reports exactly what T201 reports in application modules, except the two cases it
leaves out on purpose: a print with an explicit `file=` and prints in modules run as programs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.testing import check_files, write_files

RUFF = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")

FILES = {
    "app/__init__.py": "",
    "app/jobs.py": "def run(name):\n    print('running', name)\n    return name\n",
    "app/api.py": "import sys\n\ndef refuse():\n    print('no', file=sys.stderr)\n"
    "    print(f'value {1}')\n",
    "app/cli.py": "def main():\n    print('done')\n\nif __name__ == '__main__':\n    main()\n",
}


@pytest.mark.skipif(not Path(RUFF).exists(), reason="ruff is in the test extra")
def test_ps011_matches_ruff_t201_but_for_its_documented_exemptions(tmp_path: Path) -> None:
    write_files(tmp_path, FILES)
    done = subprocess.run(
        [RUFF, "check", "--select", "T201", "--output-format", "json", "--no-cache", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    ruff = {
        (Path(item["filename"]).relative_to(tmp_path).as_posix(), item["location"]["row"])
        for item in json.loads(done.stdout)
    }
    ours = {(f.path, f.span.line) for f in check_files(FILES, select=["PS011"])}
    exempt = {("app/api.py", 4), ("app/cli.py", 2)}  # file=..., a module run as a program
    assert ruff == ours | exempt
    assert not ours & exempt
