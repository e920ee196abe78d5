"""The audited project's junk, computed once per run for the JK rules and the cleanup plan.

Inside git, junk is what git tracks (`git ls-files`): a local `.venv` or an ignored
`node_modules` is nobody's business but its owner's, and `check` stays silent on it (the
cleanup plan lists it as untracked). Outside git, nothing is committed yet, so the files
discovery lists (what is not .gitignored) are what would be: those are checked instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from auditor.cleanup.junk import (
    JunkItem,
    TrackedFiles,
    git_locations,
    junk_among,
    scan,
    user_excludes,
)
from auditor.cleanup.usage import kept_reasons

if TYPE_CHECKING:
    from pathlib import Path

    from auditor.project import Project


class ProjectJunk(NamedTuple):
    junk: list[JunkItem]  # to remove (or untrack)
    kept: dict[str, tuple[JunkItem, str]]  # path -> (item, why it is kept)
    in_git: bool


def project_junk(project: Project) -> ProjectJunk:
    from auditor.facts.cache import project_fact

    return project_fact(project, "junk", _build)


def _build(project: Project) -> ProjectJunk:
    settings = project.config.cleanup
    tops = top_folders(project)
    locations, tracked = git_of(project)
    found = scan(project.root, settings, locations, untracked=False, tops=tops, tracked=tracked)
    items = found.items
    if not found.in_git:
        items = junk_among(project.root, settings, project.files(), tops)
    return split_kept(project, [item for item in items if wanted(project, item)], found.in_git)


def git_of(project: Project) -> tuple[tuple[Path, Path] | None, TrackedFiles | None]:
    """git_locations(project.root), and its tracked files when the project's GitView (the
    cleanup plan's) has read them already; else they are read when needed."""
    if project.git is not None:
        return project.git.locations, project.git.tracked_files(project.root)
    return git_locations(project.root), None


def top_folders(project: Project) -> list[str]:
    """The root and the folders the user named: where "top-level" scripts are looked for."""
    return ["", *(name for name in project.named if project.is_dir(name))]


def wanted(project: Project, item: JunkItem) -> bool:
    """Not in a folder the config excludes, unless the user named it (as for every rule)."""
    path = item.path + ("/" if item.folder and not item.link else "")
    named = any(path == name or path.startswith(name + "/") for name in project.named)
    if named:
        return True
    excluded = user_excludes(project.config.excluded_patterns)
    if not excluded:
        return True
    from auditor.project import exclusion_matcher

    return not exclusion_matcher(tuple(excluded)).match_file(path)


def split_kept(project: Project, items: list[JunkItem], in_git: bool) -> ProjectJunk:
    reasons = kept_reasons(project, items)
    junk = [item for item in items if item.path not in reasons]
    kept = {item.path: (item, reasons[item.path]) for item in items if item.path in reasons}
    return ProjectJunk(junk, kept, in_git)
