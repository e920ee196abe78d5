"""Base images: unpinned tags, Python versions that differ between stages or reached end of life."""

from __future__ import annotations

import time
from collections.abc import Iterator

from auditor.documents.dockerfile import Dockerfile, Stage, parse_image
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Finding, Severity, register
from rules.dockerfile._base import DockerfileRule, final_stage

# End of security support of each CPython minor version (python.org/downloads, PEP 602:
# five years after the x.y.0 release, in October). Update when a release date is announced.
# ISO dates as text: they compare in date order, and `datetime` need not be imported.
PYTHON_END_OF_LIFE = {
    "2.7": "2020-01-01",
    "3.5": "2020-09-30",
    "3.6": "2021-12-23",
    "3.7": "2023-06-27",
    "3.8": "2024-10-07",
    "3.9": "2025-10-31",
    "3.10": "2026-10-31",
    "3.11": "2027-10-31",
    "3.12": "2028-10-31",
    "3.13": "2029-10-31",
    "3.14": "2030-10-31",
}
_PYTHON_TAG_RE = LazyPattern(r"^(\d+)\.(\d+)(?:\.\d+)?(?:[-.]|$)")


def python_version(image: str) -> str | None:
    """`python:3.11.9-slim-bookworm` -> "3.11"; None for other images or no version tag."""
    reference = parse_image(image)
    if reference.short_name != "python" or reference.tag is None:
        return None
    match = _PYTHON_TAG_RE.match(reference.tag)
    return f"{match.group(1)}.{match.group(2)}" if match else None


def python_libc(image: str) -> str | None:
    """The C library of an official Python image: "musl" for its alpine variants, "glibc"
    for the Debian-based rest; None for other images."""
    reference = parse_image(image)
    if reference.short_name != "python":
        return None
    return "musl" if "alpine" in (reference.tag or "") else "glibc"


def _is_external(document: Dockerfile, stage: Stage) -> bool:
    return document.parent_stage(stage) is None and stage.base.lower() != "scratch"


@register
class UnpinnedBaseImage(DockerfileRule):
    """A base image without a tag, or with `:latest`.

    ## What it does
    Checks every FROM that names an image (not an earlier stage, not `scratch`) for a tag
    other than `latest` or a digest. ARG values given before the first FROM are substituted
    first; an image whose variables have no default is skipped. Mirrors hadolint's DL3006
    and DL3007, except that hadolint does not substitute ARG defaults, so it misses
    `ARG BASE=python` / `FROM ${BASE}`.

    ## Why is this bad?
    `python` and `python:latest` move to a new major version without warning: the same
    Dockerfile builds a different image tomorrow, and wheels built for one Python may not
    install on the next.

    ## Example
    ```dockerfile
    FROM python
    FROM node:latest
    ```

    ## How to fix
    ```dockerfile
    FROM python:3.11-slim-bookworm
    FROM node:22-alpine
    ```
    """

    code = "DF014"
    name = "unpinned-base-image"
    summary = "Base image is untagged or uses :latest"
    peers = ("DL3006", "DL3007")
    bad_examples = (
        DockerfileRule.bad("FROM python\nRUN echo hi\n"),
        DockerfileRule.bad("FROM python:latest\nRUN echo hi\n"),
        DockerfileRule.bad("ARG BASE=python\nFROM ${BASE}\nRUN echo hi\n"),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim AS builder\nRUN echo build\nFROM builder\nRUN echo hi\n"
        ),
        DockerfileRule.good("FROM python@sha256:" + "0" * 64 + "\nRUN echo hi\n"),
        DockerfileRule.good("ARG PY=3.11\nFROM python:${PY}-slim\nRUN echo hi\n"),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for stage in document.stages:
            if not _is_external(document, stage) or not stage.base_resolved:
                continue
            image = parse_image(stage.base)
            if image.digest:
                continue
            span = document.span_or_instruction(stage.from_instruction, stage.base_written)
            if image.tag is None:
                message = f"`{stage.base}` has no tag: it builds whatever `latest` is that day"
                yield self.finding(document, span, message)
            elif image.tag == "latest":
                message = f"`{stage.base}` moves with every release: pin a version tag"
                yield self.finding(document, span, message)


@register
class PythonVersionMismatch(DockerfileRule):
    """Stages that hand wheels or files to each other use different Python versions or C
    libraries.

    ## What it does
    Compares the Python version of the final stage's image with that of every stage it
    builds on or copies from (`COPY --from`, `RUN --mount=...,from=`), read from `python:X.Y`
    image tags, and their C library: the `-alpine` Python images use musl, the others glibc.

    ## Why is this bad?
    Wheels built for CPython 3.12 (`cp312`) do not install on 3.11, and a copied virtualenv
    points at an interpreter that is not there: the build or the container start fails, or
    pip silently builds from source again. Likewise, `manylinux` wheels built or downloaded on
    a glibc image do not install on a musl (alpine) one, and compiled extensions copied
    across do not load.

    ## Example
    ```dockerfile
    FROM python:3.12-slim AS builder
    RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt
    FROM python:3.11-slim
    COPY --from=builder /wheels /wheels
    ```

    ## How to fix
    Use the same Python in every stage, best through one ARG:
    ```dockerfile
    ARG PYTHON_VERSION=3.11
    FROM python:${PYTHON_VERSION}-slim AS builder
    FROM python:${PYTHON_VERSION}-slim
    ```
    """

    code = "DF015"
    name = "python-version-mismatch"
    summary = "Stages use different Python versions (wheels built for another ABI)"
    severity = Severity.ERROR
    requirements = ("R1.2",)
    bad_examples = (
        DockerfileRule.bad(
            "FROM python:3.12-slim AS builder\nRUN pip wheel --no-cache-dir -w /wheels fastapi\n"
            "FROM python:3.11-slim\nCOPY --from=builder /wheels /wheels\n"
        ),
        DockerfileRule.bad(
            "FROM python:3.10 AS builder\nRUN pip wheel --no-cache-dir -w /wheels fastapi\n"
            "FROM python:3.11-slim\n"
            "RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels pip --version\n"
        ),
        DockerfileRule.bad(
            "FROM python:3.11-slim AS builder\nRUN pip wheel --no-cache-dir -w /wheels fastapi\n"
            "FROM python:3.11-alpine\nCOPY --from=builder /wheels /wheels\n"
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "ARG PY=3.11\nFROM python:${PY} AS builder\nRUN pip wheel --no-cache-dir -w /w fastapi\n"
            "FROM python:${PY}-slim\nCOPY --from=builder /w /w\n"
        ),
        DockerfileRule.good(
            "FROM node:22-alpine AS ui\nRUN npm ci\nFROM python:3.11-slim\n"
            "COPY --from=ui /dist /app/static\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        final = final_stage(context, document)
        if final is None:
            return
        runtime_image = document.root_base(final)
        runtime_version = python_version(runtime_image)
        runtime_libc = python_libc(runtime_image)
        if runtime_libc is None:
            return
        for stage in self._sources_of(document, final):
            image = document.root_base(stage)
            version, libc = python_version(image), python_libc(image)
            root = document.stage_chain(stage)[0]
            span = document.span_or_instruction(root.from_instruction, root.base_written)
            name = stage.name or stage.index
            if version is not None and runtime_version is not None and version != runtime_version:
                message = (
                    f"Stage {name} uses Python {version}, the final image Python {runtime_version}"
                )
                yield self.finding(document, span, message)
            elif libc is not None and libc != runtime_libc:
                message = (
                    f"Stage {name} builds on {libc} (`{image}`), the final image on "
                    f"{runtime_libc} (`{runtime_image}`): wheels and compiled files built for "
                    "one do not load on the other"
                )
                yield self.finding(document, span, message)

    def _sources_of(self, document: Dockerfile, final: Stage) -> list[Stage]:
        found: list[Stage] = []
        for instruction in document.chain_instructions(final):
            references = []
            if instruction.keyword in ("COPY", "ADD"):
                references.append(instruction.flag("from") or "")
            for flag in instruction.flags:
                if flag.name == "mount" and flag.value:
                    for part in flag.value.split(","):
                        key, _, value = part.partition("=")
                        if key == "from":
                            references.append(value)
            for reference in references:
                stage = document.stage_named(reference) if reference else None
                if stage is None and reference.isdigit() and int(reference) < len(document.stages):
                    stage = document.stages[int(reference)]
                if stage is not None and stage is not final and stage not in found:
                    found.append(stage)
        return found


@register
class PythonEndOfLife(DockerfileRule):
    """The runtime image uses a Python version past its end of life.

    ## What it does
    Reads the Python version of the final stage's image (`python:X.Y` tags) and compares it
    with a dated table of CPython end-of-life dates (3.9: October 2025, 3.10: October 2026,
    3.11: October 2027, ...), against today's date.

    ## Why is this bad?
    An end-of-life Python gets no security fixes, and new releases of the app's dependencies
    stop supporting it, so the requirements cannot be upgraded either.

    ## Example
    ```dockerfile
    FROM python:3.9-slim
    ```

    ## How to fix
    Move to a supported version (and rebuild the wheels with it):
    ```dockerfile
    FROM python:3.12-slim
    ```
    """

    code = "DF016"
    name = "python-end-of-life"
    summary = "The runtime image uses an end-of-life Python"
    bad_examples = (
        DockerfileRule.bad("FROM python:3.9-slim\nRUN echo hi\n"),
        DockerfileRule.bad("FROM python:3.8.18-alpine AS base\nFROM base\nRUN echo hi\n"),
    )
    good_examples = (DockerfileRule.good("FROM python:3.13-slim\nRUN echo hi\n"),)

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        final = final_stage(context, document)
        if final is None:
            return
        version = python_version(document.root_base(final))
        if version is None:
            return
        end = PYTHON_END_OF_LIFE.get(version)
        major, minor = (int(part) for part in version.split("."))
        if end is None and (major, minor) < (3, 5):
            end = PYTHON_END_OF_LIFE["2.7"]
        if end is None or end > time.strftime("%Y-%m-%d"):
            return
        root = document.stage_chain(final)[0]
        span = document.span_or_instruction(root.from_instruction, root.base_written)
        message = f"Python {version} reached its end of life on {end}"
        yield self.finding(document, span, message)
