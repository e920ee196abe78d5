"""The .dockerignore model: patterns with their lines, and Docker's matching.

Which files count: `.dockerignore` (at a build context's root) and BuildKit's per-Dockerfile
ignore file beside the Dockerfile, `<dockerfile name>.dockerignore` (`Dockerfile.dockerignore`,
`api.Dockerfile.dockerignore`), which BuildKit prefers to the context's `.dockerignore`.

Docker reads each line (moby/patternmatcher's ignorefile): a line starting with `#` is a
comment, the rest is trimmed, a leading `!` makes an exception, and the pattern is cleaned like
a path (`./a` -> `a`, `a//b/` -> `a/b`, a leading `/` dropped). It differs from gitignore in
ways that matter here, so the wildcards are matched by `Glob` below, which follows moby's
patternmatcher (`*` within a path segment, `?` one character but `/`, `**` any number of
segments, `[...]` classes, `\\` escapes):

- every pattern is anchored at the context root: `*.pyc` excludes `x.pyc` but not `a/x.pyc`
  (gitignore matches a slash-less pattern at any depth);
- a trailing `/` is cleaned away, so `logs/` also matches a file named `logs`;
- a pattern matching a directory excludes everything under it, and a later `!` exception can
  bring a file back from inside an excluded directory (gitignore cannot re-include a file whose
  parent directory is excluded) — we evaluate all patterns in order, last match wins.

The matcher cannot blow up: moby translates a pattern into a regular expression, and on a
backtracking engine (Python's `re`) a path that does not match costs time growing
with the path's length to the power of the number of wildcards (a line of 400 `*` then `b`:
half a minute). `Glob` merges repeated wildcards (`***` is `**` then `*`), uses `re` for a
pattern with at most two wildcards (the common `**/*.pyc`: at most quadratic in the path's
length), and otherwise runs the pattern as a set of states over the path once, in time
proportional to the path's length times the pattern's.
"""

from __future__ import annotations

import posixpath
import re
from typing import NamedTuple

from auditor.documents.base import Document, ParseError, SourceFile
from auditor.documents.kinds import is_dockerignore as matches  # noqa: F401  (the kind's test)
from auditor.records import field, record

KIND = "dockerignore"


def ignore_file_candidates(dockerfile_path: str, context: str) -> list[str]:
    """Where BuildKit looks for the ignore file of a build, in order of preference."""
    folder, name = posixpath.split(dockerfile_path)
    beside = posixpath.join(folder, f"{name}.dockerignore")
    at_root = (
        posixpath.join(context, ".dockerignore") if context not in ("", ".") else ".dockerignore"
    )
    return [beside, at_root]


def clean_path(path: str) -> str:
    """Docker's filepath.Clean for a context-relative path, without a leading `/`."""
    cleaned = posixpath.normpath(path.strip())
    if cleaned.startswith("/") and len(cleaned) > 1:
        cleaned = cleaned.lstrip("/")
    return "" if cleaned == "." else cleaned


class IgnorePattern(NamedTuple):
    line: int
    text: str  # the line as written, trimmed
    pattern: str  # cleaned, without the `!`
    exception: bool  # `!pattern`: brings matching paths back into the context
    matcher: Glob

    def matches(self, path: str) -> bool:
        """True when `path` or one of its parent directories matches this pattern.

        Docker (moby's patternmatcher) tests every parent too: `*` matches `.git`, and so
        leaves `.git/config` out, although the pattern itself never crosses a `/`.
        """
        return self.matcher.matches_path_or_parent(path)


_STAR_RUN_RE = re.compile(r"\*{4,}")
# Glob tokens: (kind, argument). Kinds that consume one character take a predicate's data.
_LITERAL, _ONE, _CLASS, _STAR, _ANY, _FOLDERS = range(6)


class Glob:
    """One cleaned .dockerignore pattern, matched as moby's patternmatcher matches it.

    `*` is `[^/]*`, `?` is `[^/]`, `**` at the end is `.*` and elsewhere `(.*/)?` (a `/`
    right after it is part of it), `[...]` is a class (`^` negates), `\\x` is `x`.
    """

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._tokens: list[tuple[int, object]] | None = None  # compiled on the first match
        self._regex: re.Pattern[str] | None = None

    @property
    def tokens(self) -> list[tuple[int, object]]:
        if self._tokens is None:
            self._compile()
        assert self._tokens is not None
        return self._tokens

    def _compile(self) -> None:
        self._tokens = []
        # A run of more than three `*` means no more than `**` or `***` (by its parity):
        # shortened first, so that a line of a million `*` costs no loop per character.
        pattern = _STAR_RUN_RE.sub(
            lambda run: "***" if len(run.group()) % 2 else "**", self.pattern
        )
        index, length = 0, len(pattern)
        while index < length:
            char = pattern[index]
            index += 1
            if char == "*":
                if index < length and pattern[index] == "*":
                    index += 1
                    if index < length and pattern[index] == "/":
                        index += 1
                    self._add(_ANY if index >= length else _FOLDERS, None)
                else:
                    self._add(_STAR, None)
            elif char == "?":
                self._tokens.append((_ONE, None))
            elif char == "[":
                index = self._read_class(pattern, index)
            elif char == "\\" and index < length:
                self._tokens.append((_LITERAL, pattern[index]))
                index += 1
            else:
                self._tokens.append((_LITERAL, char))
        wildcards = sum(1 for kind, _ in self._tokens if kind in (_STAR, _ANY, _FOLDERS))
        self._regex = self._as_regex() if wildcards <= 2 else None

    def _as_regex(self) -> re.Pattern[str]:
        parts = []
        for kind, argument in self.tokens:
            if kind == _LITERAL:
                parts.append(re.escape(str(argument)))
            elif kind == _ONE:
                parts.append("[^/]")
            elif kind == _STAR:
                parts.append("[^/]*")
            elif kind == _ANY:
                parts.append(".*")
            elif kind == _FOLDERS:
                parts.append("(?:.*/)?")
            else:
                negated, members = argument  # type: ignore[misc]
                ranges = "".join(
                    re.escape(low) if low == high else f"{re.escape(low)}-{re.escape(high)}"
                    for low, high in members
                )
                parts.append(f"[{'^' if negated else ''}{ranges}]" if ranges else "(?!)")
        # The path itself, or a prefix of it that ends where a folder name ends.
        return re.compile("(?:" + "".join(parts) + ")(?=/|\\Z)", re.DOTALL)

    def _add(self, kind: int, argument: object) -> None:
        """A wildcard; a repeat of the one before it matches nothing more (`**` `**`)."""
        assert self._tokens is not None
        if not self._tokens or self._tokens[-1][0] != kind:
            self._tokens.append((kind, argument))

    def _read_class(self, pattern: str, index: int) -> int:
        negated = index < len(pattern) and pattern[index] == "^"
        index += 1 if negated else 0
        members: list[tuple[str, str]] = []  # (low, high) ranges
        while index < len(pattern) and pattern[index] != "]":
            low = pattern[index]
            if low == "\\" and index + 1 < len(pattern):
                index += 1
                low = pattern[index]
            index += 1
            high = low
            if index + 1 < len(pattern) and pattern[index] == "-" and pattern[index + 1] != "]":
                high = pattern[index + 1]
                index += 2
            members.append((low, high))
        assert self._tokens is not None
        self._tokens.append((_CLASS, (negated, tuple(members))))
        return index + 1  # past the `]` (parse() refuses an unclosed class)

    def matches_path_or_parent(self, path: str) -> bool:
        """Does the pattern match `path`, or a parent folder of it (`a` for `a/b/c`)?"""
        tokens, end = self.tokens, len(self.tokens)  # compiles on first use
        if self._regex is not None:
            return self._regex.match(path) is not None
        # A state is a token index; `inside + i` is "within the `(.*/)` of token i", which,
        # unlike its entry, cannot skip ahead without reaching a `/` first.
        inside = end + 1
        states = self._closure({0})
        for char in path:
            if char == "/" and end in states:
                return True  # the folder so far matches: everything in it is excluded
            following: set[int] = set()
            for state in states:
                if state >= inside:  # within `(.*/)`: any character, a `/` may end it
                    following.add(state)
                    if char == "/":
                        following.add(state - inside + 1)
                    continue
                if state == end:
                    continue
                kind, argument = tokens[state]
                if kind == _FOLDERS:
                    following.add(inside + state)
                    if char == "/":
                        following.add(state + 1)
                elif kind in (_STAR, _ANY):
                    if char != "/" or kind == _ANY:
                        following.add(state)  # the wildcard takes this character too
                elif _consumes(kind, argument, char):
                    following.add(state + 1)
            if not following:
                return False
            states = self._closure(following)
        return end in states

    def _closure(self, states: set[int]) -> set[int]:
        """Add the states reachable without a character: past `*`, `**` and the entry of
        `(.*/)?`."""
        pending = list(states)
        while pending:
            state = pending.pop()
            kind = self.tokens[state][0] if state < len(self.tokens) else None
            if kind in (_STAR, _ANY, _FOLDERS) and state + 1 not in states:
                states.add(state + 1)
                pending.append(state + 1)
        return states


def _consumes(kind: int, argument: object, char: str) -> bool:
    if kind == _LITERAL:
        return char == argument
    if kind == _ONE:
        return char != "/"
    negated, members = argument  # type: ignore[misc]
    inside = any(low <= char <= high for low, high in members)
    return inside != negated


@record
class IgnoreFile(Document):
    patterns: list[IgnorePattern] = field(default_factory=list)

    def is_excluded(self, path: str) -> bool:
        """Whether Docker leaves `path` (relative to the build context) out of the context."""
        path = clean_path(path)
        if not path:
            return False
        excluded = False
        for pattern in self.patterns:
            if pattern.matches(path):
                excluded = not pattern.exception
        return excluded

    def has_exceptions_under(self, directory: str) -> bool:
        """Whether some `!` pattern may bring back a path inside `directory`."""
        directory = clean_path(directory)
        prefix = f"{directory}/" if directory else ""
        return any(
            pattern.exception
            and (pattern.pattern.startswith(prefix) or pattern.pattern.startswith("*"))
            for pattern in self.patterns
        )

    def pattern_excluding(self, path: str) -> IgnorePattern | None:
        """The last pattern that decides `path` is excluded, for messages."""
        path = clean_path(path)
        decided = None
        for pattern in self.patterns:
            if pattern.matches(path):
                decided = None if pattern.exception else pattern
        return decided


def parse(source: SourceFile) -> IgnoreFile:
    document = IgnoreFile(source)
    if document.parse_error is not None:
        return document
    for number, raw in enumerate(document.lines, start=1):
        if raw.startswith("#"):
            continue
        text = raw.strip()
        if not text:
            continue
        exception = text.startswith("!")
        pattern = clean_path(text[1:] if exception else text)
        if not pattern:
            continue
        if _unclosed_bracket(pattern):  # Go's filepath.Match rejects it; so does the build
            document.parse_error = ParseError(f"invalid pattern {text!r}: unclosed '['", number)
            return document
        matcher = Glob(pattern)
        document.patterns.append(IgnorePattern(number, text, pattern, exception, matcher))
    return document


def _unclosed_bracket(pattern: str) -> bool:
    opened = False
    escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            opened = True
        elif char == "]":
            opened = False
    return opened
