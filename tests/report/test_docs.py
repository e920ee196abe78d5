"""docs/output-formats.md shows real output: its examples are rendered here and compared."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from auditor.report import render
from auditor.report.catalog import rule_to_json
from auditor.result import RunResult
from auditor.rule import Edit, Finding, Fix, Rule, Severity, Span

DOCS = Path(__file__).resolve().parents[2] / "docs" / "output-formats.md"
DOCKERFILE = (
    "FROM python:3.12-slim AS runtime\n"
    "WORKDIR /app\n"
    "RUN pip install -r requirements.txt\n"
    "COPY . .\n"
    'CMD ["python", "-m", "app"]\n'
)


def blocks(language: str) -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.M | re.S)


def finding(code: str, name: str, message: str, path: str, span: Span, **extra) -> Finding:
    severity = extra.pop("severity", Severity.WARNING)
    return Finding(code, name, message, path, span, severity, **extra)


def root_user(line: int = 5) -> Finding:
    fix = Fix.safe("Add `USER mami` before CMD", Edit.insert("Dockerfile", line, 1, "USER mami\n"))
    return finding(
        "DF001",
        "root-user",
        "The final stage runs as root",
        "Dockerfile",
        Span(line, 1, line, 28),
        severity=Severity.ERROR,
        requirements=("R1.5", "R14.4"),
        fix=fix,
    )


def pip_cache(path: str = "Dockerfile", span: Span | None = None, fix: bool = True) -> Finding:
    span = span or Span(3, 5, 3, 16)
    unsafe = Fix.unsafe("Add --no-cache-dir", Edit.insert(path, 3, 16, " --no-cache-dir"))
    return finding(
        "DF004",
        "pip-no-cache-dir",
        "`pip install` without --no-cache-dir",
        path,
        span,
        requirements=("R8.4",),
        fix=unsafe if fix else None,
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    return tmp_path


def rendered(format_name: str, result: RunResult, **options: bool) -> str:
    out = io.StringIO()
    render(format_name, result, out, **options)
    return out.getvalue()


def test_full_example(root: Path) -> None:
    result = RunResult(root, [pip_cache(), root_user()], [], 3)
    assert rendered("full", result) == blocks("text")[0]


def test_show_fixes_example(root: Path) -> None:
    result = RunResult(root, [], [], 3, fixed=[root_user(), pip_cache()])
    expected = blocks("text")[1]
    assert rendered("concise", result, show_fixes=True) == expected + "All checks passed.\n"


def test_statistics_example(root: Path) -> None:
    latest = finding("DF011", "latest-tag", "m", "Dockerfile", Span(1, 6, 1, 22))
    second_pip = pip_cache("docker/Dockerfile")
    result = RunResult(root, [pip_cache(), second_pip, root_user(), latest], [], 3)
    lines = rendered("concise", result, statistics=True).splitlines()
    assert "\n".join(lines[:-1]) + "\n" == blocks("text")[2]


def test_concise_example(root: Path) -> None:
    result = RunResult(root, [pip_cache(), root_user()], [], 3)
    assert rendered("concise", result) == blocks("text")[3]


def test_github_example(root: Path) -> None:
    web = pip_cache("docker/web app/Dockerfile", Span(2, 5, 4, 3), fix=False)
    result = RunResult(root, [root_user(), web], [], 3)
    assert rendered("github", result) == blocks("text")[4]


def test_json_examples(root: Path) -> None:
    result = RunResult(root, [root_user()], [], 3)
    document = json.loads(rendered("json", result, statistics=True))
    documented = json.loads(blocks("json")[0])
    documented["root"] = str(root)
    statistics = json.loads("{" + blocks("json")[1] + "}")["statistics"]
    assert {key: document[key] for key in documented} == documented | {
        "version": document["version"]
    }
    assert set(statistics[0]) == set(document["statistics"][0])


def test_rules_json_example() -> None:
    class ParseError(Rule):
        code = "AU001"
        name = "parse-error"
        summary = "A file could not be read, decoded or parsed"
        severity = Severity.ERROR

    assert json.loads(blocks("json")[2]) == [rule_to_json(ParseError)]
