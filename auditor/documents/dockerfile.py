"""The Dockerfile model: instructions with positions, stages, directives, heredocs.

BuildKit's own parser (moby/buildkit frontend/dockerfile/parser) is the reference for what
parses and what does not. dockerfile-parse was weighed and is not used: its `structure` has no
columns, treats heredoc bodies as instructions, skips a keyword without arguments, cannot tell
a directive from a comment, and its word splitter knows only the backslash as escape
character and costs 15-30 ms of start-up (see `split_words`). The line scanner below follows
BuildKit instead, and a small regular-expression lexer splits words (`split_words`):

- parser directives (`# escape=`, `# syntax=`, `# check=`) only before anything else; a
  repeated one or an escape other than `\\` or a backtick is an error;
- the escape character ends a line to continue it; comment lines and empty lines inside a
  continuation are dropped; a continuation at end of file simply ends the instruction (no
  error in BuildKit, so none here);
- heredocs (`<<EOF`, `<<-EOF`, quoted words) on RUN/COPY/ADD (also under ONBUILD) in shell
  form: the body runs to the first line equal to the word, and the next instruction may follow
  on the very next line (hadolint rejects that; BuildKit accepts it);
- JSON (exec) form when the arguments are a JSON array of strings; anything else, even text
  starting with `[`, is shell form, as in BuildKit (a rule flags the broken JSON).

Errors BuildKit reports before building are parse errors here, at the line where they occur:
a bad or repeated directive, an unterminated heredoc, an unknown instruction, a FROM with the
wrong number of words, a duplicate stage name, SHELL not in JSON form, ENV/ARG without a name
or value, and a file with no instructions. One BuildKit error is not a parse error: an
instruction other than ARG before the first FROM (or in a file without FROM). Such
instructions are kept, outside any stage (`Dockerfile.before_first_from`), so that the rules
still read them, as hadolint does; rule DF027 reports the misplacement.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import NamedTuple

from auditor.documents.base import Document, ParseError, SourceFile
from auditor.documents.kinds import is_dockerfile as matches  # noqa: F401  (the kind's test)
from auditor.lazy_pattern import LazyPattern
from auditor.records import field, record
from auditor.values import Span

KIND = "dockerfile"

INSTRUCTIONS = frozenset(
    {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
        "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME",
        "WORKDIR",
    }
)  # fmt: skip
HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
JSON_FORM_INSTRUCTIONS = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"})
NEEDS_ARGUMENTS = INSTRUCTIONS - {"RUN", "CMD", "ENTRYPOINT"}
NEEDS_TWO_ARGUMENTS = frozenset({"COPY", "ADD"})
DIRECTIVES = frozenset({"escape", "syntax", "check"})

# Possessive: `(.+?)\s*$` would try every split of a value padded with spaces (quadratic).
_DIRECTIVE_RE = LazyPattern(r"^#\s*+([a-zA-Z][a-zA-Z0-9]*+)\s*+=\s*+(\S.*)$", re.DOTALL)
_HEREDOC_RE = LazyPattern(r"^(\d*)<<(-?)([^<]*)$")
_WHITESPACE_RE = LazyPattern(r"[\t\v\f\r ]+")
_VARIABLE_RE = LazyPattern(r"\$(?:\{(\w+)(?:(:?[-+])([^}]*))?\}|(\w+))")
_STAGE_NAME_RE = LazyPattern(r"^[a-z][a-z0-9\-_.]*$")


class Comment(NamedTuple):
    line: int
    column: int  # of the `#`
    text: str  # after the `#`, stripped


class Directive(NamedTuple):
    name: str  # lower case: escape, syntax, check
    value: str
    line: int


class Flag(NamedTuple):
    name: str  # without the dashes: "from", "chown", "mount"
    value: str | None  # None for a bare `--link`


class Heredoc(NamedTuple):
    name: str  # the delimiting word, unquoted
    expand: bool  # False when the word was quoted: no variable expansion in the body
    chomp: bool  # `<<-`: leading tabs are stripped
    content: str  # the body, lines joined with "\n" and ending with "\n" when not empty
    first_line: int  # first body line (== terminator_line when the body is empty)
    terminator_line: int


class HealthCheck(NamedTuple):
    """The parsed arguments of a HEALTHCHECK instruction."""

    disabled: bool  # HEALTHCHECK NONE
    options: dict[str, str]  # interval, timeout, start-period, start-interval, retries
    command: str  # the CMD text (shell form) or the JSON array joined by spaces
    exec_form: tuple[str, ...] | None


@record(eq=False)  # identity equality: two RUN lines with the same text differ
class Instruction:
    keyword: str  # upper case
    line: int  # where the keyword is
    column: int  # the keyword's column
    end_line: int  # last line, heredoc bodies and terminators included
    command_end_line: int  # last line of the instruction text itself (before heredoc bodies)
    text: str  # the logical line: continuations joined, comment lines dropped
    arguments: str  # after the keyword and the flags
    flags: tuple[Flag, ...] = ()
    exec_form: tuple[str, ...] | None = None  # the JSON array, when in JSON form
    heredocs: tuple[Heredoc, ...] = ()
    comments: tuple[Comment, ...] = ()  # comment lines inside the continuation
    stage: int | None = None  # index of the stage it belongs to; None before the first FROM
    continues_at_eof: bool = False  # the file ended inside a continuation
    escape: str = "\\"  # the Dockerfile's escape character, for splitting words

    @property
    def json_form(self) -> bool:
        return self.exec_form is not None

    @property
    def looks_like_json(self) -> bool:
        """Shell form that starts with `[`: most likely broken JSON."""
        return self.exec_form is None and self.arguments.lstrip().startswith("[")

    def flag(self, name: str) -> str | None:
        """The value of `--name=value` (the last one given), "" for a bare `--name`."""
        value = None
        for flag in self.flags:
            if flag.name == name:
                value = "" if flag.value is None else flag.value
        return value

    def has_flag(self, name: str) -> bool:
        return any(flag.name == name for flag in self.flags)

    def words(self) -> list[str]:
        """The arguments split into shell words, quotes removed, variables left as written."""
        if self.exec_form is not None:
            return list(self.exec_form)
        return split_words(self.arguments, self.escape)

    def key_values(self) -> list[tuple[str, str | None]]:
        """ENV/ARG/LABEL pairs in order; an ARG without default has the value None."""
        return parse_key_values(self.keyword, self.arguments, self.escape)

    def healthcheck(self) -> HealthCheck | None:
        if self.keyword != "HEALTHCHECK":
            return None
        options = {flag.name: flag.value or "" for flag in self.flags}
        head, _, rest = self.arguments.strip().partition(" ")
        if head.upper() == "NONE":
            return HealthCheck(True, options, "", None)
        rest = rest.strip()
        exec_form = parse_json_array(rest)
        command = " ".join(exec_form) if exec_form is not None else rest
        return HealthCheck(False, options, command, exec_form)

    @property
    def shell_command(self) -> str:
        """What a RUN/CMD/ENTRYPOINT runs, JSON arrays joined, heredoc bodies appended."""
        if self.exec_form is not None:
            return " ".join(self.exec_form)
        bodies = "\n".join(doc.content for doc in self.heredocs if self.keyword == "RUN")
        return f"{self.arguments}\n{bodies}" if bodies else self.arguments


@record(eq=False)
class Stage:
    index: int
    name: str | None  # as written after AS; compare with `lower()`
    base: str  # the image after substituting global ARG values
    base_written: str  # the image as written in FROM
    base_resolved: bool  # every variable in the image had a value
    platform: str | None
    instructions: list[Instruction] = field(default_factory=list)  # FROM first

    @property
    def from_instruction(self) -> Instruction:
        return self.instructions[0]

    def of_keyword(self, *keywords: str) -> list[Instruction]:
        return [ins for ins in self.instructions if ins.keyword in keywords]


class ImageReference(NamedTuple):
    name: str  # "python", "docker.io/library/python", "ghcr.io/org/app"
    tag: str | None
    digest: str | None

    @property
    def short_name(self) -> str:
        """The last path component: `python` for docker.io/library/python."""
        return self.name.rsplit("/", 1)[-1]


def parse_image(reference: str) -> ImageReference:
    rest, _, digest = reference.partition("@")
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        return ImageReference(rest[:colon], rest[colon + 1 :], digest or None)
    return ImageReference(rest, None, digest or None)


@record
class Dockerfile(Document):
    instructions: list[Instruction] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    directives: dict[str, Directive] = field(default_factory=dict)
    escape: str = "\\"
    global_args: dict[str, str | None] = field(default_factory=dict)  # ARGs before FROM
    # Instructions other than ARG before the first FROM (every one when there is no FROM):
    # BuildKit refuses them; they belong to no stage.
    before_first_from: list[Instruction] = field(default_factory=list)
    _names: dict[str, Stage] = field(default_factory=dict, repr=False, compare=False)
    _names_cover: int = field(default=-1, repr=False, compare=False)  # stages in _names

    # -- navigation -------------------------------------------------------------------------

    def of_keyword(self, *keywords: str) -> list[Instruction]:
        """Every instruction of the file with one of these keywords, in order."""
        return [ins for ins in self.instructions if ins.keyword in keywords]

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def stage_named(self, name: str) -> Stage | None:
        # A dict, rebuilt when stages were added: rules ask for each stage's parent, and a
        # scan of every stage per question is quadratic in the number of stages.
        if self._names_cover != len(self.stages):
            if not 0 <= self._names_cover < len(self.stages):
                self._names, self._names_cover = {}, 0  # not only added to: start again
            for stage in self.stages[self._names_cover :]:  # the parser adds them one by one
                if stage.name is not None:
                    self._names.setdefault(stage.name.lower(), stage)
            self._names_cover = len(self.stages)
        return self._names.get(name.lower())

    def parent_stage(self, stage: Stage) -> Stage | None:
        """The earlier stage this stage is built FROM, if it is one."""
        parent = self.stage_named(stage.base)
        return parent if parent is not None and parent.index < stage.index else None

    def stage_chain(self, stage: Stage) -> list[Stage]:
        """The stage and the stages it inherits from, oldest first."""
        chain = [stage]
        while (parent := self.parent_stage(chain[0])) is not None and parent not in chain:
            chain.insert(0, parent)
        return chain

    def chain_instructions(self, stage: Stage) -> list[Instruction]:
        """Every instruction that shapes `stage`'s image, inherited ones first."""
        return [ins for link in self.stage_chain(stage) for ins in link.instructions]

    def root_base(self, stage: Stage) -> str:
        """The external image at the bottom of the stage's chain."""
        return self.stage_chain(stage)[0].base

    def instruction_at(self, line: int) -> Instruction | None:
        for instruction in self.instructions:
            if instruction.line <= line <= instruction.end_line:
                return instruction
        return None

    def statement_range(self, line: int) -> tuple[int, int]:
        instruction = self.instruction_at(line)
        if instruction is None:
            return line, line
        return instruction.line, instruction.end_line

    # -- positions --------------------------------------------------------------------------

    def instruction_span(self, instruction: Instruction) -> Span:
        """From the keyword to the end of the instruction text (heredoc bodies excluded)."""
        last = instruction.command_end_line
        return Span(instruction.line, instruction.column, last, self.line_length(last) + 1)

    def keyword_span(self, instruction: Instruction) -> Span:
        end = instruction.column + len(instruction.keyword)
        return Span(instruction.line, instruction.column, instruction.line, end)

    def find_in(self, instruction: Instruction, needle: str, start: int = 0) -> Span | None:
        """Where `needle` first occurs in the instruction's own lines, or None."""
        begin = self.offset(instruction.line, instruction.column)
        end = self.offset(instruction.command_end_line, 1) + self.line_length(
            instruction.command_end_line
        )
        found = self.text.find(needle, begin + start, end)
        if found < 0:
            return None
        line, column = self.position(found)
        end_line, end_column = self.position(found + len(needle))
        return Span(line, column, end_line, end_column)

    def span_or_instruction(self, instruction: Instruction, needle: str) -> Span:
        return self.find_in(instruction, needle) or self.instruction_span(instruction)

    def keyword_as_written(self, instruction: Instruction) -> str:
        start = instruction.column - 1
        return self.lines[instruction.line - 1][start : start + len(instruction.keyword)]

    def written_keyword(self, keyword: str) -> str:
        """`keyword` in the file's own case, for instructions a fix writes: lower case when
        every keyword of the file is written in lower case, else upper case."""
        if self.instructions and all(
            self.keyword_as_written(instruction).islower() for instruction in self.instructions
        ):
            return keyword.lower()
        return keyword.upper()

    def line_end(self, line: int) -> tuple[int, int]:
        """(line, column) just past the last character of `line`: where to append text."""
        return line, self.line_length(line) + 1

    def insertion(self, line: int, text: str) -> tuple[Span, str]:
        """The span to replace and the text to write there so that `text` (whole lines, each
        ending in "\\n") lands before `line` (past the last line: at the end of the file) as
        instructions of its own:

        - at the end of a file without a final line end, a line end goes first (and the file
          still ends without one);
        - after an instruction continued into the end of the file (an escape on its last
          line), that escape is removed: BuildKit ends the instruction there anyway, and
          lines after it would join it;
        - right after a heredoc's closing line, an empty line goes first: hadolint (unlike
          BuildKit) cannot parse an instruction on the line after a heredoc.
        """
        last = len(self.lines)
        at_end = line > last or (line == last and self.lines[-1] == "")
        previous = (last - 1 if self.lines[-1] == "" else last) if at_end else line - 1
        if any(ins.heredocs and ins.end_line == previous for ins in self.instructions):
            text = "\n" + text
        dangling = self.instructions[-1] if self.instructions else None
        if at_end and dangling is not None and dangling.continues_at_eof:
            escape_at = self._dangling_escape(dangling)
            if escape_at is not None:
                tail = self.text[escape_at + 1 :]
                content = tail + ("" if tail.endswith("\n") else "\n") + text
                if not self.text.endswith("\n"):
                    content = content.rstrip("\n")
                start = self.position(escape_at)
                return Span(*start, last, self.line_length(last) + 1), content
        if line <= last:
            return Span.point(line, 1), text
        return Span.point(last, self.line_length(last) + 1), "\n" + text.rstrip("\n")

    def _dangling_escape(self, instruction: Instruction) -> int | None:
        """Offset of the escape that continues `instruction` into the end of the file."""
        for line in range(instruction.command_end_line, instruction.line - 1, -1):
            stripped = self.lines[line - 1].rstrip(" \t")
            if not stripped or stripped.lstrip().startswith("#") and line != instruction.line:
                continue
            if stripped.endswith(self.escape):
                return self.offset(line, len(stripped))
            return None
        return None


# -- parsing ----------------------------------------------------------------------------------


class _Failure(Exception):
    def __init__(self, message: str, line: int, column: int = 1) -> None:
        super().__init__(message)
        self.error = ParseError(message, line, column)


def parse(source: SourceFile) -> Dockerfile:
    document = Dockerfile(source)
    if document.parse_error is not None:
        return document
    try:
        _Scanner(document).scan()
    except _Failure as failure:
        document.parse_error = failure.error
    return document


class _Scanner:
    """Turns the document's lines into instructions, then groups them into stages."""

    def __init__(self, document: Dockerfile) -> None:
        self.document = document
        self.lines = document.lines
        self.continuation = _continuation_pattern("\\")

    def scan(self) -> None:
        index = self._read_directives()
        while index < len(self.lines):
            text = self.lines[index]
            stripped = text.strip()
            if not stripped:
                index += 1
            elif stripped.startswith("#"):
                self.document.comments.append(_comment(text, index + 1))
                index += 1
            else:
                index = self._read_instruction(index)
        if not self.document.instructions:
            raise _Failure("file with no instructions", 1)
        _build_stages(self.document)

    def _read_directives(self) -> int:
        index = 0
        while index < len(self.lines):
            text = self.lines[index].lstrip()
            match = _DIRECTIVE_RE.match(text)
            if match is None or match.group(1).lower() not in DIRECTIVES:
                return index
            name, value, line = match.group(1).lower(), match.group(2).rstrip(), index + 1
            if name in self.document.directives:
                raise _Failure(f"only one {name} parser directive can be used", line)
            if name == "escape":
                if value not in ("\\", "`"):
                    raise _Failure(f"invalid escape token {value!r}: use ` or \\", line)
                self.document.escape = value
                self.continuation = _continuation_pattern(value)
            self.document.directives[name] = Directive(name, value, line)
            self.document.comments.append(_comment(self.lines[index], line))
            index += 1
        return index

    def _trim_continuation(self, text: str) -> tuple[str, bool]:
        match = self.continuation.search(text)
        if match is None:
            return text, False
        return text[: match.start()] + (match.group(1) or ""), True

    def _read_instruction(self, index: int) -> int:
        first = self.lines[index]
        line = index + 1
        column = len(first) - len(first.lstrip()) + 1
        head, continues = self._trim_continuation(first.lstrip())
        parts = [head]  # joined once at the end: `+=` in a loop can copy the whole text each time
        comments: list[Comment] = []
        index += 1
        while continues and index < len(self.lines):
            text = self.lines[index]
            index += 1
            if text.lstrip().startswith("#"):
                comments.append(_comment(text, index))
                continue
            if not text.strip():
                continue  # BuildKit only warns about empty continuation lines
            part, continues = self._trim_continuation(text)
            parts.append(part)
        logical = "".join(parts)
        command_end_line = index
        instruction = _instruction_from_line(
            logical, line, column, command_end_line, self.document.escape
        )
        instruction.comments = tuple(comments)
        instruction.continues_at_eof = continues
        self.document.comments.extend(comments)
        if _can_hold_heredoc(instruction):
            index = self._read_heredocs(instruction, index)
        self.document.instructions.append(instruction)
        return index

    def _read_heredocs(self, instruction: Instruction, index: int) -> int:
        heredocs = []
        for name, expand, chomp in _heredoc_words(instruction.arguments):
            first_line = index + 1
            body: list[str] = []
            while True:
                if index >= len(self.lines):
                    raise _Failure(
                        f"unterminated heredoc: no line {name!r} closes it",
                        instruction.line,
                        instruction.column,
                    )
                text = self.lines[index]
                index += 1
                if (text.lstrip("\t") if chomp else text) == name:
                    break
                body.append(text)
            content = "".join(part + "\n" for part in body)
            heredocs.append(Heredoc(name, expand, chomp, content, first_line, index))
        instruction.heredocs = tuple(heredocs)
        instruction.end_line = max(instruction.end_line, index)
        return index


def _continuation_pattern(escape: str) -> re.Pattern[str]:
    token = re.escape(escape)
    return re.compile(rf"([^{token}]){token}[ \t]*$|^{token}[ \t]*$")


def _comment(text: str, line: int) -> Comment:
    column = len(text) - len(text.lstrip()) + 1
    return Comment(line, column, text.strip()[1:].strip())


def _can_hold_heredoc(instruction: Instruction) -> bool:
    if instruction.exec_form is not None:
        return False
    keyword = instruction.keyword
    if keyword == "ONBUILD":
        keyword = instruction.arguments.strip().split(" ", 1)[0].upper()
    return keyword in HEREDOC_INSTRUCTIONS


def _heredoc_words(arguments: str) -> Iterator[tuple[str, bool, bool]]:
    """(name, expand, chomp) for each `<<WORD` shell word, as BuildKit finds them."""
    if "<<" not in arguments:
        return
    for raw in split_words(arguments, keep_quotes=True):
        match = _HEREDOC_RE.match(raw)
        if match is None or not match.group(3):
            continue
        words = split_words(match.group(3))
        if len(words) != 1:
            continue
        quoted = any(quote in match.group(3) for quote in "'\"")
        yield words[0], not quoted, match.group(2) == "-"


def _instruction_from_line(
    logical: str, line: int, column: int, end_line: int, escape: str
) -> Instruction:
    parts = _WHITESPACE_RE.split(logical.strip(), maxsplit=1)
    keyword = parts[0].upper()
    rest = parts[1] if len(parts) > 1 else ""
    if keyword not in INSTRUCTIONS:
        raise _Failure(f"unknown instruction: {parts[0]}", line, column)
    flags, arguments = _split_flags(rest)
    instruction = Instruction(
        keyword=keyword,
        line=line,
        column=column,
        end_line=end_line,
        command_end_line=end_line,
        text=logical,
        arguments=arguments,
        flags=flags,
        escape=escape,
    )
    if keyword in JSON_FORM_INSTRUCTIONS:
        instruction.exec_form = parse_json_array(arguments)
    _check_arguments(instruction)
    return instruction


def _check_arguments(instruction: Instruction) -> None:
    keyword, line, column = instruction.keyword, instruction.line, instruction.column
    arguments = instruction.arguments.strip()
    if keyword in NEEDS_ARGUMENTS and not arguments:
        raise _Failure(f"{keyword} requires at least one argument", line, column)
    if (
        keyword in NEEDS_TWO_ARGUMENTS
        and len(instruction.words()) < 2
        and not (instruction.heredocs or "<<" in arguments)
    ):
        raise _Failure(f"{keyword} requires at least two arguments", line, column)
    if keyword == "HEALTHCHECK":
        check = instruction.healthcheck()
        head = arguments.split(None, 1)[0].upper() if arguments else ""
        if head not in ("CMD", "NONE"):
            raise _Failure("HEALTHCHECK takes CMD <command> or NONE", line, column)
        if check is not None and not check.disabled and not check.command.strip():
            raise _Failure("HEALTHCHECK CMD has no command", line, column)
    if keyword == "SHELL" and instruction.exec_form is None:
        raise _Failure("SHELL requires the arguments to be in JSON form", line, column)
    if keyword in ("ENV", "ARG", "LABEL"):
        try:
            parse_key_values(keyword, arguments, instruction.escape)
        except ValueError as exc:
            raise _Failure(str(exc), line, column) from None


def _split_flags(rest: str) -> tuple[tuple[Flag, ...], str]:
    """Leading `--name[=value]` words, the way BuildKit's extractBuilderFlags reads them."""
    flags: list[Flag] = []
    position = 0
    while True:
        while position < len(rest) and rest[position] in " \t":
            position += 1
        if not rest.startswith("--", position):
            break
        end = _word_end(rest, position)
        word = rest[position:end]
        position = end
        if word == "--":
            break
        name, equals, value = word[2:].partition("=")
        flags.append(Flag(name.lower(), _unquote(value) if equals else None))
    return tuple(flags), rest[position:].strip()


def _word_end(text: str, start: int) -> int:
    quote = None
    position = start
    while position < len(text):
        char = text[position]
        if quote is not None:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in " \t":
            break
        position += 1
    return position


def _unquote(value: str, escape: str = "\\") -> str:
    words = split_words(value, escape)
    return words[0] if len(words) == 1 else value


def parse_json_array(text: str) -> tuple[str, ...] | None:
    """The strings of a JSON array, or None when `text` is not one (then it is shell form)."""
    text = text.strip()
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    return tuple(value)


def split_words(
    text: str, escape: str = "\\", keep_quotes: bool = False, operators: bool = False
) -> list[str]:
    """Shell words as BuildKit's lexer reads them: quotes group words and are removed (kept
    with `keep_quotes`), the Dockerfile's escape character escapes, variables stay as written.

    Inside double quotes the escape character escapes only `"`, `$` and itself, as in
    BuildKit; elsewhere it escapes any character. With `operators`, runs of the shell's
    control and redirection characters (`&&`, `|`, `;`, `>`, `(`) outside quotes are words of
    their own, as sh splits them. An unbalanced quote gives plain whitespace-split words.

    One regular expression finds each quoted string, escape or plain run, so the time is
    linear in the text: the standard library's shlex builds each word a character at a time
    (quadratic on a long word, seconds for a 1 MB one) and dockerfile-parse imports logging
    and knows only the backslash as escape character.
    """
    if not _QUOTING_CHARACTERS[escape].search(text):  # nothing to unquote: split at C speed
        return _PLAIN_SPLIT.findall(text) if operators else text.split()
    words: list[str] = []
    current: list[str] = []
    started = False  # a word has begun (it may be empty: `""`)
    escaped_in_quotes = _escaped_in_quotes(escape)
    for match in _word_pattern(escape, operators).finditer(text):
        kind = match.lastgroup
        token = match.group()
        if kind == "space":
            if started:
                words.append("".join(current))
                current, started = [], False
            continue
        if kind == "operator":
            if started:
                words.append("".join(current))
                current, started = [], False
            words.append(token)
            continue
        if kind == "unbalanced":
            return text.split()
        started = True
        if keep_quotes or kind == "plain":
            current.append(token)
        elif kind == "single":
            current.append(token[1:-1])
        elif kind == "double":
            current.append(escaped_in_quotes.sub(r"\1", token[1:-1]))
        else:  # an escape and the character it escapes (none at the end of the text)
            current.append(token[1:])
    if started:
        words.append("".join(current))
    return [word for word in words if word != ""]


_QUOTING_CHARACTERS = {
    "\\": re.compile(r"['\"\\]"),
    "`": re.compile(r"['\"`]"),
}
_PLAIN_SPLIT = re.compile(r"[;&|()<>]+|[^ \t\n\r\f\v;&|()<>]+")
_WORD_PATTERNS: dict[tuple[str, bool], re.Pattern[str]] = {}
_ESCAPED_IN_QUOTES: dict[str, re.Pattern[str]] = {}
_OPERATOR_CHARACTERS = ";&|()<>"


def _word_pattern(escape: str, operators: bool) -> re.Pattern[str]:
    key = (escape, operators)
    if key not in _WORD_PATTERNS:
        e = re.escape(escape)
        special = re.escape(_OPERATOR_CHARACTERS) if operators else ""
        parts = [
            r"(?P<space>[ \t\n\r\f\v]+)",
            rf"(?P<plain>[^ \t\n\r\f\v'\"{e}{special}]+)",
            r"(?P<single>'[^']*+')",
            rf"(?P<double>\"(?:[^\"{e}]++|{e}.)*+\")",
            rf"(?P<escaped>{e}.?)",
        ]
        if operators:
            parts.append(rf"(?P<operator>[{special}]+)")
        parts.append(r"(?P<unbalanced>['\"])")
        _WORD_PATTERNS[key] = re.compile("|".join(parts), re.DOTALL)
    return _WORD_PATTERNS[key]


def _escaped_in_quotes(escape: str) -> re.Pattern[str]:
    if escape not in _ESCAPED_IN_QUOTES:
        e = re.escape(escape)
        _ESCAPED_IN_QUOTES[escape] = re.compile(rf"{e}([\"${e}])")
    return _ESCAPED_IN_QUOTES[escape]


def quote_word(value: str, escape: str = "\\") -> str:
    """`value` as one double-quoted word that `split_words` (and BuildKit) read back as it is,
    with the Dockerfile's escape character: `Some "Guy"` -> `"Some \\"Guy\\""`, or with the
    backtick escape `"Some `"Guy`""`. `$` is escaped too, so no variable is expanded."""
    escaped = "".join(escape + char if char in ('"', "$", escape) else char for char in value)
    return f'"{escaped}"'


def parse_key_values(
    keyword: str, arguments: str, escape: str = "\\"
) -> list[tuple[str, str | None]]:
    """ENV/LABEL `k=v ...` or legacy `k v`; ARG `name[=default] ...`. ValueError when broken."""
    arguments = arguments.strip()
    if not arguments:
        raise ValueError(f"{keyword} requires at least one argument")
    words = split_words(arguments, escape)
    if keyword != "ARG" and "=" not in words[0]:
        # Legacy `ENV name value with spaces`: the rest of the line is the value.
        parts = _WHITESPACE_RE.split(arguments, maxsplit=1)
        if len(parts) < 2:
            raise ValueError(f"{keyword} {parts[0]} has no value: use {keyword} {parts[0]}=<value>")
        return [(words[0], _unquote(parts[1], escape))]
    pairs: list[tuple[str, str | None]] = []
    for word in words:
        name, equals, value = word.partition("=")
        if not name:
            raise ValueError(f"{keyword} names no variable in {word!r}")
        if not equals and keyword != "ARG":
            raise ValueError(f"{keyword}: {word!r} is not of the form name=value")
        pairs.append((name, value if equals else None))
    return pairs


def substitute(text: str, values: dict[str, str | None]) -> tuple[str, bool]:
    """Expand `$X`, `${X}`, `${X:-d}`, `${X:+a}` with `values`; also say if all were known."""
    resolved = True

    def replace(match: re.Match[str]) -> str:
        nonlocal resolved
        name = match.group(1) or match.group(4)
        operator, word = match.group(2), match.group(3) or ""
        value = values.get(name)
        if operator in (":-", "-"):
            return value if value else word
        if operator in (":+", "+"):
            return word if value else ""
        if value is None:
            resolved = False
            return ""
        return value

    return _VARIABLE_RE.sub(replace, text), resolved


def _build_stages(document: Dockerfile) -> None:
    stage: Stage | None = None
    for instruction in document.instructions:
        if instruction.keyword == "FROM":
            stage = _new_stage(document, instruction, len(document.stages))
            document.stages.append(stage)
            instruction.stage = stage.index
            continue
        if stage is None:
            if instruction.keyword != "ARG":
                document.before_first_from.append(instruction)
                continue
            for name, value in instruction.key_values():
                document.global_args[name] = value
            continue
        instruction.stage = stage.index
        stage.instructions.append(instruction)


def _new_stage(document: Dockerfile, instruction: Instruction, index: int) -> Stage:
    words = instruction.words()
    line, column = instruction.line, instruction.column
    if len(words) not in (1, 3) or (len(words) == 3 and words[1].lower() != "as"):
        raise _Failure("FROM takes an image and optionally `AS name`", line, column)
    name = words[2] if len(words) == 3 else None
    if name is not None:
        if not _STAGE_NAME_RE.match(name.lower()):
            raise _Failure(f"invalid stage name {name!r}", line, column)
        if document.stage_named(name) is not None:
            raise _Failure(f"duplicate stage name {name!r}", line, column)
    base, resolved = substitute(words[0], document.global_args)
    platform = instruction.flag("platform")
    return Stage(index, name, base, words[0], resolved, platform, [instruction])
