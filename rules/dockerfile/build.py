"""How dependencies get into the image: wheels, the pip cache, compilers, layer order."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from auditor.documents.dockerfile import Dockerfile, Instruction, Stage
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Edit, Finding, Fix, Span, register
from rules.dockerfile._base import (
    DockerfileRule,
    builds_wheels,
    env_value,
    final_stage,
    mounted_targets,
)
from rules.dockerfile._shell import (
    PipCall,
    command_matches,
    installed_packages,
    pip_call,
    pip_calls,
    removed_packages,
    run_commands,
    shell_code,
)

BUILD_TOOLS = frozenset(
    {
        "build-essential",
        "build-base",
        "gcc",
        "g++",
        "clang",
        "gfortran",
        "make",
        "cmake",
    }
)
_INSTALLS = ("install",)


def _installs_packages(call: PipCall) -> bool:
    """`pip install` of requirements or packages (not `pip install --upgrade pip` alone)."""
    if call.subcommand not in _INSTALLS:
        return False
    targets = [t for t in call.targets if t not in ("pip", "setuptools", "wheel")]
    return bool(call.requirement_files or targets)


def _from_wheels(call: PipCall) -> bool:
    return call.has_option("--no-index") or (
        bool(call.targets)
        and all(t.endswith((".whl", "/*")) or "wheel" in t for t in call.targets)
        and not call.requirement_files
    )


def _runtime_stages(context: Context, document: Dockerfile) -> list[Stage]:
    """The stage judged as the final image (`expect.target` or the last) and its parents."""
    stage = final_stage(context, document)
    return document.stage_chain(stage) if stage is not None else []


@register
class NoWheelBuilder(DockerfileRule):
    """No builder stage makes wheels for the Python dependencies.

    ## What it does
    For a Dockerfile whose final image pip-installs packages, checks that an earlier stage
    builds them as wheels (`pip wheel`), so that the runtime stage only installs finished
    wheels. A builder the final stage is built FROM does not count: everything it installed
    is in the final image.

    ## Why is this bad?
    Installing from source in the runtime stage needs compilers and headers there, which stay
    in the image (hundreds of MB), and rebuilds every package on every build. The spec asks for
    a multi-stage build whose builder makes wheels (R1.2, R8.3).

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    ```

    ## How to fix
    ```dockerfile
    FROM python:3.11-slim AS builder
    COPY requirements.txt .
    RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

    FROM python:3.11-slim
    COPY requirements.txt .
    COPY --from=builder /wheels /wheels
    RUN pip install --no-cache-dir --no-index --find-links=/wheels -r requirements.txt
    ```
    """

    code = "DF004"
    name = "no-wheel-builder"
    summary = "No multi-stage build with a builder stage that makes wheels"
    requirements = ("R1.2", "R8.3")
    bad_examples = (
        DockerfileRule.bad(
            "FROM python:3.11-slim\nCOPY requirements.txt .\n"
            "RUN pip install --no-cache-dir -r requirements.txt\n"
        ),
        DockerfileRule.bad(
            "FROM python:3.11-slim AS builder\nRUN echo build\n"
            "FROM python:3.11-slim\nCOPY requirements.txt .\n"
            "RUN pip install --no-cache-dir -r requirements.txt\n"
        ),
        DockerfileRule.bad(
            "FROM python:3.11-slim AS builder\n"
            "RUN pip wheel --no-cache-dir --wheel-dir /wheels flask\n"
            "FROM builder AS runtime\nRUN pip install --no-cache-dir --no-index /wheels/*\n"
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim AS builder\nCOPY requirements.txt .\n"
            "RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt\n"
            "FROM python:3.11-slim\nCOPY requirements.txt .\nCOPY --from=builder /wheels /wheels\n"
            "RUN pip install --no-cache-dir --no-index --find-links=/wheels -r requirements.txt\n"
        ),
        DockerfileRule.good('FROM nginx:1.27-alpine\nCMD ["nginx", "-g", "daemon off;"]\n'),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        runtime = _runtime_stages(context, document)
        installs = [
            ins
            for stage in runtime
            for ins in stage.instructions
            if any(_installs_packages(call) for call in pip_calls(ins))
        ]
        if not installs:
            return
        builders = [s for s in document.stages if s not in runtime and builds_wheels(document, s)]
        if builders:
            return
        inherited = [s for s in runtime[:-1] if builds_wheels(document, s)]
        if inherited:
            message = (
                f"The final stage is built FROM `{_stage_label(inherited[-1])}`, which runs "
                "`pip wheel`: its compilers and build files end up in the runtime image"
            )
        elif len(document.stages) == 1:
            message = "Single-stage build: dependencies are installed without a wheel builder stage"
        else:
            message = "No builder stage runs `pip wheel`: the runtime stage installs from source"
        yield self.finding(document, document.instruction_span(installs[0]), message)


def _stage_label(stage: Stage) -> str:
    return stage.name or f"stage {stage.index}"


@register
class RuntimeInstallsFromIndex(DockerfileRule):
    """The runtime stage installs from the package index instead of the built wheels.

    ## What it does
    When a builder stage makes wheels (`pip wheel`), checks that every `pip install` of the
    final stage installs from those wheels: `--no-index` with `--find-links`, or the wheel
    files themselves.

    ## Why is this bad?
    Without `--no-index`, pip may download (and build) other versions than the builder made,
    which defeats the builder and can pull in packages that need compilers the runtime image
    does not have (R1.2, R8.3).

    ## Example
    ```dockerfile
    COPY --from=builder /wheels /wheels
    RUN pip install --no-cache-dir --find-links=/wheels -r requirements.txt
    ```

    ## How to fix
    ```dockerfile
    RUN pip install --no-cache-dir --no-index --find-links=/wheels -r requirements.txt
    ```
    """

    code = "DF005"
    name = "runtime-installs-from-index"
    summary = "The runtime stage pip-installs from the index instead of the builder's wheels"
    requirements = ("R1.2", "R8.3")
    bad_examples = (
        DockerfileRule.bad(
            "FROM python:3.11-slim AS builder\n"
            "RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt\n"
            "FROM python:3.11-slim\nCOPY --from=builder /wheels /wheels\n"
            "RUN pip install --no-cache-dir --find-links=/wheels -r requirements.txt\n"
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim AS builder\n"
            "RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt\n"
            "FROM python:3.11-slim\nCOPY --from=builder /wheels /wheels\n"
            "RUN pip install --no-cache-dir --no-index --find-links=/wheels -r requirements.txt\n"
        ),
        DockerfileRule.good(
            "FROM python:3.11-slim AS builder\n"
            "RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt\n"
            "FROM python:3.11-slim\nCOPY --from=builder /wheels /wheels\n"
            "RUN pip install --no-cache-dir /wheels/*.whl\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        runtime = _runtime_stages(context, document)
        if not any(s not in runtime and builds_wheels(document, s) for s in document.stages):
            return
        for stage in runtime:
            for instruction in stage.instructions:
                for call in pip_calls(instruction):
                    if _installs_packages(call) and not _from_wheels(call):
                        span = document.span_or_instruction(instruction, "install")
                        message = (
                            "The runtime stage runs `pip install` without `--no-index`: it "
                            "installs from the index, not from the builder's wheels"
                        )
                        yield self.finding(document, span, message)


@register
class PipCacheNotDisabled(DockerfileRule):
    """`pip install` or `pip wheel` without `--no-cache-dir`.

    ## What it does
    Finds `pip install` and `pip wheel` (pip, pip2, pip3, pip3.X, `python -m pip`) in RUN
    instructions that do not pass `--no-cache-dir`, unless pip is told otherwise not to keep
    its cache in the image:

    - `PIP_NO_CACHE_DIR` is set in pip's environment: by the stage's ENV, inline
      (`PIP_NO_CACHE_DIR=1 pip install ...`) or exported earlier in the same RUN
      (`export PIP_NO_CACHE_DIR=1 && ...`). pip turns its cache off for every value it reads
      as a truth value, true or false alike (1, true, yes, on, 0, false, no, off, ...; a
      test runs the real pip on each), so `PIP_NO_CACHE_DIR=0` counts; an empty value does
      not, and pip refuses any other value.
    - The RUN mounts a cache or a tmpfs on pip's cache folder (`/root/.cache/pip` or a
      `.cache` folder holding it): the cache then lives outside the layer.
    - The RUN removes pip's cache after installing (`&& rm -rf /root/.cache/pip`, `pip cache
      purge`).

    pip accepts `--no-cache` (a prefix of `--no-cache-dir`) as the option. Differences from
    hadolint's DL3042, which reports all of these: the removal, `--no-cache`, a tmpfs mount
    and `PIP_NO_CACHE_DIR=0/false/no/off` (hadolint reads those as "cache on", pip does not).

    ## Why is this bad?
    pip keeps every downloaded archive and built wheel in `~/.cache/pip`, which then stays in
    the image layer: tens to hundreds of MB nobody uses (R8.4).

    hadolint's DL3042 checks `pip install` only; this rule also checks `pip wheel`, whose
    cache ends up in the builder's layers just the same.

    ## Example
    ```dockerfile
    RUN pip install -r requirements.txt
    ```

    ## How to fix
    ```dockerfile
    RUN pip install --no-cache-dir -r requirements.txt
    ```
    The fix is safe: only the cache is left out.
    """

    code = "DF006"
    name = "pip-cache-not-disabled"
    summary = "pip install/wheel without --no-cache-dir"
    requirements = ("R8.4",)
    peers = ("DL3042",)
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            "FROM python:3.11-slim\nRUN pip install -r requirements.txt\n",
            "FROM python:3.11-slim\nRUN pip install --no-cache-dir -r requirements.txt\n",
        ),
        DockerfileRule.bad(
            "FROM python:3.11-slim\nRUN python -m pip install --upgrade pip \\\n"
            "    && pip wheel --wheel-dir /wheels -r requirements.txt\n",
            "FROM python:3.11-slim\nRUN python -m pip install --no-cache-dir --upgrade pip \\\n"
            "    && pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt\n",
            count=2,
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim\nRUN pip install --no-cache-dir -r requirements.txt\n"
        ),
        DockerfileRule.good(
            "FROM python:3.11-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install -r requirements.txt\n"
        ),
        DockerfileRule.good(
            "FROM python:3.11-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        runs = [(None, ins) for ins in document.before_first_from if ins.keyword == "RUN"]
        runs += [(stage, ins) for stage in document.stages for ins in stage.of_keyword("RUN")]
        # One look-up per stage, not per RUN: each walks the whole stage chain.
        cache_off_in_stage = {
            stage.index: pip_turns_cache_off(env_value(document, stage, "PIP_NO_CACHE_DIR"))
            for stage in document.stages
        }
        for stage, instruction in runs:
            if stage is not None and cache_off_in_stage[stage.index]:
                continue
            if any(
                _PIP_CACHE_PATH_RE.search(target)
                for target in mounted_targets(instruction, "cache", "tmpfs")
            ):
                continue
            yield from self._check_run(document, instruction)

    def _check_run(self, document: Dockerfile, instruction: Instruction) -> Iterator[Finding]:
        if _removes_pip_cache_afterwards(instruction):
            return
        cache_off = None  # read only for a RUN that has a pip install: most RUNs have none
        for match in command_matches(document, instruction, _PIP_INSTALL_REGEX):
            if _NO_CACHE_RE.search(match.segment):
                continue
            cache_off = cache_off or _CacheOffInShell(document, instruction)
            if cache_off.at(match.start):
                continue
            line, column = document.position(match.start)
            end_line, end_column = document.position(match.end)
            verb = match.segment[: match.end - match.start].split()[-1]
            span = Span(line, column, end_line, end_column)
            edit = Edit.insert(document.path, end_line, end_column, " --no-cache-dir")
            yield self.finding(
                document,
                span,
                f"`pip {verb}` without `--no-cache-dir` leaves pip's cache in the image",
                Fix.safe("Add `--no-cache-dir`", edit),
            )


# pip reads an unambiguous prefix of a long option as the option: `--no-cache` is common
_NO_CACHE_RE = LazyPattern(r"(?<!\S)--no-cache(?:-|-d|-di|-dir)?(?!\S)")
_PIP_CACHE_PATH_RE = LazyPattern(r"(?:^|/)\.cache(?:/pip)?/?\*?$")


# pip, pip2, pip3, pip3.12 or `python -m pip` (python2/python3/python3.12 too), then options,
# then the subcommand.
_PIP_INSTALL_REGEX = (
    r"(?<![\w.-])(?:pip[23]?(?:\.\d+)?|python[23]?(?:\.\d+)?\s+-m\s+pip)\s+(?:-\S+\s+)*"
    r"(install|wheel)\b"
)
# The words pip's strtobool accepts for a boolean option set from the environment. For
# PIP_NO_CACHE_DIR pip disables the cache on every one of them, false ones included (a
# compatibility quirk it keeps); an empty value leaves the cache on, any other value is an
# error. tests/rules/test_dockerfile_pip_cache.py checks this against the installed pip.
PIP_BOOLEAN_WORDS = frozenset(
    {"y", "yes", "t", "true", "on", "1", "n", "no", "f", "false", "off", "0"}
)
_SHELL_SEPARATOR_RE = LazyPattern(r"&&|\|\||;|\||\n")
_INLINE_NO_CACHE_RE = LazyPattern(r"(?:^|\s)PIP_NO_CACHE_DIR=(\S*)")
_EXPORTED_NO_CACHE_RE = LazyPattern(r"\bexport\s+(?:[^;&|\n]*\s)?PIP_NO_CACHE_DIR=(\S*)")


def pip_turns_cache_off(value: str | None) -> bool:
    """Does pip run without a cache when PIP_NO_CACHE_DIR has this value?"""
    return value is not None and value.strip().strip("\"'").lower() in PIP_BOOLEAN_WORDS


class _CacheOffInShell:
    """Is PIP_NO_CACHE_DIR set for the pip command at a given offset: as an assignment in
    front of it, or exported earlier in the RUN?

    The RUN's shell code, its separators and its exports are found once: a RUN with many
    pip commands would otherwise rescan everything before each of them (quadratic)."""

    def __init__(self, document: Dockerfile, instruction: Instruction) -> None:
        self.begin = document.offset(instruction.line, instruction.column)
        code = shell_code(document, instruction)
        self.code = code.replace(document.escape + "\n", "  ")  # continued lines are one command
        self.separator_ends = [found.end() for found in _SHELL_SEPARATOR_RE.finditer(self.code)]
        # Where the first export that turns the cache off ends; pip commands after it run
        # without a cache.
        self.first_export_off = min(
            (
                found.end()
                for found in _EXPORTED_NO_CACHE_RE.finditer(self.code)
                if pip_turns_cache_off(found.group(1))
            ),
            default=None,
        )

    def at(self, start: int) -> bool:
        from bisect import bisect_right

        end = start - self.begin
        if self.first_export_off is not None and self.first_export_off <= end:
            return True
        previous = bisect_right(self.separator_ends, end) - 1
        own_start = self.separator_ends[previous] if previous >= 0 else 0
        own_command = self.code[own_start:end]
        return any(
            pip_turns_cache_off(found.group(1))
            for found in _INLINE_NO_CACHE_RE.finditer(own_command)
        )


def _removes_pip_cache_afterwards(instruction: Instruction) -> bool:
    """Does the RUN remove pip's cache (`rm -rf /root/.cache/pip`, `pip cache purge`) after
    its last `pip install`/`pip wheel`? Then no cache is left in the layer."""
    last_pip = last_removal = -1
    for index, command in enumerate(run_commands(instruction)):
        call = pip_call(command)
        if call is not None and call.subcommand in ("install", "wheel"):
            last_pip = index
        elif (
            call is not None and call.subcommand == "cache" and call.arguments[:1] == ("purge",)
        ) or (
            command.name == "rm"
            and any(_PIP_CACHE_PATH_RE.search(word) for word in command.words[1:])
        ):
            last_removal = index
    return last_pip >= 0 and last_removal > last_pip


@register
class BuildToolsInRuntime(DockerfileRule):
    """Compilers are installed in the runtime stage.

    ## What it does
    Finds build tools (build-essential, gcc, g++, clang, make, cmake, alpine's build-base)
    installed by a RUN of the final stage (or a stage it builds on) and not removed again in
    the same RUN: by name (`apt-get purge gcc`) or, on Alpine, by the virtual package they
    were installed under (`apk add --virtual .build-deps gcc ... && apk del .build-deps`).

    ## Why is this bad?
    Compilers are needed to build wheels, not to run them. In the runtime image they add
    hundreds of MB and tools an attacker can use. Build them in the builder stage (R1.4, R1.2).

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    RUN apt-get update && apt-get install -y --no-install-recommends build-essential curl
    ```

    ## How to fix
    Install compilers in the builder stage that runs `pip wheel`, and only what the app needs
    at run time (curl for the health check) in the final stage.
    """

    code = "DF007"
    name = "build-tools-in-runtime"
    summary = "Compilers (build-essential, gcc) are installed in the runtime stage"
    requirements = ("R1.4", "R1.2")
    bad_examples = (
        DockerfileRule.bad(
            "FROM python:3.11-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends build-essential curl\n"
        ),
        DockerfileRule.bad("FROM python:3.11-alpine\nRUN apk add --no-cache gcc musl-dev\n"),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim AS builder\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends build-essential\n"
            "FROM python:3.11-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
        ),
        DockerfileRule.good(
            "FROM python:3.11-slim\n"
            "RUN apt-get update && apt-get install -y gcc && pip install --no-cache-dir x \\\n"
            "    && apt-get purge -y gcc\n"
        ),
        DockerfileRule.good(
            "FROM python:3.11-alpine\n"
            "RUN apk add --no-cache --virtual .build-deps gcc musl-dev \\\n"
            "    && pip install --no-cache-dir x && apk del .build-deps\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for stage in _runtime_stages(context, document):
            for instruction in stage.of_keyword("RUN"):
                removed = set(removed_packages(instruction))
                for package in installed_packages(instruction):
                    if package in BUILD_TOOLS and package not in removed:
                        span = document.span_or_instruction(instruction, package)
                        message = f"`{package}` is installed in the runtime stage; build in a builder stage"
                        yield self.finding(document, span, message)


_MANIFEST_RE = LazyPattern(
    r"^(?:requirements.*\.txt|constraints.*\.txt|requirements|pyproject\.toml|setup\.cfg|setup\.py"
    r"|poetry\.lock|Pipfile(?:\.lock)?|uv\.lock|pdm\.lock)$"
)


def _is_manifest(source: str) -> bool:
    return bool(_MANIFEST_RE.match(posixpath.basename(source.rstrip("/"))))


@register
class CopyBeforeRequirements(DockerfileRule):
    """App code is copied before the requirements are installed.

    ## What it does
    In each stage that runs `pip install -r <file>`, finds an earlier COPY or ADD (from the
    build context) of anything other than dependency manifests (requirements*.txt,
    constraints*.txt, pyproject.toml, lock files).

    ## Why is this bad?
    Docker reuses a layer only while everything before it is unchanged. Code copied first
    changes with every commit, so every build re-installs every dependency (minutes instead of
    seconds, and a fresh download each time).

    ## Example
    ```dockerfile
    COPY . .
    RUN pip install --no-cache-dir -r requirements.txt
    ```

    ## How to fix
    ```dockerfile
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    COPY . .
    ```
    """

    code = "DF011"
    name = "copy-before-requirements"
    summary = "App code is copied before requirements.txt is installed"
    requirements = ()
    bad_examples = (
        DockerfileRule.bad(
            "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n"
            "RUN pip install --no-cache-dir -r requirements.txt\n"
        ),
        DockerfileRule.bad(
            "FROM python:3.11-slim\nCOPY requirements.txt app/ /app/\n"
            "RUN pip install --no-cache-dir -r /app/requirements.txt\n"
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt constraints.txt ./\n"
            "RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt\nCOPY . .\n"
        ),
        DockerfileRule.good(
            "FROM python:3.11-slim\nCOPY --from=builder /wheels /wheels\nCOPY . .\n"
            "RUN pip install --no-cache-dir /wheels/*.whl\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for stage in document.stages:
            copies: list[Instruction] = []
            for instruction in stage.instructions:
                if instruction.keyword in ("COPY", "ADD") and not instruction.has_flag("from"):
                    copies.append(instruction)
                elif instruction.keyword == "RUN" and any(
                    call.subcommand == "install" and call.requirement_files
                    for call in pip_calls(instruction)
                ):
                    for copy in copies:
                        sources = copy.words()[:-1]
                        code = [
                            s for s in sources if not s.startswith("<<") and not _is_manifest(s)
                        ]
                        if code:
                            message = (
                                f"`{copy.keyword} {' '.join(code)}` comes before "
                                f"`pip install -r` (line {instruction.line}): every code change "
                                "re-installs all dependencies"
                            )
                            yield self.finding(document, document.instruction_span(copy), message)
                            break
                    break
