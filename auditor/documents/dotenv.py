"""Environment files: `.env.example` (and `.env.sample`, `.env.template`, `example.env`), and
`.env` itself, whose values are secrets and are never kept: only its key names are.

The scanner reads the syntax python-dotenv reads (and pydantic-settings and Docker Compose
accept): `KEY=value`, an optional `export `, `#` comments, single- or double-quoted values that
may span lines, `KEY` alone. A line python-dotenv would reject (no `=`, a key with spaces, an
unclosed quote) is a parse error at its line; the message never quotes the value. The tests
compare the keys and lines found here with python-dotenv's own parser.
"""

from __future__ import annotations

import codecs
import posixpath
import re
from typing import NamedTuple

from auditor.documents.base import Document, ParseError, SourceFile
from auditor.documents.kinds import DOTENV_SECRET_NAMES as SECRET_NAMES
from auditor.documents.kinds import is_dotenv as matches  # noqa: F401  (the kind's test)
from auditor.records import field, record

KIND = "dotenv"


# python-dotenv's key: anything up to `=`, `#` or whitespace; a quoted key is allowed too.
_KEY = re.compile(r"(?:export[ \t]+)?(?:'([^']+)'|([^=#\s]+))")


class Variable(NamedTuple):
    key: str
    line: int
    column: int  # 1-based, of the key
    value: str | None  # None for `.env` (never kept) and for a bare `KEY`
    commented: bool = False  # `# KEY=value`: documented but not set


@record
class EnvFile(Document):
    variables: list[Variable] = field(default_factory=list)

    @property
    def is_secret(self) -> bool:
        return posixpath.basename(self.path) in SECRET_NAMES

    def keys(self) -> dict[str, Variable]:
        """Set keys (not commented ones) -> the last line setting them."""
        return {v.key: v for v in self.variables if not v.commented}

    def documented(self) -> dict[str, Variable]:
        """Set keys and commented-out `# KEY=value` lines, which document a variable too."""
        found = {v.key: v for v in self.variables if v.commented}
        found.update(self.keys())
        return found


_COMMENTED = re.compile(r"#[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=")


def parse(source: SourceFile) -> EnvFile:
    document = EnvFile(source)
    if document.parse_error is not None:
        return document
    keep_values = not document.is_secret
    lines = document.lines
    index = 0
    while index < len(lines):
        raw = lines[index]
        number = index + 1
        index += 1
        stripped = raw.lstrip()
        if not stripped:
            continue
        indent = len(raw) - len(stripped)
        if stripped.startswith("#"):
            commented = _COMMENTED.match(stripped)
            if commented:
                column = indent + commented.start(1) + 1
                document.variables.append(Variable(commented.group(1), number, column, None, True))
            continue
        key_match = _KEY.match(stripped)
        if key_match is None:
            document.parse_error = ParseError("not a KEY=value line", number, indent + 1)
            return document
        key = key_match.group(1) or key_match.group(2)
        column = indent + key_match.start(1 if key_match.group(1) else 2) + 1
        rest = stripped[key_match.end() :].lstrip(" \t")
        if not rest or rest.startswith("#"):
            document.variables.append(Variable(key, number, column, None))
            continue
        if not rest.startswith("="):
            document.parse_error = ParseError(f"`{key}` is not followed by `=`", number, column)
            return document
        value_text = rest[1:].lstrip(" \t")
        if value_text[:1] in ("'", '"'):
            quote = value_text[0]
            body = value_text[1:]
            collected = [body]
            while not _closes(body, quote):
                if index >= len(lines):
                    problem = f"the value of `{key}` opens a {quote} quote that never closes"
                    document.parse_error = ParseError(problem, number, column)
                    return document
                body = lines[index]
                collected.append(body)
                index += 1
            value = "\n".join(collected)
            value = _unescape(value[: _closing_index(value, quote)], quote)
        else:
            value = value_text.split(" #", 1)[0].split("\t#", 1)[0].rstrip()
        document.variables.append(Variable(key, number, column, value if keep_values else None))
    return document


# python-dotenv decodes these escapes inside quotes (and only these).
_DOUBLE_QUOTE_ESCAPES = re.compile(r"\\[\\'\"abfnrtv]")
_SINGLE_QUOTE_ESCAPES = re.compile(r"\\[\\']")


def _unescape(value: str, quote: str) -> str:
    pattern = _DOUBLE_QUOTE_ESCAPES if quote == '"' else _SINGLE_QUOTE_ESCAPES
    return pattern.sub(lambda found: codecs.decode(found.group(0), "unicode-escape"), value)


def _closing_index(text: str, quote: str) -> int:
    position = 0
    while True:
        found = text.find(quote, position)
        if found < 0:
            return len(text)
        if _escaped(text, found):
            position = found + 1
            continue
        return found


def _closes(text: str, quote: str) -> bool:
    return _closing_index(text, quote) < len(text)


def _escaped(text: str, position: int) -> bool:
    backslashes = 0
    while position - backslashes - 1 >= 0 and text[position - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1
