"""`mami-audit cleanup [PATH]`: show the cleanup plan; with --apply, carry it out and commit.

The plan is auditor/cleanup/plan.py's and the apply step auditor/cleanup/apply.py's; this
module turns the command's options into those calls and their outcome into output and an exit
code. Like auditor/commands.py it is imported at start-up, so it imports only the standard
library at module level.
"""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from auditor.commands import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    MESSAGES,
    fail,
    warn,
    write_output,
)
from auditor.run import RunOptions, UsageError

if TYPE_CHECKING:
    from auditor.cleanup.plan import CleanupPlan


class CleanupOptions(NamedTuple):
    path: Path
    apply: bool = False
    no_commit: bool = False
    include_untracked: bool = False
    force: bool = False
    output_format: str = "text"
    config: Path | None = None
    verbose: bool = False


def cleanup_options(path: Path | None, **rest: Any) -> CleanupOptions:
    """CleanupOptions from the values as a parser read them (the current folder by default)."""
    return CleanupOptions(path=path or Path.cwd(), **rest)


def run_cleanup(options: CleanupOptions) -> int:
    from auditor.cleanup.gitview import GitView
    from auditor.cleanup.plan import make_plan, plan_to_json, plan_to_text
    from auditor.project import resolve_targets
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
    # git's work starts here, before Python imports and plans: reading the index (on a
    # thread), listing the untracked files, looking for staged changes (see GitView).
    git = GitView(resolve_targets([options.path]).root, staged_changes=not options.force)
    try:
        plan = make_plan(
            plan_run(run_options, MESSAGES, git=git),
            include_untracked=options.include_untracked,
            force=options.force,
        )
    finally:
        git.close()
    if options.output_format == "json":
        import json

        write_output(json.dumps(plan_to_json(plan), indent=2) + "\n", None)
    else:
        write_output(plan_to_text(plan), None)
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
        print(f"mami-audit: error: {result.failed}", file=sys.stderr)
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
    print(f"Cleanup done: {done}.", file=sys.stderr)
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
