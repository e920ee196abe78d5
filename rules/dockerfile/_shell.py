"""Reading the shell commands of RUN instructions: simple commands, pip and package installs.

Two views of a RUN are used. `simple_commands` lexes the logical command (continuations
joined, heredoc bodies included) with the model's linear word splitter (`split_words`, whose
operator mode splits at sh's control characters) into commands split at `&&`, `||`, `;`, `|`
and newlines; rules decide on those. `command_matches` finds a command
in the document's own text, for positions and fix edits; its segment ends where the shell
command would (an operator or a line end that is not continued). It searches the text with
comments blanked out (`shell_code`): comment lines inside a continuation, which Docker drops,
and shell comments (`# ...`), which sh ignores, so a command named in a comment is not one.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple
from weakref import WeakKeyDictionary

from auditor.documents.dockerfile import Dockerfile, Instruction, split_words
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


@lru_cache(maxsize=256)
def simple_commands(script: str) -> tuple[SimpleCommand, ...]:
    """The simple commands of a shell script, roughly as sh would split them.

    Cached: a dozen rules ask for the same RUN's commands.
    """
    commands: list[SimpleCommand] = []
    for line in script.replace("\\\n", " ").split("\n"):
        line = line[: _comment_start(line)]
        tokens = split_words(line, operators=True)  # plain words if a quote is unbalanced
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
    return tuple(command for command in commands if command.words)


def _comment_start(line: str) -> int:
    """Where a shell comment starts in `line` (a `#` beginning a word outside quotes), or
    the line's length when there is none."""
    if "#" not in line:
        return len(line)
    quote: str | None = None
    index = 0
    while index < len(line):
        char = line[index]
        if quote == "'":
            quote = None if char == "'" else quote
        elif char == "\\":
            index += 1
        elif quote == '"':
            quote = None if char == '"' else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t;&|()"):
            return index
        index += 1
    return len(line)


def _command(words: list[str], piped: bool) -> SimpleCommand:
    start = 0
    while start < len(words) and (_ASSIGNMENT_RE.match(words[start]) or words[start] in _WRAPPERS):
        start += 1
    return SimpleCommand(tuple(words[start:]), piped)


# Per instruction (by identity, as _VIEWS below): each RUN is asked for its commands a dozen
# times per audit, and building its script text again each time was a flat cost per RUN.
_COMMANDS: WeakKeyDictionary[Instruction, tuple[SimpleCommand, ...]] = WeakKeyDictionary()


def run_commands(instruction: Instruction) -> tuple[SimpleCommand, ...]:
    if instruction.keyword != "RUN":
        return ()
    commands = _COMMANDS.get(instruction)
    if commands is None:
        commands = _COMMANDS[instruction] = simple_commands(instruction.shell_command)
    return commands


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
    name = command.name
    if not name.startswith(("pip", "python", "uv")):  # most commands: no pattern to try
        return None
    words = list(command.words)
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
    if instruction.keyword != "RUN":
        return []
    return list(_pip_calls_of(instruction.shell_command))


@lru_cache(maxsize=256)
def _pip_calls_of(script: str) -> tuple[PipCall, ...]:
    """Cached like simple_commands: several rules ask for the same RUN's pip calls."""
    return tuple(call for command in simple_commands(script) if (call := pip_call(command)))


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


_APK_VIRTUAL_OPTIONS = ("--virtual", "-t")


def _package_names(arguments: list[str]) -> list[str]:
    names = []
    skip = False
    for arg in arguments:
        if skip:
            skip = False
        elif arg in _APK_VIRTUAL_OPTIONS:
            skip = True  # its value names the group, it is not a package
        elif not arg.startswith(("-", "$")):
            names.append(re.split(r"[=<>~]", arg, maxsplit=1)[0])
    return names


def _apk_virtual_name(arguments: list[str]) -> str | None:
    """The group of `apk add --virtual NAME pkg...` (or `-t NAME`, `--virtual=NAME`)."""
    for index, arg in enumerate(arguments):
        if arg in _APK_VIRTUAL_OPTIONS and index + 1 < len(arguments):
            return arguments[index + 1]
        if arg.startswith("--virtual="):
            return arg.split("=", 1)[1]
    return None


def installed_packages(instruction: Instruction) -> list[str]:
    """System packages a RUN installs (apt-get, apt, apk, yum, dnf), versions stripped."""
    return [package for _, package in _installs(instruction)]


def _installs(instruction: Instruction) -> list[tuple[str | None, str]]:
    """(apk virtual group or None, package) for each package the RUN installs."""
    found: list[tuple[str | None, str]] = []
    for command in run_commands(instruction):
        verbs = _INSTALL_VERBS.get(command.name)
        if verbs is None:
            continue
        verb, arguments = _verb_and_arguments(command)
        if verb in verbs:
            group = _apk_virtual_name(arguments) if command.name == "apk" else None
            found.extend((group, package) for package in _package_names(arguments))
    return found


def removed_packages(instruction: Instruction) -> list[str]:
    """System packages a RUN removes; `apk del NAME` of a virtual group created by an
    `apk add --virtual NAME` of the same RUN removes the group's packages."""
    groups: dict[str, list[str]] = {}
    for group, package in _installs(instruction):
        if group is not None:
            groups.setdefault(group, []).append(package)
    packages = []
    for command in run_commands(instruction):
        verbs = _REMOVE_VERBS.get(command.name)
        if verbs is None:
            continue
        verb, arguments = _verb_and_arguments(command)
        if verb in verbs:
            for name in _package_names(arguments):
                packages.append(name)
                packages.extend(groups.get(name, ()) if command.name == "apk" else ())
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
    """Each place `regex` matches a command in the instruction's lines (heredoc bodies
    included), comments left out."""
    begin = document.offset(instruction.line, instruction.column)
    view = _view(document, instruction)
    code, starts, stops = view.code, view.starts, view.stops
    for match in _compiled(regex).finditer(code):
        if not starts.starts_a_command(match.start()):
            continue  # inside an argument or a quoted string: `echo "pip install"`
        following = bisect_left(stops, match.end())
        segment_end = stops[following] if following < len(stops) else len(code)
        yield TextMatch(
            begin + match.start(),
            begin + match.end(),
            begin + segment_end,
            code[match.start() : segment_end],
        )


@lru_cache(maxsize=64)
def _compiled(regex: str) -> re.Pattern[str]:
    """A rule's few command regexes, compiled once (re's own cache costs more per call)."""
    return re.compile(regex)


class _ShellView(NamedTuple):
    code: str  # shell_code()
    starts: _CommandStarts
    stops: list[int]  # where each command ends: every terminator, found once


# Per instruction (compared by identity; a new parse makes new ones): a dozen rules search
# the same RUN, and each would otherwise blank its comments and find its operators again.
_VIEWS: WeakKeyDictionary[Instruction, _ShellView] = WeakKeyDictionary()


def _view(document: Dockerfile, instruction: Instruction) -> _ShellView:
    view = _VIEWS.get(instruction)
    if view is None:
        code = shell_code(document, instruction)
        escape = re.escape(document.escape)
        terminator = re.compile(rf"&&|\|\||;|\||(?<!{escape})[ \t]*\n")
        stops = [found.start() for found in terminator.finditer(code)]
        view = _ShellView(code, _CommandStarts(code, escape), stops)
        _VIEWS[instruction] = view
    return view


def shell_code(document: Dockerfile, instruction: Instruction) -> str:
    """The instruction's text (from its keyword to its last line) with every comment replaced
    by spaces of the same length, so offsets still point into `document.text`.

    Comment lines inside a continuation go with their line end (Docker drops the whole line).
    A shell comment (`#` starting a word outside quotes) runs to the end of the logical line:
    Docker joins the continued lines before sh reads them, so a `\\` at the end of a commented
    line comments out the lines it continues into. In heredoc bodies a comment ends with its
    line, as in any script.
    """
    begin = document.offset(instruction.line, instruction.column)
    end = document.offset(instruction.end_line, 1) + document.line_length(instruction.end_line)
    text = document.text[begin:end]
    comment_lines = {comment.line for comment in instruction.comments}
    heredoc_start = instruction.command_end_line + 1
    blanks: list[tuple[int, int]] = []  # ranges of `text` to replace by spaces
    state = "code"  # or "'", '"', "comment"
    line = instruction.line
    index = 0
    length = len(text)
    # Jump from one character that can change the state to the next: a regular expression
    # skips the rest at C speed, so a long word costs no Python loop per character.
    while True:
        found = _SHELL_EVENTS[state].search(text, index)
        if found is None:
            if state == "comment":
                blanks.append((index, length))
            break
        position = found.start()
        char = text[position]
        if state == "comment":
            blanks.append((index, position))
        index = position + 1
        if char == "\n":
            line += 1
            while line in comment_lines and line < heredoc_start:
                stop = text.find("\n", index)
                stop = length if stop < 0 else stop + 1
                blanks.append((index, stop))  # the whole line and its line end
                index = stop
                line += 1
            if line >= heredoc_start:
                state = "code"
        elif state == "'":
            state = "code"  # the closing quote
        elif char == "\\":
            if index < length and text[index] != "\n":
                index += 1  # an escaped character, `\#` included
        elif state == '"':
            if char == '"':
                state = "code"
        elif char in "'\"":
            state = char
        elif char == "#" and (position == 0 or text[position - 1] in " \t\n;&|("):
            state = "comment"
            index = position
    if not blanks:
        return text
    pieces, position = [], 0
    for start, stop in blanks:
        pieces.append(text[position:start])
        pieces.append(" " * (stop - start))
        position = stop
    pieces.append(text[position:])
    return "".join(pieces)


_SHELL_EVENTS = {
    "code": re.compile(r"['\"\\#\n]"),
    "'": re.compile(r"['\n]"),
    '"': re.compile(r'["\\\n]'),
    "comment": re.compile(r"\n"),
}


_PREVIOUS_OPERATOR_RE = LazyPattern(r"(?:&&|\|\||;|\||\(|\bthen\b|\bdo\b|\belse\b|\n)")
_COMMAND_PREFIX_RE = LazyPattern(
    r"^(?:\s|RUN\b|run\b|--\S+|[A-Za-z_][A-Za-z0-9_]*=\S*|sudo\b|env\b|exec\b)*$"
)
# The same words, matched as far as they go from a point, possessively (no backtracking).
_COMMAND_PREFIX_RUN_RE = LazyPattern(
    r"(?:\s|RUN\b|run\b|--\S++|[A-Za-z_][A-Za-z0-9_]*+=\S*+|sudo\b|env\b|exec\b)*+"
)


class _CommandStarts:
    """Where in one instruction's shell code a command may start: right after a shell
    operator (or the instruction's start), past only whitespace, the RUN keyword and its
    flags, or variable assignments.

    The operators are found once, and for each stretch between two of them the words that
    may precede a command are matched once, so asking about every match of a command in a
    long RUN stays linear (rescanning the text before each match was quadratic).
    """

    def __init__(self, code: str, escape: str) -> None:
        # A continued line end is no operator: blank it, keeping every offset.
        self.code = re.sub(escape + r"[ \t]*\n", lambda found: " " * len(found.group()), code)
        self.operator_ends = [0] + [
            found.end() for found in _PREVIOUS_OPERATOR_RE.finditer(self.code)
        ]
        self.prefix_ends: dict[int, int] = {}  # stretch start -> where its prefix words end

    def starts_a_command(self, start: int) -> bool:
        stretch = self.operator_ends[bisect_right(self.operator_ends, start) - 1]
        if stretch not in self.prefix_ends:
            found = _COMMAND_PREFIX_RUN_RE.match(self.code, stretch)
            self.prefix_ends[stretch] = found.end() if found else stretch
        prefix_end = self.prefix_ends[stretch]
        if start == prefix_end:
            return True
        if start > prefix_end:
            return False  # something that is not a prefix word comes before it
        # Inside the prefix words (`A=pip install`): decide on the text before it alone.
        return bool(_COMMAND_PREFIX_RE.match(self.code[stretch:start]))


PIP_REGEX = (
    r"(?<![\w.-])(?:pip3?(?:\.\d+)?|python3?(?:\.\d+)?\s+-m\s+pip)\s+(?:-\S+\s+)*(install|wheel)\b"
)
APT_INSTALL_REGEX = r"(?<![\w.-])apt(?:-get)?\s+(?:-\S+\s+)*install\b"
APT_TOOLS = ("apt-get", "apt")
