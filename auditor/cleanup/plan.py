"""The cleanup plan: what `mami-audit cleanup` shows and `--apply` carries out.

    plan = make_plan(run_plan, include_untracked=False, force=False)

Every junk path with its reason (JK code), size, and whether git tracks it, and what happens
to it: removed, untracked (a committed secret file: it stays on disk), or kept (and why:
something uses it, it is untracked, it has uncommitted changes). Then the ignore-file changes
(the IG rules' safe fixes, plus the secret files to ignore), and each build context's size now
and after. Nothing is written here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from auditor.cleanup.contexts import ContextSize, measure
from auditor.cleanup.junk import SECRET_CODE, JunkItem, scan
from auditor.sorted_paths import in_sorted

if TYPE_CHECKING:
    from auditor.cleanup.gitops import Git, Pending
    from auditor.config import Config
    from auditor.run import RunPlan

REMOVE, UNTRACK, KEEP = "remove", "untrack", "keep"
PLAN_VERSION = 1


class PlanEntry(NamedTuple):
    item: JunkItem
    action: str  # REMOVE, UNTRACK or KEEP
    why_kept: str = ""  # for KEEP: the reason

    @property
    def path(self) -> str:
        return self.item.path


class IgnoreChange(NamedTuple):
    path: str
    before: bytes | None  # None: the file does not exist yet
    after: bytes
    added: tuple[str, ...]  # the lines added


class CleanupPlan(NamedTuple):
    root: Path
    in_git: bool
    entries: list[PlanEntry]
    ignore_changes: list[IgnoreChange]
    contexts: list[ContextSize]
    commit_message: str
    include_untracked: bool

    @property
    def to_remove(self) -> list[PlanEntry]:
        return [entry for entry in self.entries if entry.action == REMOVE]

    @property
    def to_untrack(self) -> list[PlanEntry]:
        return [entry for entry in self.entries if entry.action == UNTRACK]

    @property
    def kept(self) -> list[PlanEntry]:
        return [entry for entry in self.entries if entry.action == KEEP]

    @property
    def nothing_to_do(self) -> bool:
        return not self.to_remove and not self.to_untrack and not self.ignore_changes


def make_plan(run_plan: RunPlan, *, include_untracked: bool, force: bool) -> CleanupPlan:
    from auditor.cleanup.gitops import Git
    from auditor.cleanup.project_junk import git_of, split_kept, top_folders, wanted
    from auditor.project import Project

    root = run_plan.targets.root
    config = run_plan.config
    # The run's own project: its file list is already known (run.plan_run found it).
    project = run_plan.project or Project(root, config, named=run_plan.targets.paths)
    locations, tracked = git_of(project)
    found = scan(root, config.cleanup, locations, tops=top_folders(project), tracked=tracked)
    inside = [
        item
        for item in found.items
        if wanted(project, item) and (run_plan.targets.everything or _in_scope(run_plan, item))
    ]
    split = split_kept(project, inside, found.in_git)
    # Uncommitted changes keep junk from removal (without --force): staged changes of every
    # junk path, unstaged ones of junk files (inside a junk folder, 100k files in a
    # node_modules, that would be a stat per file: --apply looks before it deletes). git
    # looks while Python plans the ignore-file fixes.
    checks: ChangeChecks | None = None
    tracked_junk = [item for item in split.junk if item.tracked]
    if locations is not None and not force and tracked_junk:
        # A junk file whose stat data is what git recorded has no unstaged change (git
        # itself would not look further): git is asked about the others only.
        files = [
            item.path
            for item in tracked_junk
            if not item.folder and (tracked is None or not tracked.unchanged(root, item.path))
        ]
        staged = project.git.take_staged_changes() if project.git is not None else None
        checks = ChangeChecks(Git(root), files, staged)
    fixes = ignore_rule_fixes(run_plan, project)
    work_tree = locations[0] if locations is not None else root
    dirty = set() if checks is None else _relative_paths(root, work_tree, checks.paths())
    entries = []
    for item in split.junk:
        entries.append(_entry(item, found.in_git, include_untracked, dirty))
    for item, why in split.kept.values():
        entries.append(PlanEntry(item, KEEP, why))
    entries.sort(key=lambda entry: entry.path)
    secrets = [entry.item for entry in entries if entry.action == UNTRACK]
    changes = ignore_changes(root, fixes, secrets)
    contexts = context_sizes(run_plan, project, entries, changes)
    return CleanupPlan(
        root,
        found.in_git,
        entries,
        changes,
        contexts,
        config.cleanup.commit_message,
        include_untracked,
    )


class ChangeChecks:
    """git's staged and unstaged changes among the junk, looked for while Python goes on."""

    def __init__(self, git: Git, files: list[str], staged: Pending | None = None) -> None:
        """`staged`: git.staged_changes(), when the plan's GitView started it already.
        Started before HEAD is known to exist: on an unborn branch diff-index fails, and
        then nothing counts as changed (there is no commit to differ from)."""
        self.git = git
        self.staged = staged or git.staged_changes()
        self.unstaged = git.unstaged_changes(files) if files else None

    def paths(self) -> set[str]:
        """The changed paths (relative to the top of the work tree); GitError on failure."""
        from auditor.cleanup.gitops import GitError

        unstaged = set() if self.unstaged is None else self.unstaged.paths()
        try:
            staged = self.staged.paths()
        except GitError:
            if self.git.head() is not None:
                raise
            return set()
        return staged | unstaged


def _relative_paths(root: Path, top: Path, paths: set[str]) -> set[str]:
    """Paths git gives relative to the top of the work tree, made relative to `root`."""
    prefix = os.path.relpath(root, top).replace(os.sep, "/")
    if prefix == ".":
        return paths
    return {path[len(prefix) + 1 :] for path in paths if path.startswith(prefix + "/")}


def _in_scope(run_plan: RunPlan, item: JunkItem) -> bool:
    return any(
        item.path == target or item.path.startswith(target + "/")
        for target in run_plan.targets.paths
    )


def _has_changes(item: JunkItem, dirty: set[str]) -> bool:
    """Is the item, or a tracked file inside it, among the `dirty` paths? Looked up from the
    dirty side, which is small, rather than over a node_modules' 100k tracked files."""
    if item.path in dirty:
        return True
    inside = item.path + "/"
    return any(path.startswith(inside) and in_sorted(item.tracked_files, path) for path in dirty)


def _entry(item: JunkItem, in_git: bool, include_untracked: bool, dirty: set[str]) -> PlanEntry:
    if item.code == SECRET_CODE and not item.tracked:
        # Never deleted: the untracked .env is exactly where keys belong.
        return PlanEntry(item, KEEP, "not tracked: the keys stay here; keep it out of commits")
    if not item.tracked:
        if include_untracked:
            return PlanEntry(item, REMOVE)
        where = "untracked" if in_git else "not in git"
        return PlanEntry(item, KEEP, f"{where}: removed only with --include-untracked")
    if _has_changes(item, dirty):
        return PlanEntry(item, KEEP, "has uncommitted changes: removed only with --force")
    if item.code == SECRET_CODE:
        return PlanEntry(item, UNTRACK)
    return PlanEntry(item, REMOVE)


def ignore_rule_fixes(run_plan: RunPlan, project: Any) -> dict[str, bytes]:
    """The IG rules' safe fixes: each ignore file as it would be written. The fixer starts
    from `project`, the plan's: its file list is not found a second time."""
    from auditor.fixer import plan_fixes

    ig_rules = [rule for rule in run_plan.rules if rule.code.startswith("IG")]
    outcome = plan_fixes(
        run_plan.targets.root,
        run_plan.config,
        ig_rules,
        unsafe=False,
        scope=run_plan.scope,
        named=run_plan.targets.paths,
        discovered=project,
    )
    return {path: data for path, data in outcome.changed.items() if data is not None}


def ignore_changes(
    root: Path, fixes: dict[str, bytes], untracked_secrets: list[JunkItem]
) -> list[IgnoreChange]:
    """The IG rules' fixes, and the secret files to untrack appended to .gitignore."""
    from auditor.documents.base import SourceFile
    from rules.ignore_files._append import appended_block
    from rules.ignore_files.gitignore import missing_entries

    new = dict(fixes)
    if untracked_secrets:
        path = ".gitignore"
        current = new.get(path, _read(root / path))
        source = SourceFile.from_bytes(path, root / path, current or b"")
        if source.error is None:
            wanted = tuple("/" + item.path for item in untracked_secrets)
            missing = missing_entries(source.text, wanted)
            if missing:
                new[path] = source.encode(source.text + appended_block(source.text, missing))
    changes = []
    for path, after in sorted(new.items()):
        before = _read(root / path)
        added = _added_lines(before, after)
        changes.append(IgnoreChange(path, before, after, added))
    return changes


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _added_lines(before: bytes | None, after: bytes) -> tuple[str, ...]:
    old = set((before or b"").decode("utf-8", "replace").splitlines())
    lines = after.decode("utf-8", "replace").splitlines()
    return tuple(
        line for line in lines if line.strip() and not line.startswith("#") and line not in old
    )


def context_sizes(
    run_plan: RunPlan, project: Any, entries: list[PlanEntry], changes: list[IgnoreChange]
) -> list[ContextSize]:
    from auditor.documents.base import SourceFile
    from auditor.documents.ignorefile import IgnoreFile, parse
    from auditor.rule import Context
    from rules.ignore_files.dockerignore import build_contexts

    removed = {entry.path: entry.item for entry in entries if entry.action in (REMOVE, UNTRACK)}
    # An untracked secret stays on disk, so it stays in a context that lets it in.
    removed = {p: item for p, item in removed.items() if item.code != SECRET_CODE}
    changed = {change.path: change.after for change in changes}
    root = run_plan.targets.root
    sizes = []
    seen: set[str] = set()
    for build in build_contexts(Context(project, run_plan.config)):
        if build.folder in seen or not _folder_in_scope(run_plan, build.folder):
            continue
        seen.add(build.folder)
        now: tuple[str, IgnoreFile] | None = None
        after: IgnoreFile | None = None
        if build.ignore_path is not None:
            document = project.document(build.ignore_path, "dockerignore")
            if isinstance(document, IgnoreFile) and document.parse_error is None:
                now = (build.ignore_path, document)
                after = document
        created = _inside(build.folder, ".dockerignore")
        new_path = build.ignore_path or created
        if new_path in changed:
            parsed = parse(SourceFile.from_bytes(new_path, root / new_path, changed[new_path]))
            if parsed.parse_error is None:
                after = parsed
        sizes.append(measure(root, build.folder, build.dockerfile.path, now, after, removed))
    return sizes


def _folder_in_scope(run_plan: RunPlan, folder: str) -> bool:
    if run_plan.targets.everything:
        return True
    return any(
        folder == target or folder.startswith(target + "/") for target in run_plan.targets.paths
    )


def _inside(folder: str, name: str) -> str:
    return name if folder == "." else f"{folder}/{name}"


# -- output ---------------------------------------------------------------------------------


def plan_to_json(plan: CleanupPlan) -> dict[str, Any]:
    """The plan as data: the contract documented in docs/cleanup.md ("JSON output")."""
    return {
        "version": PLAN_VERSION,
        "root": str(plan.root),
        "git": plan.in_git,
        "include_untracked": plan.include_untracked,
        "nothing_to_do": plan.nothing_to_do,
        "paths": [
            {
                "path": entry.path,
                "code": entry.item.code,
                "kind": "symlink"
                if entry.item.link
                else ("folder" if entry.item.folder else "file"),
                "tracked": entry.item.tracked,
                "size": entry.item.size,
                "files": entry.item.files,
                "action": entry.action,
                "kept_because": entry.why_kept or None,
            }
            for entry in plan.entries
        ],
        "ignore_files": [
            {"path": change.path, "created": change.before is None, "added": list(change.added)}
            for change in plan.ignore_changes
        ],
        "build_contexts": [
            {
                "folder": context.folder,
                "dockerfile": context.dockerfile,
                "ignore_file": context.ignore_file,
                "size_now": context.size_now,
                "files_now": context.files_now,
                "size_after": context.size_after,
                "files_after": context.files_after,
                "reduction_percent": round(context.reduction, 1),
            }
            for context in plan.contexts
        ],
        "commit_message": plan.commit_message,
    }


def plan_to_text(plan: CleanupPlan, config: Config | None = None) -> str:
    from auditor.cleanup.junk import human_size
    from auditor.rule import registry

    def reason(code: str) -> str:
        rule = registry.get(code)
        return f"{code} {rule.name}" if rule is not None else code

    def shown(entry: PlanEntry) -> str:
        item = entry.item
        name = _printable(item.path) + ("/" if item.folder and not item.link else "")
        plural = "" if item.files == 1 else "s"
        files = f", {item.files} file{plural}" if item.folder and not item.link else ""
        state = "tracked" if item.tracked else "untracked"
        return f"{name}  [{reason(item.code)}; {human_size(item.size)}{files}; {state}]"

    lines: list[str] = []
    if plan.to_remove:
        total = sum(entry.item.size for entry in plan.to_remove)
        lines.append(f"Remove ({len(plan.to_remove)} paths, {human_size(total)}):")
        lines += [f"  - {shown(entry)}" for entry in plan.to_remove]
    if plan.to_untrack:
        lines.append("Stop tracking (kept on disk; rotate these keys, they stay in git history):")
        lines += [f"  - {shown(entry)}" for entry in plan.to_untrack]
    if plan.kept:
        lines.append("Kept:")
        lines += [f"  = {shown(entry)}: {entry.why_kept}" for entry in plan.kept]
    if plan.ignore_changes:
        lines.append("Ignore files:")
        for change in plan.ignore_changes:
            verb = "create" if change.before is None else "append to"
            lines.append(f"  + {verb} {change.path}: {', '.join(change.added)}")
    if plan.contexts:
        lines.append("Build contexts (what `docker build` sends):")
        for context in plan.contexts:
            where = "./" if context.folder == "." else context.folder + "/"
            lines.append(
                f"  {where} ({context.dockerfile}): {human_size(context.size_now)} in "
                f"{context.files_now} files -> {human_size(context.size_after)} in "
                f"{context.files_after} files ({context.reduction:.1f}% smaller)"
            )
    if plan.nothing_to_do:
        lines.append("Nothing to clean up.")
    elif plan.in_git:
        lines.append(f"Run `mami-audit cleanup --apply` to commit this as {plan.commit_message!r}.")
    if not plan.in_git:
        lines.append(
            "Not a git work tree: no commit; `--apply --include-untracked` deletes for good."
        )
    return "\n".join(lines) + "\n"


def _printable(path: str) -> str:
    """A path safe to print on one line: newlines and undecodable bytes escaped."""
    if path.isprintable():
        return path
    return repr(path)[1:-1]
