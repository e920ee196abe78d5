"""auditor/quick_argv.py reads the usual command lines of `check` and `cleanup` without typer.

It must never read a command line differently from the typer app: its option tables are
compared with the app's click parameters, and command lines (listed and generated) are read
by both parsers, whose options must be equal. What the quick parser does not cover exactly it
declines, and the typer app answers (help, typos, bundled short options).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import click
import pytest
import typer

from auditor import cli_app
from auditor.quick_argv import (
    CHECK_OPTIONS,
    CLEANUP_OPTIONS,
    FLAG,
    PATH,
    TEXT,
    TEXTS,
    Option,
    quick_command,
    read,
)

TABLES = {"check": CHECK_OPTIONS, "cleanup": CLEANUP_OPTIONS}


def click_command(name: str) -> click.Command:
    group = typer.main.get_command(cli_app.app)
    assert isinstance(group, click.Group)
    return group.commands[name]


def kind_of(parameter: click.Option) -> str:
    if parameter.is_flag:
        return FLAG
    if parameter.multiple:
        return TEXTS
    return PATH if isinstance(parameter.type, click.Path) else TEXT


@pytest.mark.parametrize("command", sorted(TABLES))
def test_the_table_is_the_typer_commands_options(command: str) -> None:
    """Every option of the typer command, each spelling, with its kind and its choices; and
    no name the command does not have."""
    expected: dict[str, Option] = {}
    for parameter in click_command(command).params:
        if not isinstance(parameter, click.Option) or parameter.name == "help":
            continue
        choices = (
            tuple(parameter.type.choices) if isinstance(parameter.type, click.Choice) else ()
        )
        for name in (*parameter.opts, *parameter.secondary_opts):
            expected[name] = Option(str(parameter.name), kind_of(parameter), choices)
    table = {
        name: option._replace(choices=tuple(str(choice) for choice in option.choices))
        for name, option in TABLES[command].items()
    }
    expected = {
        name: option._replace(choices=tuple(str(getattr(c, "value", c)) for c in option.choices))
        for name, option in expected.items()
    }
    assert table == expected


def typer_options(monkeypatch: pytest.MonkeyPatch, arguments: list[str]) -> Any:
    """The options the typer app makes of `arguments` (the command is not run)."""
    seen: list[Any] = []
    monkeypatch.setattr(cli_app, "run_check", lambda options: seen.append(options) or 0)
    monkeypatch.setattr(cli_app, "run_cleanup", lambda options: seen.append(options) or 0)
    with pytest.raises(SystemExit) as stop:
        cli_app.app(args=arguments, prog_name="mami-audit")
    assert stop.value.code == 0, f"typer refused {arguments}"
    return seen[0]


def quick_options(monkeypatch: pytest.MonkeyPatch, arguments: list[str]) -> Any:
    import auditor.quick_argv as quick

    seen: list[Any] = []
    monkeypatch.setattr(quick, "run_check", lambda options: seen.append(options) or 0)
    monkeypatch.setattr(quick, "run_cleanup", lambda options: seen.append(options) or 0)
    command = quick_command(arguments)
    assert command is not None, f"declined {arguments}"
    assert command() == 0
    return seen[0]


LISTED = [
    ["check"],
    ["check", "."],
    ["check", "app", "Dockerfile", "--fix"],
    ["check", "--fix", "--unsafe-fixes", "--show-fixes", "--statistics", "--exit-zero"],
    ["check", "--select", "NP", "--select=DF001,DF002", "--extend-select", "PY"],
    ["check", "--ignore", "DF001", "--ignore=JK", "x", "--diff"],
    ["check", "--output-format", "concise", "--output-format=json", "-o", "report.json"],
    ["check", "--output-file=out.sarif", "--output-format", "sarif", "-v"],
    ["check", "--config", "pyproject.toml", "--python", ".venv", "--online"],
    ["check", "--force-exclude", "--verbose", "--", "-odd.Dockerfile", "--fix"],
    ["check", "--select", " NP , DF ", "a b.txt"],
    ["cleanup"],
    ["cleanup", "."],
    ["cleanup", "project", "--apply", "--no-commit", "--include-untracked", "--force"],
    ["cleanup", "--output-format", "json", "--config=mami.toml", "-v"],
    ["cleanup", "--output-format=text", "--verbose", "--", "-project"],
]


@pytest.mark.parametrize("arguments", LISTED, ids=" ".join)
def test_both_parsers_make_the_same_options(
    arguments: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # the default PATH is the current folder, for both
    assert quick_options(monkeypatch, arguments) == typer_options(monkeypatch, arguments)


def generated_command_lines(count: int, seed: int) -> list[list[str]]:
    """Random command lines the quick parser should accept: options of the table in any
    order and spelling, values of the right kind, paths between them."""
    chooser = random.Random(seed)
    lines = []
    for _ in range(count):
        command = chooser.choice(sorted(TABLES))
        table = TABLES[command]
        arguments = [command]
        paths = 1 if command == "cleanup" else chooser.randint(0, 3)
        pieces: list[list[str]] = [[f"path{n}"] for n in range(chooser.randint(0, paths))]
        for name in chooser.sample(sorted(table), chooser.randint(0, len(table))):
            option = table[name]
            if option.kind == FLAG:
                pieces.append([name])
                continue
            value = (
                chooser.choice(option.choices)
                if option.choices
                else chooser.choice(["A", "DF001,NP", "x/y.toml", "é"])
            )
            if name.startswith("--") and chooser.random() < 0.5:
                pieces.append([f"{name}={value}"])
            else:
                pieces.append([name, value])
        chooser.shuffle(pieces)
        for piece in pieces:
            arguments += piece
        lines.append(arguments)
    return lines


def test_generated_command_lines_read_alike(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for arguments in generated_command_lines(300, seed=20261202):
        assert quick_options(monkeypatch, arguments) == typer_options(monkeypatch, arguments), (
            arguments
        )


@pytest.mark.parametrize(
    "arguments",
    [
        ["check", "--help"],
        ["check", "-h"],
        ["check", "--selec", "NP"],  # a typo: typer names the near misses
        ["check", "--select"],  # no value
        ["check", "--select="],  # an empty value
        ["check", "--select", "--fix"],  # a value that looks like an option
        ["check", "--output-format", "xml"],  # not a format
        ["check", "--fix=yes"],  # a flag takes no value
        ["check", "-vo", "out.txt"],  # bundled short options
        ["check", "-o=out.txt"],  # click reads the value "=out.txt"
        ["check", "-"],
        ["check", ""],
        ["cleanup", "a", "b"],  # one PATH at most
        ["cleanup", "--select", "JK"],  # not a cleanup option
        ["report", "."],
        ["rules"],
        ["--version"],
    ],
    ids=" ".join,
)
def test_what_the_quick_parser_does_not_cover_goes_to_typer(arguments: list[str]) -> None:
    assert quick_command(arguments) is None


def test_a_repeated_value_option_keeps_the_last_value_as_click_does() -> None:
    parsed = read(["--config", "a.toml", "--config=b.toml"], CHECK_OPTIONS)
    assert parsed is not None and parsed.values["config"] == Path("b.toml")
