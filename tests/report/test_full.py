"""The full format: grouped by file, source lines with markers, plain text in a pipe."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.result import RunResult
from auditor.rule import Finding, Severity, Span

ANSI = re.compile("\x1b\\[[0-9;]*m")
COLOUR = re.compile("\x1b\\[[0-9;]*(?:3[0-9]|9[0-7])(?:;[0-9;]*)?m")


@pytest.fixture(autouse=True)
def no_forced_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)


def caret_columns(lines: list[str], source_line: str) -> tuple[int, int]:
    """1-based first and last column the carets under `source_line` point at."""
    index = lines.index(source_line)
    gutter = source_line.index("| ") + 2
    carets = lines[index + 1]
    start = carets.index("^")
    end = carets.rindex("^")
    return start - gutter + 1, end - gutter + 1


def test_grouped_by_file_with_lines_and_markers(result: RunResult, render_text) -> None:
    output = render_text("full", result)
    assert "\x1b" not in output  # a StringIO is no terminal: plain text
    lines = output.splitlines()
    assert lines.count("Dockerfile  (2 findings)") == 1
    assert lines.count("docker/web app/Dockerfile  (2 findings)") == 1
    assert lines.index("Dockerfile  (2 findings)") < lines.index(
        "docker/web app/Dockerfile  (2 findings)"
    )

    pip_line = " 3 | RUN pip install -r requirements.txt"
    assert caret_columns(lines, pip_line) == (5, 15)  # `pip install`, columns 5..15
    cmd_line = ' 5 | CMD ["python", "-m", "app"]'
    assert caret_columns(lines, cmd_line) == (1, 27)

    header = lines.index("error TR001 [*] test-root-user: The final stage runs as root")
    assert lines[header + 1] == " --> Dockerfile:5:1"
    assert "   = spec: R1.5, R14.4" in lines[header:]
    assert "   = help: Add `USER mami` before CMD" in lines[header:]
    assert "warning TR002 test-pip-cache: `pip install` without --no-cache-dir" in lines
    assert "   = help: Add --no-cache-dir (unsafe fix: apply with --fix --unsafe-fixes)" in lines
    assert "info TR003 [*] test-hygiene: Base image `nginx:latest` is not pinned" in lines
    assert lines[-1] == "4 findings in 2 files, 2 fixable with --fix; 1 more with --unsafe-fixes."


def test_all_checks_passed(clean_result: RunResult, render_text) -> None:
    assert render_text("full", clean_result) == "All checks passed.\n"


def test_long_lines_are_not_wrapped(tmp_path: Path, render_text) -> None:
    long_line = "RUN " + " && ".join(f"echo step-{n}" for n in range(30))
    (tmp_path / "Dockerfile").write_text(f"FROM python:3.12\n{long_line}\n", encoding="utf-8")
    message = "a message that is long enough to pass eighty columns " * 3
    finding = Finding(
        "TR009", "long", message.strip(), "Dockerfile", Span(2, 1, 2, 4), Severity.WARNING
    )
    lines = render_text("full", RunResult(tmp_path, [finding], [], 1)).splitlines()
    assert f" 2 | {long_line}" in lines
    assert f"warning TR009 long: {message.strip()}" in lines


def test_tabs_wide_and_control_characters_keep_the_marker_aligned(
    tmp_path: Path, render_text
) -> None:
    source = "FROM python:3.12\n\tRUN echo 日本 \x1b[31mred && pip install x\n"
    (tmp_path / "Dockerfile").write_text(source, encoding="utf-8")
    text = source.splitlines()[1]
    column = text.index("pip") + 1
    finding = Finding(
        "TR009", "align", "m", "Dockerfile", Span(2, column, 2, column + 3), Severity.ERROR
    )
    output = render_text("full", RunResult(tmp_path, [finding], [], 1))
    assert "\x1b" not in output  # the file's escape sequence is shown, not sent
    lines = output.splitlines()
    shown = next(line for line in lines if line.startswith(" 2 | "))
    assert shown == " 2 |     RUN echo 日本 \\x1b[31mred && pip install x"
    carets = lines[lines.index(shown) + 1]
    # Each CJK character takes two terminal cells; the carets sit under `pip`.
    from rich.cells import cell_len

    prefix = shown[: shown.index("pip")]
    assert carets.startswith("   | ")
    assert cell_len(carets[: carets.index("^")]) == cell_len(prefix)
    assert carets.count("^") == 3


def test_point_and_multi_line_spans(tmp_path: Path, render_text) -> None:
    body = "".join(f"RUN step {n}\n" for n in range(2, 21))
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\n" + body, encoding="utf-8")
    point = Finding("TR009", "point", "here", "Dockerfile", Span.point(2, 5), Severity.INFO)
    wide = Finding("TR009", "wide", "many lines", "Dockerfile", Span(3, 1, 18, 4), Severity.ERROR)
    lines = render_text("full", RunResult(tmp_path, [point, wide], [], 1)).splitlines()
    shown = lines.index(" 2 | RUN step 2")
    assert lines[shown + 1] == "   |     ^"
    marked = [line for line in lines if re.match(r"^ *(\d+|\.\.\.) >", line)]
    assert marked == [
        "  3 > RUN step 3",
        "  4 > RUN step 4",
        "  5 > RUN step 5",
        "... >",
        " 17 > RUN step 17",
        " 18 > RUN step 18",
    ]


def test_unreadable_or_missing_files_are_shown_without_lines(tmp_path: Path, render_text) -> None:
    (tmp_path / "binary").write_bytes(b"\x00\x01\x02")
    (tmp_path / "latin1").write_bytes("caf\xe9\n".encode("latin-1"))
    (tmp_path / "folder").mkdir()
    findings = [
        Finding("AU001", "parse-error", f"cannot read {name}", name, Span.point(1), Severity.ERROR)
        for name in ("binary", "folder", "gone", "latin1")
    ]
    output = render_text("full", RunResult(tmp_path, findings, [], 4))
    for name in ("binary", "folder", "gone", "latin1"):
        assert f" --> {name}:1:1" in output
    assert " | " not in output
    assert output.splitlines()[-1] == "4 findings in 4 files."


def test_span_past_the_end_of_the_file(tmp_path: Path, render_text) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12", encoding="utf-8")
    beyond = Finding("TR009", "eof", "m", "Dockerfile", Span(1, 6, 9, 1), Severity.ERROR)
    after = Finding("TR009", "eof", "m", "Dockerfile", Span(5, 1, 5, 2), Severity.ERROR)
    lines = render_text("full", RunResult(tmp_path, [beyond, after], [], 1)).splitlines()
    assert lines[lines.index(" 1 | FROM python:3.12") + 1] == "   |      ^^^^^^^^^^^"
    assert " --> Dockerfile:5:1" in lines


def test_statistics_and_show_fixes(result: RunResult, render_text) -> None:
    result.fixed, result.findings = result.findings[:1], result.findings[1:]
    lines = render_text("full", result, statistics=True, show_fixes=True).splitlines()
    assert lines == [
        "2  TR002  [-] test-pip-cache",
        "1  TR003  [*] test-hygiene",
        "",
        "Fixed 1 finding:",
        "- Dockerfile:",
        "    1 × TR001 (test-root-user)",
        "",
        "3 findings in 2 files, 1 fixable with --fix; 1 more with --unsafe-fixes.",
    ]


def render_on_terminal(result: RunResult, environment: dict[str, str]) -> str:
    """Run the full format in a child whose stdout is a pseudo-terminal."""
    script = (
        "import pickle, sys\n"
        "from auditor.report import render\n"
        "render('full', pickle.load(sys.stdin.buffer), sys.stdout)\n"
    )
    import pickle

    leader, follower = pty.openpty()
    repository = Path(__file__).resolve().parents[2]
    env = {**os.environ, **environment, "PYTHONPATH": str(repository)}
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        env.pop(name, None)
    if "NO_COLOR" not in environment:
        env.pop("NO_COLOR", None)
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=follower,
        env=env,
        cwd=repository,
    )
    os.close(follower)
    child.stdin.write(pickle.dumps(result))
    child.stdin.close()
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the child exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert child.wait(timeout=60) == 0
    return b"".join(chunks).decode("utf-8")


def plain_result(tmp_path: Path) -> RunResult:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\nCMD python\n", encoding="utf-8")
    finding = Finding("TR009", "colour", "shown", "Dockerfile", Span(2, 1, 2, 4), Severity.ERROR)
    return RunResult(tmp_path, [finding], [], 1)


def test_colour_on_a_terminal_and_none_with_no_color(tmp_path: Path) -> None:
    result = plain_result(tmp_path)
    coloured = render_on_terminal(result, {"TERM": "xterm-256color"})
    assert COLOUR.search(coloured)
    without = render_on_terminal(result, {"TERM": "xterm-256color", "NO_COLOR": "1"})
    assert not COLOUR.search(without)
    # Same words either way.
    assert ANSI.sub("", coloured) == ANSI.sub("", without)
    assert "error TR009 colour: shown" in ANSI.sub("", without)


def test_is_unsafe_matches_the_pattern_on_every_bmp_character() -> None:
    from auditor.report.sanitize import UNSAFE_CHARACTERS, is_unsafe

    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        character = chr(code)
        assert is_unsafe(character) == bool(UNSAFE_CHARACTERS.match(character)), hex(code)
