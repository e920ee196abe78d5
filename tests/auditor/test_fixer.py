"""Fixes under the fix contract, through the CLI on real files."""

from __future__ import annotations

import json
import os
import stat

import pytest

from auditor.config import Config
from auditor.fixer import plan_fixes
from auditor.rule import registry

pytestmark = pytest.mark.usefixtures("use_rules")

DOCKERFILE = "from python:3.11-slim\n# TODO tidy up\nRUN echo hi\n"


def test_fix_applies_safe_fixes_only(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    run = cli("--select", "TS001,TS002", "--fix", "--output-format", "json", cwd=root)
    assert (
        root / "Dockerfile"
    ).read_text() == "FROM python:3.11-slim\n# TODO tidy up\nRUN echo hi\n"
    report = json.loads(run.out)
    assert [f["code"] for f in report["findings"]] == ["TS002"]
    assert report["summary"]["fixed"] == 1 and run.code == 1


def test_unsafe_fixes_need_the_flag(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    run = cli("--select", "TS001,TS002", "--fix", "--unsafe-fixes", cwd=root)
    assert (root / "Dockerfile").read_text() == "FROM python:3.11-slim\nRUN echo hi\n"
    assert run.code == 0


def test_second_fix_changes_nothing(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE, "a/Dockerfile": "from x\n", "old.orig": "junk"})
    cli("--select", "TS001,TS005,TS006", "--fix", cwd=root)
    snapshot = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    run = cli("--select", "TS001,TS005,TS006", "--fix", "--output-format", "json", cwd=root)
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == snapshot
    assert json.loads(run.out)["summary"]["fixed"] == 0 and run.code == 0


def test_crlf_bom_and_mode_are_kept_and_the_write_is_atomic(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    original = "\ufefffrom python:3.11\r\n# keep me\r\nRUN echo hi\r\n".encode()
    root = make_project({"Dockerfile": original})
    path = root / "Dockerfile"
    os.chmod(path, 0o640)
    inode = path.stat().st_ino
    cli("--select", "TS001", "--fix", cwd=root)
    assert path.read_bytes() == "\ufeffFROM python:3.11\r\n# keep me\r\nRUN echo hi\r\n".encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.stat().st_ino != inode  # replaced by rename, not rewritten in place
    assert sorted(p.name for p in root.iterdir()) == [
        "Dockerfile",
        "mami-audit.toml",
    ]  # no temp file left


def test_diff_prints_and_writes_nothing(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE, "stale.orig": "x\n"})
    before = (root / "Dockerfile").read_bytes()
    run = cli("--select", "TS001,TS005,TS006", "--diff", cwd=root)
    assert (root / "Dockerfile").read_bytes() == before
    assert not (root / ".dockerignore").exists() and (root / "stale.orig").exists()
    assert run.code == 1
    assert "--- a/Dockerfile\n+++ b/Dockerfile\n" in run.out
    assert "-from python:3.11-slim\n+FROM python:3.11-slim\n" in run.out
    assert "--- /dev/null\n+++ b/.dockerignore\n" in run.out
    assert "--- a/stale.orig\n+++ /dev/null\n" in run.out
    assert "Would fix 3 findings in 3 files." in run.err
    clean = cli("--select", "TS007", "--diff", cwd=root)
    assert clean.code == 0 and clean.out == ""


def test_diff_marks_a_last_line_without_newline_like_git(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": "from python:3.11-slim"})  # no final newline
    run = cli("--select", "TS001", "--diff", cwd=root)
    marker = "\\ No newline at end of file\n"
    assert f"-from python:3.11-slim\n{marker}+FROM python:3.11-slim\n{marker}" in run.out, run.out


def test_file_creation_and_deletion(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"svc/Dockerfile": "FROM python:3.11\n", "merge.orig": "<<<<<<<\n"})
    run = cli("--select", "TS005,TS006", "--fix", cwd=root)
    assert (root / "svc/.dockerignore").read_text() == ".git\n"
    assert not (root / "merge.orig").exists()
    assert run.code == 0


def test_overlapping_fixes_are_applied_over_several_passes(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": "FROM python:3.11\nRUN echo hi\n"})
    outcome = plan_fixes(root, Config(), [registry.get("TS008")])
    assert outcome.changed[("Dockerfile")] == b"FROM python:3.11\nRUN ECHO HI\n"
    assert outcome.passes == 2 and outcome.converged
    assert [f.message for f in outcome.fixed] == ["lower-case word", "lower-case arguments"]


def test_a_fix_that_comes_back_is_stopped_and_reported(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": "FROM python:3.11\n"})
    outcome = plan_fixes(root, Config(), [registry.get("TS009")])
    # Applied once; when the same fix re-appears the fixer stops it instead of growing the file.
    assert outcome.changed["Dockerfile"] == b"# again\nFROM python:3.11\n"
    assert len(outcome.unsettled) == 1
    assert "TS009: its fix (Add a line) re-appeared after it was applied" in outcome.unsettled[0]
    assert outcome.passes == 1


def test_a_fix_that_breaks_the_file_writes_nothing_of_it(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    text = "from python:3.11\nRUN break-me\n"
    root = make_project({"Dockerfile": text})
    run = cli("--select", "TS001,TS004", "--fix", "--output-format", "concise", cwd=root)
    # TS004's edit would leave an unknown instruction; TS001's fix to the same file still applies.
    assert (root / "Dockerfile").read_text() == "FROM python:3.11\nRUN break-me\n"
    assert "fix not applied: Dockerfile:2: TS004: fixed Dockerfile would not parse" in run.err
    assert "Dockerfile:2:1: TS004 break me" in run.out
    assert run.code == 1


def test_never_writes_outside_the_root_through_a_symlink(make_project, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    outside = tmp_path / "outside" / "Dockerfile"
    outside.parent.mkdir()
    outside.write_text("from python:3.11\n")
    root = make_project({"inside/Dockerfile": "from python:3.11\n"})
    os.symlink(outside, root / "Dockerfile")
    os.symlink(outside.parent, root / "linked")
    (root / "linked.Dockerfile").symlink_to("inside/Dockerfile")  # a link that stays inside
    run = cli("--select", "TS001", "--fix", "--output-format", "concise", cwd=root)
    assert outside.read_text() == "from python:3.11\n"
    assert "would write outside the project root" in run.err
    assert (root / "inside/Dockerfile").read_text() == "FROM python:3.11\n"
    assert (root / "linked.Dockerfile").is_symlink()  # written through, the link itself kept
    assert run.code == 1


def test_edit_paths_that_climb_out_are_refused(make_project, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from auditor.rule import Edit, Fix, Rule, Span
    from auditor.testing import registered

    class Escaping(Rule):
        code = "TS099"
        name = "escaping-fix"
        summary = "edits ../"
        fixable = True

        def check(self, context):  # type: ignore[no-untyped-def]
            fix = Fix.safe("Create", Edit.create_file("../escaped.txt", "x"))
            yield self.finding("Dockerfile", Span.point(1), "escape", fix)

    root = make_project({"Dockerfile": "FROM a\n"})
    with registered(Escaping):
        outcome = plan_fixes(root, Config(), [Escaping])
    assert outcome.changed_paths == [] and not (tmp_path / "escaped.txt").exists()
    assert outcome.rejected == [
        "Dockerfile:1: TS099: edit of '../escaped.txt' would write outside the project root"
    ]


def test_fix_with_file_paths_only_fixes_those_files(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"a/Dockerfile": "from x\n", "b/Dockerfile": "from x\n"})
    cli("--select", "TS001", "--fix", "a/Dockerfile", cwd=root)
    assert (root / "a/Dockerfile").read_text() == "FROM x\n"
    assert (root / "b/Dockerfile").read_text() == "from x\n"


def test_show_fixes_lists_what_was_fixed(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    run = cli("--select", "TS001", "--fix", "--show-fixes", "--output-format", "concise", cwd=root)
    assert "TS001" in run.out and run.code == 0


def test_non_utf8_files_are_never_edited(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    data = b"from python:3.11\nRUN echo \xe9\n"
    root = make_project({"Dockerfile": data})
    run = cli("--select", "TS001,AU001", "--fix", cwd=root)
    assert (root / "Dockerfile").read_bytes() == data and run.code == 1


def test_fix_passes_reparse_only_the_files_they_changed(make_project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import auditor.documents.dockerfile as dockerfile_kind

    parsed: list[str] = []
    real_parse = dockerfile_kind.parse

    def counting_parse(source):  # type: ignore[no-untyped-def]
        parsed.append(source.path)
        return real_parse(source)

    monkeypatch.setattr(dockerfile_kind, "parse", counting_parse)
    root = make_project({"Dockerfile": "FROM a\nRUN echo hi\n", "other/Dockerfile": "FROM b\n"})
    outcome = plan_fixes(root, Config(), [registry.get("TS008")])
    assert outcome.passes == 2
    assert parsed.count("other/Dockerfile") == 1
    # Parsed to audit each of the 3 versions, plus once per pass to check the fixed text.
    assert parsed.count("Dockerfile") == 3 + 2
