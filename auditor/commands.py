"""What each command does once its options are known: options in, an exit code out.

Two parsers lead here: auditor/quick_argv.py, which reads the usual command lines of `check`
and `cleanup` without loading typer, and the typer app (auditor/cli_app.py), which reads every
other one and owns help and usage errors. Both build the options below with the same
functions, so a command line means the same whichever parser read it.

No typer here, and nothing heavier than the standard library at module level: this module is
imported on every run, and a pre-commit hook runs mami-audit on every commit.
"""

import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

from auditor.run import Messages, RunOptions, UsageError

if TYPE_CHECKING:  # the engine is imported when a command runs, not at start-up
    from auditor.engine import RuleFailure
    from auditor.result import RunResult
    from auditor.rule import Finding, Rule
    from auditor.run import RunPlan

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def fail(message: str, code: int) -> NoReturn:
    print(f"mami-audit: error: {message}", file=sys.stderr)
    raise SystemExit(code)


def warn(message: str) -> None:
    print(f"mami-audit: warning: {message}", file=sys.stderr)


def info(message: str) -> None:
    """--verbose notes, on stderr so that reports on stdout stay parseable."""
    print(f"mami-audit: {message}", file=sys.stderr)


# A run's messages go to stderr, so that reports on stdout stay parseable.
MESSAGES = Messages(warn=warn, info=info)


def split_selectors(values: Iterable[str] | None) -> list[str]:
    """--select A,B --select C -> [A, B, C]. Empty items are kept for run.check_selectors to
    refuse: `--select ''` must not quietly mean "every rule"."""
    return [item.strip() for value in values or () for item in value.split(",")]


# -- check -----------------------------------------------------------------------------------


def guarded(action: Callable[[], int], verbose: bool) -> int:
    """Turn the known errors into one-line messages and exit codes."""
    from auditor.config import ConfigError
    from auditor.project import TargetError

    try:
        return action()
    except (ConfigError, UsageError, TargetError) as error:
        if verbose:
            _print_traceback()
        fail(str(error), EXIT_USAGE)
    except BrokenPipeError:
        # The reader went away (`mami-audit | head`): not an error of ours. Send whatever is
        # still buffered to /dev/null so that Python's exit flush does not complain.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FINDINGS
    except Exception as error:  # anything else is our bug: say so in one line
        if verbose:
            _print_traceback()
        hint = "" if verbose else " (run with --verbose for the traceback)"
        fail(f"internal error: {type(error).__name__}: {error}{hint}", EXIT_INTERNAL)


def _print_traceback() -> None:
    import traceback  # only on failure: importing it costs start-up time

    traceback.print_exc()


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


def check_options(
    paths: Iterable[Path] | None,
    *,
    select: Iterable[str] | None = None,
    extend_select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    **rest: Any,
) -> CheckOptions:
    """CheckOptions from the values as a parser read them: the current folder when no PATH
    is named, and `--select A,B` split into codes."""
    return CheckOptions(
        paths=list(paths or ()) or [Path.cwd()],
        select=split_selectors(select),
        extend_select=split_selectors(extend_select),
        ignore=split_selectors(ignore),
        **rest,
    )


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
        print(f"mami-audit: error: {message}", file=sys.stderr)
    # The report prepared before writing, unless some file was not written: then the audit
    # of the disk as it is.
    text = prepared[0] if prepared and not run.write_problems else None
    report = text if text is not None else _report_text(run.result, options)
    write_output(report, options.output_file)
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
            print(failure.traceback, file=sys.stderr)
        print(f"mami-audit: error: {failure.describe()}", file=sys.stderr)
    return bool(failures)


def _show_diff(plan: "RunPlan", options: CheckOptions) -> int:
    from auditor.fixer import unified_diff

    outcome = plan.fix(options.unsafe_fixes, MESSAGES)
    # File names as the report shows them: from the current folder, whatever the root.
    shown = _path_as_seen_from(outcome.root, Path.cwd())
    write_output(unified_diff(outcome, shown), options.output_file)
    if _report_failures(outcome.remaining.failures, options.verbose):
        return EXIT_INTERNAL
    changed = outcome.changed_paths
    noun = "finding" if len(outcome.fixed) == 1 else "findings"
    files = "file" if len(changed) == 1 else "files"
    print(f"Would fix {len(outcome.fixed)} {noun} in {len(changed)} {files}.", file=sys.stderr)
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
    from auditor.records import replace

    if result.root == folder and not any(_undecodable(f.path) for f in result.findings):
        return result
    shown = _path_as_seen_from(result.root, folder)

    def moved(finding: "Finding") -> "Finding":
        fix = finding.fix
        if fix is not None:
            fix = fix._replace(edits=tuple(e._replace(path=shown(e.path)) for e in fix.edits))
        return finding._replace(path=shown(finding.path), fix=fix)

    return replace(
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


def write_output(text: str, path: Path | None) -> None:
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
    write_output(buffer.getvalue(), options.output_file)
    if _report_failures(run.failures, options.verbose):
        return EXIT_INTERNAL
    if readiness.count(Status.FAIL) and not options.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


# -- rule and rules ---------------------------------------------------------------------------


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


def print_rule(code: str) -> int:
    """`mami-audit rule CODE|NAME`: a rule's documentation."""
    import rules
    from auditor.rule import registry

    rules.load_all()
    found = registry.get(code)
    if found is None:
        fail(f"unknown rule {code!r} (see `mami-audit rules`)", EXIT_USAGE)
    print(describe_rule(found))
    return EXIT_CLEAN


def print_rules(output_format: str) -> int:
    """`mami-audit rules`: one line per rule, or the catalog as JSON."""
    import rules
    from auditor.rule import registry

    rules.load_all()
    if output_format == "json":
        from auditor.report.catalog import render_rules_json

        render_rules_json(list(registry), sys.stdout)
        return EXIT_CLEAN
    for rule in registry:
        marker = "[*]" if rule.fixable else "   "
        print(f"{rule.code}  {marker} {rule.name:<32} {rule.summary}")
    return EXIT_CLEAN
