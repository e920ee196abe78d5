"""What RUN instructions run: shell habits that misbehave in an image build."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.documents.dockerfile import Dockerfile, Instruction
from auditor.rule import Context, Edit, Finding, Fix, Severity, Span, register
from rules.dockerfile._base import DockerfileRule
from rules.dockerfile._shell import SimpleCommand, command_matches, run_commands


def _span(document: Dockerfile, start: int, end: int) -> Span:
    line, column = document.position(start)
    end_line, end_column = document.position(end)
    return Span(line, column, end_line, end_column)


def _runs(document: Dockerfile) -> list[Instruction]:
    """Every RUN, those before the first FROM included (they are linted too, see DF027)."""
    return document.of_keyword("RUN")


@register
class CdInRun(DockerfileRule):
    """`cd` in a RUN instead of WORKDIR.

    ## What it does
    Finds `cd` among a RUN's commands. Mirrors hadolint's DL3003, subshells included
    (`(cd dir && make)` is reported too).

    ## Why is this bad?
    The directory change ends with the RUN, so the next instruction runs somewhere else than
    the reader assumes; WORKDIR states the directory once, for every later instruction, and
    creates it when missing.

    ## Example
    ```dockerfile
    RUN cd /app && pip install --no-cache-dir .
    ```

    ## How to fix
    ```dockerfile
    WORKDIR /app
    RUN pip install --no-cache-dir .
    ```
    """

    code = "DF037"
    name = "cd-in-run"
    summary = "cd in a RUN instead of WORKDIR"
    peers = ("DL3003",)
    bad_examples = (
        DockerfileRule.bad("FROM python:3.11-slim\nRUN cd /app && pip install --no-cache-dir .\n"),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim\nWORKDIR /app\n"
            "RUN pip install --no-cache-dir . # cd is not used\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in _runs(document):
            if any(command.name == "cd" for command in run_commands(instruction)):
                span = document.span_or_instruction(instruction, "cd ")
                yield self.finding(document, span, "`cd` in RUN: use WORKDIR to change directory")


@register
class SudoInRun(DockerfileRule):
    """`sudo` in a RUN.

    ## What it does
    Finds `sudo` running a command in a RUN. Mirrors hadolint's DL3004.

    ## Why is this bad?
    RUN already runs as the current USER; `sudo` needs the package, a sudoers entry and no
    password prompt, and in the final image it lets the app's user become root again (R1.5).
    Switch with USER instead.

    ## Example
    ```dockerfile
    USER mami
    RUN sudo apt-get update
    ```

    ## How to fix
    ```dockerfile
    USER root
    RUN apt-get update
    USER mami
    ```
    """

    code = "DF038"
    name = "sudo-in-run"
    summary = "sudo in a RUN"
    severity = Severity.ERROR
    peers = ("DL3004",)
    bad_examples = (DockerfileRule.bad("FROM debian:12-slim\nRUN sudo mkdir /data\n"),)
    good_examples = (DockerfileRule.good("FROM debian:12-slim\nRUN echo sudo is not used\n"),)

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in _runs(document):
            for match in command_matches(document, instruction, r"(?<![\w.-])sudo(?=\s)"):
                span = _span(document, match.start, match.end)
                yield self.finding(document, span, "`sudo` in RUN: switch users with USER")


@register
class AptInsteadOfAptGet(DockerfileRule):
    """`apt` in a RUN instead of `apt-get`.

    ## What it does
    Finds `apt` (the interactive front end) run in a RUN. Mirrors hadolint's DL3027.

    ## Why is this bad?
    `apt` is made for people at a terminal: its command line is not promised to stay stable
    and it warns "apt does not have a stable CLI interface. Use with caution in scripts".
    `apt-get` does the same work with a stable interface.

    ## Example
    ```dockerfile
    RUN apt update && apt install -y --no-install-recommends curl
    ```

    ## How to fix
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl
    ```
    The fix is safe: `apt-get` accepts the same subcommands and options for install, update,
    upgrade and remove.
    """

    code = "DF039"
    name = "apt-instead-of-apt-get"
    summary = "apt in a RUN instead of apt-get"
    peers = ("DL3027",)
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            "FROM debian:12-slim\nRUN apt update && apt install -y --no-install-recommends curl\n",
            "FROM debian:12-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends curl\n",
            count=2,
        ),
    )
    good_examples = (
        DockerfileRule.good("FROM debian:12-slim\nRUN apt-get update && apt-cache policy curl\n"),
    )

    # Subcommands apt-get has with the same meaning and options (not list, search, show, ...).
    _SAME_IN_APT_GET = frozenset(
        {"install", "update", "upgrade", "remove", "purge", "autoremove", "dist-upgrade",
         "clean", "autoclean", "source", "build-dep", "download", "satisfy"}
    )  # fmt: skip

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in _runs(document):
            for match in command_matches(document, instruction, r"(?<![\w.-])apt(?=[ \t])"):
                verbs = [word for word in match.segment.split()[1:] if not word.startswith("-")]
                span = _span(document, match.start, match.end)
                fix = None
                if verbs and verbs[0] in self._SAME_IN_APT_GET:
                    fix = Fix.safe("Use `apt-get`", Edit.replace(document.path, span, "apt-get"))
                message = "`apt` is for terminals: use `apt-get` in scripts"
                yield self.finding(document, span, message, fix)


_WGET_QUIET_LONG = ("--quiet", "--no-verbose", "--progress", "--output-file", "--append-output")


def _wget_is_quiet(words: tuple[str, ...] | list[str]) -> bool:
    for word in words[1:]:
        if word.startswith("--"):
            if word.split("=", 1)[0] in _WGET_QUIET_LONG:
                return True
        elif word == "-nv" or (word.startswith("-") and ("q" in word or word[1:2] in ("o", "a"))):
            return True
    return False


@register
class WgetProgress(DockerfileRule):
    """`wget` without a quiet or compact progress option.

    ## What it does
    Finds `wget` in a RUN without `-q`/`--quiet`, `-nv`/`--no-verbose`, `--progress=...` or a
    log file (`-o`, `-a`). Mirrors hadolint's DL3047.

    ## Why is this bad?
    In a build, wget's progress bar becomes one line per refresh: a large download floods the
    build log with thousands of lines and hides the output that matters.

    ## Example
    ```dockerfile
    RUN wget https://example.com/tool.tar.gz
    ```

    ## How to fix
    ```dockerfile
    RUN wget --progress=dot:giga https://example.com/tool.tar.gz
    ```
    The fix is safe: it only changes how progress is printed.
    """

    code = "DF040"
    name = "wget-progress"
    summary = "wget without -q/-nv/--progress floods the build log"
    severity = Severity.INFO
    peers = ("DL3047",)
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            "FROM debian:12-slim\nRUN wget -O /tmp/t.tgz https://example.com/t.tgz\n",
            "FROM debian:12-slim\nRUN wget --progress=dot:giga -O /tmp/t.tgz https://example.com/t.tgz\n",
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM debian:12-slim\nRUN wget -qO- https://example.com/t.tgz | tar -xz\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in _runs(document):
            for match in command_matches(document, instruction, r"(?<![\w.-])wget(?=\s)"):
                if _wget_is_quiet(match.segment.split()):
                    continue
                line, column = document.position(match.end)
                edit = Edit.insert(document.path, line, column, " --progress=dot:giga")
                yield self.finding(
                    document,
                    _span(document, match.start, match.end),
                    "`wget` without `-q`, `-nv` or `--progress` floods the build log",
                    Fix.safe("Add `--progress=dot:giga`", edit),
                )


@register
class WgetAndCurl(DockerfileRule):
    """Both wget and curl used in one stage.

    ## What it does
    Finds a stage whose RUN instructions call both `wget` and `curl`, and reports the RUNs
    that use the tool the stage called second. Mirrors hadolint's DL4001.

    ## Why is this bad?
    Two tools that do the same job means two packages to install, patch and scan; pick one.

    ## Example
    ```dockerfile
    RUN wget -q https://example.com/a.tgz
    RUN curl -fsSLO https://example.com/b.tgz
    ```

    ## How to fix
    ```dockerfile
    RUN curl -fsSLO https://example.com/a.tgz
    RUN curl -fsSLO https://example.com/b.tgz
    ```
    """

    code = "DF041"
    name = "wget-and-curl"
    summary = "Both wget and curl used in one stage"
    severity = Severity.INFO
    peers = ("DL4001",)
    bad_examples = (
        DockerfileRule.bad(
            "FROM debian:12-slim\nRUN wget -q https://example.com/a.tgz\n"
            "RUN curl -fsSLO https://example.com/b.tgz\n",
            count=1,
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM debian:12-slim AS fetch\nRUN wget -q https://example.com/a.tgz\n"
            "FROM debian:12-slim\nRUN curl -fsSLO https://example.com/b.tgz\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for stage in document.stages:
            first: str | None = None
            for instruction in stage.of_keyword("RUN"):
                tools = [c.name for c in run_commands(instruction) if c.name in ("wget", "curl")]
                if first is None and tools:
                    first = tools[0]
                second = {"wget": "curl", "curl": "wget"}.get(first or "")
                if second in tools:
                    span = document.span_or_instruction(instruction, second)
                    message = f"This stage uses both {first} and {second}: keep one of them"
                    yield self.finding(document, span, message)


def _links_bin_sh(command: SimpleCommand) -> bool:
    words = [word for word in command.words[1:] if not word.startswith("-")]
    return command.name == "ln" and bool(words) and words[-1] == "/bin/sh"


@register
class ReplacesBinSh(DockerfileRule):
    """`ln` over /bin/sh instead of SHELL.

    ## What it does
    Finds a RUN that links another shell over `/bin/sh` (`ln -sf /bin/bash /bin/sh`). Mirrors
    hadolint's DL4005.

    ## Why is this bad?
    It changes the shell of every program in the image that runs `/bin/sh` (package scripts,
    the app's subprocesses), not only the Dockerfile's RUNs, and a package upgrade can put
    the old link back. The SHELL instruction changes the build's shell alone.

    ## Example
    ```dockerfile
    RUN ln -sf /bin/bash /bin/sh
    ```

    ## How to fix
    ```dockerfile
    SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    ```
    """

    code = "DF042"
    name = "replaces-bin-sh"
    summary = "ln over /bin/sh instead of SHELL"
    peers = ("DL4005",)
    bad_examples = (DockerfileRule.bad("FROM debian:12-slim\nRUN ln -sf /bin/bash /bin/sh\n"),)
    good_examples = (
        DockerfileRule.good(
            "FROM debian:12-slim\nRUN ln -s /usr/bin/python3 /usr/local/bin/python\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in _runs(document):
            if any(_links_bin_sh(command) for command in run_commands(instruction)):
                span = document.span_or_instruction(instruction, "ln ")
                yield self.finding(
                    document, span, "Linking over /bin/sh: use the SHELL instruction"
                )


@register
class ConsecutiveRun(DockerfileRule):
    """Consecutive RUN instructions of one command each.

    ## What it does
    Finds a RUN that directly follows another RUN (comments and blank lines between do not
    count) when both run a single command and use the same `--mount`/`--network` options.
    RUNs that chain commands with `&&` are left alone: splitting them was a choice. Mirrors
    hadolint's DL3059.

    ## Why is this bad?
    Each RUN is a layer: files one RUN creates and the next deletes stay in the image, and
    every layer adds to pull time.

    ## Example
    ```dockerfile
    RUN mkdir -p /app/data
    RUN chown mami:mami /app/data
    ```

    ## How to fix
    ```dockerfile
    RUN mkdir -p /app/data \\
        && chown mami:mami /app/data
    ```
    """

    code = "DF043"
    name = "consecutive-run"
    summary = "Consecutive RUN instructions that could be one"
    severity = Severity.INFO
    peers = ("DL3059",)
    bad_examples = (
        DockerfileRule.bad(
            "FROM debian:12-slim\nRUN mkdir -p /app/data\n# then\nRUN chown 1000 /app/data\n"
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM debian:12-slim\nRUN mkdir -p /app/data\n"
            "RUN chown 1000 /app/data && chmod 700 /app/data\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        previous: Instruction | None = None
        for instruction in document.instructions:
            if (
                previous is not None
                and instruction.keyword == previous.keyword == "RUN"
                and instruction.flags == previous.flags
                and len(run_commands(instruction)) == len(run_commands(previous)) == 1
            ):
                message = (
                    f"RUN right after the RUN of line {previous.line}: merge them into one layer"
                )
                yield self.finding(document, document.keyword_span(instruction), message)
            previous = instruction
