"""One Compose file: its YAML tree with positions, and which files Compose reads.

Compose looks in a folder for `compose.yaml`, `compose.yml`, `docker-compose.yaml` and
`docker-compose.yml` (in that order; the first found is the base), then for the matching
`.override` file, which it applies on top. Other `docker-compose.<x>.yml` / `compose.<x>.yaml`
files (e.g. `docker-compose.prod.yml`) are overrides the user names with `-f`; we read each as
an override of the base. The stack as Compose merges it is in `auditor.facts.compose`.

A file that is not YAML, holds a YAML bomb or duplicate keys, or is not a mapping at its top
has a parse error (reported by AU001) and no tree; the other files are still read.
"""

from __future__ import annotations

import posixpath
from typing import Any

from auditor.documents import yaml_tree
from auditor.documents.base import Document, ParseError, SourceFile
from auditor.documents.kinds import COMPOSE_BASE_NAMES as BASE_NAMES
from auditor.documents.kinds import is_compose as matches  # noqa: F401  (the kind's test)
from auditor.records import record

KIND = "compose"

# Compose's own order of preference for the base file of a folder.


def role(relative_path: str) -> str:
    """ "base", "override" (the `.override` file Compose applies by itself) or "variant"
    (another `docker-compose.<x>.yml`, applied with `-f` on top of the base)."""
    name = posixpath.basename(relative_path)
    if name in BASE_NAMES:
        return "base"
    stem = name.rsplit(".", 1)[0]
    return "override" if stem.endswith(".override") else "variant"


def variant_name(relative_path: str) -> str:
    """`docker-compose.prod.yml` -> "prod"; "" for a base file."""
    name = posixpath.basename(relative_path)
    if name in BASE_NAMES:
        return ""
    stem = name.rsplit(".", 1)[0]
    return stem.split(".", 1)[1]


@record
class ComposeFile(Document):
    tree: Any = None  # the top-level YamlMap (see yaml_tree); None on a parse error

    def key_line(self, mapping: Any, key: str) -> int:
        position = yaml_tree.key_position(mapping, key)
        return position[0] if position else 1


def parse(source: SourceFile) -> ComposeFile:
    if source.error is not None:
        return ComposeFile(source)
    if not source.text.strip():
        return ComposeFile(source, ParseError("empty compose file: Compose refuses to load it"))
    tree, error = yaml_tree.load(source.text)
    if error is not None:
        return ComposeFile(source, error)
    if tree is None:
        return ComposeFile(source, ParseError("empty compose file: Compose refuses to load it"))
    if not isinstance(tree, dict):
        kind = "a list" if isinstance(tree, list) else f"a {type(tree).__name__}"
        return ComposeFile(
            source, ParseError(f"a compose file must be a mapping at its top, not {kind}")
        )
    return ComposeFile(source, tree=tree)
