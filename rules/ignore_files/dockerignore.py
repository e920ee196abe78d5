"""IG002, IG003: each build context has a .dockerignore that keeps junk out of it."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator
from typing import NamedTuple

from auditor.cleanup.usage import mention_pattern
from auditor.documents.dockerfile import Dockerfile
from auditor.documents.ignorefile import IgnoreFile, ignore_file_candidates
from auditor.rule import Context, Edit, Finding, Fix, Rule, Severity, Span, register
from rules.ignore_files._append import append_lines, new_file


class BuildContext(NamedTuple):
    folder: str  # relative to the project root; "." for the root
    dockerfile: Dockerfile
    ignore_path: str | None  # the ignore file BuildKit would use, if there is one


def build_contexts(context: Context) -> list[BuildContext]:
    """The build context of each Dockerfile: the folder its sources show, else its own."""
    dockerfiles = context.project.documents("dockerfile")
    if not dockerfiles:
        return []
    # Imported here: the DF family loads only for projects with Dockerfiles (rules/_index.py).
    from rules.dockerfile.context import resolve_build_context

    named = compose_contexts(context)
    found = []
    for document in dockerfiles:
        if not isinstance(document, Dockerfile) or document.parse_error is not None:
            continue
        folder = (
            named.get(document.path)
            or resolve_build_context(context, document)
            or (posixpath.dirname(document.path) or ".")
        )
        ignore = None
        for candidate in ignore_file_candidates(document.path, folder):
            if context.project.exists(candidate):
                ignore = candidate
                break
        found.append(BuildContext(folder, document, ignore))
    return found


def compose_contexts(context: Context) -> dict[str, str]:
    """Dockerfile path -> the build context a compose service builds it with (`build.context`
    and `build.dockerfile`, resolved as Compose does). Empty without compose files."""
    if not context.project.has_kind("compose"):
        return {}
    from auditor.facts.compose import stacks_of

    named: dict[str, str] = {}
    for stack in stacks_of(context.project):
        for service in stack.services.values():
            build = service.build()
            if build is None:
                continue
            folder, dockerfile = build
            path = posixpath.normpath(posixpath.join(folder, dockerfile))
            named.setdefault(path, folder or ".")
    return named


def _inside(folder: str, name: str) -> str:
    return name if folder == "." else f"{folder}/{name}"


def present(context: Context, folder: str, entry: str) -> list[str]:
    """Context-relative paths that an entry is about and that exist: `.venv` -> [".venv"];
    `**/node_modules` -> ["node_modules", "frontend/node_modules"] (one level down)."""
    root = context.project.root
    anywhere = entry.startswith("**/")
    name = entry[3:] if anywhere else entry.lstrip("/")
    if any(char in name for char in "*?["):
        return _globbed(context, folder, name, anywhere)
    found = [name] if os.path.lexists(root / _inside(folder, name)) else []
    if anywhere:
        for child in _subfolders(context, folder):
            if os.path.lexists(root / _inside(folder, f"{child}/{name}")):
                found.append(f"{child}/{name}")
    return found


def _subfolders(context: Context, folder: str) -> list[str]:
    try:
        entries = os.scandir(context.project.root / (folder if folder != "." else ""))
        return sorted(
            e.name for e in entries if e.is_dir(follow_symlinks=False) and e.name != ".git"
        )
    except OSError:
        return []


def _globbed(context: Context, folder: str, glob: str, anywhere: bool) -> list[str]:
    """Discovered files a file-name glob (`*.pyc`) names in the context, at most a few."""
    import fnmatch

    prefix = "" if folder == "." else folder + "/"
    found = []
    for path in context.project.files():
        if not path.startswith(prefix):
            continue
        relative = path[len(prefix) :]
        if ("/" in relative and not anywhere) or not fnmatch.fnmatch(
            relative.rsplit("/", 1)[-1], glob
        ):
            continue
        found.append(relative)
        if len(found) == 3:
            break
    return found


def copied_explicitly(document: Dockerfile, name: str) -> bool:
    """Does a COPY/ADD name this path (`COPY tests/ tests/`)? Then it must stay in."""
    from rules.dockerfile.context import context_sources

    pattern = mention_pattern(name.lstrip("/").removeprefix("**/"))
    return any(pattern.search(source.path) for source in context_sources(document) if source.path)


def default_lines(context: Context, build: BuildContext) -> list[str]:
    required = context.config.cleanup.dockerignore
    return [entry for entry in required if not copied_explicitly(build.dockerfile, entry)]


@register
class MissingDockerignore(Rule):
    """Reports a build context without a .dockerignore.

    ## What it does
    For each Dockerfile, finds its build context (the compose `build.context` of a service
    that builds it; else the folder its COPY sources resolve against, else its own folder)
    and the ignore file BuildKit would use there
    (`<Dockerfile>.dockerignore` beside it, else `.dockerignore` at the context root).
    Reports the Dockerfile when there is none.

    ## Why is this bad?
    Without it, `docker build` sends the whole folder: `.git`, `node_modules`, `.venv`, the
    `.env` with keys, tests and junk. The context (and, with `COPY . .`, the image) grows by
    hundreds of megabytes and may carry secrets (R21.6, R21.5).

    ## Example
    A `Dockerfile` with `COPY . /app` and no `.dockerignore` beside it.

    ## How to fix
    The safe fix creates `.dockerignore` at the context root with the entries of
    `[tool.mami-audit.cleanup] dockerignore`, leaving out any the Dockerfile COPYs by name.
    """

    code = "IG002"
    name = "missing-dockerignore"
    summary = "A build context has no .dockerignore"
    severity = Severity.WARNING
    requirements = ("R21.6",)
    fixable = True
    bad_examples = (
        Rule.bad(
            {"Dockerfile": "FROM python:3.11-slim\nCOPY . /app\n"},
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY . /app\n",
                ".dockerignore": "# Added by mami-audit (R21.6): keep these out\n.git\n"
                "**/node_modules\n.venv\n.env\ntests\n**/__pycache__\n**/*.pyc\nbackups\n",
            },
        ),
        Rule.bad(
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY app/ /app/\nCOPY tests/ /tests/\n",
                "app/main.py": "",
                "tests/test_main.py": "",
            },
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY app/ /app/\nCOPY tests/ /tests/\n",
                ".dockerignore": "# Added by mami-audit (R21.6): keep these out\n.git\n"
                "**/node_modules\n.venv\n.env\n**/__pycache__\n**/*.pyc\nbackups\n",
            },
        ),
    )
    good_examples = (
        Rule.good({"Dockerfile": "FROM python:3.11-slim\n", ".dockerignore": ".git\n"}),
        Rule.good({"Dockerfile": "FROM python:3.11-slim\n", "Dockerfile.dockerignore": ".git\n"}),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        for build in build_contexts(context):
            if build.ignore_path is not None:
                continue
            target = _inside(build.folder, ".dockerignore")
            lines = default_lines(context, build)
            fix = Fix.safe(f"Create {target}", Edit.create_file(target, new_file(lines)))
            where = "at the project root" if build.folder == "." else f"{build.folder}/"
            message = (
                f"no .dockerignore for the build context {where}: .git, node_modules, .env "
                "and junk go into the context"
            )
            yield self.finding(build.dockerfile, Span.point(1), message, fix)


@register
class DockerignoreLetsIn(Rule):
    """Reports a .dockerignore that lets .git, node_modules, .venv, .env, tests or junk in.

    ## What it does
    Checks each build context's ignore file against `[tool.mami-audit.cleanup]
    dockerignore` (default `.git`, `**/node_modules`, `.venv`, `.env`, `tests`,
    `**/__pycache__`, `**/*.pyc`, `backups`), by Docker's matching: an entry counts as
    missing only when something it names exists in the context and the file lets it in. A
    path the Dockerfile COPYs by name (`COPY tests/ tests/`) is left alone. An allowlist
    (`*` then `!app/`) is understood: what it lets back in is judged, nothing is appended.

    ## Why is this bad?
    Whatever the ignore file lets in is sent to the builder on every build and, through
    `COPY . .`, ends up in the image: a host `node_modules` with binaries for another OS, a
    `.env` with keys, the whole git history (R21.6, R21.5).

    ## Example
    ```
    __pycache__
    ```
    beside a `node_modules/` folder in the context.

    ## How to fix
    The safe fix appends the missing entries under a comment, keeping the file's line
    endings. For an allowlist, narrow the `!` lines instead.
    """

    code = "IG003"
    name = "dockerignore-lets-in"
    summary = ".dockerignore lets .git, node_modules, .venv, .env, tests or junk into the context"
    severity = Severity.WARNING
    requirements = ("R21.6",)
    fixable = True
    bad_examples = (
        Rule.bad(
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY . /app\n",
                ".dockerignore": "__pycache__\r\n",
                ".env": "DEBUG=1\n",
                "tests/test_app.py": "",
            },
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY . /app\n",
                ".dockerignore": "__pycache__\n\n# Added by mami-audit (R21.6): keep these out\n"
                ".env\ntests\n",
                ".env": "DEBUG=1\n",
                "tests/test_app.py": "",
            },
        ),
        Rule.bad(
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY app/ /app/\n",
                ".dockerignore": "*\n!app/\n",
                "app/main.py": "",
                "app/.env": "KEY=1\n",
            },
            count=1,
        ),
    )
    good_examples = (
        Rule.good(
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY app/ /app/\n",
                ".dockerignore": "*\n!app/\n**/.env\n",
                "app/main.py": "",
                ".env": "KEY=1\n",
                "tests/test_app.py": "",
            }
        ),
        Rule.good(
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY . /app\nCOPY tests/ /tests/\n",
                ".dockerignore": ".git\n",
                "tests/test_app.py": "",
            }
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        seen: set[str] = set()
        for build in build_contexts(context):
            if build.ignore_path is None or build.ignore_path in seen:
                continue
            seen.add(build.ignore_path)
            document = context.project.document(build.ignore_path, "dockerignore")
            if not isinstance(document, IgnoreFile) or document.parse_error is not None:
                continue
            yield from self._check_file(context, build, document)

    def _check_file(
        self, context: Context, build: BuildContext, document: IgnoreFile
    ) -> Iterator[Finding]:
        allowlist = any(p.pattern == "*" and not p.exception for p in document.patterns)
        missing: list[str] = []
        let_in: list[str] = []
        for entry in context.config.cleanup.dockerignore:
            if copied_explicitly(build.dockerfile, entry):
                continue
            inside = [
                path
                for path in present(context, build.folder, entry)
                if not document.is_excluded(path)
            ]
            if allowlist:
                # Only what the `!` lines bring back can be let in: look inside those folders.
                inside += _let_back_in(context, build, document, entry)
            if inside:
                missing.append(entry)
                let_in.extend(inside)
        if not missing:
            return
        shown = ", ".join(sorted(set(let_in))[:5])
        message = f"{document.path} lets {shown} into the build context"
        if allowlist:
            message += " (an allowlist: narrow its `!` lines, or add the entries after them)"
            yield self.finding(document, Span.point(1), message)
            return
        fix = Fix.safe(
            f"Append {', '.join(missing)} to {document.path}", append_lines(document, missing)
        )
        yield self.finding(document, Span.point(1), message, fix)


def _let_back_in(
    context: Context, build: BuildContext, document: IgnoreFile, entry: str
) -> list[str]:
    """In an allowlist, `entry` found inside the folders its `!` lines let back in."""
    name = entry.removeprefix("**/").lstrip("/")
    if any(char in name for char in "*?["):
        return [
            p for p in _globbed(context, build.folder, name, True) if not document.is_excluded(p)
        ]
    found = []
    for pattern in document.patterns:
        if not pattern.exception or any(char in pattern.pattern for char in "*?["):
            continue
        candidate = f"{pattern.pattern.rstrip('/')}/{name}"
        if os.path.lexists(context.project.root / _inside(build.folder, candidate)):
            if not document.is_excluded(candidate):
                found.append(candidate)
    return found
