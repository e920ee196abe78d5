"""How the Dockerfile is put together: where instructions stand, stages and their names,
what COPY --from names, how often an instruction that counts once appears."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.documents.dockerfile import Dockerfile
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Edit, Finding, Fix, Severity, Span, register
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


class _OncePerStage(DockerfileRule):
    """An instruction of which only the last one of a stage takes effect."""

    keyword = ""

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for stage in document.stages:
            found = stage.of_keyword(self.keyword)
            for earlier, instruction in zip(found, found[1:]):
                message = (
                    f"Another {self.keyword} in this stage (line {earlier.line}): only the last "
                    "one takes effect"
                )
                yield self.finding(document, document.instruction_span(instruction), message)


@register
class MultipleCmd(_OncePerStage):
    """More than one CMD in a stage.

    ## What it does
    Finds a CMD that follows another CMD in the same stage. Mirrors hadolint's DL4003.

    ## Why is this bad?
    Only the last CMD of a stage counts; the earlier ones are dead text that readers take for
    what the container runs.

    ## Example
    ```dockerfile
    CMD ["python", "-m", "app.migrate"]
    CMD ["python", "-m", "app"]
    ```

    ## How to fix
    Keep one CMD per stage; run the other command from an entrypoint script or a separate
    service.
    """

    code = "DF028"
    name = "multiple-cmd"
    summary = "More than one CMD in a stage"
    peers = ("DL4003",)
    keyword = "CMD"
    bad_examples = (
        DockerfileRule.bad(
            'FROM python:3.11-slim\nCMD ["python", "-m", "app.migrate"]\n'
            'CMD ["python", "-m", "app"]\n',
            count=1,
        ),
    )
    good_examples = (
        DockerfileRule.good(
            'FROM python:3.11-slim AS base\nCMD ["python", "-V"]\n'
            'FROM base\nCMD ["python", "-m", "app"]\n'
        ),
    )


@register
class MultipleEntrypoint(_OncePerStage):
    """More than one ENTRYPOINT in a stage.

    ## What it does
    Finds an ENTRYPOINT that follows another ENTRYPOINT in the same stage. Mirrors hadolint's
    DL4004.

    ## Why is this bad?
    Only the last ENTRYPOINT of a stage counts; the earlier ones mislead whoever reads the
    file.

    ## Example
    ```dockerfile
    ENTRYPOINT ["/docker-entrypoint.sh"]
    ENTRYPOINT ["python", "-m", "app"]
    ```

    ## How to fix
    Keep one ENTRYPOINT per stage.
    """

    code = "DF029"
    name = "multiple-entrypoint"
    summary = "More than one ENTRYPOINT in a stage"
    severity = Severity.ERROR
    peers = ("DL4004",)
    keyword = "ENTRYPOINT"
    bad_examples = (
        DockerfileRule.bad(
            'FROM python:3.11-slim\nENTRYPOINT ["/entrypoint.sh"]\n'
            'ENTRYPOINT ["python", "-m", "app"]\n',
            count=1,
        ),
    )
    good_examples = (
        DockerfileRule.good(
            'FROM python:3.11-slim\nENTRYPOINT ["python", "-m", "app"]\nCMD ["--help"]\n'
        ),
    )


@register
class MultipleHealthcheck(_OncePerStage):
    """More than one HEALTHCHECK in a stage.

    ## What it does
    Finds a HEALTHCHECK that follows another HEALTHCHECK (or `HEALTHCHECK NONE`) in the same
    stage. Mirrors hadolint's DL3012.

    ## Why is this bad?
    Only the last HEALTHCHECK of a stage counts: the earlier probe never runs, and a
    `HEALTHCHECK NONE` before it does nothing.

    ## Example
    ```dockerfile
    HEALTHCHECK CMD ["curl", "-fsS", "http://localhost:8000/"]
    HEALTHCHECK CMD ["curl", "-fsS", "http://localhost:8000/health"]
    ```

    ## How to fix
    Keep the one HEALTHCHECK that probes the app's health route.
    """

    code = "DF030"
    name = "multiple-healthcheck"
    summary = "More than one HEALTHCHECK in a stage"
    severity = Severity.ERROR
    peers = ("DL3012",)
    keyword = "HEALTHCHECK"
    bad_examples = (
        DockerfileRule.bad(
            "FROM python:3.11-slim\n"
            'HEALTHCHECK CMD ["curl", "-fsS", "http://localhost:8000/"]\n'
            'HEALTHCHECK CMD ["curl", "-fsS", "http://localhost:8000/health"]\n',
            count=1,
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim AS base\nHEALTHCHECK NONE\nFROM base\n"
            'HEALTHCHECK CMD ["curl", "-fsS", "http://localhost:8000/health"]\n'
        ),
    )


def _names_a_stage(reference: str) -> bool:
    """Is a `--from` value a stage name (not a stage index, an image or a variable)?"""
    return not reference.isdigit() and not any(char in reference for char in ":/@$")


@register
class CopyFromUnknownStage(DockerfileRule):
    """COPY --from names no earlier stage.

    ## What it does
    Finds `COPY --from=NAME` where NAME is a plain name (no tag, registry, digest or variable:
    those are images) that no earlier stage is called. Mirrors hadolint's DL3022, with two
    differences: stage names are compared ignoring case, as BuildKit does (hadolint reports
    `--from=Builder` for a stage `builder`), and a variable (`--from=$IMAGE`) is not judged,
    as it may name an image (hadolint reports it).

    ## Why is this bad?
    BuildKit takes a name that is not an earlier stage for an image and tries to pull it
    (`docker.io/library/NAME`): a typo in the stage name, or a stage defined after the COPY,
    fails the build with a confusing registry error, or worse, copies from some public image.

    ## Example
    ```dockerfile
    FROM python:3.11-slim AS builder
    FROM python:3.11-slim
    COPY --from=bulider /wheels /wheels
    ```

    ## How to fix
    Name a stage defined above the COPY, or use a full image reference (`nginx:1.27`).
    """

    code = "DF031"
    name = "copy-from-unknown-stage"
    summary = "COPY --from names no earlier stage"
    severity = Severity.ERROR
    peers = ("DL3022",)
    bad_examples = (
        DockerfileRule.bad(
            "FROM python:3.11-slim AS builder\nFROM python:3.11-slim\n"
            "COPY --from=bulider /wheels /wheels\n"
        ),
        DockerfileRule.bad(
            "FROM python:3.11-slim\nCOPY --from=later /wheels /wheels\n"
            "FROM python:3.11-slim AS later\n"
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim AS builder\nFROM python:3.11-slim\n"
            "COPY --from=builder /wheels /wheels\nCOPY --from=0 /etc/os-release /tmp/\n"
            "COPY --from=nginx:1.27 /etc/nginx/nginx.conf /etc/nginx/\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        earlier: set[str] = set()  # grown stage by stage: rebuilding it per stage is quadratic
        for stage in document.stages:
            own = (stage.name or "").lower()
            for instruction in stage.of_keyword("COPY"):
                reference = instruction.flag("from")
                if not reference or not _names_a_stage(reference):
                    continue
                if reference.lower() in earlier or reference.lower() == own:
                    continue  # copying from its own stage is DF032's
                span = document.span_or_instruction(instruction, f"--from={reference}")
                message = (
                    f"`--from={reference}` names no earlier stage: BuildKit will try to pull "
                    "it as an image"
                )
                yield self.finding(document, span, message)
            if stage.name:
                earlier.add(own)


@register
class CopyFromOwnStage(DockerfileRule):
    """COPY --from names the stage it is in.

    ## What it does
    Finds `COPY --from=NAME` inside the stage called NAME. Mirrors hadolint's DL3023 (which
    compares names as written; this rule ignores case, as BuildKit does).

    ## Why is this bad?
    A stage cannot copy from itself: the stage is not built yet, so BuildKit fails (or pulls
    an image of that name).

    ## Example
    ```dockerfile
    FROM python:3.11-slim AS app
    COPY --from=app /wheels /wheels
    ```

    ## How to fix
    Copy from the builder stage that produced the files, or use a plain COPY from the context.
    """

    code = "DF032"
    name = "copy-from-own-stage"
    summary = "COPY --from names its own stage"
    severity = Severity.ERROR
    peers = ("DL3023",)
    bad_examples = (
        DockerfileRule.bad("FROM python:3.11-slim AS app\nCOPY --from=app /wheels /wheels\n"),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim AS builder\nFROM python:3.11-slim AS app\n"
            "COPY --from=builder /wheels /wheels\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for stage in document.stages:
            if not stage.name:
                continue
            for instruction in stage.of_keyword("COPY"):
                reference = instruction.flag("from")
                if reference and reference.lower() == stage.name.lower():
                    span = document.span_or_instruction(instruction, f"--from={reference}")
                    message = f"`--from={reference}` is the stage this COPY is in"
                    yield self.finding(document, span, message)


@register
class CopyToNonDirectory(DockerfileRule):
    """COPY of several sources to a destination without a trailing `/`.

    ## What it does
    Finds COPY with more than one source whose destination does not end with `/`. A
    wildcard source counts as one, as in hadolint's DL3021, which this mirrors.

    ## Why is this bad?
    With several sources the destination must be a folder, and Docker requires it to end
    with `/`: the build stops with "When using COPY with more than one source file, the
    destination must be a directory and end with a /".

    ## Example
    ```dockerfile
    COPY requirements.txt constraints.txt /app
    ```

    ## How to fix
    ```dockerfile
    COPY requirements.txt constraints.txt /app/
    ```
    The fix is safe: it appends the `/` the build needs. It is offered for the shell form on
    one line.
    """

    code = "DF033"
    name = "copy-to-non-directory"
    summary = "COPY of several sources to a destination without a trailing /"
    severity = Severity.ERROR
    peers = ("DL3021",)
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            "FROM python:3.11-slim\nCOPY requirements.txt constraints.txt /app\n",
            "FROM python:3.11-slim\nCOPY requirements.txt constraints.txt /app/\n",
        ),
        DockerfileRule.bad('FROM python:3.11-slim\nCOPY ["a.txt", "b.txt", "/app"]\n'),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim\nCOPY requirements.txt constraints.txt /app/\n"
            "COPY *.txt /app\nCOPY app.py /app/main.py\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in document.of_keyword("COPY"):
            if instruction.heredocs:
                continue
            words = instruction.words()
            if len(words) < 3 or words[-1].endswith("/") or "$" in words[-1]:
                continue
            destination = words[-1]
            span = document.instruction_span(instruction)
            fix = None
            line_text = document.lines[instruction.line - 1].rstrip()
            if (
                instruction.exec_form is None
                and instruction.line == instruction.command_end_line
                and line_text.endswith(destination)
            ):
                edit = Edit.insert(document.path, instruction.line, len(line_text) + 1, "/")
                fix = Fix.safe(f"Write `{destination}/`", edit)
            message = (
                f"COPY of {len(words) - 1} sources needs a folder ending in `/`: `{destination}`"
            )
            yield self.finding(document, span, message, fix)


@register
class ExposePortOutOfRange(DockerfileRule):
    """EXPOSE of a port outside 0-65535.

    ## What it does
    Finds EXPOSE ports (or port ranges) outside the valid range 0-65535. Ports given by a
    variable are not judged. Mirrors hadolint's DL3011.

    ## Why is this bad?
    No such port exists: the build or `docker run -P` fails, and the number is most likely
    a typo for the port the app listens on.

    ## Example
    ```dockerfile
    EXPOSE 80000
    ```

    ## How to fix
    ```dockerfile
    EXPOSE 8000
    ```
    """

    code = "DF034"
    name = "expose-port-out-of-range"
    summary = "EXPOSE of a port outside 0-65535"
    severity = Severity.ERROR
    peers = ("DL3011",)
    bad_examples = (DockerfileRule.bad("FROM python:3.11-slim\nEXPOSE 8000 80000/tcp\n", count=1),)
    good_examples = (
        DockerfileRule.good("FROM python:3.11-slim\nEXPOSE 8000 9000-9010/udp ${PORT}\n"),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in document.of_keyword("EXPOSE"):
            for word in instruction.words():
                port = word.split("/", 1)[0]
                if "$" in port:
                    continue
                numbers = port.split("-", 1)
                if all(number.isdigit() and int(number) <= 65535 for number in numbers):
                    continue
                span = document.span_or_instruction(instruction, word)
                yield self.finding(document, span, f"`{word}` is not a port (0-65535)")


@register
class HardcodedPlatform(DockerfileRule):
    """FROM --platform with a fixed platform.

    ## What it does
    Finds `FROM --platform=linux/amd64` (any platform written out rather than a variable
    such as `$BUILDPLATFORM` or `$TARGETPLATFORM`). Mirrors hadolint's DL3029.

    ## Why is this bad?
    A fixed platform makes the image run under emulation on other machines (an ARM laptop
    or server), slowly, and defeats multi-platform builds. The platform is the builder's
    choice: `docker build --platform`.

    ## Example
    ```dockerfile
    FROM --platform=linux/amd64 python:3.11-slim
    ```

    ## How to fix
    ```dockerfile
    FROM python:3.11-slim
    ```
    or, for a cross-compiling builder stage, `FROM --platform=$BUILDPLATFORM ...`.
    """

    code = "DF035"
    name = "hardcoded-platform"
    summary = "FROM --platform with a fixed platform"
    peers = ("DL3029",)
    bad_examples = (DockerfileRule.bad("FROM --platform=linux/amd64 python:3.11-slim\n"),)
    good_examples = (
        DockerfileRule.good(
            "FROM --platform=$BUILDPLATFORM python:3.11-slim AS builder\nFROM python:3.11-slim\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for stage in document.stages:
            platform = stage.platform
            if platform and "$" not in platform:
                instruction = stage.from_instruction
                span = document.span_or_instruction(instruction, "--platform")
                message = f"`--platform={platform}` fixes the platform: leave it to the build"
                yield self.finding(document, span, message)


_WINDOWS_PATH_RE = LazyPattern(r"^[A-Za-z]:[\\/]")


@register
class RelativeCopyWithoutWorkdir(DockerfileRule):
    """COPY to a relative destination before any WORKDIR.

    ## What it does
    Finds COPY whose destination is relative (`.`, `app/`) in a stage where no WORKDIR has
    been set yet, counting the stages it builds on. Mirrors hadolint's DL3045.

    ## Why is this bad?
    The destination is then relative to the base image's working directory, which the
    Dockerfile does not show and a base image update can change: files land in `/` today
    and somewhere else tomorrow.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    COPY requirements.txt .
    ```

    ## How to fix
    ```dockerfile
    FROM python:3.11-slim
    WORKDIR /app
    COPY requirements.txt .
    ```
    """

    code = "DF036"
    name = "relative-copy-without-workdir"
    summary = "COPY to a relative destination before any WORKDIR"
    peers = ("DL3045",)
    bad_examples = (DockerfileRule.bad("FROM python:3.11-slim\nCOPY requirements.txt .\n"),)
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim AS base\nWORKDIR /app\nFROM base\n"
            "COPY requirements.txt .\nCOPY app.py /srv/app.py\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for stage in document.stages:
            for instruction in document.chain_instructions(stage):
                if instruction.keyword == "WORKDIR":
                    break
                if instruction.keyword != "COPY" or instruction.stage != stage.index:
                    continue
                words = instruction.words()
                if len(words) < 2 or instruction.heredocs:
                    continue
                destination = words[-1]
                if destination.startswith(("/", "$")) or _WINDOWS_PATH_RE.match(destination):
                    continue
                span = document.instruction_span(instruction)
                message = (
                    f"COPY to `{destination}` before any WORKDIR: it lands in the base "
                    "image's working directory"
                )
                yield self.finding(document, span, message)
