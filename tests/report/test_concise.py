"""The concise format: one parseable line per finding, then the summary."""

from __future__ import annotations

import re
from pathlib import Path

from auditor.result import RunResult
from auditor.rule import Finding, Severity, Span

FINDING_LINE = re.compile(
    r"^(?P<path>[^\n]+?):(?P<line>\d+):(?P<column>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$"
)


def test_lines_then_summary(result: RunResult, render_text) -> None:
    lines = render_text("concise", result).splitlines()
    assert lines == [
        "Dockerfile:3:5: TR002 `pip install` without --no-cache-dir",
        "Dockerfile:5:1: TR001 The final stage runs as root",
        "docker/web app/Dockerfile:1:1: TR003 Base image `nginx:latest` is not pinned",
        "docker/web app/Dockerfile:2:1: TR002 `pip install` without --no-cache-dir",
        "4 findings in 2 files, 2 fixable with --fix; 1 more with --unsafe-fixes.",
    ]
    parsed = [FINDING_LINE.match(line) for line in lines]
    assert [bool(match) for match in parsed] == [True] * 4 + [False]


def test_one_line_per_finding_whatever_the_message(tmp_path: Path, render_text) -> None:
    finding = Finding(
        "TR009",
        "nasty",
        "two\nlines\r and \x1b[2J a bidi \u202e override",
        "a.txt",
        Span(7, 2, 7, 3),
        Severity.ERROR,
    )
    lines = render_text("concise", RunResult(tmp_path, [finding], [], 1)).splitlines()
    assert lines[0] == "a.txt:7:2: TR009 two\\nlines\\r and \\x1b[2J a bidi \\u202e override"
    assert lines[1] == "1 finding in 1 file."


def test_clean_run_and_fixed_findings(
    clean_result: RunResult, result: RunResult, render_text
) -> None:
    assert render_text("concise", clean_result) == "All checks passed.\n"
    clean_result.fixed = list(result.findings)
    assert render_text("concise", clean_result) == "Fixed 4 findings.\nAll checks passed.\n"


def test_show_fixes_lists_what_was_fixed(result: RunResult, render_text) -> None:
    remaining, fixed = result.findings[2:], result.findings[:2]
    result.findings, result.fixed = remaining, fixed
    output = render_text("concise", result, show_fixes=True)
    assert output.endswith(
        "Fixed 2 findings:\n"
        "- Dockerfile:\n"
        "    1 × TR001 (test-root-user)\n"
        "    1 × TR002 (test-pip-cache)\n"
        "2 findings in 1 file, 1 fixable with --fix.\n"
    )


def test_statistics_replace_the_findings(result: RunResult, render_text) -> None:
    assert render_text("concise", result, statistics=True).splitlines() == [
        "2  TR002  [-] test-pip-cache",
        "1  TR001  [*] test-root-user",
        "1  TR003  [*] test-hygiene",
        "4 findings in 2 files, 2 fixable with --fix; 1 more with --unsafe-fixes.",
    ]
    result.unsafe_fixes_enabled = True
    assert (
        render_text("concise", result, statistics=True).splitlines()[0]
        == "2  TR002  [*] test-pip-cache"
    )
