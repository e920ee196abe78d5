"""The package-lock.json (and npm-shrinkwrap.json) model: lockfileVersion and the `packages` map.

Lockfiles grow to tens of megabytes, so the top two levels are scanned with positions and
each entry under `packages` (and the legacy `dependencies` tree of versions 1 and 2) is
decoded whole by the C decoder: an entry keeps its Python value and its offsets, and
`LockEntry.node()` gives the positions inside it on demand. Memory stays near the size of
the text plus one small dict per package; benchmarks/bench_node.py measures both.

lockfileVersion 2 and 3 carry `packages`, keyed by install path (`node_modules/a`,
`node_modules/a/node_modules/b`, and `""` for the root project). Version 1 has only the
nested `dependencies` tree: it is read for its version number alone, and a rule says it is
too old (npm 7+ rewrites it on the next install).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from auditor.documents import json_positions
from auditor.documents.base import Document, ParseError, SourceFile
from auditor.documents.json_positions import JsonError, JsonObject, Member, Node, Opaque, Scalar
from auditor.rule import Span

KIND = "package-lock"
NAMES = ("package-lock.json", "npm-shrinkwrap.json")
_NESTED = "node_modules/"


def matches(relative_path: str) -> bool:
    return posixpath.basename(relative_path) in NAMES


class LockEntry(NamedTuple):
    path: str  # "node_modules/vite", "" for the root project
    key_start: int
    key_end: int
    value: Node

    @property
    def data(self) -> dict[str, Any]:
        data = self.value.value
        return data if isinstance(data, dict) else {}

    @property
    def name(self) -> str:
        """The package's name: `name` for an alias, else the part after the last node_modules/."""
        declared = self.data.get("name")
        if isinstance(declared, str) and self.path.rfind(_NESTED) < 0:
            return declared  # the root or a workspace folder
        index = self.path.rfind(_NESTED)
        return self.path[index + len(_NESTED) :] if index >= 0 else self.path

    @property
    def version(self) -> str | None:
        version = self.data.get("version")
        return version if isinstance(version, str) else None

    @property
    def engines_node(self) -> str | None:
        engines = self.data.get("engines")
        node = engines.get("node") if isinstance(engines, dict) else None
        return node if isinstance(node, str) else None

    def node(self) -> JsonObject | None:
        """The entry with the positions of its keys and values."""
        return json_positions.as_object(self.value)


@dataclass
class PackageLock(Document):
    root: JsonObject | None = None
    lockfile_version: Member | None = None
    packages: dict[str, LockEntry] = field(default_factory=dict)

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.path) or "."

    @property
    def version(self) -> int | None:
        member = self.lockfile_version
        if member is None or not isinstance(member.value, Scalar):
            return None
        value = member.value.value
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def resolve(self, requester: str, name: str) -> LockEntry | None:
        """The entry Node's module resolution finds for `name` required from the package
        installed at `requester`: its own node_modules, then each folder above."""
        base = requester
        while True:
            prefix = f"{base}/" if base else ""
            found = self.packages.get(f"{prefix}{_NESTED}{name}")
            if found is not None:
                return found
            if not base:
                return None
            index = base.rfind(_NESTED)
            base = base[: index - 1] if index > 0 else ""

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(line, column, end_line, end_column)

    def entry_key_span(self, entry: LockEntry) -> Span:
        return self.span(entry.key_start, entry.key_end)

    def field_span(self, entry: LockEntry, key: str) -> Span:
        """Where `key`'s value sits in the entry; the entry's key when it has no such field."""
        node = entry.node()
        member = node.member(key) if node else None
        if member is None:
            return self.entry_key_span(entry)
        return self.span(member.value.start, member.value.end)


def _decode_whole(path: tuple[Any, ...]) -> bool:
    return len(path) == 2 and path[0] in ("packages", "dependencies")


def parse(source: SourceFile) -> PackageLock:
    document = PackageLock(source)
    if document.parse_error is not None:
        return document
    try:
        root = json_positions.parse(source.text, _decode_whole)
    except JsonError as exc:
        line, column = document.position(min(exc.offset, len(source.text)))
        document.parse_error = ParseError(f"invalid JSON: {exc.message}", line, column)
        return document
    if not isinstance(root, JsonObject):
        line, column = document.position(root.start)
        document.parse_error = ParseError("a lockfile must hold a JSON object", line, column)
        return document
    document.root = root
    document.lockfile_version = root.member("lockfileVersion")
    packages = root.get("packages")
    if isinstance(packages, JsonObject):
        for member in packages.members:
            if isinstance(member.value, (Opaque, JsonObject)) and isinstance(
                member.value.value, dict
            ):
                entry = LockEntry(member.key, member.key_start, member.key_end, member.value)
                document.packages[member.key] = entry
    return document
