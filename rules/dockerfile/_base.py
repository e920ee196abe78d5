"""What the Dockerfile rules share: iterating parsed Dockerfiles and reading the final image."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.documents.dockerfile import (
    Dockerfile,
    Instruction,
    Stage,
    parse_image,
    substitute,
)
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Edit, Finding, Rule
from rules.dockerfile._shell import pip_calls

ROOT_USERS = frozenset({"root", "0", "0:0", "root:root"})
_PYTHON_WORDS_RE = LazyPattern(r"\b(?:python3?(?:\.\d+)?|pip3?|uvicorn|gunicorn|hypercorn)\b")


class DockerfileRule(Rule):
    """A rule that looks at one parsed Dockerfile at a time."""

    def check(self, context: Context) -> Iterator[Finding]:
        for document in context.project.documents("dockerfile"):
            if document.parse_error is None and isinstance(document, Dockerfile):
                yield from self.check_dockerfile(context, document)

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        raise NotImplementedError(f"{type(self).__name__} does not define check_dockerfile()")


def keyword_as_written(document: Dockerfile, instruction: Instruction) -> str:
    start = instruction.column - 1
    return document.lines[instruction.line - 1][start : start + len(instruction.keyword)]


def final_stage(context: Context, document: Dockerfile) -> Stage | None:
    """The stage whose image is judged as the one that runs: the stage named by
    `expect.target` when this Dockerfile has one of that name, else the last stage."""
    target = context.expect.target
    if target:
        named = document.stage_named(target)
        if named is not None:
            return named
    return document.final_stage


def is_python_image(document: Dockerfile, stage: Stage) -> bool:
    """Does the stage's image run Python? By its base image, or by what its CMD and
    ENTRYPOINT start. A RUN does not count: a Node image that installs python3 to build
    native modules still runs Node."""
    if parse_image(document.root_base(stage)).short_name.startswith("python"):
        return True
    for instruction in document.chain_instructions(stage):
        if instruction.keyword in ("CMD", "ENTRYPOINT") and _PYTHON_WORDS_RE.search(
            instruction.shell_command
        ):
            return True
    return False


def last_user(document: Dockerfile, stage: Stage) -> Instruction | None:
    users = [ins for ins in document.chain_instructions(stage) if ins.keyword == "USER"]
    return users[-1] if users else None


def user_text(document: Dockerfile, instruction: Instruction) -> str:
    """The USER's argument with the ARG and ENV values known at that point substituted
    (`ARG APP_USER=root` / `USER ${APP_USER}` -> `root`); as written when a variable has no
    value there."""
    written = instruction.arguments.strip()
    if "$" not in written or instruction.stage is None:
        return written
    values: dict[str, str | None] = {}
    for earlier in document.chain_instructions(document.stages[instruction.stage]):
        if earlier is instruction:
            break
        if earlier.keyword not in ("ARG", "ENV"):
            continue
        for name, value in earlier.key_values():
            if earlier.keyword == "ARG" and value is None:
                value = document.global_args.get(name)  # `ARG NAME` takes the global default
            values[name] = value
    resolved, complete = substitute(written, values)
    return resolved.strip() if complete else written


def user_name(user: str) -> str:
    """`mami:mami` -> `mami`."""
    return user.split(":", 1)[0]


def is_root(user: str | None) -> bool:
    """Is the user (a USER's resolved argument; None for no USER at all) root?"""
    return user is None or user in ROOT_USERS or user_name(user) in ("root", "0")


def env_value(document: Dockerfile, stage: Stage, name: str) -> str | None:
    """The last value the stage chain's ENV gives `name`, or None."""
    value = None
    for instruction in document.chain_instructions(stage):
        if instruction.keyword == "ENV":
            for key, found in instruction.key_values():
                if key == name:
                    value = found
    return value


def insertion_line(stage: Stage, after: Instruction | None = None) -> int:
    """The line before which to insert runtime settings in `stage`: its first CMD or
    ENTRYPOINT after `after`, or the line after the stage's last instruction."""
    for instruction in stage.instructions:
        if after is not None and instruction.line <= after.line:
            continue
        if instruction.keyword in ("CMD", "ENTRYPOINT"):
            return instruction.line
    return stage.instructions[-1].end_line + 1


def is_alpine(document: Dockerfile, stage: Stage) -> bool:
    return "alpine" in document.root_base(stage).lower()


def builds_wheels(document: Dockerfile, stage: Stage) -> bool:
    return any(call.subcommand == "wheel" for ins in stage.instructions for call in pip_calls(ins))


def insert_lines(document: Dockerfile, line: int, text: str) -> Edit:
    """Insert `text` (whole lines ending in "\\n") before `line`, or at the end of the file,
    as instructions of their own (see `Dockerfile.insertion`)."""
    span, content = document.insertion(line, text)
    return Edit.replace(document.path, span, content)


def mounts(instruction: Instruction) -> list[dict[str, str]]:
    """The `--mount=` options of a RUN as key -> value maps, `target` for target/dst/
    destination and `type` defaulting to `bind`, as BuildKit reads them."""
    found = []
    for flag in instruction.flags:
        if flag.name != "mount" or not flag.value:
            continue
        options: dict[str, str] = {"type": "bind"}
        for part in flag.value.split(","):
            key, _, value = part.partition("=")
            key = key.strip().lower()
            if key in ("dst", "destination"):
                key = "target"
            options[key] = value.strip()
        found.append(options)
    return found


def mounted_targets(instruction: Instruction, *types: str) -> list[str]:
    """Targets of the RUN's mounts of the given types (`cache`, `tmpfs`), trailing `/` removed."""
    return [
        mount["target"].rstrip("/") or "/"
        for mount in mounts(instruction)
        if mount.get("type") in types and mount.get("target")
    ]
