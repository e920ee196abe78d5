"""What the Node rules share: finding each package.json's lockfile, telling a frontend app
from other packages, the spec's packages, and minimal JSON text edits."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from auditor.documents.kinds import PACKAGE_LOCK_NAMES as LOCK_NAMES
from auditor.expectations import Expectations
from auditor.rule import Context, Edit, Finding, Rule, Span

# Lockfiles of other package managers: a project that has one is not installed by npm ci.
OTHER_LOCKFILES = ("yarn.lock", "pnpm-lock.yaml", "bun.lockb", "bun.lock")

if TYPE_CHECKING:  # the parsers load with the first package.json (rules/node/image.py needs none)
    from auditor.documents.json_positions import JsonObject, Member
    from auditor.documents.package_json import PackageJson
    from auditor.documents.package_lock import PackageLock


def spec_packages(expect: Expectations) -> dict[str, tuple[str, str]]:
    """The packages R9.1 and R9.2 name: package -> (expected version, criterion)."""
    return {
        "react": (expect.react_version, "R9.1"),
        "react-dom": (expect.react_version, "R9.1"),
        "typescript": (expect.typescript_version, "R9.1"),
        "vite": (expect.vite_version, "R9.1"),
        "tailwindcss": (expect.tailwindcss_version, "R9.2"),
        "zustand": (expect.zustand_version, "R9.2"),
        "react-router-dom": (expect.react_router_version, "R9.2"),
    }


def is_frontend_app(package: PackageJson) -> bool:
    """A package.json of a Vite or React app (what R7 and R9 are about), not a tool's or a
    library's: it depends on vite or react."""
    return any(dependency.name in ("vite", "react") for dependency in package.dependencies)


class NodeRule(Rule):
    """A rule that looks at one parsed package.json at a time."""

    example_path = "package.json"

    def check(self, context: Context) -> Iterator[Finding]:
        from auditor.documents.package_json import PackageJson

        for document in context.project.documents("package-json"):
            if document.parse_error is None and isinstance(document, PackageJson):
                yield from self.check_package(context, document)

    def check_package(self, context: Context, package: PackageJson) -> Iterator[Finding]:
        raise NotImplementedError(f"{type(self).__name__} does not define check_package()")


def lockfile_of(context: Context, package: PackageJson) -> PackageLock | None:
    """The npm lockfile that installs this package: npm-shrinkwrap.json or package-lock.json
    in its folder, else in a folder above whose package.json lists it as a workspace (the
    lock of a workspaces project sits at its root). Parsed, possibly with a parse error
    (AU001 reports it; see `usable`); None when there is none."""
    from auditor.documents.package_lock import PackageLock

    for candidate in _lockfile_folders(context, package):
        for name in LOCK_NAMES:
            path = name if candidate == "." else f"{candidate}/{name}"
            document = context.project.document(path, "package-lock")
            if isinstance(document, PackageLock):
                return document
    return None


def usable_lockfile(context: Context, package: PackageJson) -> PackageLock | None:
    """The lockfile when it parsed and has the `packages` map (lockfileVersion 2 or 3)."""
    lock = lockfile_of(context, package)
    if lock is None or lock.parse_error is not None or lock.version not in (2, 3):
        return None
    return lock


def _lockfile_folders(context: Context, package: PackageJson) -> Iterator[str]:
    from auditor.documents.package_json import PackageJson

    yield package.folder
    folder = package.folder
    while folder != ".":
        folder = posixpath.dirname(folder) or "."
        above = context.project.document(
            "package.json" if folder == "." else f"{folder}/package.json",
            "package-json",
        )
        if (
            isinstance(above, PackageJson)
            and above.root is not None
            and above.root.get("workspaces")
        ):
            yield folder
            return


def has_other_lockfile(context: Context, package: PackageJson) -> bool:
    prefix = "" if package.folder == "." else f"{package.folder}/"
    return any(context.project.exists(prefix + name) for name in OTHER_LOCKFILES)


def lock_importer_path(lock: PackageLock, package: PackageJson) -> str:
    """The lock's key for this package.json: "" for the lock's own folder, else the
    workspace folder relative to the lock."""
    if package.folder == lock.folder:
        return ""
    if lock.folder == ".":
        return package.folder
    return package.folder[len(lock.folder) + 1 :]


# -- JSON text edits --------------------------------------------------------------------------


def replace_value(package: PackageJson | PackageLock, start: int, end: int, value: str) -> Edit:
    """Replace the JSON value between two offsets with the string `value`."""
    return Edit.replace(
        package.path, package.span(start, end), json.dumps(value, ensure_ascii=False)
    )


def _indent_before(text: str, offset: int) -> str | None:
    """The whitespace from the line start to `offset`, or None if other text precedes it."""
    line_start = text.rfind("\n", 0, offset) + 1
    before = text[line_start:offset]
    return before if before.strip() == "" else None


def _line_indent(text: str, offset: int) -> str:
    """The leading whitespace of the line that holds `offset`."""
    line_start = text.rfind("\n", 0, offset) + 1
    line = text[line_start:offset]
    return line[: len(line) - len(line.lstrip(" \t"))]


def indent_unit(package: PackageJson) -> str:
    """The file's indentation step, from its first indented line ("  " if none)."""
    for line in package.lines[1:]:
        stripped = line.lstrip(" \t")
        if stripped and len(stripped) < len(line):
            return line[: len(line) - len(stripped)]
    return "  "


def insert_member(
    package: PackageJson,
    target: JsonObject,
    key: str,
    value: object,
    before: Member | None = None,
) -> Edit:
    """Insert `"key": value` into `target`, before `before` (else at the end), in the
    object's own layout: one member per line with its indentation, or all on one line."""
    text = package.text
    rendered_key = json.dumps(key, ensure_ascii=False)
    members = target.members
    anchor = before or (members[0] if members else None)
    indent = _indent_before(text, anchor.key_start) if anchor is not None else None
    unit = indent_unit(package)
    if anchor is not None and indent is not None:  # one member per line
        rendered = _render(value, indent, unit)
        if before is not None:
            content = f"{rendered_key}: {rendered},\n{indent}"
            line, column = package.position(before.key_start)
            return Edit.insert(package.path, line, column, content)
        last = members[-1].value
        line, column = package.position(last.end)
        return Edit.insert(package.path, line, column, f",\n{indent}{rendered_key}: {rendered}")
    rendered = json.dumps(value, ensure_ascii=False)
    if before is not None:
        line, column = package.position(before.key_start)
        return Edit.insert(package.path, line, column, f"{rendered_key}: {rendered}, ")
    if members:
        line, column = package.position(members[-1].value.end)
        return Edit.insert(package.path, line, column, f", {rendered_key}: {rendered}")
    # An empty object: write the member on its own lines when the file is indented, one
    # step deeper than the line the object opens on (`"scripts": {}` included).
    outer = _line_indent(text, target.start)
    line, column = package.position(target.start + 1)
    if "\n" in text:
        inner = outer + unit
        content = f"\n{inner}{rendered_key}: {_render(value, inner, unit)}\n{outer}"
    else:
        content = f"{rendered_key}: {rendered}"
    end_line, end_column = package.position(target.end - 1)
    return Edit.replace(package.path, Span(line, column, end_line, end_column), content)


def _render(value: object, indent: str, unit: str) -> str:
    """A JSON value for a member indented by `indent`, nested objects one `unit` deeper."""
    if isinstance(value, dict) and value:
        inner = indent + unit
        items = [
            f"{inner}{json.dumps(key, ensure_ascii=False)}: {_render(item, inner, unit)}"
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    return json.dumps(value, ensure_ascii=False)


def remove_member(package: PackageJson, target: JsonObject, member: Member) -> Edit:
    """Delete `member` from `target` with the separator that belongs to it, so the object
    keeps its layout: the text up to the next member's key, else (the last member) from the
    end of the previous value; an object left empty becomes `{}`."""
    members = target.members
    index = next(i for i, candidate in enumerate(members) if candidate is member)
    if index + 1 < len(members):
        start, end = member.key_start, members[index + 1].key_start
    elif index > 0:
        start, end = members[index - 1].value.end, member.value.end
    else:
        start, end = target.start + 1, target.end - 1
    return Edit.delete_text(package.path, package.span(start, end))
