"""The entry point the CLI calls: format names, errors, and light imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from auditor.report import FORMATS, render
from auditor.result import RunResult

REPOSITORY = Path(__file__).resolve().parents[2]


def test_formats_agreed_with_the_cli() -> None:
    assert FORMATS == ("full", "concise", "json", "sarif", "github")


def test_every_format_renders_a_real_result(result: RunResult, render_text) -> None:
    for name in FORMATS:
        assert render_text(name, result), name


def test_unknown_format_names_the_choices(clean_result: RunResult) -> None:
    import io

    with pytest.raises(
        ValueError, match="unknown output format 'xml' .*full, concise, json, sarif, github"
    ):
        render("xml", clean_result, io.StringIO())


@pytest.mark.parametrize("name", ["concise", "json", "sarif", "github"])
def test_only_full_imports_rich(name: str, tmp_path: Path) -> None:
    script = (
        "import io, sys\n"
        "from pathlib import Path\n"
        "from auditor.report import render\n"
        "from auditor.result import RunResult\n"
        f"render({name!r}, RunResult(Path('.'), [], [], 0), io.StringIO())\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('rich', 'auditor.report.')))\n"
        "print(' '.join(loaded))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=REPOSITORY, capture_output=True, text=True, check=True
    )
    loaded = completed.stdout.split()
    assert not [module for module in loaded if module.startswith("rich")]
    modules = {"concise": "concise", "json": "json_report", "sarif": "sarif", "github": "github"}
    assert f"auditor.report.{modules[name]}" in loaded
    assert "auditor.report.full" not in loaded
