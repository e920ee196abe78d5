"""What keeps a junk path: something in the project uses it, so it is not junk after all.

A path is kept, and the plan says why, when
- a Dockerfile names it in COPY, ADD, RUN, CMD or ENTRYPOINT (a source COPY'd explicitly,
  a script it runs); `COPY . .` names nothing in particular and keeps nothing;
- a compose service mounts it (`./backups:/backups`, from the merged stack of
  auditor.facts.compose), or a compose file names it otherwise (an `env_file`);
- a package.json script or a CI workflow names it (`python check_env.py`);
- the app's Python code imports it (`import check_env`), from the imports fact.

Beyond the bind mounts, compose files, package.json scripts and workflows are searched as text
for the path, as a whole word: the question is only "is this path named here".
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from auditor.cleanup.junk import SECRET_CODE, JunkItem
from auditor.lazy_pattern import LazyPattern

if TYPE_CHECKING:
    from auditor.project import Project

_NAMING_KEYWORDS = ("COPY", "ADD", "RUN", "CMD", "ENTRYPOINT")
_COMPOSE_NAME_RE = LazyPattern(r"(?:^|/)(?:docker-)?compose(?:[.-][^/]*)?\.ya?ml$")
_WORKFLOW_RE = LazyPattern(r"^\.github/workflows/[^/]+\.ya?ml$")


def mention_pattern(path: str) -> re.Pattern[str]:
    """`path` as a whole word in a command or a file: `./backups/x`, `"check_env.py"`, not
    `/app/backups` (a container path) or `my_backups`."""
    return re.compile(r"(?<![\w./-])(?:\./)?" + re.escape(path) + r"(?![\w.-])")


def _relative_to(path: str, folder: str) -> str | None:
    if folder in ("", "."):
        return path
    return path[len(folder) + 1 :] if path.startswith(folder + "/") else None


def kept_reasons(project: Project, items: Iterable[JunkItem]) -> dict[str, str]:
    """Junk item path -> why it is kept ("Dockerfile:12 COPYs it"), for the items in use.

    Secret files are never kept: a used `.env` stays on disk anyway, only git stops tracking it.
    """
    candidates = [item for item in items if item.code != SECRET_CODE]
    if not candidates:
        return {}
    reasons: dict[str, str] = {}
    _dockerfiles(project, candidates, reasons)
    _compose_mounts(project, candidates, reasons)
    _text_files(project, candidates, reasons)
    _imports(project, candidates, reasons)
    return reasons


def _dockerfiles(project: Project, items: list[JunkItem], reasons: dict[str, str]) -> None:
    from auditor.documents.dockerfile import Dockerfile

    for document in project.documents("dockerfile"):
        if not isinstance(document, Dockerfile) or document.parse_error is not None:
            continue
        folder = posixpath.dirname(document.path)
        for item in items:
            if item.path in reasons:
                continue
            # The build context is the Dockerfile's folder or one above it: try the path
            # relative to each of them.
            forms = {
                relative
                for base in _folders_up(folder)
                if (relative := _relative_to(item.path, base)) is not None
            }
            patterns = [mention_pattern(form) for form in forms]
            for instruction in document.instructions:
                if instruction.keyword not in _NAMING_KEYWORDS:
                    continue
                if any(pattern.search(instruction.arguments) for pattern in patterns):
                    verb = instruction.keyword + "s"
                    reasons[item.path] = f"{document.path}:{instruction.line} {verb} it"
                    break


def _folders_up(folder: str) -> list[str]:
    folders = [folder or "."]
    while folder not in ("", "."):
        folder = posixpath.dirname(folder)
        folders.append(folder or ".")
    return folders


def _compose_mounts(project: Project, items: list[JunkItem], reasons: dict[str, str]) -> None:
    """Bind mounts and env_files of the merged compose stacks (auditor.facts.compose), with
    paths resolved as Compose resolves them (against the folder of the file that writes them)."""
    if not project.has_kind("compose"):  # no YAML read or imported without one
        return
    from auditor.facts.compose import Service, stacks_of

    for stack in stacks_of(project):
        for service in stack.services.values():
            for mount, node in service.mounts():
                if mount.type != "bind" or not mount.source or mount.source.startswith("/"):
                    continue
                source = posixpath.normpath(posixpath.join(Service.folder_of(node), mount.source))
                _keep_under(
                    items, reasons, source, f"{node.origin.path}:{node.origin.line} mounts it"
                )


def _keep_under(items: list[JunkItem], reasons: dict[str, str], used: str, why: str) -> None:
    """Keep the items at or holding the used path. A mount of a folder that merely contains
    junk (`./frontend:/app` over a committed frontend/node_modules) keeps nothing, as
    `COPY . .` keeps nothing: it uses whatever is there, not that junk in particular."""
    for item in items:
        if item.path in reasons:
            continue
        path = item.path
        if used == path or used.startswith(path + "/"):
            reasons[path] = why


def _text_files(project: Project, items: list[JunkItem], reasons: dict[str, str]) -> None:
    for path in project.files():
        if _COMPOSE_NAME_RE.search(path):
            what = "names it"
        elif _WORKFLOW_RE.match(path):
            what = "runs it"
        elif posixpath.basename(path) == "package.json":
            what = "a script runs it"
        else:
            continue
        source = project.source(path)
        if source is None or source.error is not None:
            continue
        text = _scripts_text(source.text) if what == "a script runs it" else source.text
        # Compose paths and npm scripts are relative to their file's folder; a workflow's
        # steps run at the repository root.
        folder = "" if what == "runs it" else posixpath.dirname(path)
        for item in items:
            if item.path in reasons:
                continue
            relative = _relative_to(item.path, folder) if folder else item.path
            if relative is None:
                continue
            found = mention_pattern(relative).search(text)
            if found is not None:
                line = source.text.count("\n", 0, source.text.find(found.group(0))) + 1
                reasons[item.path] = f"{path}:{line} {what}"


def _scripts_text(text: str) -> str:
    """The `scripts` values of a package.json, one per line ("" when it is not JSON)."""
    try:
        data = json.loads(text)
    except ValueError:
        return ""
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        return ""
    return "\n".join(value for value in scripts.values() if isinstance(value, str))


def _imports(project: Project, items: list[JunkItem], reasons: dict[str, str]) -> None:
    modules = {}
    for item in items:
        if item.path in reasons or item.folder or not item.path.endswith(".py"):
            continue
        modules[item.path[: -len(".py")].replace("/", ".")] = item.path
    if not modules:
        return
    from auditor.facts.imports import imported_modules

    used = imported_modules(project)
    for module, path in modules.items():
        top = module.split(".", 1)[0]
        for site in used.names.get(top, ()):
            if site.path == path or not (
                site.module == module or site.module.startswith(module + ".")
            ):
                continue
            reasons[path] = f"{site.path}:{site.line} imports it"
            break
