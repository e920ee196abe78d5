"""The .dockerignore model: patterns with their lines, and Docker's matching.

Which files count: `.dockerignore` (at a build context's root) and BuildKit's per-Dockerfile
ignore file beside the Dockerfile, `<dockerfile name>.dockerignore` (`Dockerfile.dockerignore`,
`api.Dockerfile.dockerignore`), which BuildKit prefers to the context's `.dockerignore`.

Docker reads each line (moby/patternmatcher's ignorefile): a line starting with `#` is a
comment, the rest is trimmed, a leading `!` makes an exception, and the pattern is cleaned like
a path (`./a` -> `a`, `a//b/` -> `a/b`, a leading `/` dropped). It differs from gitignore in
ways that matter here, so pathspec's gitignore patterns are used only for the wildcard part:

- every pattern is anchored at the context root: `*.pyc` excludes `x.pyc` but not `a/x.pyc`
  (gitignore matches a slash-less pattern at any depth) — we anchor with a leading `/`;
- a trailing `/` is cleaned away, so `logs/` also matches a file named `logs`;
- a pattern matching a directory excludes everything under it, and a later `!` exception can
  bring a file back from inside an excluded directory (gitignore cannot re-include a file whose
  parent directory is excluded) — we evaluate all patterns in order, last match wins.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from auditor.documents import dockerfile
from auditor.documents.base import Document, ParseError, SourceFile

KIND = "dockerignore"


def matches(relative_path: str) -> bool:
    """`.dockerignore`, or `<Dockerfile name>.dockerignore` (the Dockerfile part in any case,
    as `dockerfile.matches` reads it). The suffix itself is matched exactly: BuildKit opens
    these names as they are spelled."""
    name = posixpath.basename(relative_path)
    if name == ".dockerignore":
        return True
    return name.endswith(".dockerignore") and dockerfile.matches(name[: -len(".dockerignore")])


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
    matcher: Any  # pathspec's compiled pattern

    def matches(self, path: str) -> bool:
        """True when `path` or one of its parent directories matches this pattern.

        Docker (moby's patternmatcher) tests every parent too: `*` matches `.git`, and so
        leaves `.git/config` out, although the pattern itself never crosses a `/`.
        """
        parts = path.split("/")
        return any(
            self.matcher.match_file("/".join(parts[:depth]))
            for depth in range(1, len(parts) + 1)
        )


@dataclass
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


def _pattern_class() -> Any:
    try:  # pathspec >= 1.0
        from pathspec.patterns.gitignore.basic import GitIgnoreBasicPattern

        return GitIgnoreBasicPattern
    except ImportError:  # pathspec 0.12
        from pathspec.patterns.gitwildmatch import GitWildMatchPattern

        return GitWildMatchPattern


def parse(source: SourceFile) -> IgnoreFile:
    document = IgnoreFile(source)
    if document.parse_error is not None:
        return document
    pattern_class = _pattern_class()
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
        try:
            matcher = pattern_class("/" + pattern)
        except ValueError as exc:  # pathspec's pattern errors are ValueErrors
            document.parse_error = ParseError(f"invalid pattern {text!r}: {exc}", number)
            return document
        if getattr(matcher, "regex", True) is None:
            document.parse_error = ParseError(f"invalid pattern {text!r}", number)
            return document
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
