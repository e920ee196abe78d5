"""The run `mami-audit cleanup` works on: the targets, the config, the JK and IG rules.

`auditor.run.plan_run` serves `check`, which loads every rule family that reads a kind of
file the project has. The cleanup runs only the junk (JK) and ignore-file (IG) rules, so it
loads only the families that have them (rules/junk, rules/ignore_files, and the few that
declare no document kinds): importing the others cost about a fifth of the plan's time on a
project with a committed node_modules (benchmarks/bench_cleanup.py).

`plan_run`'s two warnings about the PATHs are left out on purpose: a PATH inside node_modules
("never audited") or a file of no document kind ("not audited") is exactly what the cleanup
plans to remove, so both warnings would be wrong here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.run import Messages, RunPlan

CLEANUP_SELECT = ["JK", "IG"]


def cleanup_run_plan(
    path: Path, config_file: Path | None, verbose: bool, messages: Messages
) -> RunPlan:
    import rules
    from auditor.config import config_for
    from auditor.engine import select_rules
    from auditor.project import Project, resolve_targets
    from auditor.run import RunPlan

    targets = resolve_targets([path])
    config = config_for(targets.root, config_file).with_overrides(select=CLEANUP_SELECT)
    project = Project(targets.root, config, named=targets.paths)
    # No kinds: only the families that declare none. Selecting JK and IG (and any code the
    # config's ignore or per-file-ignores names) imports the families that have them.
    rules.load_for_kinds(())
    selected = select_rules(config)
    if verbose:
        messages.info(
            f"root {targets.root}; config from {config.source}; {len(selected)} rules selected"
        )
    return RunPlan(targets, config, selected, project)
