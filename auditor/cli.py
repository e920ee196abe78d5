"""The `mami-audit` command line: turns options into a run and a run into an exit code.

    mami-audit [check] [PATH...]     audit (the default command)
    mami-audit cleanup [PATH]        the cleanup plan (R21); --apply makes the cleanup commit
    mami-audit report [PATH]         readiness per spec criterion
    mami-audit rule CODE|NAME        print a rule's documentation
    mami-audit rules                 list the rules

Exit codes: 0 nothing left to report, 1 findings left, 2 usage, configuration or I/O error
(a report or a fixed file that could not be written), 3 internal error (a rule that raised, a
bug). Every error is one line on stderr; `--verbose` adds the traceback.

Start-up time counts here (a pre-commit hook runs this on every commit). The usual command
lines of `check` and `cleanup` are read by auditor/quick_argv.py, without importing typer;
the typer app (auditor/cli_app.py) reads every other one and owns help and usage errors. What
each command then does is auditor/commands.py's and auditor/cleanup/command.py's; no rule
logic and no run logic live here.
"""

import sys
from collections.abc import Sequence
from typing import NoReturn

from auditor.commands import EXIT_CLEAN, EXIT_USAGE
from auditor.quick_argv import CHECK_OPTIONS, FLAG, quick_command

COMMANDS = ("check", "cleanup", "report", "rule", "rules")


def entry_point() -> NoReturn:
    """The console script and `python -m auditor`: `main`, then a quick exit.

    Once the report is out, a normal exit would tear down every module and object one by one,
    about a tenth of a one-Dockerfile run (a pre-commit hook pays it on every commit). So the
    exit handlers run and the streams are flushed, as at a normal exit, and then the process
    ends without that teardown (mypy exits the same way). Tests call `main` instead.
    """
    import atexit
    import os

    try:
        main()
        status = EXIT_CLEAN
    except SystemExit as stop:
        status = _exit_status(stop.code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: the report did not get out
            status = status or EXIT_USAGE
    os._exit(status)


def _exit_status(code: object) -> int:
    """What `sys.exit(code)` would make of `code`: None is 0, a message is printed and is 1."""
    if code is None:
        return EXIT_CLEAN
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> None:
    """Console script: `check` is the default command, as `ruff check` is for ruff."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0] not in COMMANDS and args[0] not in ("--help", "-h", "--version")):
        args.insert(0, "check")
    if args[0] == "check":
        args = ["check", *files_named_like_options_last(args[1:])]
    command = quick_command(args)
    if command is not None:
        try:
            code = command()
        except KeyboardInterrupt:  # answered as the typer app answers Ctrl-C
            print("\nAborted!", file=sys.stderr)
            code = 1
        raise SystemExit(code)
    from auditor.cli_app import app

    app(args=args, prog_name="mami-audit")


def files_named_like_options_last(args: list[str]) -> list[str]:
    """Move arguments that name existing files but look like options (`-x.Dockerfile`) after
    a `--`, so they are audited rather than rejected as unknown options.

    pre-commit passes the staged files after the hook's own arguments, with no `--` in
    between, and cannot be told to add one (`args: [--fix]` come first). An argument that is
    an option of `check`, or the value of one, stays what it is.
    """
    import os

    head, tail = _split_at_double_dash(args)
    if not any(arg.startswith("-") and arg != "-" and os.path.lexists(arg) for arg in head):
        return args  # the usual case: no option parsing needed here
    names = set(CHECK_OPTIONS)
    takes_value = {name for name, option in CHECK_OPTIONS.items() if option.kind != FLAG}
    kept: list[str] = []
    files: list[str] = []
    value_expected = False
    for arg in head:
        if value_expected:
            kept.append(arg)
            value_expected = False
        elif arg.startswith("-") and arg.split("=", 1)[0] not in names and os.path.lexists(arg):
            files.append(arg)
        else:
            kept.append(arg)
            value_expected = arg in takes_value
    if not files:
        return args
    return [*kept, "--", *files, *tail]


def _split_at_double_dash(args: list[str]) -> tuple[list[str], list[str]]:
    if "--" not in args:
        return args, []
    index = args.index("--")
    return args[:index], args[index + 1 :]
