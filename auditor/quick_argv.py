"""The usual command lines of `check` and `cleanup`, read without typer.

Importing typer (and click under it) takes about 50 ms: a third of a small run, more than
some peer tools take for the whole job, and a pre-commit hook pays it on every commit. The
command lines that hooks, CI steps and people type are simple: long options the command
knows, `-v`, `-o FILE`, paths. This module reads exactly those, from a table of each command's
options, and declines everything else (help, an unknown or abbreviated option, a missing,
empty or dash-led value, bundled short options), which the typer app then reads and answers
as it always did. tests/auditor/test_quick_argv.py keeps the tables equal to the typer app's
options and checks that both parsers make the same options of the same command line.
"""

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from auditor.cleanup.command import cleanup_options, run_cleanup
from auditor.commands import check_options, guarded, run_check
from auditor.report import FORMATS

FLAG, TEXT, TEXTS, PATH = "flag", "text", "texts", "path"  # TEXTS: may be given again


class Option(NamedTuple):
    field: str  # the keyword of check_options / cleanup_options it sets
    kind: str
    choices: tuple[str, ...] = ()


CHECK_OPTIONS = {
    "--select": Option("select", TEXTS),
    "--extend-select": Option("extend_select", TEXTS),
    "--ignore": Option("ignore", TEXTS),
    "--fix": Option("fix", FLAG),
    "--unsafe-fixes": Option("unsafe_fixes", FLAG),
    "--diff": Option("diff", FLAG),
    "--show-fixes": Option("show_fixes", FLAG),
    "--statistics": Option("statistics", FLAG),
    "--exit-zero": Option("exit_zero", FLAG),
    "--force-exclude": Option("force_exclude", FLAG),
    "--online": Option("online", FLAG),
    "--python": Option("python", TEXT),
    "--output-format": Option("output_format", TEXT, tuple(FORMATS)),
    "--output-file": Option("output_file", PATH),
    "-o": Option("output_file", PATH),
    "--config": Option("config", PATH),
    "--verbose": Option("verbose", FLAG),
    "-v": Option("verbose", FLAG),
}

CLEANUP_OPTIONS = {
    "--apply": Option("apply", FLAG),
    "--no-commit": Option("no_commit", FLAG),
    "--include-untracked": Option("include_untracked", FLAG),
    "--force": Option("force", FLAG),
    "--output-format": Option("output_format", TEXT, ("text", "json")),
    "--config": Option("config", PATH),
    "--verbose": Option("verbose", FLAG),
    "-v": Option("verbose", FLAG),
}


class Parsed(NamedTuple):
    paths: list[Path]
    values: dict[str, Any]  # a bool, a str, a Path or a list of str, by the option's kind


def read(arguments: Sequence[str], table: dict[str, Option]) -> Parsed | None:
    """The paths and option values of a command's arguments, or None for anything the
    table does not cover exactly (the typer app reads those)."""
    paths: list[Path] = []
    values: dict[str, Any] = {}
    position = 0
    while position < len(arguments):
        argument = arguments[position]
        position += 1
        if argument == "--":  # the rest are paths, whatever they look like
            rest = arguments[position:]
            if not all(rest):
                return None
            paths += map(Path, rest)
            break
        if not argument.startswith("-"):
            if not argument:
                return None
            paths.append(Path(argument))
            continue
        # `--name=value` for long options only: click reads `-o=x` as the value "=x".
        if argument.startswith("--"):
            name, equals, inline = argument.partition("=")
        else:
            name, equals, inline = argument, "", ""
        option = table.get(name)
        if option is None:
            return None
        if option.kind == FLAG:
            if equals:
                return None
            values[option.field] = True
            continue
        if equals:
            value = inline
        elif position < len(arguments):
            value = arguments[position]
            position += 1
        else:
            return None
        if not value or value.startswith("-") or (option.choices and value not in option.choices):
            return None
        if option.kind == TEXTS:
            values.setdefault(option.field, []).append(value)
        else:
            values[option.field] = Path(value) if option.kind == PATH else value
    return Parsed(paths, values)


def quick_command(arguments: Sequence[str]) -> Callable[[], int] | None:
    """The command `arguments` ask for, ready to run, when this module can read them all;
    None sends them to the typer app."""
    if not arguments:
        return None
    command, rest = arguments[0], arguments[1:]
    if command == "check":
        parsed = read(rest, CHECK_OPTIONS)
        if parsed is None:
            return None
        check = check_options(parsed.paths, **parsed.values)
        return lambda: guarded(lambda: run_check(check), check.verbose)
    if command == "cleanup":
        parsed = read(rest, CLEANUP_OPTIONS)
        if parsed is None or len(parsed.paths) > 1:
            return None
        cleanup = cleanup_options(parsed.paths[0] if parsed.paths else None, **parsed.values)
        return lambda: guarded(lambda: run_cleanup(cleanup), cleanup.verbose)
    return None
