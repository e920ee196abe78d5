"""The `mami-audit` command line: turns options into a run and a run into an exit code.

    mami-audit [check] [PATH...]     audit (the default command)
    mami-audit rule CODE|NAME        print a rule's documentation
    mami-audit rules                 list the rules

Exit codes: 0 nothing left to report, 1 findings left, 2 usage or configuration error,
3 internal error (a rule that raised, a file that could not be written). Every error is one
line on stderr; `--verbose` adds the traceback. No rule logic lives here.

Start-up time counts here (a pre-commit hook runs this on every commit), so this module does
not postpone its annotations (`from __future__ import annotations`): typer would compile and
evaluate every string annotation of the commands, twice, on each run. The few annotations that
name classes imported only for type checking are written as strings instead.
"""

import sys
import time
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NamedTuple, NoReturn, TextIO

import typer

from auditor import __version__
from auditor.report import FORMATS

if TYPE_CHECKING:  # the engine is imported when a command runs, not at start-up
    from auditor.config import Config
    from auditor.engine import RuleFailure, Scope
    from auditor.fixer import FixOutcome
    from auditor.project import Targets
    from auditor.result import RunResult
    from auditor.rule import Finding, Rule

COMMANDS = ("check", "rule", "rules")
EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

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


class CatalogFormat(str, Enum):
    text = "text"
    json = "json"


class UsageError(Exception):
    """A mistake in how mami-audit was called; exits 2 with this one-line message."""


def fail(message: str, code: int) -> NoReturn:
    typer.echo(f"mami-audit: error: {message}", err=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    typer.echo(f"mami-audit: warning: {message}", err=True)


def info(message: str) -> None:
    """--verbose notes, on stderr so that reports on stdout stay parseable."""
    typer.echo(f"mami-audit: {message}", err=True)


def split_selectors(values: Sequence[str] | None) -> list[str]:
    """--select A,B --select C -> [A, B, C]. Empty items are kept for _check_selectors to
    refuse: `--select ''` must not quietly mean "every rule"."""
    return [item.strip() for value in values or () for item in value.split(",")]


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
    output_format: Annotated[
        OutputFormat, typer.Option("--output-format", help="How to show the findings.")
    ] = OutputFormat("full"),
    output_file: Annotated[
        Path | None, typer.Option("--output-file", "-o", help="Write the report to this file.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Configuration file (mami-audit.toml or pyproject.toml)."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Say more; tracebacks on errors.")
    ] = False,
) -> None:
    """Audit a project (the default command)."""
    options = CheckOptions(
        paths=paths or [Path.cwd()],
        select=split_selectors(select),
        extend_select=split_selectors(extend_select),
        ignore=split_selectors(ignore),
        fix=fix,
        unsafe_fixes=unsafe_fixes,
        diff=diff,
        show_fixes=show_fixes,
        statistics=statistics,
        exit_zero=exit_zero,
        force_exclude=force_exclude,
        output_format=output_format.value,
        output_file=output_file,
        config=config,
        verbose=verbose,
    )
    code = _guarded(lambda: run_check(options), verbose)
    raise typer.Exit(code)


def _guarded(action: Callable[[], int], verbose: bool) -> int:
    """Turn the known errors into one-line messages and exit codes."""
    import traceback

    from auditor.config import ConfigError
    from auditor.project import TargetError

    try:
        return action()
    except (ConfigError, UsageError, TargetError) as error:
        if verbose:
            traceback.print_exc()
        fail(str(error), EXIT_USAGE)
    except typer.Exit:
        raise
    except BrokenPipeError:
        # The reader went away (`mami-audit | head`): not an error of ours. Send whatever is
        # still buffered to /dev/null so that Python's exit flush does not complain.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FINDINGS
    except Exception as error:  # anything else is our bug: say so in one line
        if verbose:
            traceback.print_exc()
        hint = "" if verbose else " (run with --verbose for the traceback)"
        fail(f"internal error: {type(error).__name__}: {error}{hint}", EXIT_INTERNAL)


class CheckOptions(NamedTuple):  # NamedTuples here: cheaper at start-up than dataclasses
    paths: list[Path]
    select: list[str]
    extend_select: list[str]
    ignore: list[str]
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    show_fixes: bool = False
    statistics: bool = False
    exit_zero: bool = False
    force_exclude: bool = False
    output_format: str = "full"
    output_file: Path | None = None
    config: Path | None = None
    verbose: bool = False


class _Plan(NamedTuple):
    """What a check run works on, once the options and the config are resolved."""

    targets: "Targets"
    config: "Config"
    rules: "list[type[Rule]]"

    @property
    def scope(self) -> "Scope | None":
        return None if self.targets.everything else self.targets.scope

    def fix(self, unsafe: bool) -> "FixOutcome":
        from auditor.fixer import plan_fixes

        outcome = plan_fixes(
            self.targets.root,
            self.config,
            self.rules,
            unsafe=unsafe,
            scope=self.scope,
            named=self.targets.paths,
        )
        for message in outcome.rejected:
            warn(f"fix not applied: {message}")
        if not outcome.converged:
            warn(f"fixes still applied after {outcome.passes} passes; stopped (run --fix again)")
        return outcome


def _plan(options: CheckOptions) -> _Plan:
    import rules
    from auditor.config import config_for
    from auditor.documents import KIND_MODULES
    from auditor.engine import select_rules
    from auditor.project import ALWAYS_PRUNED, files_of_no_kind, resolve_targets

    targets = resolve_targets(options.paths)
    for path in targets.paths:
        if ALWAYS_PRUNED.intersection(path.split("/")):
            warn(f"{path}: inside {', '.join(sorted(ALWAYS_PRUNED))}, which are never audited")
    # Say so rather than print "All checks passed" for a file nothing looked at. One line:
    # pre-commit passes every changed file, most of which no rule reads.
    unread = files_of_no_kind(targets)
    if unread:
        kinds = ", ".join(sorted(KIND_MODULES))
        shown = ", ".join(unread[:3]) + (f" and {len(unread) - 3} more" if len(unread) > 3 else "")
        warn(f"{shown}: of no document kind mami-audit reads ({kinds}); not audited")
    config = config_for(targets.root, options.config).with_overrides(
        select=options.select,
        extend_select=options.extend_select,
        ignore=options.ignore,
        force_exclude=options.force_exclude,
    )
    rules.load_all()
    _check_selectors(options)
    selected = select_rules(config)
    if options.verbose:
        info(f"root {targets.root}; config from {config.source}; {len(selected)} rules selected")
    return _Plan(targets, config, selected)


def run_check(options: CheckOptions) -> int:
    from auditor.engine import audit
    from auditor.project import Project
    from auditor.result import RunResult

    started = time.perf_counter()
    plan = _plan(options)
    if options.diff:
        return _show_diff(plan, options)

    fixed: list[Finding] = []
    if options.fix:
        from auditor.fixer import write_changes

        outcome = plan.fix(options.unsafe_fixes)
        problems = write_changes(outcome)
        for message in problems:
            typer.echo(f"mami-audit: error: {message}", err=True)
        if problems:
            return EXIT_INTERNAL
        fixed = outcome.fixed
        # Every change is on disk now, so the fixer's last in-memory audit is the report.
        project, result = outcome.project, outcome.remaining
    else:
        project = Project(plan.targets.root, plan.config, named=plan.targets.paths)
        result = audit(project, plan.config, plan.rules, scope=plan.scope)
    for problem in project.problems:
        warn(f"{problem.path}: {problem.message}")
    scope = plan.scope
    files = sum(1 for path in project.files() if scope is None or scope(path))
    run = RunResult(
        root=plan.targets.root,
        findings=result.findings,
        rules=plan.rules,
        files=files,
        fixed=fixed,
        unsafe_fixes_enabled=options.unsafe_fixes,
        failed_rules=len({failure.rule for failure in result.failures}),
    )
    _render(run, options)
    if options.verbose:
        elapsed = time.perf_counter() - started
        audited = f"{files} file" if files == 1 else f"{files} files"
        suppressed = f"{result.suppressed} finding" + ("" if result.suppressed == 1 else "s")
        info(f"audited {audited} in {elapsed:.3f}s; {suppressed} suppressed")
    if _report_failures(result.failures, options.verbose):
        return EXIT_INTERNAL
    if run.findings and not options.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _report_failures(failures: "list[RuleFailure]", verbose: bool) -> bool:
    for failure in failures:
        if verbose:
            typer.echo(failure.traceback, err=True)
        typer.echo(f"mami-audit: error: {failure.describe()}", err=True)
    return bool(failures)


def _check_selectors(options: CheckOptions) -> None:
    """Name the option, not the config file, when a command-line selector matches no rule."""
    from auditor.rule import registry

    given = (("--select", options.select), ("--extend-select", options.extend_select))
    for option, selectors in (*given, ("--ignore", options.ignore)):
        for selector in selectors:
            if not selector:
                raise UsageError(f"{option}: empty rule selector (give a code, prefix, name or ALL)")
            if not registry.matching(selector):
                raise UsageError(f"{option}: unknown rule selector {selector!r}")


def _show_diff(plan: _Plan, options: CheckOptions) -> int:
    from auditor.fixer import unified_diff

    outcome = plan.fix(options.unsafe_fixes)
    with _output(options.output_file) as out:
        out.write(unified_diff(outcome))
    if _report_failures(outcome.remaining.failures, options.verbose):
        return EXIT_INTERNAL
    changed = outcome.changed_paths
    noun = "finding" if len(outcome.fixed) == 1 else "findings"
    files = "file" if len(changed) == 1 else "files"
    typer.echo(f"Would fix {len(outcome.fixed)} {noun} in {len(changed)} {files}.", err=True)
    return EXIT_FINDINGS if changed and not options.exit_zero else EXIT_CLEAN


class _output:
    """stdout, or the --output-file opened for writing (UTF-8), as a context manager."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.stream: TextIO | None = None

    def __enter__(self) -> TextIO:
        if self.path is None:
            return sys.stdout
        try:
            self.stream = open(self.path, "w", encoding="utf-8", newline="\n")
        except OSError as error:
            raise UsageError(f"cannot write {self.path}: {error.strerror or error}") from None
        return self.stream

    def __exit__(self, *exc_info: object) -> None:
        if self.stream is not None:
            self.stream.close()


def _render(run: "RunResult", options: CheckOptions) -> None:
    from auditor.report import render

    with _output(options.output_file) as out:
        render(
            options.output_format,
            run,
            out,
            show_fixes=options.show_fixes,
            statistics=options.statistics,
        )


# -- rule and rules ---------------------------------------------------------------------------


@app.command("rule")
def rule_command(
    code: Annotated[
        str, typer.Argument(help="A rule's code (DF001) or name (missing-healthcheck).")
    ],
) -> None:
    """Print a rule's documentation."""
    import rules
    from auditor.rule import registry

    rules.load_all()
    found = registry.get(code)
    if found is None:
        fail(f"unknown rule {code!r} (see `mami-audit rules`)", EXIT_USAGE)
    typer.echo(describe_rule(found))


def describe_rule(rule: "type[Rule]") -> str:
    # The docstring opens with its own one-sentence summary: show it first, then the facts.
    opening, _, body = rule.documentation().partition("\n\n")
    lines = [f"# {rule.code} {rule.name}", "", opening or rule.summary, ""]
    lines.append(f"Severity: {rule.severity.value}")
    if rule.requirements:
        lines.append(f"Spec criteria: {', '.join(rule.requirements)}")
    if rule.peers:
        lines.append(f"Mirrors: {', '.join(rule.peers)}")
    lines.append(f"Fix: {'available' if rule.fixable else 'none'}")
    if body:
        lines += ["", body]
    return "\n".join(lines)


@app.command("rules")
def rules_command(
    output_format: Annotated[
        CatalogFormat, typer.Option("--output-format", help="text or json.")
    ] = CatalogFormat.text,
) -> None:
    """List every rule."""
    import rules
    from auditor.rule import registry

    rules.load_all()
    if output_format is CatalogFormat.json:
        from auditor.report.catalog import render_rules_json

        render_rules_json(list(registry), sys.stdout)
        return
    for rule in registry:
        marker = "[*]" if rule.fixable else "   "
        typer.echo(f"{rule.code}  {marker} {rule.name:<32} {rule.summary}")


# -- entry point -------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    """Console script: `check` is the default command, as `ruff check` is for ruff."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0] not in COMMANDS and args[0] not in ("--help", "-h", "--version")):
        args.insert(0, "check")
    app(args=args, prog_name="mami-audit")
