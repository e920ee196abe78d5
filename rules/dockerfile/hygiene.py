"""Good practice with hadolint-compatible semantics; each rule names the check it mirrors."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path

from auditor.documents.dockerfile import Dockerfile, Instruction, Stage, quote_word, split_words
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Edit, Finding, Fix, Severity, Span, register
from rules.dockerfile._base import (
    DockerfileRule,
    final_stage,
    insert_lines,
    is_alpine,
    keyword_as_written,
    mounted_targets,
)
from rules.dockerfile._shell import (
    APT_INSTALL_REGEX,
    APT_TOOLS,
    SimpleCommand,
    command_matches,
    run_commands,
    shell_code,
)
from rules.dockerfile.context import resolve_build_context

_ARCHIVE_SUFFIXES = (
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tb2", ".tar.xz", ".txz",
    ".tar.lz", ".tar.lzma", ".tlz", ".tar.Z", ".tZ", ".tar.zst", ".gz", ".bz2", ".xz",
    ".zst", ".lz", ".lzma",
)  # fmt: skip
_REMOTE_RE = LazyPattern(r"^(?:[a-z][a-z0-9+.-]*://|git@)", re.IGNORECASE)
_SHELL_SPECIAL = set("$&|;<>()`*?[]{}~#!\\\n")


@register
class AddInsteadOfCopy(DockerfileRule):
    """ADD used to copy local files or folders.

    ## What it does
    Finds ADD instructions whose sources are all local files or folders that are not archives.
    ADD of a URL, a git repository or a tar archive (which ADD unpacks) is what ADD is for and
    is not reported. Docker decides what to unpack by content, not by name, so a source in
    the build context without an archive suffix is read: a tar (plain, gzip, bzip2 or xz) is
    an archive. Mirrors hadolint's DL3020, which judges names only.

    ## Why is this bad?
    ADD does more than copy: it unpacks archives and fetches URLs. Using it for plain files
    hides which of those the author meant, and a file renamed to `.tar.gz` later changes what
    the build does.

    ## Example
    ```dockerfile
    ADD requirements.txt /app/
    ```

    ## How to fix
    ```dockerfile
    COPY requirements.txt /app/
    ```
    The fix is safe for folders and for files read and found not to be archives, which ADD
    and COPY treat the same. It is unsafe when a source could not be read (missing here, a
    wildcard, zstd-compressed): if it is a tar archive, COPY no longer unpacks it.
    """

    code = "DF017"
    name = "add-instead-of-copy"
    summary = "ADD used where COPY serves"
    peers = ("DL3020",)
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            {
                "Dockerfile": "FROM python:3.11-slim\nADD requirements.txt /app/\n",
                "requirements.txt": "fastapi==0.115.0\n",
            },
            {"Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt /app/\n"},
        ),
        DockerfileRule.bad(
            {
                "Dockerfile": 'FROM python:3.11-slim\nadd --chown=mami ["app", "/app/app"]\n',
                "app/main.py": "",
            },
            {"Dockerfile": 'FROM python:3.11-slim\ncopy --chown=mami ["app", "/app/app"]\n'},
        ),
        DockerfileRule.bad(
            "FROM debian:bookworm-slim\nADD rootfs /opt/rootfs/\n",
            "FROM debian:bookworm-slim\nCOPY rootfs /opt/rootfs/\n",
            unsafe=True,
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim\nADD https://example.com/tool.tar.gz /opt/\n"
            "ADD vendor.tar.gz /opt/vendor/\nCOPY app /app\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in document.of_keyword("ADD"):
            sources = instruction.words()[:-1]
            if not sources or any(
                _REMOTE_RE.match(s)
                or s.endswith(_ARCHIVE_SUFFIXES)
                or "$" in s
                or s.startswith("<<")
                for s in sources
            ):
                continue
            folder = resolve_build_context(context, document)
            archives = [_unpacked_by_add(context, folder, source) for source in sources]
            if any(archives):
                continue  # ADD unpacks it: that is what ADD is for
            span = document.keyword_span(instruction)
            fix = None
            if not any(
                flag.name in ("checksum", "keep-git-dir", "unpack") for flag in instruction.flags
            ):
                written = keyword_as_written(document, instruction)
                replacement = "copy" if written.islower() else "COPY"
                edit = Edit.replace(document.path, span, replacement)
                if None in archives:
                    fix = Fix.unsafe(
                        "Use COPY (if a source is a tar archive, it is no longer unpacked)",
                        edit,
                    )
                else:
                    fix = Fix.safe("Use COPY", edit)
            message = "ADD of local files: use COPY, which does only that"
            yield self.finding(document, span, message, fix)


def _unpacked_by_add(context: Context, folder: str | None, source: str) -> bool | None:
    """Would ADD unpack this build-context source? None when that cannot be told (the build
    context is not known, the source is a wildcard, missing or unreadable)."""
    if folder is None or any(char in source for char in "*?["):
        return None
    relative = posixpath.normpath(posixpath.join(folder, source.lstrip("/")))
    if relative == ".." or relative.startswith("../"):
        return None
    path = context.project.absolute(relative)
    if path.is_dir():
        return False
    if not path.is_file():
        return None
    return _is_tar_archive(path)


_TAR_BLOCK = 512


def _is_tar_archive(path: Path) -> bool | None:
    """Does the file hold a tar, plain or gzip/bzip2/xz compressed, as Docker detects by
    content? None for zstd (no reader in the standard library) or an unreadable file."""
    import bz2  # imported here: rarely needed, and the CLI's start-up time counts
    import gzip
    import lzma

    openers = (
        (b"\x1f\x8b", gzip.open),
        (b"BZh", bz2.open),
        (b"\xfd7zXZ\x00", lzma.open),
    )
    try:
        with path.open("rb") as handle:
            head = handle.read(_TAR_BLOCK)
        if head.startswith(b"\x28\xb5\x2f\xfd"):
            return None
        for magic, opener in openers:
            if head.startswith(magic):
                with opener(path) as stream:
                    head = stream.read(_TAR_BLOCK)
                break
    except (OSError, EOFError, lzma.LZMAError):
        return None
    return _is_tar_header(head)


def _is_tar_header(block: bytes) -> bool:
    """A tar header block: its checksum field matches the sum of its bytes (the field itself
    counted as spaces), which old v7 headers without the `ustar` magic have too."""
    if len(block) < _TAR_BLOCK or not any(block):
        return False
    field = block[148:156].replace(b"\x00", b" ").strip()
    try:
        checksum = int(field, 8)
    except ValueError:
        return False
    return checksum == sum(block[:148]) + 8 * ord(" ") + sum(block[156:_TAR_BLOCK])


@register
class ShellFormCommand(DockerfileRule):
    """CMD, ENTRYPOINT or HEALTHCHECK CMD in shell form.

    ## What it does
    Finds CMD, ENTRYPOINT and `HEALTHCHECK CMD` written as a plain string (shell form) instead
    of a JSON array (exec form), including arrays that are not valid JSON (single quotes, a
    trailing comma), which Docker then silently runs as a shell string. Mirrors hadolint's
    DL3025 and BuildKit's JSONArgsRecommended (which does not look at HEALTHCHECK).

    ## Why is this bad?
    In shell form the command runs under `/bin/sh -c`, which becomes PID 1 and does not pass
    SIGTERM on: `docker stop` waits 10 seconds and kills the app, which never shuts down
    cleanly (open requests cut, buffers lost). A shell-form health check needs a shell in the
    image (distroless images have none) and is reparsed by it on every probe; its usual
    `|| exit 1` is not needed, as any non-zero exit marks the container unhealthy.

    ## Example
    ```dockerfile
    CMD uvicorn app.main:app --host 0.0.0.0 --port 8000
    ```

    ## How to fix
    ```dockerfile
    CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
    ```
    The fix is offered only when the command uses no shell feature (variables, `&&`, pipes,
    redirections, globs), so the JSON form runs the very same program; a leading `exec` (a
    shell builtin, which already hands PID 1 to the app) is dropped, as the JSON form does
    the same. Like hadolint, `CMD exec ...` is still reported: it needs a shell in the image.
    For HEALTHCHECK the fix rewrites the command after `CMD` and is safe; a trailing
    `|| exit 1` is dropped, which makes it unsafe: Docker counts any non-zero exit as
    unhealthy, but documents exit code 2 as reserved and the probe may then return it.
    The fix is safe, except where the other instruction changes meaning: a shell-form
    ENTRYPOINT ignores the stage's CMD, which becomes its arguments once it is JSON; a CMD
    under an exec-form ENTRYPOINT is passed to it as `/bin/sh -c <text>` until it is JSON.
    Then it is unsafe.
    """

    code = "DF018"
    name = "shell-form-command"
    summary = "CMD/ENTRYPOINT/HEALTHCHECK CMD in shell form"
    peers = ("DL3025", "JSONArgsRecommended")
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            "FROM python:3.11-slim\nCMD uvicorn app.main:app --host 0.0.0.0 --port 8000\n",
            'FROM python:3.11-slim\nCMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]\n',
        ),
        DockerfileRule.bad(
            "FROM python:3.11-slim\nENTRYPOINT ['python', '-m', 'app']\n",
        ),
        DockerfileRule.bad(
            "FROM python:3.11-slim\nCMD python -m app --port $PORT\n",
        ),
        DockerfileRule.bad(
            "FROM python:3.11-slim\nCMD exec uvicorn app.main:app --host 0.0.0.0\n",
            'FROM python:3.11-slim\nCMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]\n',
        ),
        DockerfileRule.bad(
            'FROM python:3.11-slim\nENTRYPOINT python -m app\nCMD ["--reload"]\n',
            'FROM python:3.11-slim\nENTRYPOINT ["python", "-m", "app"]\nCMD ["--reload"]\n',
            unsafe=True,
        ),
        DockerfileRule.bad(
            "FROM python:3.11-slim\nHEALTHCHECK --interval=30s CMD curl -fsS http://localhost:8000/health\n",
            "FROM python:3.11-slim\n"
            'HEALTHCHECK --interval=30s CMD ["curl", "-fsS", "http://localhost:8000/health"]\n',
        ),
        DockerfileRule.bad(
            "FROM python:3.11-slim\nHEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1\n",
            'FROM python:3.11-slim\nHEALTHCHECK CMD ["curl", "-f", "http://localhost:8000/"]\n',
            unsafe=True,
        ),
    )
    good_examples = (
        DockerfileRule.good('FROM python:3.11-slim\nENTRYPOINT ["python", "-m", "app"]\n'),
        DockerfileRule.good(
            "FROM python:3.11-slim\nHEALTHCHECK NONE\n"
            'HEALTHCHECK --retries=3 CMD ["curl", "-f", "http://localhost:8000/health"]\n'
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in document.instructions:
            if instruction.keyword == "HEALTHCHECK":
                yield from self._check_healthcheck(document, instruction)
                continue
            if instruction.keyword not in ("CMD", "ENTRYPOINT") or instruction.json_form:
                continue
            span = document.instruction_span(instruction)
            keyword = instruction.keyword
            if instruction.looks_like_json:
                message = f"{keyword} is not valid JSON, so Docker runs it as a shell string"
                yield self.finding(document, span, message)
                continue
            message = f"{keyword} in shell form runs under /bin/sh, which does not pass signals on"
            yield self.finding(document, span, message, self._fix(document, instruction, span))

    def _check_healthcheck(
        self, document: Dockerfile, instruction: Instruction
    ) -> Iterator[Finding]:
        check = instruction.healthcheck()
        if check is None or check.disabled or check.exec_form is not None:
            return
        span = document.instruction_span(instruction)
        command = check.command
        if command.lstrip().startswith("["):
            message = "HEALTHCHECK CMD is not valid JSON, so Docker runs it as a shell string"
            yield self.finding(document, span, message)
            return
        fix = None
        command_span = document.find_in(instruction, command)
        # `probe || exit 1` maps any failure to 1; Docker counts every non-zero exit as
        # unhealthy, so the probe alone does the same, but 2 is documented as reserved.
        probe = _EXIT_ONE_RE.sub("", command)
        if command_span is not None and not instruction.comments and not _needs_shell(probe):
            words = split_words(probe)  # sh's reading (quotes are balanced: _needs_shell)
            if words and words[0] != "exec":
                array = json.dumps(words, ensure_ascii=False)
                edit = Edit.replace(document.path, command_span, array)
                if probe == command:
                    fix = Fix.safe("Use the JSON (exec) form", edit)
                else:
                    fix = Fix.unsafe("Use the JSON (exec) form without `|| exit 1`", edit)
        message = "HEALTHCHECK CMD in shell form needs /bin/sh in the image to run its probe"
        yield self.finding(document, span, message, fix)

    def _fix(self, document: Dockerfile, instruction: Instruction, span: Span) -> Fix | None:
        command = instruction.arguments
        if instruction.comments or _needs_shell(command) or not command.strip():
            return None
        words = split_words(command)  # sh's reading (the quotes are balanced: _needs_shell)
        if words[0] == "exec":  # a shell builtin: the JSON form execs the program itself
            if len(words) < 2 or words[1].startswith("-"):
                return None  # `exec -a name ...` has no JSON equivalent
            words = words[1:]
        array = json.dumps(words, ensure_ascii=False)
        text = f"{keyword_as_written(document, instruction)} {array}"
        edit = Edit.replace(document.path, span, text)
        changes = _json_form_changes_meaning(document, instruction)
        if changes:
            return Fix.unsafe(f"Use the JSON (exec) form ({changes})", edit)
        return Fix.safe("Use the JSON (exec) form", edit)


def _json_form_changes_meaning(document: Dockerfile, instruction: Instruction) -> str | None:
    """Why turning this CMD/ENTRYPOINT into JSON changes what the container runs, if it does.

    A shell-form ENTRYPOINT ignores CMD; in JSON form it gets CMD as arguments. BuildKit keeps
    a CMD of the same stage (wherever it stands) and drops an inherited one. A shell-form CMD
    under an exec-form ENTRYPOINT reaches it as `/bin/sh -c <text>`.
    """
    if instruction.stage is None:
        return None
    stage = document.stages[instruction.stage]
    if instruction.keyword == "ENTRYPOINT":
        if stage.of_keyword("CMD"):
            return "the stage's CMD becomes its arguments"
        return None
    entrypoints = [ins for ins in document.chain_instructions(stage) if ins.keyword == "ENTRYPOINT"]
    if entrypoints and entrypoints[-1].exec_form is not None:
        return "the ENTRYPOINT gets the words instead of `/bin/sh -c <text>`"
    return None


_EXIT_ONE_RE = LazyPattern(r"\s*\|\|\s*exit\s+1\s*$")


def _needs_shell(command: str) -> bool:
    """Does the command use a shell feature? Quotes only group words, which shlex handles;
    inside double quotes `$`, backticks and backslashes still mean something."""
    quote = None
    for char in command:
        if quote == "'":
            quote = None if char == "'" else quote
        elif quote == '"':
            if char in "$`\\":
                return True
            quote = None if char == '"' else quote
        elif char in "'\"":
            quote = char
        elif char in _SHELL_SPECIAL:
            return True
    return quote is not None


def _apt_install_matches(document: Dockerfile, instruction: Instruction):  # type: ignore[no-untyped-def]
    return command_matches(document, instruction, APT_INSTALL_REGEX)


def _tool(segment: str) -> str:
    """`apt-get` or `apt`, as the matched command writes it."""
    return segment.split(None, 1)[0]


def _match_span(document: Dockerfile, start: int, end: int) -> Span:
    line, column = document.position(start)
    end_line, end_column = document.position(end)
    return Span(line, column, end_line, end_column)


_QUIET_LEVEL_RE = LazyPattern(r"^(?:-q|--quiet)=(\d+)$")


def _assumes_yes(command: str) -> bool:
    """Does this apt-get command line answer yes by itself? `-y` (alone or among short
    options: `-yq`), `--yes`, `--assume-yes`, or a quiet level of 2 or more, which apt-get
    documents as implying -y: `-qq`, `-q -q`, `--quiet --quiet`, `-q=2`."""
    quiet = 0
    for word in command.split():
        if word in ("--yes", "--assume-yes", "-o=APT::Get::Assume-Yes=true"):
            return True
        level = _QUIET_LEVEL_RE.match(word)
        if level is not None:
            quiet += int(level.group(1))
        elif word == "--quiet":
            quiet += 1
        elif re.fullmatch(r"-[a-zA-Z]+", word):
            if "y" in word:
                return True
            quiet += word.count("q")
    return quiet >= 2


@register
class AptGetMissingYes(DockerfileRule):
    """`apt-get install` without `-y`.

    ## What it does
    Finds `apt-get install` (or `apt install`) without `-y`/`--yes`/`--assume-yes` or a quiet
    level of 2 or more (`-qq`, `-q -q`, `--quiet --quiet`, `-q=2`), which apt-get documents
    as implying `-y`. Mirrors hadolint's DL3014, which looks at `apt-get` only and knows the
    quiet level 2 but not a higher one (it reports `-qqq`). Commands named in comments are
    not commands and are not reported.

    ## Why is this bad?
    apt-get asks for confirmation, there is no one to answer during a build, and the step
    aborts.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install curl
    ```

    ## How to fix
    ```dockerfile
    RUN apt-get update && apt-get install -y curl
    ```
    The fix is safe: it answers the question the build cannot.
    """

    code = "DF019"
    name = "apt-get-missing-yes"
    summary = "apt-get install without -y"
    severity = Severity.ERROR
    peers = ("DL3014",)
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install --no-install-recommends curl\n",
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends curl\n",
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get -yq install --no-install-recommends curl\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in document.of_keyword("RUN"):
            for match in _apt_install_matches(document, instruction):
                whole = document.text[match.start : match.segment_end]
                if _assumes_yes(whole):
                    continue
                line, column = document.position(match.end)
                edit = Edit.insert(document.path, line, column, " -y")
                yield self.finding(
                    document,
                    _match_span(document, match.start, match.end),
                    f"`{_tool(match.segment)} install` without `-y` waits for an answer and "
                    "fails the build",
                    Fix.safe("Add `-y`", edit),
                )


@register
class AptGetInstallRecommends(DockerfileRule):
    """`apt-get install` without `--no-install-recommends`.

    ## What it does
    Finds `apt-get install` (or `apt install`) without `--no-install-recommends` (or
    `-o APT::Install-Recommends=false`). Mirrors hadolint's DL3015, which looks at `apt-get`
    only.

    ## Why is this bad?
    Debian installs "recommended" packages by default: for `curl` alone that can be dozens of
    packages and tens of MB the image never uses.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y curl
    ```

    ## How to fix
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl
    ```
    The fix is unsafe: something in the image may rely on a package that came only as a
    recommendation.
    """

    code = "DF020"
    name = "apt-get-install-recommends"
    summary = "apt-get install without --no-install-recommends"
    severity = Severity.INFO
    peers = ("DL3015",)
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n",
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install --no-install-recommends -y curl\n",
            unsafe=True,
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in document.of_keyword("RUN"):
            for match in _apt_install_matches(document, instruction):
                whole = document.text[match.start : match.segment_end]
                if "--no-install-recommends" in whole or "Install-Recommends=false" in whole:
                    continue
                line, column = document.position(match.end)
                edit = Edit.insert(document.path, line, column, " --no-install-recommends")
                yield self.finding(
                    document,
                    _match_span(document, match.start, match.end),
                    f"`{_tool(match.segment)} install` without `--no-install-recommends` adds "
                    "packages nobody asked for",
                    Fix.unsafe("Add `--no-install-recommends`", edit),
                )


@register
class AptListsNotCleaned(DockerfileRule):
    """The apt package lists are left in the image.

    ## What it does
    In the final stage (the one `expect.target` names, else the last) and the stages it
    builds on, finds RUN instructions that run
    `apt-get update` (or `apt update`, `aptitude update`) without an `rm` of
    `/var/lib/apt/lists` among the same RUN's commands (an `rm` in a comment does not count),
    unless `/var/lib/apt` is a cache or tmpfs mount. A RUN that removes
    `/etc/apt/apt.conf.d/docker-clean` (to keep downloaded packages in a cache) must mount
    both `/var/lib/apt` and `/var/cache/apt`: with only one of them, the other's files stay
    in the image. Like hadolint's DL3009, builder stages are not checked: their layers do
    not reach the final image. Unlike DL3009, a `/var/lib/apt` cache mount alone (docker-clean
    kept) is not reported: the lists are in the mount and docker-clean deletes the packages.

    ## Why is this bad?
    `apt-get update` downloads package lists (20-40 MB) that stay in the layer when they are
    removed only in a later RUN, or never.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl
    ```

    ## How to fix
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl \\
        && rm -rf /var/lib/apt/lists/*
    ```
    The fix is safe: the lists are only needed to install, in that same RUN. It is not offered
    for an `apt-get update` alone in its RUN (see DF022): a later install needs those lists;
    nor when the RUN's last line ends in a shell comment, `;`, `&` or `|`, where an appended
    `&& rm` would land in the comment or break the shell syntax.
    """

    code = "DF021"
    name = "apt-lists-not-cleaned"
    summary = "apt-get without removing /var/lib/apt/lists in the same RUN"
    peers = ("DL3009",)
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends curl\n",
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n",
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends curl \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n"
        ),
        DockerfileRule.good(
            "FROM debian:bookworm-slim AS builder\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends gcc\n"
            "FROM debian:bookworm-slim\nCOPY --from=builder /usr/bin/gcc /usr/bin/gcc\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        final = final_stage(context, document)
        if final is None:
            return
        for stage in document.stage_chain(final):
            for instruction in stage.of_keyword("RUN"):
                commands = run_commands(instruction)
                uses_apt = any(  # the RUN that downloads the lists is the one to clean them
                    command.name in _APT_UPDATERS and "update" in command.words[1:]
                    for command in commands
                )
                if not uses_apt:
                    continue
                targets = set(mounted_targets(instruction, "cache", "tmpfs"))
                if targets & {"/var/lib/apt", "/var/lib/apt/lists"}:
                    # The lists live in the mount. Without docker-clean, the downloaded
                    # packages stay in /var/cache/apt unless that is mounted too.
                    if _removes_docker_clean(commands) and not targets & {
                        "/var/cache/apt",
                        "/var/cache/apt/archives",
                    }:
                        message = (
                            "With docker-clean removed, the downloaded packages stay in the "
                            "image: mount /var/cache/apt as a cache too"
                        )
                        yield self.finding(
                            document, document.instruction_span(instruction), message
                        )
                    continue
                if any(_removes_apt_lists(command.words) for command in commands):
                    continue
                span = document.instruction_span(instruction)
                fix = None
                installs = any(
                    command.name in _APT_UPDATERS and "install" in command.words[1:]
                    for command in commands
                )  # removing the lists after a lone update would break the next RUN's install
                if installs and _can_append_command(document, instruction):
                    last = instruction.command_end_line
                    indent = " " * 4
                    edit = Edit.insert(
                        document.path,
                        *document.line_end(last),
                        f" {document.escape}\n{indent}&& rm -rf /var/lib/apt/lists/*",
                    )
                    fix = Fix.safe("Remove the apt lists in the same RUN", edit)
                message = "apt lists stay in the image: remove /var/lib/apt/lists/* in the same RUN"
                yield self.finding(document, span, message, fix)


_APT_UPDATERS = (*APT_TOOLS, "aptitude")
_DOCKER_CLEAN = "/etc/apt/apt.conf.d/docker-clean"


def _removes_docker_clean(commands: tuple[SimpleCommand, ...]) -> bool:
    """Does the RUN remove Debian's docker-clean, which deletes downloaded packages after
    each install (done to keep them in a cache mount)?"""
    return any(command.name == "rm" and _DOCKER_CLEAN in command.words[1:] for command in commands)


def _removes_apt_lists(words: tuple[str, ...]) -> bool:
    return (
        bool(words)
        and words[0].rsplit("/", 1)[-1] == "rm"
        and any(word.rstrip("/*").rstrip("/") == "/var/lib/apt/lists" for word in words[1:])
    )


def _can_append_command(document: Dockerfile, instruction: Instruction) -> bool:
    """Can `&& <command>` go after the instruction's last line? Not for exec form or a
    heredoc, nor after a shell comment or a trailing `;`, `&` or `|`."""
    if instruction.exec_form is not None or instruction.heredocs or instruction.continues_at_eof:
        return False
    # shell_code keeps offsets but blanks comment lines with their line ends, so the last
    # line is found by offset, not by counting "\n".
    begin = document.offset(instruction.line, instruction.column)
    last_start = document.offset(instruction.command_end_line, 1) - begin
    last_length = document.line_length(instruction.command_end_line)
    code = shell_code(document, instruction)[last_start : last_start + last_length]
    written = document.lines[instruction.command_end_line - 1]
    if written[len(written) - len(code) :] != code:
        return False  # a comment was blanked out of that line
    return not code.rstrip().endswith((";", "&", "|", "(", document.escape))


@register
class AptGetUpdateAlone(DockerfileRule):
    """`apt-get update` alone in a RUN.

    ## What it does
    Finds RUN instructions whose only package command is `apt-get update`, without an
    `apt-get install` in the same RUN.

    ## Why is this bad?
    Docker caches the update layer. When a later RUN's package list changes, it installs
    from the stale cached lists: old versions, or "Unable to locate package" once the mirror
    has moved on. The lists also stay in the image.

    ## Example
    ```dockerfile
    RUN apt-get update
    RUN apt-get install -y --no-install-recommends curl
    ```

    ## How to fix
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl \\
        && rm -rf /var/lib/apt/lists/*
    ```
    """

    code = "DF022"
    name = "apt-get-update-alone"
    summary = "apt-get update alone in a RUN"
    bad_examples = (
        DockerfileRule.bad(
            "FROM debian:bookworm-slim\nRUN apt-get update\n"
            "RUN apt-get install -y --no-install-recommends curl\n"
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in document.instructions:
            commands = [c for c in run_commands(instruction) if c.name in ("apt-get", "apt")]
            verbs = {word for c in commands for word in c.words[1:] if not word.startswith("-")}
            if "update" in verbs and not verbs & {"install", "upgrade", "dist-upgrade"}:
                span = document.span_or_instruction(instruction, "update")
                message = "`apt-get update` alone in a RUN: a later install uses stale cached lists"
                yield self.finding(document, span, message)


_NON_POSIX_SHELLS = frozenset({"pwsh", "powershell", "cmd"})
_WINDOWS_IMAGE_WORDS = ("windows", "nanoserver", "servercore")


def _shell_name(program: str) -> str:
    """`C:\\...\\powershell.exe` or `/usr/bin/pwsh` -> `powershell`, `pwsh`."""
    name = re.split(r"[/\\]", program)[-1].lower()
    return name.removesuffix(".exe")


def _is_windows_image(document: Dockerfile, stage: Stage) -> bool:
    base = document.root_base(stage).lower()
    return any(word in base for word in _WINDOWS_IMAGE_WORDS)


@register
class MissingPipefail(DockerfileRule):
    """A RUN with a pipe, without `-o pipefail` in the SHELL.

    ## What it does
    Finds shell-form RUN instructions with a pipe (`a | b`) in a stage whose SHELL does not
    set `-o pipefail`. Like hadolint's DL4006, a `set -o pipefail` inside the RUN does not
    count: Debian's `/bin/sh` (dash) rejects that option, so the SHELL instruction is the
    portable way.

    ## Why is this bad?
    A pipeline's status is that of its last command: `curl -fsSL $URL | tar -xz` succeeds
    when the download fails, and the build goes on with nothing unpacked.

    ## Example
    ```dockerfile
    RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /opt
    ```

    ## How to fix
    ```dockerfile
    SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /opt
    ```
    The fix is unsafe: every later RUN of the stage then runs under bash. It is not offered
    for alpine images, which have no bash, nor for Windows images. A SHELL that is
    PowerShell or cmd (by name or by path, `C:\\...\\powershell.exe`) is not POSIX and is
    not reported; hadolint knows these shells by bare name only and reports the path form.
    """

    code = "DF023"
    name = "missing-pipefail"
    summary = "RUN with a pipe while the SHELL lacks -o pipefail"
    peers = ("DL4006",)
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            "FROM debian:bookworm-slim\nRUN curl -fsSL https://example.com/t.tar.gz | tar -xz -C /opt\n",
            'FROM debian:bookworm-slim\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
            "RUN curl -fsSL https://example.com/t.tar.gz | tar -xz -C /opt\n",
            unsafe=True,
        ),
    )
    good_examples = (
        DockerfileRule.good(
            'FROM debian:bookworm-slim\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
            "RUN curl -fsSL https://example.com/t.tar.gz | tar -xz -C /opt\n"
            "RUN test -f /opt/t || echo missing\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for stage in document.stages:
            shell: tuple[str, ...] = ()
            fixed_stage = False
            for instruction in document.chain_instructions(stage):
                if instruction.keyword == "SHELL" and instruction.exec_form is not None:
                    shell = instruction.exec_form
                    continue
                if instruction.stage != stage.index or instruction.keyword != "RUN":
                    continue
                if instruction.exec_form is not None or not any(
                    c.piped for c in run_commands(instruction)
                ):
                    continue
                if "pipefail" in shell or (shell and _shell_name(shell[0]) in _NON_POSIX_SHELLS):
                    continue
                fix = None
                if (
                    not fixed_stage
                    and not is_alpine(document, stage)
                    and not _is_windows_image(document, stage)
                ):
                    fixed_stage = True  # one SHELL line serves every later RUN of the stage
                    keyword = document.written_keyword("SHELL")
                    text = f'{keyword} ["/bin/bash", "-o", "pipefail", "-c"]\n'
                    fix = Fix.unsafe(
                        "Set the SHELL to bash with pipefail",
                        insert_lines(document, instruction.line, text),
                    )
                span = document.span_or_instruction(instruction, "|")
                message = "A pipe without `-o pipefail` hides the failure of the commands before it"
                yield self.finding(document, span, message, fix)


@register
class RelativeWorkdir(DockerfileRule):
    """WORKDIR with a relative path.

    ## What it does
    Finds WORKDIR instructions whose path is relative (not starting with `/`, a variable or a
    Windows drive). Mirrors hadolint's DL3000.

    ## Why is this bad?
    A relative WORKDIR is relative to the previous one, which may come from the base image:
    the same line means a different folder after a base image update, and readers have to
    replay every WORKDIR to know where they are.

    ## Example
    ```dockerfile
    WORKDIR /app
    WORKDIR data
    ```

    ## How to fix
    ```dockerfile
    WORKDIR /app
    WORKDIR /app/data
    ```
    The fix is safe when an earlier absolute WORKDIR of the same stage chain fixes where the
    relative one points, or when the stage builds on `scratch`, whose working directory is
    `/`. For the first WORKDIR on any other base image the fix writes the path under `/`
    (`WORKDIR app` -> `WORKDIR /app`) and is unsafe: that is where most base images (python,
    debian, alpine, node) start, but an image that sets its own WORKDIR starts elsewhere.
    """

    code = "DF024"
    name = "relative-workdir"
    summary = "WORKDIR with a relative path"
    severity = Severity.ERROR
    peers = ("DL3000",)
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            "FROM python:3.11-slim\nWORKDIR /app\nWORKDIR data\n",
            "FROM python:3.11-slim\nWORKDIR /app\nWORKDIR /app/data\n",
        ),
        DockerfileRule.bad(
            "FROM python:3.11-slim\nWORKDIR app\n",
            "FROM python:3.11-slim\nWORKDIR /app\n",
            unsafe=True,
        ),
        DockerfileRule.bad(
            "FROM scratch\nWORKDIR srv/./app\n",
            "FROM scratch\nWORKDIR /srv/app\n",
        ),
    )
    good_examples = (
        DockerfileRule.good("FROM python:3.11-slim\nWORKDIR /app\nWORKDIR $HOME/data\n"),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for stage in document.stages:
            current: str | None = None  # the working directory, when known
            first = True  # no WORKDIR yet in the chain: the base image's directory applies
            for instruction in document.chain_instructions(stage):
                if instruction.keyword != "WORKDIR":
                    continue
                path = instruction.arguments.strip().strip("\"'")
                if not path:
                    continue
                if path.startswith(("/", "$")) or re.match(r"^[A-Za-z]:[\\/]", path):
                    current = path if path.startswith("/") and "$" not in path else None
                    first = False
                    continue
                known = current is not None or first and document.root_base(stage) == "scratch"
                absolute = posixpath.normpath(posixpath.join(current or "/", path))
                if instruction.stage == stage.index:
                    fix = None
                    span = document.find_in(instruction, instruction.arguments.strip())
                    if span is not None and (known or first):
                        edit = Edit.replace(document.path, span, absolute)
                        make_fix = Fix.safe if known else Fix.unsafe
                        fix = make_fix(f"Use `{absolute}`", edit)
                    message = f"WORKDIR `{path}` is relative: its meaning depends on the WORKDIR before it"
                    yield self.finding(
                        document, document.instruction_span(instruction), message, fix
                    )
                current = absolute if known else None
                first = False


_SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "pword",
        "secret",
        "token",
        "apikey",
        "credential",
        "credentials",
    }
)
_KEY_QUALIFIERS = frozenset({"api", "private", "secret", "access", "signing", "encryption", "auth"})
_NOT_SECRET_WORDS = frozenset(
    {"file", "path", "dir", "name", "public", "url", "length", "expire", "expires"}
)
# Exact counts where "at least" is meant: only whether a key is there matters, and `{20,}`
# would rescan the rest of a long value from every `sk-` in it (quadratic).
_SECRET_VALUE_RE = LazyPattern(
    r"(?:sk-[A-Za-z0-9_-]{20}|gsk_[A-Za-z0-9]{20}|ghp_[A-Za-z0-9]{30}|github_pat_[A-Za-z0-9_]{30}"
    r"|AIza[0-9A-Za-z_-]{30}|AKIA[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9-]{10})"
)


# scheme://user:password@host, the password not a variable reference (`${DB_PASSWORD}`)
# Searched from each `://`, the scheme checked backwards: a scheme-first pattern would rescan
# a long run of letters from each of them (quadratic).
_URL_PASSWORD_RE = LazyPattern(r"://[^/\s:@]*+:(?!\$)[^@\s/]++@")
_SCHEME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")


def _has_url_password(value: str) -> bool:
    """Does `value` hold scheme://user:password@host (the password not a `$` reference)?"""
    for match in _URL_PASSWORD_RE.finditer(value):
        start = match.start()
        while start > 0 and value[start - 1] in _SCHEME_CHARACTERS:
            start -= 1
            if value[start].isascii() and value[start].isalpha():
                return True  # a scheme: a letter, then letters, digits, +, . or -
    return False


def _secret_name(name: str) -> bool:
    words = [word.lower() for word in re.split(r"[_\-.]|(?<=[a-z])(?=[A-Z])", name) if word]
    if _NOT_SECRET_WORDS & set(words):
        return False
    if _SECRET_WORDS & set(words):
        return True
    return any(
        word == "key" and index > 0 and words[index - 1] in _KEY_QUALIFIERS
        for index, word in enumerate(words)
    )


@register
class SecretInEnvOrArg(DockerfileRule):
    """ENV or ARG with a secret-looking name or value.

    ## What it does
    Finds ENV and ARG whose name says it holds a secret (`*_PASSWORD`, `*_TOKEN`, `*_SECRET`,
    `API_KEY`, `PRIVATE_KEY`, ...; names ending in `_FILE`, `_PATH` or `_URL` point to one
    and are not reported) or whose value looks like a provider key (`sk-...`, `gsk_...`,
    `ghp_...`, `AIza...`, `AKIA...`) or is a URL with a password
    (`postgresql://mami:hunter2@db/mami`, whatever the name; `user:${DB_PASSWORD}@` is a
    variable, not a password). Mirrors hadolint's DL3064 and BuildKit's
    SecretsUsedInArgOrEnv, with two differences: hadolint judges names only, so it misses a
    key stored under a harmless name, and it also reports names such as `PASSWORD_FILE` or
    `PUBLIC_KEY_URL`, which point to a secret or hold a public value.

    ## Why is this bad?
    ENV values are stored in the image config and ARG values in its history: anyone who can
    pull the image reads them with `docker history` or `docker inspect`. The LLM keys this
    project uses (Groq, Gemini) belong in the `.env` the container reads at run time (R16.5).

    ## Example
    ```dockerfile
    ENV GROQ_API_KEY=gsk_0123456789abcdefghijKLMN
    ARG GITHUB_TOKEN
    ```

    ## How to fix
    Pass secrets at run time (`env_file: .env`), or to a single build step with a secret
    mount: `RUN --mount=type=secret,id=github_token ...`.
    """

    code = "DF025"
    name = "secret-in-env-or-arg"
    summary = "Secret-looking name or value in ENV/ARG"
    severity = Severity.ERROR
    requirements = ("R16.5",)
    peers = ("DL3064", "SecretsUsedInArgOrEnv")
    bad_examples = (
        DockerfileRule.bad("FROM python:3.11-slim\nENV DB_PASSWORD=hunter2\n"),
        DockerfileRule.bad("FROM python:3.11-slim\nARG GITHUB_TOKEN\nRUN echo build\n"),
        DockerfileRule.bad("FROM python:3.11-slim\nENV LLM=gsk_0123456789abcdefghijKLMNop\n"),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim\nENV PASSWORD_FILE=/run/secrets/db PUBLIC_KEY_URL=https://x\n"
            "ARG PYTHON_VERSION=3.11\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in document.instructions:
            if instruction.keyword not in ("ENV", "ARG"):
                continue
            for name, value in instruction.key_values():
                if _secret_name(name):
                    message = f"{instruction.keyword} `{name}` looks like a secret: it is stored in the image"
                elif value and _SECRET_VALUE_RE.search(value):
                    message = f"{instruction.keyword} `{name}` holds what looks like an API key"
                elif value and _has_url_password(value):
                    message = (
                        f"{instruction.keyword} `{name}` holds a URL with a password: "
                        "it is stored in the image"
                    )
                else:
                    continue
                span = document.span_or_instruction(instruction, name)
                yield self.finding(document, span, message)


@register
class MaintainerDeprecated(DockerfileRule):
    """MAINTAINER is deprecated.

    ## What it does
    Finds the MAINTAINER instruction. Mirrors hadolint's DL4000 and BuildKit's
    MaintainerDeprecated.

    ## Why is this bad?
    MAINTAINER has been deprecated since Docker 1.13; tools read the author from the
    `org.opencontainers.image.authors` label instead.

    ## Example
    ```dockerfile
    MAINTAINER Mami Team <team@example.com>
    ```

    ## How to fix
    ```dockerfile
    LABEL org.opencontainers.image.authors="Mami Team <team@example.com>"
    ```
    The fix is safe: the label carries the same text. It writes LABEL in lower case in a
    Dockerfile whose keywords are all lower case.
    """

    code = "DF026"
    name = "maintainer-deprecated"
    summary = "MAINTAINER is deprecated: use a LABEL"
    severity = Severity.INFO
    peers = ("DL4000", "MaintainerDeprecated")
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            "FROM python:3.11-slim\nMAINTAINER Mami Team <team@example.com>\n",
            'FROM python:3.11-slim\nLABEL org.opencontainers.image.authors="Mami Team <team@example.com>"\n',
        ),
        DockerfileRule.bad(
            "from python:3.11-slim\nmaintainer team@example.com\n",
            'from python:3.11-slim\nlabel org.opencontainers.image.authors="team@example.com"\n',
        ),
    )
    good_examples = (
        DockerfileRule.good(
            'FROM python:3.11-slim\nLABEL org.opencontainers.image.authors="team@example.com"\n'
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in document.of_keyword("MAINTAINER"):
            span = document.instruction_span(instruction)
            fix = None
            if instruction.line == instruction.command_end_line:
                author = quote_word(instruction.arguments.strip(), document.escape)
                label = document.written_keyword("LABEL")
                text = f"{label} org.opencontainers.image.authors={author}"
                fix = Fix.safe(
                    "Replace with the authors LABEL",
                    Edit.replace(document.path, span, text),
                )
            yield self.finding(document, span, "MAINTAINER is deprecated", fix)
