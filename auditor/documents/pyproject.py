"""pyproject.toml: the dependencies a project declares (PEP 621) and its mami-audit table.

`[project] dependencies` and `[project.optional-dependencies]` are PEP 508 strings, parsed like
requirements-file lines (`auditor.documents.requirements`), each with the line it is written on.
tomllib gives values without positions, so each string is found in the text in order, from
the line of its key on: a short scan, no second TOML parser. A string that is not a valid
requirement becomes a LineProblem at its line; a file that is not valid TOML is a parse error.
"""

from __future__ import annotations

from typing import Any

from auditor.documents.base import Document, ParseError, SourceFile
from auditor.documents.kinds import is_pyproject as matches  # noqa: F401  (the kind's test)
from auditor.documents.requirements import LineProblem, LogicalLine, Requirement, RequirementsFile
from auditor.lazy_pattern import LazyPattern
from auditor.records import field, record

KIND = "pyproject"

_TOML_POSITION_RE = LazyPattern(r"\(at line (\d+), column (\d+)\)")
_TABLE_RE = LazyPattern(r"^\s*\[+\s*([^\]]+?)\s*\]+")


@record
class Pyproject(Document):
    data: dict[str, Any] = field(default_factory=dict)
    # "" for [project] dependencies, else the optional-dependencies group (extra) name.
    groups: dict[str, list[Requirement]] = field(default_factory=dict)
    problems: list[LineProblem] = field(default_factory=list)

    @property
    def dependencies(self) -> list[Requirement]:
        return self.groups.get("", [])

    @property
    def requirements(self) -> list[Requirement]:
        """Every declared requirement, optional groups included."""
        return [requirement for group in self.groups.values() for requirement in group]


def parse(source: SourceFile) -> Pyproject:
    document = Pyproject(source)
    if document.parse_error is not None:
        return document
    import tomllib

    try:
        document.data = tomllib.loads(source.text)
    except tomllib.TOMLDecodeError as error:
        position = _TOML_POSITION_RE.search(str(error))
        line, column = (int(position.group(1)), int(position.group(2))) if position else (1, 1)
        message = _TOML_POSITION_RE.sub("", str(error)).strip()
        document.parse_error = ParseError(f"invalid TOML: {message}", line, column)
        return document
    project = document.data.get("project")
    if not isinstance(project, dict):
        return document
    locator = _Locator(document)
    declared = project.get("dependencies")
    if isinstance(declared, list):
        document.groups[""] = _read(document, locator, "project", "dependencies", declared)
    optional = project.get("optional-dependencies")
    if isinstance(optional, dict):
        for extra, items in optional.items():
            if isinstance(items, list):
                table = "project.optional-dependencies"
                document.groups[extra] = _read(document, locator, table, extra, items)
    return document


def _read(
    document: Pyproject, locator: _Locator, table: str, key: str, items: list[Any]
) -> list[Requirement]:
    from auditor.documents.requirements import _add_requirement

    holder = RequirementsFile(document.source)
    start = locator.key_line(table, key)
    for item in items:
        if not isinstance(item, str):
            document.problems.append(LineProblem(start, 1, start, f"{key}: not a string"))
            continue
        line, column = locator.string(item, start)
        start = line
        logical = LogicalLine(line, line, column, item)
        _add_requirement(holder, logical, item.strip(), [], editable=False)
    document.problems.extend(holder.problems)
    return holder.requirements


class _Locator:
    """Finds where a table's key and its strings are written."""

    def __init__(self, document: Pyproject) -> None:
        self.lines = document.lines
        # The first line of each `key = ...` per table, found in one pass: looking each key
        # up by rescanning the file made a pyproject with many extras quadratic.
        self.key_lines: dict[tuple[str, str], int] = {}
        current = ""
        for number, text in enumerate(self.lines, start=1):
            header = _TABLE_RE.match(text)
            if header:
                current = header.group(1).replace('"', "").replace(" ", "")
                continue
            stripped = text.lstrip()
            if "=" in stripped:
                bare = stripped.split("=", 1)[0].strip().strip("\"'")
                self.key_lines.setdefault((current, bare), number)

    def key_line(self, table: str, key: str) -> int:
        """`key = [` under [table], or `last.key = [` under the table's parent; 1 if neither."""
        parent, _, last = table.rpartition(".")
        found = [self.key_lines.get((table, key))]
        if parent:
            found.append(self.key_lines.get((parent, f"{last}.{key}")))
        return min((number for number in found if number is not None), default=1)

    def string(self, value: str, start: int) -> tuple[int, int]:
        for quote in ('"', "'"):
            needle = f"{quote}{value}{quote}"
            for number in range(start, len(self.lines) + 1):
                column = self.lines[number - 1].find(needle)
                if column >= 0:
                    return number, column + 2
        return start, 1
