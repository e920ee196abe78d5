"""Reading the shell commands of RUN instructions: simple commands, pip and package installs.

Two views of a RUN are used. `simple_commands` lexes the logical command (continuations
joined, heredoc bodies included) with the standard library's shlex into commands split at
`&&`, `||`, `;`, `|` and newlines; rules decide on those. `command_matches` finds a command
in the document's own text, for positions and fix edits; its segment ends where the shell
command would (an operator or a line end that is not continued).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from typing import NamedTuple

from auditor.documents.dockerfile import Dockerfile, Instruction
from auditor.lazy_pattern import LazyPattern

OPERATORS = frozenset({"&&", "||", ";", "|", "&", ";;", "|&"})
_ASSIGNMENT_RE = LazyPattern(r"^[A-Za-z_][A-Za-z0-9_]*=")
_WRAPPERS = frozenset({"sudo", "env", "exec", "command", "nice", "time"})


class SimpleCommand(NamedTuple):
    words: tuple[str, ...]  # the command and its arguments, variable assignments removed
    piped: bool  # its output goes into a pipe (`a | b`: true for a)

    @property
    def name(self) -> str:
        return self.words[0].rsplit("/", 1)[-1] if self.words else ""


def simple_commands(script: str) -> list[SimpleCommand]:
    """The simple commands of a shell script, roughly as sh would split them."""
    commands: list[SimpleCommand] = []
    for line in script.replace("\\\n", " ").split("\n"):
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        try:
            tokens = list(lexer)
        except ValueError:  # an unbalanced quote: fall back to plain words
            tokens = line.split()
        current: list[str] = []
        for token in tokens:
            if token in OPERATORS:
                commands.append(_command(current, piped=token in ("|", "|&")))
                current = []
            elif token in ("(", ")"):
                continue
            else:
                current.append(token)
        commands.append(_command(current, piped=False))
    return [command for command in commands if command.words]


def _command(words: list[str], piped: bool) -> SimpleCommand:
    start = 0
    while start < len(words) and (_ASSIGNMENT_RE.match(words[start]) or words[start] in _WRAPPERS):
        start += 1
    return SimpleCommand(tuple(words[start:]), piped)


def run_commands(instruction: Instruction) -> list[SimpleCommand]:
    if instruction.keyword != "RUN":
        return []
    return simple_commands(instruction.shell_command)


# -- pip ----------------------------------------------------------------------------------------

_PIP_NAME_RE = LazyPattern(r"^pip(?:3(?:\.\d+)?)?$")
_PYTHON_NAME_RE = LazyPattern(r"^python(?:3(?:\.\d+)?)?$")


class PipCall(NamedTuple):
    subcommand: str  # install, wheel, download, ...
    arguments: tuple[str, ...]  # after the subcommand

    def has_option(self, *names: str) -> bool:
        return any(
            arg == name or arg.startswith(name + "=") for arg in self.arguments for name in names
        )

    def option_values(self, *names: str) -> list[str]:
        values = []
        for index, arg in enumerate(self.arguments):
            for name in names:
                if arg == name and index + 1 < len(self.arguments):
                    values.append(self.arguments[index + 1])
                elif arg.startswith(name + "="):
                    values.append(arg.split("=", 1)[1])
                elif len(name) == 2 and arg.startswith(name) and len(arg) > 2:
                    values.append(arg[2:])  # -rrequirements.txt
        return values

    @property
    def requirement_files(self) -> list[str]:
        return self.option_values("-r", "--requirement")

    @property
    def targets(self) -> list[str]:
        """Positional arguments: packages, paths or wheels (option values are skipped)."""
        takes_value = {
            "-r", "--requirement", "-c", "--constraint", "-f", "--find-links", "-i",
            "--index-url", "--extra-index-url", "-t", "--target", "--prefix", "--root",
            "-w", "--wheel-dir", "-e", "--editable", "--src", "--platform",
            "--python-version", "--implementation", "--abi", "--trusted-host", "--cache-dir",
            "--progress-bar", "--only-binary", "--no-binary",
        }  # fmt: skip
        found, skip = [], False
        for arg in self.arguments:
            if skip:
                skip = False
            elif arg.startswith("-"):
                skip = arg in takes_value
            else:
                found.append(arg)
        return found


def pip_call(command: SimpleCommand) -> PipCall | None:
    words = list(command.words)
    if not words:
        return None
    name = command.name
    if _PYTHON_NAME_RE.match(name) and len(words) >= 3 and words[1] == "-m" and words[2] == "pip":
        rest = words[3:]
    elif _PIP_NAME_RE.match(name) or (name == "uv" and len(words) > 1 and words[1] == "pip"):
        rest = words[2:] if name == "uv" else words[1:]
    else:
        return None
    while rest and rest[0].startswith("-"):
        rest = rest[1:]  # global options such as --quiet before the subcommand
    if not rest:
        return None
    return PipCall(rest[0], tuple(rest[1:]))


def pip_calls(instruction: Instruction) -> list[PipCall]:
    return [call for command in run_commands(instruction) if (call := pip_call(command))]


# -- system packages ----------------------------------------------------------------------------

_INSTALL_VERBS = {
    "apt-get": ("install",),
    "apt": ("install",),
    "apk": ("add",),
    "yum": ("install",),
    "dnf": ("install",),
    "microdnf": ("install",),
}
_REMOVE_VERBS = {
    "apt-get": ("purge", "remove", "autoremove"),
    "apt": ("purge", "remove", "autoremove"),
    "apk": ("del",),
    "yum": ("remove", "erase"),
    "dnf": ("remove", "erase"),
}


def _verb_and_arguments(command: SimpleCommand) -> tuple[str, list[str]]:
    words = list(command.words[1:])
    for index, word in enumerate(words):
        if not word.startswith("-"):
            return word, words[index + 1 :]
    return "", []


def _package_names(arguments: list[str]) -> list[str]:
    names = []
    for arg in arguments:
        if arg.startswith(("-", "$")):
            continue
        names.append(re.split(r"[=<>~]", arg, maxsplit=1)[0])
    return names


def installed_packages(instruction: Instruction) -> list[str]:
    """System packages a RUN installs (apt-get, apt, apk, yum, dnf), versions stripped."""
    packages = []
    for command in run_commands(instruction):
        verbs = _INSTALL_VERBS.get(command.name)
        if verbs is None:
            continue
        verb, arguments = _verb_and_arguments(command)
        if verb in verbs:
            packages.extend(_package_names(arguments))
    return packages


def removed_packages(instruction: Instruction) -> list[str]:
    packages = []
    for command in run_commands(instruction):
        verbs = _REMOVE_VERBS.get(command.name)
        if verbs is None:
            continue
        verb, arguments = _verb_and_arguments(command)
        if verb in verbs:
            packages.extend(_package_names(arguments))
    return packages


# -- positions in the document text -------------------------------------------------------------


class TextMatch(NamedTuple):
    start: int  # offsets into document.text
    end: int  # end of the regex match
    segment_end: int  # where this shell command ends
    segment: str  # the command text from the match to segment_end


def command_matches(
    document: Dockerfile, instruction: Instruction, regex: str
) -> Iterator[TextMatch]:
    """Each place `regex` matches in the instruction's lines (heredoc bodies included)."""
    begin = document.offset(instruction.line, instruction.column)
    last = instruction.end_line
    end = document.offset(last, 1) + document.line_length(last)
    text = document.text
    escape = re.escape(document.escape)
    terminator = re.compile(rf"&&|\|\||;|\||(?<!{escape})[ \t]*\n")
    for match in re.compile(regex).finditer(text, begin, end):
        if not _starts_a_command(text, begin, match.start(), escape):
            continue  # inside an argument or a quoted string: `echo "pip install"`
        stop = terminator.search(text, match.end(), end)
        segment_end = stop.start() if stop else end
        yield TextMatch(match.start(), match.end(), segment_end, text[match.start() : segment_end])


_PREVIOUS_OPERATOR_RE = r"(?:&&|\|\||;|\||\(|\bthen\b|\bdo\b|\belse\b|\n)"
_COMMAND_PREFIX_RE = LazyPattern(
    r"^(?:\s|RUN\b|run\b|--\S+|[A-Za-z_][A-Za-z0-9_]*=\S*|sudo\b|env\b|exec\b)*$"
)


def _starts_a_command(text: str, begin: int, start: int, escape: str) -> bool:
    """Is the text between the previous shell operator (or the instruction start) and
    `start` only whitespace, the RUN keyword and its flags, or variable assignments?"""
    window = re.sub(re.escape(escape) + r"[ \t]*\n", " ", text[begin:start])
    previous = None
    for previous in re.finditer(_PREVIOUS_OPERATOR_RE, window):
        pass
    prefix = window[previous.end() :] if previous is not None else window
    return bool(_COMMAND_PREFIX_RE.match(prefix))


PIP_REGEX = (
    r"(?<![\w.-])(?:pip3?(?:\.\d+)?|python3?(?:\.\d+)?\s+-m\s+pip)\s+(?:-\S+\s+)*(install|wheel)\b"
)
APT_INSTALL_REGEX = r"(?<![\w.-])apt-get\s+(?:-\S+\s+)*install\b"
