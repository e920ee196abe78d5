"""How the Dockerfile is put together: where instructions stand, stages and their names,
what COPY --from names, how often an instruction that counts once appears."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.documents.dockerfile import Dockerfile
from auditor.rule import Context, Finding, Severity, Span, register
from rules.dockerfile._base import DockerfileRule


@register
class InstructionBeforeFrom(DockerfileRule):
    """An instruction before the first FROM, or no FROM at all.

    ## What it does
    Finds instructions other than ARG (and parser directives and comments) before the first
    FROM. In a file without any FROM it reports the file once, at line 1. The instructions
    are still read by every other rule, as hadolint does, so their faults are reported too.
    Mirrors hadolint's DL3061.

    ## Why is this bad?
    BuildKit refuses such a Dockerfile before building anything: an instruction needs a
    stage, and a stage starts with FROM. Only ARG may come first, to parametrise the FROM.

    ## Example
    ```dockerfile
    LABEL org.opencontainers.image.source="https://github.com/mami/mami"
    FROM python:3.11-slim
    ```

    ## How to fix
    ```dockerfile
    FROM python:3.11-slim
    LABEL org.opencontainers.image.source="https://github.com/mami/mami"
    ```
    """

    code = "DF027"
    name = "instruction-before-from"
    summary = "Instruction before the first FROM (or no FROM at all)"
    severity = Severity.ERROR
    peers = ("DL3061",)
    bad_examples = (
        DockerfileRule.bad("LABEL team=mami\nFROM python:3.11-slim\n", count=1),
        DockerfileRule.bad("RUN pip install --no-cache-dir fastapi\n", count=1),
    )
    good_examples = (
        DockerfileRule.good("# syntax=docker/dockerfile:1\nARG PY=3.11\nFROM python:${PY}-slim\n"),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        if not document.stages:
            message = "No FROM: BuildKit refuses a Dockerfile without a base image"
            yield self.finding(document, Span.point(1), message)
            return
        for instruction in document.before_first_from:
            message = (
                f"{instruction.keyword} before the first FROM: BuildKit refuses it "
                "(only ARG may come first)"
            )
            yield self.finding(document, document.keyword_span(instruction), message)
