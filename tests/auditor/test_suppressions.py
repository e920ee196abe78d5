"""Suppression comments: ours by code or name, per statement or file, and hadolint's."""

from __future__ import annotations

import pytest

from auditor.testing import check_files

pytestmark = pytest.mark.usefixtures("use_rules")


def lines_found(files: dict[str, str], select: str = "TS001") -> list[tuple[str, int]]:
    return [(f.path, f.span.line) for f in check_files(files, select=select.split(","))]


def test_ignore_by_code_or_name_covers_the_next_statement() -> None:
    text = (
        "# mami-audit: ignore[TS001] pinned base on purpose\n"
        "from python:3.11 AS one\n"
        "# mami-audit: ignore[lowercase-from]\n"
        "from python:3.11 AS two\n"
        "from python:3.11 AS three\n"
    )
    assert lines_found({"Dockerfile": text}) == [("Dockerfile", 5)]


def test_ignore_covers_a_whole_multi_line_instruction() -> None:
    text = (
        "FROM python:3.11\n"
        "# mami-audit: ignore[TS001]\n"
        "RUN apt-get update \\\n"
        "from-not-an-instruction \\\n"
        "    && true\n"
    )
    # The continuation line 4 starts with "from " but belongs to the RUN on line 3.
    assert lines_found({"Dockerfile": text}) == []


def test_comments_between_pragma_and_statement_are_fine_but_a_blank_line_ends_it() -> None:
    text = (
        "# mami-audit: ignore[TS001]\n"
        "# another comment\n"
        "from python:3.11 AS a\n"
        "# mami-audit: ignore[TS001]\n"
        "\n"
        "from python:3.11 AS b\n"
    )
    found = check_files({"Dockerfile": text}, select=["TS001", "AU002"])
    assert [(f.code, f.span.line) for f in found] == [("AU002", 4), ("TS001", 6)]
    assert found[0].message == "suppression is not followed by a statement"


def test_ignore_file() -> None:
    text = "from python:3.11 AS a\nRUN true\n# mami-audit: ignore-file[TS001] generated file\nfrom python:3.11 AS b\n"
    assert lines_found({"Dockerfile": text, "other/Dockerfile": "from python:3.11\n"}) == [
        ("other/Dockerfile", 1)
    ]


def test_other_rules_are_not_suppressed() -> None:
    text = "# mami-audit: ignore[TS007]\nfrom python:3.11\n"
    found = check_files({"Dockerfile": text}, select=["TS001", "TS007"])
    # TS007 reports line 1 (the comment itself), which no pragma covers; TS001 is not named.
    assert [(f.code, f.span.line) for f in found] == [("TS007", 1), ("TS001", 2)]


def test_hadolint_pragmas_suppress_rules_with_that_peer() -> None:
    text = "# hadolint ignore=DL3006,DL9001\nfrom python:3.11 AS a\nfrom python:3.11 AS b\n"
    assert lines_found({"Dockerfile": text}) == [("Dockerfile", 3)]
    text = "# hadolint global ignore=DL9001\nfrom python:3.11 AS a\nfrom python:3.11 AS b\n"
    assert lines_found({"Dockerfile": text}) == []
    # A hadolint code no rule mirrors silences nothing of ours (and is not our business).
    text = "# hadolint ignore=DL3008\nfrom python:3.11\n"
    assert lines_found({"Dockerfile": text}, "TS001,AU002") == [("Dockerfile", 2)]


@pytest.mark.parametrize(
    ("pragma", "message"),
    [
        ("# mami-audit: ignore[NOPE1]", "suppression names unknown rule 'NOPE1'"),
        ("# mami-audit: ignore[]", "suppression names no rule"),
        ("# mami-audit: ignore TS001", "malformed suppression"),
        (
            "# mami-audit: ignore-file[TS001,bogus-name]",
            "suppression names unknown rule 'bogus-name'",
        ),
        ("#mami-audit:ignore[TS001 x", "malformed suppression"),
    ],
)
def test_invalid_pragmas_are_reported_never_crash(pragma: str, message: str) -> None:
    found = check_files({"Dockerfile": f"{pragma}\nFROM python:3.11\n"}, select=["AU002"])
    assert [f.code for f in found] == ["AU002"]
    assert found[0].message.startswith(message) and found[0].span.line == 1


def test_valid_parts_of_a_pragma_still_work() -> None:
    text = "# mami-audit: ignore[TS001,NOPE1]\nfrom python:3.11\n"
    found = check_files({"Dockerfile": text}, select=["TS001", "AU002"])
    assert [(f.code, f.span.line) for f in found] == [("AU002", 1)]


def test_pragmas_work_in_files_no_rule_parsed() -> None:
    # TS010 reports on file names only; the pragma is read from the file's plain text.
    text = "# mami-audit: ignore-file[reads-nothing]\n"
    assert lines_found({"a.nothing": text, "b.nothing": "x\n"}, "TS010") == [("b.nothing", 1)]


def test_unused_suppressions_are_reported_for_rules_that_ran() -> None:
    text = (
        "# mami-audit: ignore[TS001,TS007] only TS001 fires here\n"
        "from python:3.11 AS a\n"
        "# mami-audit: ignore-file[lowercase-from]\n"
    )
    found = check_files({"Dockerfile": text}, select=["TS001", "TS007", "AU003"])
    # TS007 reports line 1 (uncovered, so its pragma is unused); TS001's line 2 is covered,
    # so the file-wide pragma that also names TS001 is judged used.
    assert [(f.code, f.span.line, f.message) for f in found] == [
        ("AU003", 1, "suppression of TS007 is unused: it reports nothing here"),
        ("TS007", 1, "port 8000"),
    ]
    # A rule that did not run cannot be judged.
    assert check_files({"Dockerfile": text}, select=["TS001", "AU003"]) == []


def test_unused_suppression_respects_file_scope_of_the_rules() -> None:
    text = "# mami-audit: ignore-file[TS001]\nFROM python:3.11\n"
    found = check_files(
        {"Dockerfile": text, "other/Dockerfile": "from x\n"}, select=["TS001", "AU003"]
    )
    assert [(f.code, f.path) for f in found] == [
        ("AU003", "Dockerfile"),
        ("TS001", "other/Dockerfile"),
    ]
