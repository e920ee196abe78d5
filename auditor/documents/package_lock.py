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
from typing import Any, NamedTuple

from auditor.documents import json_positions
from auditor.documents.base import Document, ParseError, SourceFile
from auditor.documents.json_positions import (
    JsonError,
    JsonObject,
    Member,
    Opaque,
    Scalar,
)
from auditor.documents.kinds import is_package_lock as matches  # noqa: F401  (the kind's test)
from auditor.records import field, record
from auditor.rule import Span

KIND = "package-lock"
_NESTED = "node_modules/"


class Kept(NamedTuple):
    """What the rules read of every entry, taken as it is decoded; the rest of the entry
    (dependency maps, integrity, URLs, licences) is decoded again from the text on demand."""

    version: str | None
    name: str | None  # the `name` field: set on aliased packages, the root and workspaces
    link: bool
    dev: bool
    engines_node: str | None
    # The packages it needs installed beside it: its dependencies, optionalDependencies and
    # non-optional peerDependencies, less those bundled in its tarball.
    requires: tuple[str, ...]


def _kept(value: Any) -> Kept | None:
    if not isinstance(value, dict):
        return None
    engines = value.get("engines")
    node = engines.get("node") if isinstance(engines, dict) else None
    version, name = value.get("version"), value.get("name")
    return Kept(
        version if isinstance(version, str) else None,
        name if isinstance(name, str) else None,
        value.get("link") is True,
        value.get("dev") is True,
        node if isinstance(node, str) else None,
        _requires(value),
    )


def _requires(value: dict[str, Any]) -> tuple[str, ...]:
    names: tuple[str, ...] = ()
    for section in ("dependencies", "optionalDependencies", "peerDependencies"):
        declared = value.get(section)
        if isinstance(declared, dict) and declared:
            names += tuple(declared)  # the keys, at C speed: this runs once per package
    bundled = value.get("bundleDependencies") or value.get("bundledDependencies")
    meta = value.get("peerDependenciesMeta")
    if not bundled and not meta:
        return names
    skipped = set(bundled) if isinstance(bundled, list) else set()
    if isinstance(meta, dict):
        skipped.update(
            k for k, v in meta.items() if isinstance(v, dict) and v.get("optional") is True
        )
    return tuple(name for name in names if name not in skipped)


class LockEntry(NamedTuple):
    path: str  # "node_modules/vite", "" for the root project
    key_start: int
    key_end: int
    value: Opaque | JsonObject
    kept: Kept

    @property
    def data(self) -> dict[str, Any]:
        """The whole entry, decoded from the text again (a few microseconds)."""
        if isinstance(self.value, JsonObject):
            return self.value.value
        data = self.value.decoded()
        return data if isinstance(data, dict) else {}

    @property
    def name(self) -> str:
        """The package's name: the part after the last node_modules/ (for an alias, the
        `name` field says which package it really is); `name` for the root and workspaces."""
        index = self.path.rfind(_NESTED)
        if index >= 0:
            return self.path[index + len(_NESTED) :]
        return self.kept.name or self.path

    @property
    def version(self) -> str | None:
        return self.kept.version

    @property
    def engines_node(self) -> str | None:
        return self.kept.engines_node

    def node(self) -> JsonObject | None:
        """The entry with the positions of its keys and values."""
        return json_positions.as_object(self.value)


@record
class PackageLock(Document):
    root: JsonObject | None = None
    lockfile_version: Member | None = None
    packages: dict[str, LockEntry] = field(default_factory=dict)
    # What rules derive from the whole lock once and share (NP004/NP005's edge check).
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

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
        root = json_positions.parse(source.text, _decode_whole, _kept)
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
            value = member.value
            kept = value.value if isinstance(value, Opaque) else _kept(value.value)
            if isinstance(kept, Kept) and isinstance(value, (Opaque, JsonObject)):
                entry = LockEntry(member.key, member.key_start, member.key_end, value, kept)
                document.packages[member.key] = entry
    return document
