"""Reading YAML with positions, safely: the loader the compose and observability kinds share.

ruamel.yaml's round-trip loader keeps every key's and item's line and column (`.lc`), the
anchors, merge keys (`<<`) and unknown tags such as Compose's `!reset` and `!override`. It
builds Python objects only (no arbitrary classes), refuses duplicate keys, and builds an alias
once however often it is referenced — so a "billion laughs" file loads in linear time. What
is not linear is walking the tree as if the aliases were copies, which is what interpolation
and merging do; `expanded_size` measures that walk without doing it, and a document whose
expansion is larger than `EXPANSION_LIMIT` nodes is refused as a parse error.
"""

from __future__ import annotations

from typing import Any

from auditor.documents.base import ParseError

# Characters a configuration file may have. ruamel.yaml reads about 2 MB a second here, and
# no real compose or Prometheus file comes near this; a larger one is refused, not read.
SIZE_LIMIT = 2_000_000

# Nodes a document may hold with its aliases expanded. A real compose file has a few
# thousand; a YAML bomb has billions.
EXPANSION_LIMIT = 200_000


def load(text: str) -> tuple[Any, ParseError | None]:
    """The round-trip tree of `text`, or (None, the error at the line where it breaks)."""
    if len(text) > SIZE_LIMIT:
        megabytes = len(text) / 1_000_000
        return None, ParseError(
            f"{megabytes:.1f} MB is more than a configuration file holds "
            f"(limit {SIZE_LIMIT // 1_000_000} MB); not read"
        )
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "merging" in (exc.problem or "") and exc.context_mark is not None:
            mark = exc.context_mark  # the `<<` line, not the anchor's far-away value
        message = " ".join(part for part in (exc.context, exc.problem) if part) or str(exc)
        message = message.replace("\n", " ")
        if mark is None:
            return None, ParseError(f"invalid YAML: {message}")
        return None, ParseError(f"invalid YAML: {message}", mark.line + 1, mark.column + 1)
    except YAMLError as exc:  # errors without a position (e.g. a duplicate-key warning class)
        return None, ParseError(f"invalid YAML: {str(exc).splitlines()[0]}")
    except RecursionError:
        return None, ParseError("invalid YAML: nested too deeply")
    size = expanded_size(tree, EXPANSION_LIMIT)
    if size > EXPANSION_LIMIT:
        return None, ParseError(
            f"its aliases expand to more than {EXPANSION_LIMIT} nodes (a YAML bomb?); not read"
        )
    return tree, None


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
    """1-based (line, column) where `key` is written in a round-trip mapping; None when it
    came in through a merge key (`<<: *anchor`) and so is written elsewhere."""
    try:
        line, column = mapping.lc.key(key)
    except (AttributeError, KeyError, TypeError):
        return None
    return line + 1, column + 1


def value_position(mapping: Any, key: Any) -> tuple[int, int] | None:
    try:
        line, column = mapping.lc.value(key)
    except (AttributeError, KeyError, TypeError):
        return None
    return line + 1, column + 1


def item_position(sequence: Any, index: int) -> tuple[int, int] | None:
    try:
        line, column = sequence.lc.item(index)
    except (AttributeError, KeyError, TypeError, IndexError):
        return None
    return line + 1, column + 1


def node_position(node: Any) -> tuple[int, int] | None:
    """Where a mapping or sequence starts."""
    try:
        return node.lc.line + 1, node.lc.col + 1
    except (AttributeError, TypeError):
        return None


def tag_of(node: Any) -> str | None:
    """A node's explicit local tag (`!reset`, `!override`), or None."""
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", None)
    return value if isinstance(value, str) and value.startswith("!") else None
