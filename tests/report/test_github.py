"""The github format, read back the way the Actions runner reads workflow commands."""

from __future__ import annotations

import re
from pathlib import Path

from auditor.result import RunResult
from auditor.rule import Finding, Severity, Span

COMMAND = re.compile(r"^::(?P<command>[a-z]+) (?P<properties>[^:]*)::(?P<data>.*)$")


def unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    text = text.replace("%0D", "\r").replace("%0A", "\n")
    return text.replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def parse(output: str) -> list[tuple[str, dict[str, str], str]]:
    """Each line as (command, properties, message); fails on any non-command line."""
    assert output.endswith("\n")
    commands = []
    for line in output[:-1].split("\n"):
        match = COMMAND.match(line)
        assert match, f"not a workflow command: {line!r}"
        properties = {}
        for pair in match["properties"].split(","):
            key, _, value = pair.partition("=")
            properties[key] = unescape_property(value)
        commands.append((match["command"], properties, unescape_data(match["data"])))
    return commands


def test_one_annotation_per_finding_and_nothing_else(result: RunResult, render_text) -> None:
    commands = parse(render_text("github", result, show_fixes=True, statistics=True))
    assert len(commands) == len(result.findings)
    by_title = [properties["title"] for _, properties, _ in commands]
    assert "TR001 (test-root-user)" in by_title


def test_levels_files_and_one_based_positions(result: RunResult, render_text) -> None:
    commands = parse(render_text("github", result))
    found = {
        (props["file"], int(props["line"])): (command, props, data)
        for command, props, data in commands
    }

    command, props, message = found[("Dockerfile", 5)]
    assert command == "error"
    assert (props["col"], props["endLine"], props["endColumn"]) == ("1", "5", "28")
    assert message.splitlines()[0] == "The final stage runs as root"
    assert "Spec: R1.5, R14.4" in message
    assert "Fix (--fix): Add `USER mami` before CMD" in message

    command, props, _ = found[("Dockerfile", 3)]
    assert command == "warning"
    assert props["col"] == "5"  # `pip` starts at the fifth character of `RUN pip ...`

    command, props, _ = found[("docker/web app/Dockerfile", 1)]
    assert command == "notice"  # info findings are notices


def test_nasty_messages_and_paths_survive_escaping(tmp_path: Path, render_text) -> None:
    nasty = "100% broken,\r\nsee: a::b, c%0A d\rend"
    path = "odd,dir:x/Docker%file"
    finding = Finding(
        code="TR009",
        name="nasty",
        message=nasty,
        path=path,
        span=Span(2, 3, 2, 9),
        severity=Severity.WARNING,
    )
    output = render_text("github", RunResult(tmp_path, [finding], [], 1))
    assert output.count("\n") == 1  # CR and LF never leave the one line
    assert "\r" not in output
    line = output.rstrip("\n")
    properties_text = line.split("::")[1]
    assert properties_text.count(",") == 5  # only the separators of six properties
    command, properties, message = parse(output)[0]
    assert command == "warning"
    assert properties["file"] == path
    assert properties["title"] == "TR009 (nasty)"
    assert message == nasty
    # The exact escaping the toolkit produces.
    assert "file=odd%2Cdir%3Ax/Docker%25file," in line
    assert line.endswith("::100%25 broken,%0D%0Asee: a::b, c%250A d%0Dend")


def test_multi_line_span_has_no_columns(tmp_path: Path, render_text) -> None:
    finding = Finding(
        "TR009", "wide", "spans lines", "Dockerfile", Span(2, 4, 5, 3), Severity.ERROR
    )
    _, properties, _ = parse(render_text("github", RunResult(tmp_path, [finding], [], 1)))[0]
    # The Actions toolkit refuses col/endColumn when the lines differ.
    assert properties == {
        "file": "Dockerfile",
        "line": "2",
        "endLine": "5",
        "title": "TR009 (wide)",
    }


def test_no_findings_write_nothing(clean_result: RunResult, render_text) -> None:
    assert render_text("github", clean_result) == ""
