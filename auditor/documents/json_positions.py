"""JSON with the source position of every key and value.

The standard `json` module gives values but no positions, and rules must point at the line
of a version or a script. This scanner is a small recursive descent over the text: strings
and numbers are decoded by `json`'s own C helpers (`scanstring`, the number pattern), so the
values are exactly what `json.loads` returns. Positions are character offsets into the text;
`Document.position()` turns them into line and column.

Big files (a lockfile of 100 MB) stay fast and small: below a chosen depth the scanner hands
each value to the C decoder whole (`raw_decode`) and keeps only its Python value and its
start and end offsets, an `Opaque` node. `Opaque.expand()` scans that slice again with
positions when a rule needs them, which it does for a handful of entries at most.

What JSON does not allow is a `JsonError` at the offending place, with a message that says
what is wrong in the words users look for: a trailing comma, a comment, a single quote.
Duplicate keys are legal JSON (the last one wins in `JSON.parse`, as in `get`), so they are
recorded on the object rather than refused.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from json.decoder import scanstring
from typing import Any, NamedTuple

from auditor.lazy_pattern import LazyPattern

_WHITESPACE = frozenset(" \t\n\r")
_WHITESPACE_RE = LazyPattern(r"[ \t\n\r]*")
_COLON_RE = LazyPattern(r"[ \t\n\r]*:[ \t\n\r]*")
_SEPARATOR_RE = LazyPattern(r"[ \t\n\r]*([,}])[ \t\n\r]*")
_NUMBER_START = frozenset("-0123456789")
_LITERALS = {"true": True, "false": False, "null": None}
_DECODER = json.JSONDecoder()


class JsonError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class Member(NamedTuple):
    key: str
    key_start: int  # offset of the key's opening quote
    key_end: int  # one past its closing quote
    value: Node


class JsonObject:
    __slots__ = ("_index", "end", "members", "start")

    def __init__(self, members: list[Member], start: int, end: int) -> None:
        self.members = members
        self.start = start
        self.end = end  # one past the closing brace
        self._index: dict[str, Member] = {member.key: member for member in members}

    def member(self, key: str) -> Member | None:
        """The member of that key; the last one when it is duplicated, as JSON.parse does."""
        return self._index.get(key)

    def get(self, key: str) -> Node | None:
        found = self._index.get(key)
        return None if found is None else found.value

    def keys(self) -> list[str]:
        return list(self._index)

    def duplicates(self) -> Iterator[Member]:
        """The members whose key appears again later in this object."""
        for member in self.members:
            if self._index[member.key] is not member:
                yield member

    @property
    def value(self) -> dict[str, Any]:
        return {member.key: member.value.value for member in self._index.values()}


class JsonArray:
    __slots__ = ("end", "items", "start")

    def __init__(self, items: list[Node], start: int, end: int) -> None:
        self.items = items
        self.start = start
        self.end = end

    @property
    def value(self) -> list[Any]:
        return [item.value for item in self.items]


class Scalar(NamedTuple):
    value: Any  # str, int, float, bool or None
    start: int
    end: int


class Opaque(NamedTuple):
    """A value decoded whole by the C decoder; `expand` gives its positions on demand (and
    the whole value, where `value` may hold only the parts a `keep` function kept)."""

    value: Any
    start: int
    end: int
    text: str

    def expand(self) -> Node:
        return JsonScanner(self.text).parse_at(self.start)

    def decoded(self) -> Any:
        """The whole value, decoded again from the text."""
        return _DECODER.raw_decode(self.text, self.start)[0]


Node = JsonObject | JsonArray | Scalar | Opaque
# Decides, for a value about to be read at `path` (keys and indexes from the root), whether to
# decode it whole without positions.
OpaqueBelow = Callable[[tuple[Any, ...]], bool]


def parse(
    text: str,
    opaque: OpaqueBelow | None = None,
    keep: Callable[[Any], Any] | None = None,
) -> Node:
    """Parse a whole JSON text; raise JsonError at the first problem. `keep` turns each
    opaque value into what is kept of it (a lockfile keeps a few fields of each entry)."""
    return JsonScanner(text, opaque, keep).parse_document()


def as_object(node: Node | None) -> JsonObject | None:
    """The node as a JsonObject with positions (expanding an Opaque one), or None."""
    if isinstance(node, Opaque) and node.text.startswith("{", node.start):
        node = node.expand()
    return node if isinstance(node, JsonObject) else None


class JsonScanner:
    def __init__(
        self,
        text: str,
        opaque: OpaqueBelow | None = None,
        keep: Callable[[Any], Any] | None = None,
    ) -> None:
        self.text = text
        self.opaque = opaque
        self.keep = keep
        self._decoder = json.JSONDecoder()

    def parse_document(self) -> Node:
        index = self._skip(0)
        if index >= len(self.text):
            raise JsonError("the file is empty: expected a JSON value", index)
        node, index = self._value(index, ())
        index = self._skip(index)
        if index < len(self.text):
            raise JsonError("unexpected text after the JSON value", index)
        return node

    def parse_at(self, index: int) -> Node:
        """The value that starts at `index` (no trailing-text check)."""
        return self._value(self._skip(index), ())[0]

    # -- the grammar ------------------------------------------------------------------------

    def _value(self, index: int, path: tuple[Any, ...]) -> tuple[Node, int]:
        text = self.text
        if index >= len(text):
            raise JsonError("unexpected end of file: expected a value", index)
        char = text[index]
        if path and self.opaque is not None and self.opaque(path):
            try:
                value, end = self._decoder.raw_decode(text, index)
            except json.JSONDecodeError:
                pass  # scan it with positions to report the error in our words
            else:
                if self.keep is not None:
                    value = self.keep(value)
                return Opaque(value, index, end, text), end
        if char == "{":
            return self._object(index, path)
        if char == "[":
            return self._array(index, path)
        if char == '"':
            value, end = self._string(index)
            return Scalar(value, index, end), end
        if char in _NUMBER_START:
            return self._number(index)
        for word, literal in _LITERALS.items():
            if text.startswith(word, index):
                return Scalar(literal, index, index + len(word)), index + len(word)
        raise JsonError(self._unexpected(index, "a value"), index)

    def _object(self, start: int, path: tuple[Any, ...]) -> tuple[JsonObject, int]:
        text = self.text
        members: list[Member] = []
        index = self._skip(start + 1)
        if index < len(text) and text[index] == "}":
            return JsonObject(members, start, index + 1), index + 1
        while True:
            if index >= len(text):
                raise JsonError("unexpected end of file inside an object", index)
            if text[index] != '"':
                if text[index] == "}" and members:
                    raise JsonError("trailing comma before '}' (not allowed in JSON)", index)
                raise JsonError(self._unexpected(index, "a key in double quotes"), index)
            key_start = index
            key, key_end = self._string(index)
            # The usual layout in one regex match each (`": "` and `",\n    "`); anything
            # else (a comment, a missing colon) takes the careful path for its message.
            colon = _COLON_RE.match(text, key_end)
            if colon is not None and not text.startswith("/", colon.end()):
                value_start = colon.end()
            else:
                at = self._skip(key_end)
                if at >= len(text) or text[at] != ":":
                    raise JsonError(self._unexpected(at, "':' after the key"), at)
                value_start = self._skip(at + 1)
            value, index = self._value(value_start, (*path, key))
            members.append(Member(key, key_start, key_end, value))
            separator = _SEPARATOR_RE.match(text, index)
            if separator is not None and not text.startswith("/", separator.end()):
                if separator.group(1) == "}":
                    end = separator.start(1) + 1
                    return JsonObject(members, start, end), end
                index = separator.end()
                continue
            index = self._skip(index)
            if index < len(text) and text[index] == ",":
                index = self._skip(index + 1)
                continue
            if index < len(text) and text[index] == "}":
                return JsonObject(members, start, index + 1), index + 1
            raise JsonError(self._unexpected(index, "',' or '}'"), index)

    def _array(self, start: int, path: tuple[Any, ...]) -> tuple[JsonArray, int]:
        text = self.text
        items: list[Node] = []
        index = self._skip(start + 1)
        if index < len(text) and text[index] == "]":
            return JsonArray(items, start, index + 1), index + 1
        while True:
            if index < len(text) and text[index] == "]" and items:
                raise JsonError("trailing comma before ']' (not allowed in JSON)", index)
            item, index = self._value(index, (*path, len(items)))
            items.append(item)
            index = self._skip(index)
            if index < len(text) and text[index] == ",":
                index = self._skip(index + 1)
                continue
            if index < len(text) and text[index] == "]":
                return JsonArray(items, start, index + 1), index + 1
            raise JsonError(self._unexpected(index, "',' or ']'"), index)

    # -- tokens -----------------------------------------------------------------------------

    def _string(self, index: int) -> tuple[str, int]:
        try:
            return scanstring(self.text, index + 1, True)
        except json.JSONDecodeError as exc:
            raise JsonError(f"invalid string: {exc.msg}", exc.pos) from None

    def _number(self, index: int) -> tuple[Scalar, int]:
        try:
            value, end = self._decoder.raw_decode(self.text, index)
        except json.JSONDecodeError:
            raise JsonError(self._unexpected(index, "a number"), index) from None
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise JsonError(self._unexpected(index, "a number"), index)
        return Scalar(value, index, end), end

    def _skip(self, index: int) -> int:
        text = self.text
        if index < len(text) and text[index] in _WHITESPACE:
            index = _WHITESPACE_RE.match(text, index).end()  # type: ignore[union-attr]
        if text.startswith("/", index) and text[index + 1 : index + 2] in ("/", "*"):
            raise JsonError("comments are not allowed in JSON", index)
        return index

    def _unexpected(self, index: int, wanted: str) -> str:
        if index >= len(self.text):
            return f"unexpected end of file: expected {wanted}"
        char = self.text[index]
        if char == "'":
            return f"expected {wanted}: JSON strings take double quotes, not single"
        shown = repr(char) if char.isprintable() else f"character U+{ord(char):04X}"
        return f"expected {wanted}, found {shown}"
