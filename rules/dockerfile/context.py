"""What COPY and ADD take from the build context: paths that are missing or ignored.

The build context is not written in the Dockerfile: `docker build docker/` builds from the
Dockerfile's folder, `docker build -f docker/api.Dockerfile .` (and compose's `context: .`)
from the project root. `resolve_build_context` takes the folder, the Dockerfile's own or one
above it, against which the COPY/ADD sources resolve best; when no single folder does, the
context is unknown and only what holds in every candidate is reported. The ignore file is
BuildKit's: `<Dockerfile name>.dockerignore` beside the Dockerfile when there is one, else
`.dockerignore` at the context root.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import NamedTuple

from auditor.documents.dockerfile import Dockerfile, Instruction
from auditor.documents.ignorefile import IgnoreFile, ignore_file_candidates
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Finding, Severity, register
from rules.dockerfile._base import DockerfileRule

_REMOTE_RE = LazyPattern(r"^(?:[a-z][a-z0-9+.-]*://|git@)", re.IGNORECASE)
_GLOB_CHARS = frozenset("*?[")


class ContextSource(NamedTuple):
    instruction: Instruction
    written: str  # as the Dockerfile spells it
    path: str  # relative to the build context, cleaned ("" for the whole context)
    escapes: bool  # climbs out of the build context with `..`


def build_context(document: Dockerfile) -> str:
    """The Dockerfile's folder: the context of `docker build <folder>`, the default."""
    folder = posixpath.dirname(document.path)
    return folder or "."


def candidate_contexts(document: Dockerfile) -> list[str]:
    """Folders the build context can be: the Dockerfile's own, then each one above it up to
    the project root (a context must contain the Dockerfile unless given with `-f` from
    elsewhere, which the project cannot tell us about)."""
    folder = build_context(document)
    candidates = [folder]
    while folder != ".":
        folder = posixpath.dirname(folder) or "."
        candidates.append(folder)
    return candidates


def resolve_build_context(context: Context, document: Dockerfile) -> str | None:
    """The build context the sources show, or None when they do not single one out.

    The candidate against which the most context sources exist wins; a tie (including a
    Dockerfile without sources) leaves the context unknown. A Dockerfile at the root has
    only one candidate. A compose file that builds this Dockerfile names its context, which
    then wins.
    """
    if context.project.has_kind("compose"):  # the compose model is not imported without one
        from auditor.facts.compose import compose_build_context

        from_compose = compose_build_context(context.project, document.path)
        if from_compose is not None:
            return from_compose
    candidates = candidate_contexts(document)
    if len(candidates) == 1:
        return candidates[0]
    sources = [source for source in context_sources(document) if source.path]
    scores = [
        sum(_resolves(context, folder, source) for source in sources) for folder in candidates
    ]
    best = max(scores)
    return candidates[scores.index(best)] if scores.count(best) == 1 else None


def _resolves(context: Context, folder: str, source: ContextSource) -> bool:
    """Does `source` name something that exists in the build context `folder`?"""
    if source.escapes:
        return False
    if _GLOB_CHARS & set(source.path):
        return bool(_glob(context, folder, source.path))
    return context.project.exists(_in_project(folder, source.path))


def context_sources(document: Dockerfile) -> Iterator[ContextSource]:
    """Every COPY/ADD source that is read from the build context."""
    for instruction in document.instructions:
        if instruction.keyword not in ("COPY", "ADD") or instruction.has_flag("from"):
            continue
        words = instruction.words()
        for written in words[:-1]:
            if written.startswith("<<") or "$" in written or _REMOTE_RE.match(written):
                continue
            cleaned = posixpath.normpath(written.lstrip("/")) if written.strip("/") else "."
            escapes = cleaned == ".." or cleaned.startswith("../")
            yield ContextSource(instruction, written, "" if cleaned == "." else cleaned, escapes)


def ignore_file(context: Context, document: Dockerfile, folder: str) -> IgnoreFile | None:
    """The ignore file of a build of `document` with the context `folder`."""
    for candidate in ignore_file_candidates(document.path, folder):
        found = context.project.document(candidate, "dockerignore")
        if found is not None:
            return found if isinstance(found, IgnoreFile) else None
    return None


def _in_project(folder: str, path: str) -> str:
    return path if folder == "." else (posixpath.join(folder, path) if path else folder)


def _glob(context: Context, folder: str, pattern: str) -> list[str]:
    base = context.project.absolute(folder)
    found = []
    for match in base.glob(pattern):
        found.append(match.relative_to(base).as_posix())
    return sorted(found)


@register
class CopySourceMissing(DockerfileRule):
    """COPY or ADD names a path that is not in the build context.

    ## What it does
    Resolves each source of COPY and ADD against the build context and reports those that do
    not exist there, wildcards that match nothing, and paths that climb out of the context with
    `..`. Sources from another stage (`--from`), URLs, heredocs and paths with variables are not
    context paths and are skipped.

    The build command is not in the Dockerfile, so the context is the folder, the Dockerfile's
    own or one above it up to the project root, against which the most sources exist (a
    `docker/api.Dockerfile` whose sources are at the root is built with `-f` from the root).
    When no single folder wins, the context is unknown and only sources that exist in none of
    those folders are reported.

    ## Why is this bad?
    The build stops at that step ("not found" or "no source files were specified"), often only
    in CI, where the file that exists on a developer's machine is not checked in.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    COPY requirements-prod.txt .
    ```

    ## How to fix
    Copy the path that exists (paths are relative to the build context, not the Dockerfile's
    location on the host), or add the missing file to the repository.
    """

    code = "DF012"
    name = "copy-source-missing"
    summary = "COPY/ADD source does not exist in the build context"
    severity = Severity.ERROR
    bad_examples = (
        DockerfileRule.bad({"Dockerfile": "FROM python:3.11-slim\nCOPY requirements-prod.txt .\n"}),
        DockerfileRule.bad(
            {
                "docker/api/Dockerfile": "FROM python:3.11-slim\nCOPY ../../app /app\n",
                "app/main.py": "",
            }
        ),
        DockerfileRule.bad({"Dockerfile": "FROM python:3.11-slim\nCOPY *.whl /wheels/\n"}),
    )
    good_examples = (
        DockerfileRule.good(
            {
                "Dockerfile": "FROM python:3.11-slim AS builder\nCOPY requirements.txt .\n"
                "FROM python:3.11-slim\nCOPY --from=builder /wheels /wheels\n"
                "ADD https://example.com/tool.tar.gz /opt/\nCOPY app/ /app/app/\n"
                "COPY *.txt /app/\nCOPY <<EOF /etc/motd\nhello\nEOF\n",
                "requirements.txt": "fastapi==0.115.0\n",
                "app/main.py": "",
            }
        ),
        # Built with `docker build -f docker/api.Dockerfile .`: the sources are at the root.
        DockerfileRule.good(
            {
                "docker/api.Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\n"
                "COPY app ./app\n",
                "requirements.txt": "fastapi==0.115.0\n",
                "app/main.py": "",
            }
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        folder = resolve_build_context(context, document)
        candidates = [folder] if folder is not None else candidate_contexts(document)
        if folder is not None:
            where = f"the build context `{folder}`"
        else:
            where = f"the build context, whichever it is (`{candidates[0]}` or a folder above it)"
        for source in context_sources(document):
            if not source.path or any(_resolves(context, c, source) for c in candidates):
                continue
            if source.escapes:
                problem = "is outside"
            elif _GLOB_CHARS & set(source.path):
                problem = "matches no file in"
            else:
                problem = "does not exist in"
            span = document.span_or_instruction(source.instruction, source.written)
            yield self.finding(document, span, f"`{source.written}` {problem} {where}")


@register
class CopySourceIgnored(DockerfileRule):
    """COPY or ADD names a path that .dockerignore leaves out of the build context.

    ## What it does
    Matches each context source of COPY and ADD against the build's ignore file
    (`<Dockerfile>.dockerignore` beside the Dockerfile, else `.dockerignore` at the context
    root) with Docker's rules (patterns anchored at the context root, last match wins, `!`
    exceptions) and reports sources that are excluded entirely. The build context is found as
    DF012 finds it; when it is unknown, no ignore file is assumed and nothing is reported.

    ## Why is this bad?
    The file exists on disk, so the mistake is invisible until the build fails with "not
    found" — or, with a wildcard or folder, silently copies less than intended. This is a
    seam no single-file linter sees.

    ## Example
    `.dockerignore` has `*.txt`, and the Dockerfile says:
    ```dockerfile
    COPY requirements.txt .
    ```

    ## How to fix
    Remove or narrow the pattern, or add an exception such as `!requirements.txt` after it.
    """

    code = "DF013"
    name = "copy-source-ignored"
    summary = "COPY/ADD source is excluded by .dockerignore"
    severity = Severity.ERROR
    requirements = ("R21.6",)
    bad_examples = (
        DockerfileRule.bad(
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\nCOPY app ./app\n",
                ".dockerignore": "*.txt\napp/\n",
                "requirements.txt": "fastapi==0.115.0\n",
                "app/main.py": "",
            },
            count=2,
        ),
        DockerfileRule.bad(
            {
                "api.Dockerfile": "FROM python:3.11-slim\nCOPY config.toml .\n",
                "api.Dockerfile.dockerignore": "config.toml\n",
                ".dockerignore": "",
                "config.toml": "",
            }
        ),
    )
    good_examples = (
        DockerfileRule.good(
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\nCOPY app ./app\n",
                ".dockerignore": "*\n!requirements.txt\n!app/\n**/__pycache__\n",
                "requirements.txt": "fastapi==0.115.0\n",
                "app/main.py": "",
            }
        ),
        DockerfileRule.good(
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY data/seed.json /app/\n",
                ".dockerignore": "data\n!data/seed.json\n",
                "data/seed.json": "{}",
            }
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        folder = resolve_build_context(context, document)
        if folder is None:
            return
        ignores = ignore_file(context, document, folder)
        if ignores is None or ignores.parse_error is not None or not ignores.patterns:
            return
        for source in context_sources(document):
            if source.escapes or not source.path:
                continue
            if _GLOB_CHARS & set(source.path):
                matches = _glob(context, folder, source.path)
                if not matches or not all(ignores.is_excluded(match) for match in matches):
                    continue
            elif (
                not ignores.is_excluded(source.path)
                or context.project.is_dir(_in_project(folder, source.path))
                and ignores.has_exceptions_under(source.path)
            ):
                continue
            pattern = ignores.pattern_excluding(source.path)
            because = f" (pattern `{pattern.text}` on line {pattern.line})" if pattern else ""
            span = document.span_or_instruction(source.instruction, source.written)
            message = f"`{source.written}` is excluded by {ignores.path}{because}"
            yield self.finding(document, span, message)
