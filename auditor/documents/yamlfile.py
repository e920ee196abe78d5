"""What the YAML document kinds share: loading with positions, and finding them again.

ruamel.yaml's round-trip loader keeps, on every mapping and sequence, the line and column of
each key, value and item (0-based; here 1-based like every Span). It is imported on first
parse, so a run that reads no YAML never pays for it. The loader reads YAML 1.2, where `on`
is a string; a file that declares `%YAML 1.1` gets `on` as the boolean True, which
`mapping_get` and `key_of` look through so rules never meet that trap.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.documents.base import Document, ParseError, SourceFile
from auditor.records import record

# YAML 1.1 reads these bare keys as booleans; GitHub means the words.
_BOOLEAN_SPELLINGS = {"on": True, "off": False, "yes": True, "no": False}


def load(source: SourceFile) -> tuple[Any, ParseError | None]:
    """The file's YAML as ruamel's round-trip objects, or the error where it breaks."""
    if source.error is not None:
        return None, source.error
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    loader = YAML(typ="rt", pure=True)
    try:
        return loader.load(source.text), None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = error.problem or error.context or "invalid YAML"
        return None, ParseError(f"invalid YAML: {problem}", line, column)
    except YAMLError as error:  # errors without a position (duplicate anchors, ...)
        return None, ParseError(f"invalid YAML: {error}")


def is_mapping(value: Any) -> bool:
    return isinstance(value, dict)


def is_sequence(value: Any) -> bool:
    return isinstance(value, list)


def key_of(mapping: Any, name: str) -> Any:
    """The key under which `mapping` holds `name` (True for a YAML 1.1 `on`), or None."""
    if not is_mapping(mapping):
        return None
    if name in mapping:
        return name
    spelled = _BOOLEAN_SPELLINGS.get(name)
    if spelled is not None and any(key is spelled for key in mapping):
        return spelled
    return None


def mapping_get(mapping: Any, name: str, default: Any = None) -> Any:
    key = key_of(mapping, name)
    return default if key is None else mapping[key]


def mapping_items(mapping: Any) -> Iterator[tuple[str, Any]]:
    """A mapping's items with string keys (a YAML 1.1 `on: ` key comes back as "on")."""
    if not is_mapping(mapping):
        return
    for key, value in mapping.items():
        if key is True:  # the only boolean key GitHub documents
            key = "on"
        yield str(key), value


@record
class YamlDocument(Document):
    lone_cr_ends_lines = True  # a YAML line break, as ruamel reads it
    data: Any = None  # ruamel round-trip objects (CommentedMap, CommentedSeq, scalars)

    def key_position(self, mapping: Any, key: Any) -> tuple[int, int]:
        """1-based line and column of a key in a mapping (its start for merged keys)."""
        try:
            line, column = mapping.lc.key(key)
        except (AttributeError, KeyError, TypeError):
            return self.node_position(mapping)
        return line + 1, column + 1

    def value_position(self, mapping: Any, key: Any) -> tuple[int, int]:
        try:
            line, column = mapping.lc.value(key)
        except (AttributeError, KeyError, TypeError):
            return self.key_position(mapping, key)
        return line + 1, column + 1

    def item_position(self, sequence: Any, index: int) -> tuple[int, int]:
        try:
            line, column = sequence.lc.item(index)
        except (AttributeError, KeyError, IndexError, TypeError):
            return self.node_position(sequence)
        return line + 1, column + 1

    def node_position(self, node: Any) -> tuple[int, int]:
        try:
            return node.lc.line + 1, node.lc.col + 1
        except AttributeError:
            return 1, 1

    def key_line_span(self, mapping: Any, key: Any) -> tuple[int, int, int, int]:
        """From a key to the end of its line: what a finding about that entry underlines."""
        line, column = self.key_position(mapping, key)
        return line, column, line, max(column, self.line_length(line)) + 1

    def find_text(self, needle: str, line: int, column: int) -> tuple[int, int] | None:
        """Where `needle` first occurs at or after (line, column); None when it does not."""
        if not 0 < line <= len(self.lines):
            return None
        start = self.offset(line, min(column, self.line_length(line) + 1))
        found = self.text.find(needle, start)
        return None if found < 0 else self.position(found)
