"""The readiness HTML report in real headless Chromium (Debian's, driven by playwright-core
from the frontend's packages): it opens with no console error and no request, its filters
work by mouse and keyboard, failing criteria expand to their findings and lines, it has a
light and a dark theme, fits a phone and a wide screen, and every number on it equals the
JSON report's."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.readiness import percent
from auditor.report.readiness import render
from auditor.testing import write_files

from .readiness_support import readiness_report

REPOSITORY = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("readiness_html_check.mjs")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PLAYWRIGHT = REPOSITORY / "frontend" / "node_modules" / "playwright-core"

FLAWED = {
    "Dockerfile": "FROM python:3.11-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n"
    'CMD ["python", "-m", "app"]\n',
    ".github/workflows/docker-build.yml": "on: push\npermissions: {}\njobs:\n  test:\n"
    "    runs-on: ubuntu-24.04\n    steps:\n      - run: echo '<script>alert(1)</script>'\n",
}

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="needs node"),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs Debian's chromium (scripts/setup.sh)"
    ),
    pytest.mark.skipif(not PLAYWRIGHT.exists(), reason="needs the frontend's packages (npm ci)"),
]


@pytest.fixture(scope="module")
def page_and_json(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    root = tmp_path_factory.mktemp("flawed")
    write_files(root, FLAWED)
    report = readiness_report(root)
    html, data = io.StringIO(), io.StringIO()
    render("html", report, html)
    render("json", report, data)
    page_file = root / "report.html"
    page_file.write_text(html.getvalue(), encoding="utf-8")
    done = subprocess.run(
        ["node", str(SCRIPT), str(page_file)], capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), json.loads(data.getvalue())


def test_opens_without_console_errors_or_requests(page_and_json) -> None:
    page, _ = page_and_json
    assert page["consoleErrors"] == []
    assert page["requests"] == []


def test_numbers_on_the_page_equal_the_json_report(page_and_json) -> None:
    page, data = page_and_json
    shown = page["shown"]
    assert shown["overall"] == percent(data["readiness"])
    assert shown["counts"] == {
        k: data["summary"][k] for k in ("pass", "fail", "not-checked", "runtime-only")
    }
    assert [r["id"] for r in shown["requirements"]] == [r["id"] for r in data["requirements"]]
    for on_page, in_json in zip(shown["requirements"], data["requirements"], strict=True):
        assert on_page["percent"] == percent(in_json["readiness"])
        assert on_page["statuses"] == in_json["counts"]
    assert shown["chart"] == [
        {"id": r["id"], "percent": percent(r["readiness"])} for r in data["requirements"]
    ]
    total = data["summary"]["criteria"]
    assert (
        page["allVisible"] == total and shown["shownText"] == f"Showing {total} of {total} criteria"
    )


def test_status_filter_and_findings_with_their_lines(page_and_json) -> None:
    page, data = page_and_json
    failing = [
        c["id"] for r in data["requirements"] for c in r["criteria"] if c["status"] == "fail"
    ]
    assert failing and page["failOnly"] == failing
    assert (
        page["failOnlyText"] == f"Showing {len(failing)} of {data['summary']['criteria']} criteria"
    )
    first = next(c for r in data["requirements"] for c in r["criteria"] if c["id"] == failing[0])
    expanded = page["expanded"]
    assert expanded["open"] is True
    assert expanded["findings"] == [
        f"{f['path']}:{f['line']}:{f['column']}" for f in first["findings"]
    ]
    finding = first["findings"][0]
    offending = FLAWED[finding["path"]].split("\n")[finding["line"] - 1]
    assert expanded["lines"][0].startswith(f"{finding['line']} | {offending}")


def test_requirement_filter(page_and_json) -> None:
    page, data = page_and_json
    r13 = next(r for r in data["requirements"] if r["id"] == "R13")
    assert page["r13Only"] == [c["id"] for c in r13["criteria"]]
    assert page["visibleSections"] == ["R13"]


def test_keyboard_reaches_the_controls(page_and_json) -> None:
    page, _ = page_and_json
    order = page["tabOrder"]
    # the theme switch, the chart's links to each requirement, the filters, the findings
    assert order[0] == "theme" and order[1:22] == ["A"] * 21
    assert order[22:26] == ["status"] * 4 and order[26] == "requirement-filter"
    assert "SUMMARY" in order[27:]


def test_light_and_dark(page_and_json) -> None:
    page, _ = page_and_json
    assert page["lightBackground"] == "rgb(255, 255, 255)"
    assert page["darkBackground"] == "rgb(13, 17, 23)"
    assert page["afterToggle"] == {"theme": "light", "background": "rgb(255, 255, 255)"}


def test_phone_and_wide_screen_layouts(page_and_json) -> None:
    page, _ = page_and_json
    assert page["wide"] == {"side_by_side": True, "overflow": False}
    assert page["phone"] == {"stacked": True, "overflow": False, "wider": []}
