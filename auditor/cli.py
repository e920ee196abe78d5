"""The `mami-audit` command line: turns options into a run and a run into an exit code.

    mami-audit [check] [PATH...]     audit (the default command)
    mami-audit cleanup [PATH]        the cleanup plan (R21); --apply makes the cleanup commit
    mami-audit rule CODE|NAME        print a rule's documentation
    mami-audit rules                 list the rules

Exit codes: 0 nothing left to report, 1 findings left, 2 usage, configuration or I/O error
(a report or a fixed file that could not be written), 3 internal error (a rule that raised, a
bug). Every error is one line on stderr; `--verbose` adds the traceback. No rule logic lives
here, and no run logic either: the steps of a run (targets, config, rules, fix passes) are
auditor/run.py's, shared by the commands.

The report is made before any fix is written and written in one piece afterwards, so a report
that cannot be made changes no file, and a full disk is one line and exit 2. Paths in it are
relative to the current folder, as in ruff (absolute when outside it), whichever folder turned
out to be the project root; bytes of a file name that are not UTF-8 are shown as `\\xNN`.

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
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, NoReturn

import typer

from auditor import __version__
from auditor.report import FORMATS
from auditor.report.readiness import FORMATS as READINESS_FORMATS
from auditor.run import Messages, RunOptions, UsageError

if TYPE_CHECKING:  # the engine is imported when a command runs, not at start-up
    from auditor.cleanup.plan import CleanupPlan
    from auditor.engine import RuleFailure
    from auditor.result import RunResult
    from auditor.rule import Finding, Rule
    from auditor.run import RunPlan

COMMANDS = ("check", "cleanup", "report", "rule", "rules")
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


def fail(message: str, code: int) -> NoReturn:
    typer.echo(f"mami-audit: error: {message}", err=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    typer.echo(f"mami-audit: warning: {message}", err=True)


def info(message: str) -> None:
    """--verbose notes, on stderr so that reports on stdout stay parseable."""
    typer.echo(f"mami-audit: {message}", err=True)


def split_selectors(values: Sequence[str] | None) -> list[str]:
    """--select A,B --select C -> [A, B, C]. Empty items are kept for run.check_selectors to
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
        online=online,
        python=python,
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
    online: bool = False
    python: str | None = None
    output_format: str = "full"
    output_file: Path | None = None
    config: Path | None = None
    verbose: bool = False

    def for_run(self) -> RunOptions:
        """The options a run takes; CheckOptions adds only how the result is shown."""
        shared = set(RunOptions._fields) & set(self._fields)  # the rest keep their defaults
        return RunOptions(**{name: getattr(self, name) for name in shared})


# A run's messages go to stderr, so that reports on stdout stay parseable.
MESSAGES = Messages(warn=warn, info=info)


def run_check(options: CheckOptions) -> int:
    from auditor.run import execute, plan_run

    started = time.perf_counter()
    run_options = options.for_run()
    plan = plan_run(run_options, MESSAGES)
    if options.output_file is not None:
        _refuse_audited_output(options.output_file, plan)
    if options.diff:
        return _show_diff(plan, options)

    prepared: list[str] = []
    run = execute(
        plan,
        run_options,
        MESSAGES,
        before_writing=lambda result: prepared.append(_report_text(result, options)),
    )
    for message in run.write_problems:
        typer.echo(f"mami-audit: error: {message}", err=True)
    # The report prepared before writing, unless some file was not written: then the audit
    # of the disk as it is.
    text = prepared[0] if prepared and not run.write_problems else None
    report = text if text is not None else _report_text(run.result, options)
    _write_output(report, options.output_file)
    if options.verbose:
        elapsed = time.perf_counter() - started
        files = run.result.files
        audited = f"{files} file" if files == 1 else f"{files} files"
        suppressed = f"{run.suppressed} finding" + ("" if run.suppressed == 1 else "s")
        info(f"audited {audited} in {elapsed:.3f}s; {suppressed} suppressed")
    if _report_failures(run.failures, options.verbose):
        return EXIT_INTERNAL
    if run.write_problems:
        return EXIT_USAGE
    if run.result.findings and not options.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _report_failures(failures: "list[RuleFailure]", verbose: bool) -> bool:
    for failure in failures:
        if verbose:
            typer.echo(failure.traceback, err=True)
        typer.echo(f"mami-audit: error: {failure.describe()}", err=True)
    return bool(failures)


def _show_diff(plan: "RunPlan", options: CheckOptions) -> int:
    from auditor.fixer import unified_diff

    outcome = plan.fix(options.unsafe_fixes, MESSAGES)
    # File names as the report shows them: from the current folder, whatever the root.
    shown = _path_as_seen_from(outcome.root, Path.cwd())
    _write_output(unified_diff(outcome, shown), options.output_file)
    if _report_failures(outcome.remaining.failures, options.verbose):
        return EXIT_INTERNAL
    changed = outcome.changed_paths
    noun = "finding" if len(outcome.fixed) == 1 else "findings"
    files = "file" if len(changed) == 1 else "files"
    typer.echo(f"Would fix {len(outcome.fixed)} {noun} in {len(changed)} {files}.", err=True)
    return EXIT_FINDINGS if changed and not options.exit_zero else EXIT_CLEAN


def _refuse_audited_output(output: Path, plan: "RunPlan") -> None:
    """`-o Dockerfile` would overwrite a file the run reads (and may fix): refuse it. A file
    of a document kind, or the config; a report of an earlier run may be overwritten."""
    import os

    from auditor.documents.kinds import kinds_of
    from auditor.project import Project

    target = os.path.realpath(output)
    if plan.config.source != "defaults" and os.path.realpath(plan.config.source) == target:
        raise UsageError(f"--output-file {output}: refusing to overwrite the config file")
    project = Project(plan.targets.root, plan.config, named=plan.targets.paths)
    for path in project.files():
        if os.path.realpath(project.root / path) != target:
            continue
        if kinds_of(path):
            raise UsageError(
                f"--output-file {output}: refusing to overwrite {path}, a file mami-audit audits"
            )


def _report_text(result: "RunResult", options: CheckOptions) -> str:
    """The report, made in memory: paths as the user sees them from the current folder."""
    import io

    from auditor.report import render

    buffer = io.StringIO()
    render(
        options.output_format,
        _as_seen_from(result, Path.cwd()),
        buffer,
        show_fixes=options.show_fixes,
        statistics=options.statistics,
    )
    return buffer.getvalue()


def _as_seen_from(result: "RunResult", folder: Path) -> "RunResult":
    """`result` with its paths relative to `folder` (absolute when outside it), as ruff shows
    them, and the bytes of a file name that are not UTF-8 written as `\\xNN`."""
    import dataclasses

    if result.root == folder and not any(_undecodable(f.path) for f in result.findings):
        return result
    shown = _path_as_seen_from(result.root, folder)

    def moved(finding: "Finding") -> "Finding":
        fix = finding.fix
        if fix is not None:
            fix = fix._replace(edits=tuple(e._replace(path=shown(e.path)) for e in fix.edits))
        return finding._replace(path=shown(finding.path), fix=fix)

    return dataclasses.replace(
        result,
        root=folder,
        findings=[moved(finding) for finding in result.findings],
        fixed=[moved(finding) for finding in result.fixed],
    )


def _path_as_seen_from(root: Path, folder: Path) -> Callable[[str], str]:
    """Turns a path relative to `root` into one relative to `folder` (absolute when outside
    it), `/`-separated, with the bytes of a name that are not UTF-8 written as `\\xNN`."""
    import os

    base = str(folder).rstrip(os.sep) + os.sep

    def shown(path: str) -> str:
        full = os.path.normpath(os.path.join(root, path))
        inside = full == str(folder) or full.startswith(base)
        relative = (os.path.relpath(full, folder) if inside else full).replace(os.sep, "/")
        if _undecodable(relative):
            return relative.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        return relative

    return shown


def _undecodable(text: str) -> bool:
    """Does `text` (a path from the file system) hold bytes that were not UTF-8?"""
    return not text.isascii() and any("\udc80" <= char <= "\udcff" for char in text)


def _write_output(text: str, path: Path | None) -> None:
    """Write a report in one piece: to stdout, or to --output-file (UTF-8).

    What the output cannot encode is escaped rather than fatal; a file that cannot be
    written (a full disk, no permission) is a one-line error, exit 2."""
    if path is None:
        encoding = sys.stdout.encoding or "utf-8"
        sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding))
        sys.stdout.flush()
        return
    try:
        with open(path, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as out:
            out.write(text)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


# -- report ----------------------------------------------------------------------------------

# The readiness report's formats: its own package, which imports a format's module when used.
ReportFormat = Enum("ReportFormat", {name: name for name in READINESS_FORMATS}, type=str)  # type: ignore[misc]


@app.command()
def report(
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="[PATH]",
            help="A folder of the project (default: the current folder); the whole project is reported.",
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
    raise typer.Exit(_guarded(lambda: run_report(options), verbose))


class ReportOptions(NamedTuple):
    path: Path
    select: list[str]
    extend_select: list[str]
    ignore: list[str]
    output_format: str = "full"
    output_file: Path | None = None
    exit_zero: bool = False
    config: Path | None = None
    verbose: bool = False


def run_report(options: ReportOptions) -> int:
    """Audit the whole project holding PATH (the same run as check's, without fixes), then
    show each criterion's status."""
    from auditor.project import resolve_targets
    from auditor.readiness import Status, assess
    from auditor.report.readiness import ReadinessReport, render
    from auditor.rule import registry
    from auditor.run import execute, plan_run

    # Readiness is a project's, not a folder's: a finding outside PATH still fails its
    # criterion, so the run covers the root PATH belongs to.
    root = resolve_targets([options.path]).root
    run_options = RunOptions(
        paths=[root],
        select=options.select,
        extend_select=options.extend_select,
        ignore=options.ignore,
        config=options.config,
        verbose=options.verbose,
    )
    run = execute(plan_run(run_options, MESSAGES), run_options, MESSAGES)
    # Paths from the current folder, as check shows them (the root may be a folder above).
    shown = _as_seen_from(run.result, Path.cwd())
    readiness = assess(shown, list(registry))
    import io

    buffer = io.StringIO()
    render(options.output_format, ReadinessReport(readiness, shown), buffer)
    _write_output(buffer.getvalue(), options.output_file)
    if _report_failures(run.failures, options.verbose):
        return EXIT_INTERNAL
    if readiness.count(Status.FAIL) and not options.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


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
    options = CleanupOptions(
        path or Path.cwd(),
        apply,
        no_commit,
        include_untracked,
        force,
        output_format.value,
        config,
        verbose,
    )
    raise typer.Exit(_guarded(lambda: run_cleanup(options), verbose))


class CleanupOptions(NamedTuple):
    path: Path
    apply: bool = False
    no_commit: bool = False
    include_untracked: bool = False
    force: bool = False
    output_format: str = "text"
    config: Path | None = None
    verbose: bool = False


def run_cleanup(options: CleanupOptions) -> int:
    from auditor.cleanup.plan import make_plan, plan_to_json, plan_to_text
    from auditor.run import plan_run

    if options.no_commit and not options.apply:
        raise UsageError("--no-commit only makes sense with --apply")
    run_options = RunOptions(
        paths=[options.path],
        select=["JK", "IG"],
        extend_select=[],
        ignore=[],
        config=options.config,
        verbose=options.verbose,
        warn_unaudited=False,
    )
    plan = make_plan(
        plan_run(run_options, MESSAGES),
        include_untracked=options.include_untracked,
        force=options.force,
    )
    if options.output_format == "json":
        import json

        typer.echo(json.dumps(plan_to_json(plan), indent=2))
    else:
        typer.echo(plan_to_text(plan), nl=False)
    if not options.apply:
        return EXIT_CLEAN if plan.nothing_to_do else EXIT_FINDINGS
    # Even with nothing left in the plan: an interrupted --apply may be waiting to finish.
    return _apply_cleanup(plan, commit=not options.no_commit, force=options.force)


def _apply_cleanup(plan: "CleanupPlan", *, commit: bool, force: bool) -> int:
    from auditor.cleanup.apply import CleanupRefused, apply_plan
    from auditor.cleanup.gitops import GitError

    files = sum(entry.item.files for entry in plan.to_remove)
    try:
        with _progress(files) as progress:
            result = apply_plan(plan, commit=commit, force=force, progress=progress)
    except CleanupRefused as refused:
        raise UsageError(f"cleanup --apply refused: {refused}") from None
    except GitError as error:
        fail(f"cleanup --apply: {error}", EXIT_INTERNAL)
    for note in result.notes:
        warn(note)
    if result.failed is not None:
        typer.echo(f"mami-audit: error: {result.failed}", err=True)
        return EXIT_FINDINGS
    if result.commit is None and not (result.removed or result.ignore_files):
        return EXIT_CLEAN  # nothing was left to do
    done = f"removed {len(result.removed)} paths"
    if result.untracked:
        done += f", untracked {len(result.untracked)}"
    if result.ignore_files:
        done += f", updated {', '.join(result.ignore_files)}"
    if result.commit:
        done += f"; committed {result.commit[:12]} {plan.commit_message!r}"
        done += f" (undo: git revert {result.commit[:12]})"
    typer.echo(f"Cleanup done: {done}.", err=True)
    return EXIT_CLEAN


class _progress:
    """A rich progress bar over the files deleted, on a terminal only (stderr)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar: Any = None

    def __enter__(self) -> "Callable[[int], None] | None":
        if self.total < 200 or not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import Progress

        self.bar = Progress(transient=True, console=Console(stderr=True))
        self.bar.start()
        task = self.bar.add_task("Removing junk", total=self.total)
        return lambda count: self.bar.advance(task, count)

    def __exit__(self, *exc_info: object) -> None:
        if self.bar is not None:
            self.bar.stop()


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
    names, takes_value = _check_option_names()
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


def _check_option_names() -> tuple[set[str], set[str]]:
    """Every option name of `check`, and those that take a value."""
    import click

    command = typer.main.get_command(app)
    check_command = command.commands["check"] if isinstance(command, click.Group) else command
    names: set[str] = set()
    takes_value: set[str] = set()
    for parameter in check_command.params:
        if isinstance(parameter, click.Option):
            options = [*parameter.opts, *parameter.secondary_opts]
            names.update(options)
            if not parameter.is_flag and not parameter.count:
                takes_value.update(parameter.opts)
    return names, takes_value
