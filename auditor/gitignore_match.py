"""gitignore patterns matched as git matches them (dir.c and wildmatch.c), without pathspec.

    matcher = GitignoreMatcher.from_text(".venv/\\n*.py[cod]\\n!keep.pyc\\n")
    matcher.ignores("pkg/a.pyc")               # True
    matcher.ignores("node_modules", is_dir=True)  # False
    matcher.match_file("build/")               # a trailing "/" names a folder

Used for .gitignore files (IG001, discovery outside git), the config's `exclude` and
`per-file-ignores`. pathspec did this before; importing it took about 30 ms, a third of a
pre-commit run's budget and as long as `git clean -n` on a 100k-file tree, so this module
reads the patterns itself. tests/auditor/test_gitignore_match.py checks it against
`git check-ignore` on thousands of generated patterns and paths.

The rules, as git applies them:

- A line is a pattern unless it is blank or starts with `#`; trailing spaces are dropped
  unless escaped (`\\ `), a CR before the LF too. `!` negates (`\\!` is a literal `!`).
- A trailing `/` makes the pattern match folders only. A pattern with no other `/` matches
  the name at any depth; one with a `/` at its start or middle is matched against the whole
  path from the folder of the ignore file (a leading `/` only anchors).
- `*` and `?` never match `/`, nor does a `[...]` class (`[!...]`/`[^...]` negate, ranges,
  `[:alpha:]`-style names); a `**` between slashes (or at either end) matches any number of
  folders; `\\` escapes the next character. A pattern with an unclosed class or a trailing
  `\\` matches nothing.
- The last matching pattern decides. A path inside a folder that is ignored is ignored, and
  no `!` brings it back (git does not look inside ignored folders).

Matching is on the UTF-8 bytes of names, as git does: `?` is one byte.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import NamedTuple

_SPECIAL = frozenset("*?[\\")
_POSIX_CLASSES = {
    b"alnum": b"a-zA-Z0-9",
    b"alpha": b"a-zA-Z",
    b"blank": b" \\t",
    b"cntrl": b"\\x00-\\x1f\\x7f",
    b"digit": b"0-9",
    b"graph": b"\\x21-\\x7e",
    b"lower": b"a-z",
    b"print": b"\\x20-\\x7e",
    b"punct": b"!-/:-@\\[-`{-~",
    b"space": b" \\t\\n\\r\\f\\v",
    b"upper": b"A-Z",
    b"xdigit": b"0-9A-Fa-f",
}
_NEVER = re.compile(b"(?!)")


class _Pattern(NamedTuple):
    negated: bool
    folders_only: bool  # a trailing "/"
    whole_path: bool  # has a "/" (other than trailing): matched against the path, not the name
    literal: bytes | None  # the pattern when it has no wildcard: compared, not matched
    suffix: bytes | None  # for "*.ext" name patterns: the ".ext" every match ends with
    source: bytes  # the pattern as matched (leading "/" and trailing "/" removed)

    def matches(self, path: bytes, name: bytes, is_dir: bool, compiled: dict) -> bool:
        if self.folders_only and not is_dir:
            return False
        text = path if self.whole_path else name
        if self.literal is not None:
            return text == self.literal
        if self.suffix is not None:
            return text.endswith(self.suffix)
        regex = compiled.get(self.source)
        if regex is None:
            regex = compiled[self.source] = _translate(self.source)
        return regex.fullmatch(text) is not None


class GitignoreMatcher:
    def __init__(self, patterns: list[_Pattern]) -> None:
        self._patterns = patterns[::-1]  # the last pattern decides: look at it first
        self._compiled: dict[bytes, re.Pattern[bytes]] = {}

    @classmethod
    def from_text(cls, text: str) -> GitignoreMatcher:
        """A .gitignore file's text, its lines split as git splits them (LF, or CR LF)."""
        text = text.removeprefix("\ufeff")
        lines = [line.removesuffix("\r") for line in text.split("\n")]
        return cls.from_lines(lines)

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> GitignoreMatcher:
        patterns = []
        for line in lines:
            parsed = _parse(os.fsencode(line))
            if parsed is not None:
                patterns.append(parsed)
        return cls(patterns)

    def verdict(self, path: str, *, is_dir: bool = False) -> bool | None:
        """What the last pattern matching `path` says: True ignored, False brought back by a
        `!` pattern, None when no pattern matches. Folders above `path` are not looked at."""
        return self._verdict(os.fsencode(path), is_dir)

    def ignores(self, path: str, *, is_dir: bool = False) -> bool:
        """Is `path` (relative to the ignore file's folder) ignored, by its own verdict or
        by a folder above it that is ignored?"""
        raw = os.fsencode(path)
        slash = raw.find(b"/")
        while slash != -1:
            if self._verdict(raw[:slash], True):
                return True
            slash = raw.find(b"/", slash + 1)
        return self._verdict(raw, is_dir) is True

    def match_file(self, path: str) -> bool:
        """`ignores`, with a trailing "/" marking a folder (as the callers write folders)."""
        if path.endswith("/"):
            return self.ignores(path.rstrip("/"), is_dir=True)
        return self.ignores(path)

    def _verdict(self, path: bytes, is_dir: bool) -> bool | None:
        name = path.rsplit(b"/", 1)[-1]
        for pattern in self._patterns:
            if pattern.matches(path, name, is_dir, self._compiled):
                return not pattern.negated
        return None


def _parse(line: bytes) -> _Pattern | None:
    if not line or line.startswith(b"#"):
        return None
    line = _without_trailing_spaces(line)
    negated = line.startswith(b"!")
    if negated:
        line = line[1:]
    folders_only = line.endswith(b"/")
    if folders_only:
        line = line[:-1]
    whole_path = b"/" in line
    if line.startswith(b"/"):
        line = line[1:]
    if not line:
        return None  # matches no name
    literal = suffix = None
    if not _SPECIAL.intersection(chr(byte) for byte in line):
        literal = line
    elif (
        line.startswith(b"*")
        and not whole_path
        and not _SPECIAL.intersection(chr(byte) for byte in line[1:])
    ):
        suffix = line[1:]
    return _Pattern(negated, folders_only, whole_path, literal, suffix, line)


def _without_trailing_spaces(line: bytes) -> bytes:
    """git's trim_trailing_spaces: unescaped trailing spaces go (not tabs)."""
    last_space = None
    position = 0
    while position < len(line):
        byte = line[position]
        if byte == 0x20:
            if last_space is None:
                last_space = position
        elif byte == 0x5C:  # a backslash escapes the next byte, a space too
            position += 1
            if position >= len(line):
                return line
            last_space = None
        else:
            last_space = None
        position += 1
    return line if last_space is None else line[:last_space]


def _translate(pattern: bytes) -> re.Pattern[bytes]:
    """wildmatch(pattern, text, WM_PATHNAME) as a regex over the text's bytes."""
    tokens = _tokens(pattern)
    if tokens is None:
        return _NEVER  # an unclosed class or a trailing backslash: git's wildmatch gives up
    return re.compile(_assembled(tokens), re.DOTALL)


# Token kinds: ONE matches one byte (a literal, `?`, a class); STAR is `*` (no "/"); ANY is
# a trailing `/**` (anything); DIRS is `**/` (any number of folders, none included).
ONE, STAR, ANY, DIRS = "one", "star", "any", "dirs"
_REGEX = {STAR: (b"[^/]*", b"[^/]*?"), DIRS: (b"(?:.*/)?", b"(?:.*?/)??"), ANY: (b".*", b".*")}


def _tokens(pattern: bytes) -> list[tuple[str, bytes]] | None:
    tokens: list[tuple[str, bytes]] = []
    position = 0
    end = len(pattern)
    while position < end:
        byte = pattern[position : position + 1]
        if byte == b"\\":
            position += 1
            if position >= end:
                return None
            tokens.append((ONE, re.escape(pattern[position : position + 1])))
            position += 1
        elif byte == b"?":
            tokens.append((ONE, b"[^/]"))
            position += 1
        elif byte == b"*":
            stars_end = position
            while stars_end < end and pattern[stars_end] == 0x2A:
                stars_end += 1
            after = pattern[stars_end : stars_end + 2]
            at_folder_start = position == 0 or pattern[position - 1] == 0x2F
            folder_end = after == b"" or after[:1] == b"/" or after == b"\\/"
            if stars_end - position >= 2 and at_folder_start and folder_end:
                if after[:1] == b"/":  # "**/": zero folders or more
                    if not tokens or tokens[-1][0] != DIRS:  # "**/**/" is "**/"
                        tokens.append((DIRS, b""))
                    position = stars_end + 1
                else:  # "dir/**" (everything inside), or "**\/" (git tries no zero folders)
                    tokens.append((ANY, b""))
                    position = stars_end
            else:
                tokens.append((STAR, b""))
                position = stars_end
        elif byte == b"[":
            translated = _class(pattern, position)
            if translated is None:
                return None
            regex, position = translated
            tokens.append((ONE, regex))
        else:
            tokens.append((ONE, re.escape(byte)))
            position += 1
    return tokens


def _assembled(tokens: list[tuple[str, bytes]]) -> bytes:
    """The tokens as one regex that cannot backtrack its way into exponential time.

    A `*` (or `**/`) and the fixed-width run after it are matched at the earliest place the
    run fits, in an atomic group, when the next wildcard could absorb any later placement
    anyway: for `*` before a `*`, the run holds no "/" (then all it skips is "/"-free) or its
    "/" pins it to one place; `**/` and a trailing `/**` absorb anything ending in "/".
    That is the classic linear glob matching, written for Python's `re`."""
    parts: list[bytes] = []
    position = 0
    while position < len(tokens):
        kind, regex = tokens[position]
        position += 1
        if kind == ONE or kind == ANY:
            parts.append(regex or _REGEX[ANY][0])
            continue
        run = []
        while position < len(tokens) and tokens[position][0] == ONE:
            run.append(tokens[position][1])
            position += 1
        following = tokens[position][0] if position < len(tokens) else None
        absorbs = {STAR, DIRS, ANY} if kind == STAR else {DIRS, ANY}
        greedy, earliest = _REGEX[kind]
        if run and following in absorbs:
            parts.append(b"(?>" + earliest + b"".join(run) + b")")
        else:
            parts.append(greedy + b"".join(run))
    return b"".join(parts)


def _class(pattern: bytes, start: int) -> tuple[bytes, int] | None:
    """The `[...]` starting at `start`: (regex, position after it), or None if unclosed.
    Read as wildmatch.c reads it: the first member may be `]`, `a-z` is a range unless `-`
    comes first or last, `[:name:]` is a named class. It never matches `/`."""
    position = start + 1
    end = len(pattern)
    negated = position < end and pattern[position] in (0x21, 0x5E)  # ! or ^
    if negated:
        position += 1
    members: list[bytes] = []
    previous: int | None = None  # the last single member, which a "-" may extend
    first = True
    while True:
        if position >= end:
            return None
        byte = pattern[position]
        if byte == 0x5D and not first:  # ]
            position += 1
            break
        first = False
        if byte == 0x5C:  # backslash
            position += 1
            if position >= end:
                return None
            byte = pattern[position]
            members.append(_escaped(byte))
            previous = byte
            position += 1
        elif (
            byte == 0x2D
            and previous is not None
            and position + 1 < end
            and pattern[position + 1] != 0x5D
        ):
            high = pattern[position + 1]
            position += 2
            if high == 0x5C:
                if position >= end:
                    return None
                high = pattern[position]
                position += 1
            if previous <= high:  # else an empty range: the low end still counts alone
                members[-1] = _escaped(previous) + b"-" + _escaped(high)
            previous = None
        elif byte == 0x5B and pattern[position + 1 : position + 2] == b":":
            close = pattern.find(b"]", position + 2)
            if close == -1:
                return None
            body = pattern[position + 2 : close]
            if not body.endswith(b":"):
                members.append(_escaped(byte))  # not "[:name:]": a plain "["
                previous = byte
                position += 1
                continue
            named = _POSIX_CLASSES.get(body[:-1])
            if named is None:
                return None  # a malformed class name: git's wildmatch gives up
            members.append(named)
            previous = None
            position = close + 1
        else:
            members.append(_escaped(byte))
            previous = byte
            position += 1
    body = b"".join(members)
    if negated:
        return b"[^/" + body + b"]", position
    if not body:
        return b"(?!)", position
    return b"(?!/)[" + body + b"]", position


def _escaped(byte: int) -> bytes:
    """One byte as a member of a regex class."""
    return b"\\x%02x" % byte
