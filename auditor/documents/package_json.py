"""The package.json model: dependencies, scripts and engines with their source positions.

The whole file is scanned with positions (json_positions); package.json files are small.
What npm would refuse is a parse error at the place where it breaks: invalid JSON (a
trailing comma, a comment), and a top-level value that is not an object (an array). A
dependency section or `scripts` that is not an object is not an error here: its entries are
simply not read, and `malformed` lists it for the rules to report.
"""

from __future__ import annotations

import posixpath
from typing import NamedTuple

from auditor.documents import json_positions
from auditor.documents.base import Document, ParseError, SourceFile
from auditor.documents.json_positions import JsonError, JsonObject, Member, Scalar
from auditor.documents.kinds import is_package_json as matches  # noqa: F401  (the kind's test)
from auditor.records import field, record
from auditor.rule import Span

KIND = "package-json"
DEPENDENCY_SECTIONS = (
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
)


class Dependency(NamedTuple):
    name: str
    spec: str  # as written: "^19.2.0", "latest", "npm:react@19", "file:../x"
    section: str  # one of DEPENDENCY_SECTIONS
    member: Member  # the key and value with their offsets


class Script(NamedTuple):
    name: str
    command: str
    member: Member


@record
class PackageJson(Document):
    root: JsonObject | None = None
    dependencies: list[Dependency] = field(default_factory=list)
    scripts: dict[str, Script] = field(default_factory=dict)
    # Places npm reads that hold the wrong type: (what, member), e.g. ("scripts", member)
    malformed: list[tuple[str, Member]] = field(default_factory=list)

    @property
    def folder(self) -> str:
        """The package's folder relative to the project root ("." at the root)."""
        return posixpath.dirname(self.path) or "."

    def string_field(self, key: str) -> str | None:
        node = self.root.get(key) if self.root else None
        return node.value if isinstance(node, Scalar) and isinstance(node.value, str) else None

    @property
    def engines_node(self) -> Member | None:
        engines = self.root.get("engines") if self.root else None
        if not isinstance(engines, JsonObject):
            return None
        member = engines.member("node")
        return member if member and isinstance(member.value, Scalar) else None

    def dependency(self, name: str) -> list[Dependency]:
        return [dependency for dependency in self.dependencies if dependency.name == name]

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(line, column, end_line, end_column)

    def value_span(self, member: Member) -> Span:
        return self.span(member.value.start, member.value.end)

    def key_span(self, member: Member) -> Span:
        return self.span(member.key_start, member.key_end)


def parse(source: SourceFile) -> PackageJson:
    document = PackageJson(source)
    if document.parse_error is not None:
        return document
    try:
        root = json_positions.parse(source.text)
    except JsonError as exc:
        line, column = document.position(min(exc.offset, len(source.text)))
        document.parse_error = ParseError(f"invalid JSON: {exc.message}", line, column)
        return document
    if not isinstance(root, JsonObject):
        kind = {list: "an array", str: "a string"}.get(type(root.value), "not an object")
        line, column = document.position(root.start)
        message = f"package.json must hold a JSON object, this one holds {kind}"
        document.parse_error = ParseError(message, line, column)
        return document
    document.root = root
    for section in DEPENDENCY_SECTIONS:
        member = root.member(section)
        if member is None:
            continue
        if not isinstance(member.value, JsonObject):
            document.malformed.append((section, member))
            continue
        for entry in member.value.members:
            if isinstance(entry.value, Scalar) and isinstance(entry.value.value, str):
                document.dependencies.append(
                    Dependency(entry.key, entry.value.value, section, entry)
                )
            else:
                document.malformed.append((f"{section}.{entry.key}", entry))
    scripts = root.member("scripts")
    if scripts is not None:
        if isinstance(scripts.value, JsonObject):
            for entry in scripts.value.members:
                if isinstance(entry.value, Scalar) and isinstance(entry.value.value, str):
                    document.scripts[entry.key] = Script(entry.key, entry.value.value, entry)
                else:
                    document.malformed.append((f"scripts.{entry.key}", entry))
        else:
            document.malformed.append(("scripts", scripts))
    return document
