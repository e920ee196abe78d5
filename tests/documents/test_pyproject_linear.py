"""A pyproject with many optional-dependency groups: where each group's key is written is
found from one pass over the lines, not a rescan of the file per group (which made a 0.5 MB
pyproject take most of a minute; issue 8). The test counts line reads, not seconds."""

from __future__ import annotations

from pathlib import Path

from auditor.documents import pyproject
from auditor.documents.base import SourceFile


class CountingPattern:
    def __init__(self, pattern) -> None:  # type: ignore[no-untyped-def]
        self.pattern = pattern
        self.calls = 0

    def match(self, text: str):  # type: ignore[no-untyped-def]
        self.calls += 1
        return self.pattern.match(text)


def test_group_keys_are_located_in_one_pass_over_the_lines(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    counting = CountingPattern(pyproject._TABLE_RE)
    monkeypatch.setattr(pyproject, "_TABLE_RE", counting)
    groups = 300
    text = '[project]\nname = "app"\ndependencies = ["fastapi"]\n[project.optional-dependencies]\n'
    text += "".join(f'group{n} = ["package-{n}==1.0"]\n' for n in range(groups))
    document = pyproject.parse(
        SourceFile.from_bytes("pyproject.toml", Path("pyproject.toml"), text.encode())
    )
    assert len(document.groups) == groups + 1
    assert document.groups["group299"][0].line == 4 + 300  # still located right
    assert counting.calls <= 2 * len(text.splitlines())
