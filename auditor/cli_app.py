"""The typer app: every command line mami-audit accepts, its help and its usage errors.

The usual command lines of `check` and `cleanup` are read by auditor/quick_argv.py without
loading typer (it costs a third of a small run's time); everything else (help, a typo, an
option's short forms, the other commands) comes here. The commands' work is
auditor/commands.py's and auditor/cleanup/command.py's.

This module does not postpone its annotations (`from __future__ import annotations`): typer
would compile and evaluate every string annotation of the commands, twice, on each run.
"""

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from auditor import __version__
from auditor.cleanup.command import cleanup_options, run_cleanup
from auditor.commands import (
    ReportOptions,
    check_options,
    guarded,
    print_rule,
    print_rules,
    run_check,
    run_report,
    split_selectors,
)
from auditor.report import FORMATS
from auditor.report.readiness import FORMATS as READINESS_FORMATS

app = typer.Typer(
    name="mami-audit",
    help="Audit and clean up FastAPI + React + Docker Compose projects.",
    add_completion=False,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


# The report formats are the report package's; it imports a format's module only when used.
OutputFormat = Enum("OutputFormat", {name: name for name in FORMATS}, type=str)  # type: ignore[misc]


# Options several commands share, declared once so their names and help cannot drift apart.
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="Configuration file (mami-audit.toml or pyproject.toml)."),
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="Say more; tracebacks on errors.")
]
OutputFileOption = Annotated[
    Path | None, typer.Option("--output-file", "-o", help="Write the report to this file.")
]


class CatalogFormat(str, Enum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mami-audit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Audit and clean up FastAPI + React + Docker Compose projects (default command: check)."""


# -- check -----------------------------------------------------------------------------------


@app.command()
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[PATH]...",
            help="Files or folders to audit (default: the current folder).",
            show_default=False,
            readable=False,  # an unreadable file is an AU001 finding, not a usage error
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            metavar="CODES",
            help="Rules to run: codes, prefixes, names or ALL (replaces the config's).",
        ),
    ] = None,
    extend_select: Annotated[
        list[str] | None,
        typer.Option(
            "--extend-select",
            metavar="CODES",
            help="Rules to run in addition to the selected ones.",
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore", metavar="CODES", help="Rules not to run (added to the config's ignore)."
        ),
    ] = None,
    fix: Annotated[bool, typer.Option("--fix", help="Apply safe fixes.")] = False,
    unsafe_fixes: Annotated[
        bool,
        typer.Option(
            "--unsafe-fixes", help="Also apply (with --fix, --diff) or offer unsafe fixes."
        ),
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print the fixes as a unified diff and write nothing.")
    ] = False,
    show_fixes: Annotated[
        bool, typer.Option("--show-fixes", help="List the findings that were fixed.")
    ] = False,
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Count findings per rule.")
    ] = False,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when findings are left.")
    ] = False,
    force_exclude: Annotated[
        bool,
        typer.Option(
            "--force-exclude",
            help="Apply the config's exclude to the PATHs given too (for pre-commit).",
        ),
    ] = False,
    online: Annotated[
        bool,
        typer.Option(
            "--online",
            help="Also run the checks that need the network (resolver, vulnerabilities).",
        ),
    ] = False,
    python: Annotated[
        str | None,
        typer.Option(
            "--python",
            metavar="PATH",
            help="The audited project's interpreter or venv, whose installed metadata maps "
            "imports to distributions (default: its .venv or venv).",
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--output-format", help="How to show the findings.")
    ] = OutputFormat("full"),
    output_file: OutputFileOption = None,
    config: ConfigOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Audit a project (the default command)."""
    options = check_options(
        paths,
        select=select,
        extend_select=extend_select,
        ignore=ignore,
        fix=fix,
        unsafe_fixes=unsafe_fixes,
        diff=diff,
        show_fixes=show_fixes,
        statistics=statistics,
        exit_zero=exit_zero,
        force_exclude=force_exclude,
        online=online,
        python=python,
        output_format=output_format.value,
        output_file=output_file,
        config=config,
        verbose=verbose,
    )
    raise typer.Exit(guarded(lambda: run_check(options), verbose))


# -- report ----------------------------------------------------------------------------------

# The readiness report's formats: its own package, which imports a format's module when used.
ReportFormat = Enum("ReportFormat", {name: name for name in READINESS_FORMATS}, type=str)  # type: ignore[misc]


@app.command()
def report(
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="[PATH]",
            help="A folder of the project (default: the current folder); "
            "the whole project is reported.",
            show_default=False,
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", metavar="CODES", help="Rules to run (replaces the config's)."),
    ] = None,
    extend_select: Annotated[
        list[str] | None,
        typer.Option("--extend-select", metavar="CODES", help="Rules to run in addition."),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", metavar="CODES", help="Rules not to run."),
    ] = None,
    output_format: Annotated[
        ReportFormat,
        typer.Option("--output-format", help="full, json, markdown, junit or html."),
    ] = ReportFormat("full"),
    output_file: OutputFileOption = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when a criterion fails.")
    ] = False,
    config: ConfigOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Readiness per spec criterion: pass, fail, not checked or runtime-only."""
    options = ReportOptions(
        path=path or Path.cwd(),
        select=split_selectors(select),
        extend_select=split_selectors(extend_select),
        ignore=split_selectors(ignore),
        output_format=output_format.value,
        output_file=output_file,
        exit_zero=exit_zero,
        config=config,
        verbose=verbose,
    )
    raise typer.Exit(guarded(lambda: run_report(options), verbose))


# -- cleanup ---------------------------------------------------------------------------------


class PlanFormat(str, Enum):
    text = "text"
    json = "json"


@app.command("cleanup")
def cleanup_command(
    path: Annotated[
        Path | None,
        typer.Argument(metavar="[PATH]", help="Project folder (default: the current folder)."),
    ] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Carry out the plan and make the cleanup commit.")
    ] = False,
    no_commit: Annotated[
        bool, typer.Option("--no-commit", help="With --apply: stage the changes, do not commit.")
    ] = False,
    include_untracked: Annotated[
        bool,
        typer.Option("--include-untracked", help="Also delete junk git does not track."),
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Also remove tracked junk that has uncommitted changes."),
    ] = False,
    output_format: Annotated[
        PlanFormat, typer.Option("--output-format", help="text or json (the plan as data).")
    ] = PlanFormat.text,
    config: ConfigOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Show the cleanup plan (junk, ignore files, build-context sizes); --apply commits it."""
    options = cleanup_options(
        path,
        apply=apply,
        no_commit=no_commit,
        include_untracked=include_untracked,
        force=force,
        output_format=output_format.value,
        config=config,
        verbose=verbose,
    )
    raise typer.Exit(guarded(lambda: run_cleanup(options), verbose))


# -- rule and rules ---------------------------------------------------------------------------


@app.command("rule")
def rule_command(
    code: Annotated[
        str, typer.Argument(help="A rule's code (DF001) or name (missing-healthcheck).")
    ],
) -> None:
    """Print a rule's documentation."""
    raise typer.Exit(print_rule(code))


@app.command("rules")
def rules_command(
    output_format: Annotated[
        CatalogFormat, typer.Option("--output-format", help="text or json.")
    ] = CatalogFormat.text,
) -> None:
    """List every rule."""
    raise typer.Exit(print_rules(output_format.value))
