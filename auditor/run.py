"""One run of mami-audit, the steps every command shares: options in, a Run out.

`check`, `cleanup` and `report` all resolve the targets, read the config, select the rules,
audit (applying fixes first when asked) and then show what came out. The steps live here once;
cli.py only turns command-line options into RunOptions and a Run into output and an exit code.

Nothing here prints. What a user should hear while the run goes (a path nothing reads, a fix
that was refused) goes to the Messages the caller passes, in the order it happens.

Start-up time: this module is imported by cli.py at start-up, so it imports only the standard
library at module level; the engine, the fixer and the rules are imported when a run starts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from auditor.cleanup.gitview import GitView
    from auditor.config import Config
    from auditor.engine import Audit, RuleFailure, Scope
    from auditor.fixer import FixOutcome
    from auditor.project import Project, Targets
    from auditor.result import RunResult
    from auditor.rule import Finding, Rule


class UsageError(Exception):
    """A mistake in how mami-audit was called; the CLI exits 2 with this one-line message."""


class Messages(NamedTuple):
    """Where a run sends what the user should hear while it goes (the CLI: stderr)."""

    warn: Callable[[str], None]
    info: Callable[[str], None]  # only called for --verbose notes


class RunOptions(NamedTuple):  # NamedTuples here: cheaper at start-up than dataclasses
    """What a run needs to know, whichever command started it."""

    paths: list[Path]
    select: list[str]
    extend_select: list[str]
    ignore: list[str]
    fix: bool = False
    unsafe_fixes: bool = False
    force_exclude: bool = False
    online: bool = False  # run the rules that need the network
    python: str | None = None  # the audited project's interpreter or venv
    config: Path | None = None
    verbose: bool = False
    # Warn about named PATHs no rule reads (node_modules, a README): true for an audit; the
    # cleanup plan is about exactly such files.
    warn_unaudited: bool = True


class RunPlan(NamedTuple):
    """What a run works on, once the options and the config are resolved."""

    targets: Targets
    config: Config
    rules: list[type[Rule]]
    project: Project | None = None  # the project whose files chose the rules; audited as is

    @property
    def scope(self) -> Scope | None:
        return None if self.targets.everything else self.targets.scope

    def fix(self, unsafe: bool, messages: Messages) -> FixOutcome:
        """Plan every applicable fix in memory, re-auditing until nothing more applies."""
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
            messages.warn(f"fix not applied: {message}")
        for message in outcome.unsettled:
            messages.warn(f"fix stopped: {message}")
        if not outcome.converged:
            messages.warn(
                f"fixes still applied after {outcome.passes} passes; stopped (run --fix again)"
            )
        return outcome


class Run(NamedTuple):
    """What one run produced."""

    result: RunResult
    failures: list[RuleFailure]  # rules that raised
    suppressed: int  # findings silenced by pragmas or per-file ignores
    # files whose fixes could not be written (the report then comes from the disk as it is)
    write_problems: list[str]


def plan_run(options: RunOptions, messages: Messages, git: GitView | None = None) -> RunPlan:
    """Resolve the targets, the config and the selected rules. `git`: the cleanup plan's
    view of git, which the project's discovery then uses (see Project)."""
    import rules
    from auditor.config import config_for
    from auditor.engine import select_rules
    from auditor.project import Project, resolve_targets

    targets = resolve_targets(options.paths)
    if options.warn_unaudited:
        _warn_unaudited(targets, messages)
    config = config_for(targets.root, options.config).with_overrides(
        select=options.select,
        extend_select=options.extend_select,
        ignore=options.ignore,
        force_exclude=options.force_exclude,
        online=options.online,
        python=options.python,
    )
    if options.python and not Path(options.python).exists():
        raise UsageError(f"--python {options.python}: no such interpreter or virtualenv")
    # Only the rule modules that can report on a kind of file the project has and hold a
    # selected rule (rules/__init__.py); the project's file list is found once, here, and the
    # run audits this same project.
    project = Project(targets.root, config, named=targets.paths, git=git)
    rules.load_for_kinds(kinds_present(project), (*config.select, *config.extend_select))
    check_selectors(options)
    selected = select_rules(config)
    if options.verbose:
        messages.info(
            f"root {targets.root}; config from {config.source}; {len(selected)} rules selected"
        )
    return RunPlan(targets, config, selected, project)


def _warn_unaudited(targets: Targets, messages: Messages) -> None:
    """Say so rather than print "All checks passed" for a named file nothing looked at. One
    line: pre-commit passes every changed file, most of which no rule reads."""
    from auditor.documents import KIND_MODULES
    from auditor.project import ALWAYS_PRUNED, files_of_no_kind

    for path in targets.paths:
        if ALWAYS_PRUNED.intersection(path.split("/")):
            messages.warn(
                f"{path}: inside {', '.join(sorted(ALWAYS_PRUNED))}, which are never audited"
            )
    unread = files_of_no_kind(targets)
    if unread:
        kinds = ", ".join(sorted(KIND_MODULES))
        shown = ", ".join(unread[:3]) + (f" and {len(unread) - 3} more" if len(unread) > 3 else "")
        messages.warn(f"{shown}: of no document kind mami-audit reads ({kinds}); not audited")


def kinds_present(project: Project) -> set[str]:
    """The document kinds of the project's files."""
    from auditor.documents.kinds import kinds_of

    return {kind for path in project.files() for kind in kinds_of(path)}


def execute(
    plan: RunPlan,
    options: RunOptions,
    messages: Messages,
    before_writing: Callable[[RunResult], None] | None = None,
) -> Run:
    """Audit the plan's targets; with options.fix, write the safe (or unsafe) fixes first.

    `before_writing` gets the result the run will report once the fixes are written, before
    any is: the CLI prepares its report there, so that a report that cannot be made fails
    the run before it has changed a file. When some fixes cannot be written, the others are,
    and the result is a new audit of the files as they are on disk.
    """
    from auditor.engine import audit
    from auditor.project import Project

    fixed: list[Finding] = []
    problems: list[str] = []
    if options.fix:
        from auditor.fixer import write_changes

        outcome = plan.fix(options.unsafe_fixes, messages)
        # Once every change is on disk, the fixer's last in-memory audit is the report.
        project, result, fixed = outcome.project, outcome.remaining, outcome.fixed
        if before_writing is not None and outcome.changed_paths:
            before_writing(_result(plan, options, project, result, fixed))
        failed = write_changes(outcome)
        if failed:
            problems = [str(problem) for problem in failed]
            unwritten = {problem.path for problem in failed}
            fixed = [
                finding
                for finding in fixed
                if finding.fix is None
                or not any(edit.path in unwritten for edit in finding.fix.edits)
            ]
            project = Project(plan.targets.root, plan.config, named=plan.targets.paths)
            result = audit(project, plan.config, plan.rules, scope=plan.scope)
    else:
        project = plan.project or Project(plan.targets.root, plan.config, named=plan.targets.paths)
        result = audit(project, plan.config, plan.rules, scope=plan.scope)
    for problem in project.problems:
        messages.warn(f"{problem.path}: {problem.message}")
    run_result = _result(plan, options, project, result, fixed)
    return Run(run_result, result.failures, result.suppressed, problems)


def _result(
    plan: RunPlan, options: RunOptions, project: Project, result: Audit, fixed: list[Finding]
) -> RunResult:
    from auditor.result import FailedRule, RunResult

    scope = plan.scope
    return RunResult(
        root=plan.targets.root,
        findings=result.findings,
        rules=plan.rules,
        files=sum(1 for path in project.files() if scope is None or scope(path)),
        fixed=fixed,
        unsafe_fixes_enabled=options.unsafe_fixes,
        failed_rules=len({failure.rule for failure in result.failures}),
        rule_failures=[FailedRule.from_failure(failure) for failure in result.failures],
        rules_without_input=frozenset(result.without_input),
    )


def check_selectors(options: RunOptions) -> None:
    """Name the option, not the config file, when a command-line selector matches no rule."""
    from auditor.rule import registry

    given = (("--select", options.select), ("--extend-select", options.extend_select))
    for option, selectors in (*given, ("--ignore", options.ignore)):
        for selector in selectors:
            if not selector:
                raise UsageError(
                    f"{option}: empty rule selector (give a code, prefix, name or ALL)"
                )
            if not registry.matching(selector):
                raise UsageError(f"{option}: unknown rule selector {selector!r}")
