"""What COPY and ADD take from the build context: paths that are missing or ignored.

The build context is the Dockerfile's folder (what `docker build <folder>` and a compose
`build: <folder>` use). Its ignore file is BuildKit's: `<Dockerfile name>.dockerignore` beside
the Dockerfile when there is one, else `.dockerignore` at the context root.
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
    folder = posixpath.dirname(document.path)
    return folder or "."


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


def ignore_file(context: Context, document: Dockerfile) -> IgnoreFile | None:
    for candidate in ignore_file_candidates(document.path, build_context(document)):
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
    Resolves each source of COPY and ADD against the build context (the Dockerfile's folder)
    and reports those that do not exist there, wildcards that match nothing, and paths that
    climb out of the context with `..`. Sources from another stage (`--from`), URLs, heredocs
    and paths with variables are not context paths and are skipped.

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
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        folder = build_context(document)
        for source in context_sources(document):
            span = document.span_or_instruction(source.instruction, source.written)
            if source.escapes:
                message = f"`{source.written}` is outside the build context `{folder}`"
                yield self.finding(document, span, message)
            elif _GLOB_CHARS & set(source.path):
                if not _glob(context, folder, source.path):
                    message = f"`{source.written}` matches no file in the build context `{folder}`"
                    yield self.finding(document, span, message)
            elif source.path and not context.project.exists(_in_project(folder, source.path)):
                message = f"`{source.written}` does not exist in the build context `{folder}`"
                yield self.finding(document, span, message)


@register
class CopySourceIgnored(DockerfileRule):
    """COPY or ADD names a path that .dockerignore leaves out of the build context.

    ## What it does
    Matches each context source of COPY and ADD against the build's ignore file
    (`<Dockerfile>.dockerignore` beside the Dockerfile, else `.dockerignore` at the context
    root) with Docker's rules (patterns anchored at the context root, last match wins, `!`
    exceptions) and reports sources that are excluded entirely.

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
        ignores = ignore_file(context, document)
        if ignores is None or ignores.parse_error is not None or not ignores.patterns:
            return
        folder = build_context(document)
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
