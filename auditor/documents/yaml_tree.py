"""Reading YAML with positions, safely and fast: the loader the compose and observability kinds
share.

PyYAML's libyaml-backed composer (C, ~50x faster than a pure-Python round-trip load) turns the
text into a node graph that knows where every node starts; this module builds the values from
it itself, so that:

- every mapping (`YamlMap`) and sequence (`YamlList`) knows the line and column of each key,
  value and item, and its local tag (Compose's `!reset` / `!override`); a tagged scalar is a
  `Tagged`;
- scalars are resolved by the YAML 1.2 core schema, as Compose (Go's yaml v3) reads them:
  `yes`, `on` and `22:22` are strings, not a boolean and a base-60 number;
- merge keys (`<<: *anchor`, or a list of anchors) work, each merged key keeping the position
  where the anchor wrote it, and a merge of anything but a mapping is an error at the `<<`;
- duplicate keys are an error at the second one (PyYAML alone would keep the last);
- an alias is built once however often it is referenced, so a "billion laughs" file loads in
  linear time. What is not linear is walking the tree as if the aliases were copies, which
  interpolation and merging do; `expanded_size` measures that walk without doing it, and a
  document whose expansion is larger than `EXPANSION_LIMIT` nodes is refused as a parse error.

Nothing here builds arbitrary Python objects: only dicts, lists, strings, numbers, booleans
and None.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from auditor.documents.base import ParseError
from auditor.lazy_pattern import LazyPattern


class Tagged(NamedTuple):
    """A scalar with an explicit local tag: `!reset null` -> Tagged(None, "!reset")."""

    value: Any
    tag: str


class YamlMap(dict):  # type: ignore[type-arg]
    """A mapping that remembers where its keys and values are written (1-based)."""

    def __init__(self) -> None:
        super().__init__()
        self.position: tuple[int, int] = (1, 1)
        self.key_positions: dict[Any, tuple[int, int]] = {}
        self.value_positions: dict[Any, tuple[int, int]] = {}
        self.tag: str | None = None


class YamlList(list):  # type: ignore[type-arg]
    def __init__(self) -> None:
        super().__init__()
        self.position: tuple[int, int] = (1, 1)
        self.item_positions: list[tuple[int, int]] = []
        self.tag: str | None = None


# Characters a configuration file may have. No real compose or Prometheus file comes near
# this; a dense 2 MB file still loads in about a second, and a larger one is refused, not read.
SIZE_LIMIT = 2_000_000

# Nodes a document may hold with its aliases expanded (what interpolation and merging walk).
# A real compose file has a few thousand; a 2 MB file at most a few hundred thousand; a YAML
# bomb has billions.
EXPANSION_LIMIT = 1_000_000


def load(text: str) -> tuple[Any, ParseError | None]:
    """The tree of `text`, or (None, the error at the line where it breaks)."""
    if len(text) > SIZE_LIMIT:
        megabytes = len(text) / 1_000_000
        return None, ParseError(
            f"{megabytes:.1f} MB is more than a configuration file holds "
            f"(limit {SIZE_LIMIT // 1_000_000} MB); not read"
        )
    import gc

    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    collecting = gc.isenabled()
    gc.disable()  # building many small objects triggers full collections for nothing
    try:
        root = yaml.compose(text, Loader=loader)
        tree = _Builder().build(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "merg" in (exc.problem or "") and exc.context_mark is not None:
            mark = exc.context_mark  # the `<<` line, not the anchor's far-away value
        message = " ".join(part for part in (exc.context, exc.problem) if part) or str(exc)
        message = message.replace("\n", " ")
        if mark is None:
            return None, ParseError(f"invalid YAML: {message}")
        return None, ParseError(f"invalid YAML: {message}", mark.line + 1, mark.column + 1)
    except yaml.YAMLError as exc:
        return None, ParseError(f"invalid YAML: {str(exc).splitlines()[0]}")
    except RecursionError:
        return None, ParseError("invalid YAML: nested too deeply")
    finally:
        if collecting:
            gc.enable()
    size = expanded_size(tree, EXPANSION_LIMIT)
    if size > EXPANSION_LIMIT:
        return None, ParseError(
            f"with its aliases expanded it has more than {EXPANSION_LIMIT} nodes "
            "(a YAML bomb?); not read"
        )
    return tree, None


def _error(context: str, context_mark: Any, problem: str, problem_mark: Any) -> Exception:
    import yaml

    return yaml.MarkedYAMLError(context, context_mark, problem, problem_mark)


# The YAML 1.2 core schema, as Go's yaml v3 (and so Compose) resolves plain scalars.
_NULL = LazyPattern(r"^(?:~|null|Null|NULL|)$")
_BOOL = LazyPattern(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = LazyPattern(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = LazyPattern(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN))$"
)
_CORE = "tag:yaml.org,2002:"


def _scalar(text: str) -> Any:
    if _NULL.match(text):
        return None
    if _BOOL.match(text):
        return text.lower() == "true"
    if _INT.match(text):
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text)
    if _FLOAT.match(text):
        lowered = text.lower()
        if lowered.endswith(".inf"):
            return float("-inf") if lowered.startswith("-") else float("inf")
        if lowered.endswith(".nan"):
            return float("nan")
        return float(text)
    return text


def _local_tag(node: Any) -> str | None:
    tag = node.tag or ""
    return tag if tag.startswith("!") else None


class _Builder:
    def __init__(self) -> None:
        self._built: dict[int, Any] = {}  # id(node) -> value: an alias is built once

    def build(self, node: Any) -> Any:
        key = id(node)
        if key in self._built:
            return self._built[key]
        import yaml

        if isinstance(node, yaml.MappingNode):
            value: Any = self._mapping(node)
        elif isinstance(node, yaml.SequenceNode):
            value = YamlList()
            self._built[key] = value
            value.position = _position(node)
            value.tag = _local_tag(node)
            for item in node.value:
                value.append(self.build(item))
                value.item_positions.append(_position(item))
        else:
            # A quoted or block scalar is a string; a plain one is resolved by the core schema
            # (an explicit `!!str 123` is read as 123: PyYAML's composer does not say whether
            # a core tag was written or resolved).
            scalar = _scalar(node.value) if _plain(node) else node.value
            tag = _local_tag(node)
            if tag:
                value = Tagged(scalar, tag)
            else:
                value = scalar
        self._built[key] = value
        return value

    def _mapping(self, node: Any) -> YamlMap:
        import yaml

        mapping = YamlMap()
        self._built[id(node)] = mapping
        mapping.position = _position(node)
        mapping.tag = _local_tag(node)
        merged: list[YamlMap] = []
        for key_node, value_node in node.value:
            if key_node.tag == _CORE + "merge" and _plain(key_node):
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for source in sources:
                    built = self.build(source)
                    if not isinstance(built, YamlMap):
                        raise _error(
                            "while constructing a mapping",
                            key_node.start_mark,
                            f"expected a mapping for merging, but found {type(built).__name__}",
                            source.start_mark,
                        )
                    merged.append(built)
                continue
            key = self.build(key_node)
            if isinstance(key, (YamlMap, YamlList)):
                raise _error(
                    "while constructing a mapping",
                    node.start_mark,
                    "a key may not be a mapping or a list",
                    key_node.start_mark,
                )
            if isinstance(key, Tagged):
                key = key.value
            if key in mapping.key_positions:
                line = mapping.key_positions[key][0]
                raise _error(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r} (first on line {line})",
                    key_node.start_mark,
                )
            mapping[key] = self.build(value_node)
            mapping.key_positions[key] = _position(key_node)
            mapping.value_positions[key] = _position(value_node)
        # Merged keys come first in a later anchor's order; the mapping's own keys win.
        for source in merged:
            for key, value in source.items():
                if key not in mapping.key_positions and key not in mapping:
                    mapping[key] = value
                    mapping.key_positions.setdefault(key, source.key_positions[key])
                    mapping.value_positions.setdefault(key, source.value_positions[key])
        return mapping


def _plain(node: Any) -> bool:
    return not node.style  # None or "" (libyaml) for a plain scalar


def _position(node: Any) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def expanded_size(tree: Any, limit: int) -> int:
    """How many nodes a walk that follows every alias would visit (stops counting past
    `limit`). Each distinct node is sized once, so this costs as much as the file's length."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def size(node: Any) -> int:
        if not isinstance(node, (dict, list)):
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in on_path:  # a recursive alias: infinite when expanded
            return limit + 1
        on_path.add(key)
        children = node.values() if isinstance(node, dict) else node
        total = 1
        for child in children:
            total += size(child)
            if total > limit:
                break
        on_path.discard(key)
        sizes[key] = total
        return total

    try:
        return size(tree)
    except RecursionError:
        return limit + 1


def key_position(mapping: Any, key: Any) -> tuple[int, int] | None:
    """1-based (line, column) where `key` is written (for a merged key: in the anchor)."""
    positions = getattr(mapping, "key_positions", None)
    return positions.get(key) if positions is not None else None


def value_position(mapping: Any, key: Any) -> tuple[int, int] | None:
    positions = getattr(mapping, "value_positions", None)
    return positions.get(key) if positions is not None else None


def item_position(sequence: Any, index: int) -> tuple[int, int] | None:
    positions = getattr(sequence, "item_positions", None)
    if positions is None or not 0 <= index < len(positions):
        return None
    return positions[index]


def node_position(node: Any) -> tuple[int, int] | None:
    """Where a mapping or sequence starts."""
    return getattr(node, "position", None)


def tag_of(node: Any) -> str | None:
    """A node's explicit local tag (`!reset`, `!override`), or None."""
    tag = getattr(node, "tag", None)
    return tag if isinstance(tag, str) and tag.startswith("!") else None
