"""Issue 8's reproductions, each kept as a test: edits that must not change or lose data,
special files that must not hang a run, and what the fixer does when the disk moves under it.

The cases run the real DF rules through the CLI on real files; where the point is the fixer's
own contract, small rules defined here exercise it directly.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import rules
from auditor.config import Config, ConfigError
from auditor.documents import dockerfile
from auditor.documents.base import SourceFile
from auditor.fixer import MAX_PASSES, plan_fixes, write_changes
from auditor.project import Project
from auditor.rule import Context, Edit, Finding, Fix, Rule, Span, registry
from auditor.testing import registered

rules.load_all()

PYTHON_APP = 'FROM python:3.11-slim\nENV PYTHONUNBUFFERED=1\nRUN pip install --no-cache-dir fastapi\nCMD ["python","app.py"]\n'


def parsed(data: bytes) -> dockerfile.Dockerfile:
    document = dockerfile.parse(SourceFile.from_bytes("Dockerfile", Path("Dockerfile"), data))
    assert document.parse_error is None, document.parse_error
    return document


def hadolint_parses(path: Path) -> bool:
    binary = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    done = subprocess.run(
        [binary, "--no-fail", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return "DL1000" not in done.stdout and done.returncode == 0


def fix_twice(cli, root: Path, *options: str) -> bytes:  # type: ignore[no-untyped-def]
    """--fix, then --fix again; the second must change nothing. Returns the Dockerfile."""
    cli("--fix", *options, cwd=root)
    first = (root / "Dockerfile").read_bytes()
    cli("--fix", *options, cwd=root)
    assert (root / "Dockerfile").read_bytes() == first, "a second --fix changed the file"
    return first


# -- 1. a continuation at the end of the file -------------------------------------------------


def test_01_lines_inserted_after_a_continuation_at_eof_stay_instructions(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    text = (
        "FROM python:3.11-slim\nENV PYTHONUNBUFFERED=1\nRUN pip install --no-cache-dir fastapi \\\n"
    )
    root = make_project({"Dockerfile": text})
    fixed = fix_twice(cli, root, "--unsafe-fixes")
    document = parsed(fixed)
    run = document.of_keyword("RUN")[0]
    assert run.arguments == "pip install --no-cache-dir fastapi"  # nothing glued onto it
    assert [i.keyword for i in document.final_stage.instructions].count("USER") == 1  # type: ignore[union-attr]
    assert "DF001" not in cli("--output-format", "concise", cwd=root).out


class GluingInsert(Rule):
    """Test rule: appends a USER line with a raw insertion, whatever the file ends with."""

    code = "TS101"
    name = "gluing-insert"
    summary = "inserts lines at the end of the file"
    fixable = True

    def check(self, context: Context) -> Iterator[Finding]:
        for document in context.project.documents("dockerfile"):
            if document.parse_error is None and "USER" not in document.text:
                end = len(document.lines) + 1
                fix = Fix.safe("Add USER", Edit.insert(document.path, end, 1, "USER mami\n"))
                yield self.finding(document, Span.point(1), "no USER", fix)


def test_01_the_fixer_refuses_lines_that_would_join_the_statement_before(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": "FROM python:3.11-slim\nRUN echo hi \\\n"})
    with registered(GluingInsert):
        outcome = plan_fixes(root, Config(), [GluingInsert])
    assert outcome.changed_paths == []
    assert "would join the statement before" in outcome.rejected[0]


# -- 2, 3. line endings ------------------------------------------------------------------------


def test_02_a_lone_cr_in_a_comment_stays_in_the_comment(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    text = b'FROM python:3.11-slim\nENV PYTHONUNBUFFERED=1\n# disabled:\rRUN pip install -r requirements.txt\nCMD ["python","app.py"]\n'
    root = make_project({"Dockerfile": text})
    cli("--fix", "--select", "DF006", cwd=root)
    # Docker reads the third line as one comment (only \n and \r\n end lines): no pip to fix.
    assert (root / "Dockerfile").read_bytes() == text
    assert [i.keyword for i in parsed(text).instructions] == ["FROM", "ENV", "CMD"]


def test_03_lines_no_edit_touched_keep_their_own_line_ends(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    text = b'FROM python:3.11-slim\r\nENV PYTHONUNBUFFERED=1\nRUN pip install -r requirements.txt\r\n# note\nCMD ["python","app.py"]\r\n'
    root = make_project({"Dockerfile": text})
    cli("--fix", "--select", "DF006", cwd=root)
    assert (root / "Dockerfile").read_bytes() == text.replace(
        b"pip install -r", b"pip install --no-cache-dir -r"
    )


def test_03_inserted_lines_take_the_line_end_of_their_neighbours(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    text = b'FROM python:3.11-slim\nRUN pip install --no-cache-dir fastapi\r\nCMD ["python","app.py"]\r\n'
    root = make_project({"Dockerfile": text})
    cli("--fix", "--select", "DF009", cwd=root)
    # Inserted before line 2, the new line ends as line 2 does; line 1 keeps its "\n".
    assert (root / "Dockerfile").read_bytes() == text.replace(
        b"\nRUN", b"\nENV PYTHONUNBUFFERED=1\r\nRUN"
    )


# -- 4. the backtick escape ---------------------------------------------------------------------


def test_04_the_authors_label_keeps_the_maintainer_text_under_a_backtick_escape(
    make_project, cli
) -> None:  # type: ignore[no-untyped-def]
    text = '# escape=`\nFROM python:3.11-slim\nMAINTAINER Some "Guy" \\ $HOME\n'
    root = make_project({"Dockerfile": text})
    fixed = fix_twice(cli, root, "--select", "DF026")
    label = parsed(fixed).of_keyword("LABEL")[0]
    assert label.key_values() == [("org.opencontainers.image.authors", 'Some "Guy" \\ $HOME')]


def test_04_an_added_healthcheck_continues_with_the_files_escape_character(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    text = '# escape=`\r\nFROM python:3.11-slim\r\nCMD ["uvicorn", "app.main:app"]\r\n'
    root = make_project({"Dockerfile": text})
    run = cli("--fix", "--unsafe-fixes", "--select", "DF002", cwd=root)
    assert "fix not applied" not in run.err
    fixed = (root / "Dockerfile").read_bytes()
    assert parsed(fixed).of_keyword("HEALTHCHECK")[0].healthcheck().exec_form  # type: ignore[union-attr]
    assert b"--retries=3 `\r\n    CMD" in fixed


# -- 5. a heredoc closing at the end of the file --------------------------------------------------


def test_05_lines_appended_after_a_heredoc_at_eof_still_parse_in_hadolint(
    make_project, cli
) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": "FROM python:3.11-slim\nRUN <<EOF\necho hi\nEOF"})
    assert hadolint_parses(root / "Dockerfile")
    fixed = fix_twice(cli, root, "--unsafe-fixes")
    assert b"USER mami" in fixed
    assert hadolint_parses(root / "Dockerfile")


# -- 6. fixes that never settle -------------------------------------------------------------------


def test_06_a_folder_with_a_trailing_slash_is_normalised_and_fixes_settle(
    make_project, cli
) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": PYTHON_APP})
    (root / "mami-audit.toml").write_text('[expect]\ndata-dir = "/app/data/"\n')
    assert (
        Config.from_mapping({"expect": {"data-dir": "/app//data/"}}).expect.data_dir == "/app/data"
    )
    run = cli("--fix", "--unsafe-fixes", cwd=root)
    fixed = fix_twice(cli, root, "--unsafe-fixes")
    assert fixed.count(b"mkdir") == 1 and b"/app/data " in fixed
    assert "still applied" not in run.err


@pytest.mark.parametrize("user", ["root", "0", "000"])
def test_06_expecting_root_as_the_user_is_refused(user: str) -> None:
    with pytest.raises(ConfigError, match="expect.user: expected a non-root user"):
        Config.from_mapping({"expect": {"user": user}})


class CountingLines(Rule):
    """Test rule: wants one more numbered comment each time (a new fix text every pass)."""

    code = "TS102"
    name = "counting-lines"
    summary = "never satisfied"
    fixable = True

    def check(self, context: Context) -> Iterator[Finding]:
        for document in context.project.documents("dockerfile"):
            count = document.text.count("# line")
            edit = Edit.insert(document.path, 1, 1, f"# line {count}\n")
            yield self.finding(document, Span.point(1), "more", Fix.safe("Add one", edit))


def test_06_a_fix_that_changes_each_pass_is_still_bounded(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": "FROM python:3.11\n"})
    outcome = plan_fixes(root, Config(), [CountingLines])
    assert not outcome.converged and outcome.passes == MAX_PASSES


# -- 7. a symlinked folder named as PATH ---------------------------------------------------------


def test_07_a_symlinked_folder_pointing_outside_keeps_the_project_root_and_config(
    make_project, cli, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"mami-audit.toml": 'select = ["DF026"]\n'})
    outside = tmp_path / "outside" / "sub"
    outside.mkdir(parents=True)
    text = "FROM python:3.11-slim\nMAINTAINER x\n"
    (outside / "Dockerfile").write_text(text)
    (root / "link").symlink_to(outside)
    run = cli("--fix", "--output-format", "json", "link", cwd=root)
    assert (outside / "Dockerfile").read_text() == text  # nothing outside the root is written
    report = json.loads(run.out)
    assert {finding["code"] for finding in report["findings"]} == {"DF026"}  # the config held
    assert report["findings"][0]["path"] == "link/Dockerfile"
    assert "outside" in run.err and run.code != 0


# -- 8. the disk moves while --fix runs -------------------------------------------------------------


def test_08_a_file_edited_after_it_was_read_is_left_as_the_user_left_it(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": "FROM python:3.11-slim\nMAINTAINER x\n"})
    outcome = plan_fixes(root, Config(), [registry.get("DF026")])
    assert outcome.changed_paths == ["Dockerfile"]
    users_edit = "FROM python:3.11-slim\nMAINTAINER x\nRUN echo the user typed this\n"
    (root / "Dockerfile").write_text(users_edit)
    problems = [str(problem) for problem in write_changes(outcome)]
    assert (root / "Dockerfile").read_text() == users_edit
    assert problems == [
        "Dockerfile: not written: it changed on disk since it was read; left as it is (run again)"
    ]


def test_08_a_same_size_rewrite_within_one_clock_tick_is_noticed(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": "FROM python:3.11-slim\nMAINTAINER x\n"})
    path = root / "Dockerfile"
    outcome = plan_fixes(root, Config(), [registry.get("DF026")])
    before = path.stat()
    with open(path, "r+b") as stream:  # same inode, same size
        stream.write(b"from")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same mtime
    assert write_changes(outcome) and path.read_bytes().startswith(b"from python")


def test_08_a_safe_fix_does_not_revert_what_an_unsafe_run_wrote_meanwhile(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project(
        {"Dockerfile": PYTHON_APP.replace("ENV PYTHONUNBUFFERED=1\n", "MAINTAINER x\n")}
    )
    selected = [registry.get("DF001"), registry.get("DF026")]
    unsafe = plan_fixes(root, Config(), selected, unsafe=True)
    safe = plan_fixes(root, Config(), selected)  # started while the unsafe run is running
    assert write_changes(unsafe) == []
    written = (root / "Dockerfile").read_bytes()
    assert b"USER mami" in written
    assert write_changes(safe) and (root / "Dockerfile").read_bytes() == written


class CreatesIgnoreFile(Rule):
    """Test rule: a Dockerfile without a .dockerignore beside it; the fix creates one."""

    code = "TS103"
    name = "creates-ignore-file"
    summary = "creates a file"
    fixable = True

    def check(self, context: Context) -> Iterator[Finding]:
        for document in context.project.documents("dockerfile"):
            if not context.project.exists(".dockerignore"):
                fix = Fix.safe("Create it", Edit.create_file(".dockerignore", ".git\n"))
                yield self.finding(document, Span.point(1), "no .dockerignore", fix)


def test_08_a_file_a_fix_creates_is_not_clobbered_if_it_appeared_meanwhile(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": "FROM python:3.11-slim\n"})
    outcome = plan_fixes(root, Config(), [CreatesIgnoreFile])
    assert outcome.changed_paths == [".dockerignore"]
    (root / ".dockerignore").write_text("the user's own\n")
    assert [str(problem) for problem in write_changes(outcome)] == [
        ".dockerignore: not written: it was created since mami-audit looked; left as it is"
    ]
    assert (root / ".dockerignore").read_text() == "the user's own\n"


# -- 11. temp files of a killed run -----------------------------------------------------------------


def test_11_a_killed_runs_temp_file_is_never_audited_and_the_next_fix_removes_it(
    make_project, cli
) -> None:  # type: ignore[no-untyped-def]
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # its pid is free now: a run that was killed
    stale = f".Dockerfile.mami-audit-{dead.pid}.tmp"
    alive = f".Dockerfile.mami-audit-{os.getppid()}.tmp"  # our parent runs on
    root = make_project(
        {
            "Dockerfile": "FROM python:3.11-slim\nMAINTAINER x\n",
            stale: "FROM python:3.11-slim\nMAINTAINER half-written",
            alive: "being written by a live run",
        }
    )
    project = Project(root, Config())
    assert project.files() == ["Dockerfile", "mami-audit.toml"]
    assert sorted(project.stale_temp_files) == sorted([stale, alive])
    cli("--fix", "--select", "DF026", cwd=root)
    assert not (root / stale).exists()  # its process is gone: removed
    assert (root / alive).exists()  # a live process's temp file is left alone
    names = sorted(p.name for p in root.iterdir())
    assert names == sorted(["Dockerfile", "mami-audit.toml", alive])


# -- 12. special files and the size cap --------------------------------------------------------


@pytest.mark.parametrize("git", [False, True])
def test_12_a_fifo_named_dockerfile_is_reported_not_read(make_project, run_subprocess, git) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"app/Dockerfile": PYTHON_APP}, git=git)
    os.mkfifo(root / "Dockerfile")
    os.mkfifo(root / ".dockerignore")
    done = run_subprocess(
        "--output-format", "concise", "--select", "AU001", ".", "Dockerfile", cwd=root
    )
    assert "Dockerfile:1:1: AU001 cannot parse: not read: a FIFO, not a regular file" in done.stdout
    assert done.returncode == 1


def test_12_a_dockerfile_linked_to_dev_zero_is_reported_not_read(
    make_project, run_subprocess
) -> None:  # type: ignore[no-untyped-def]
    root = make_project({})
    (root / "Dockerfile").symlink_to("/dev/zero")
    done = run_subprocess("--output-format", "concise", "--select", "AU001", cwd=root)
    assert "AU001 cannot parse: not read: a character device, not a regular file" in done.stdout


def test_12_a_file_over_the_size_limit_gets_one_finding_saying_why(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": PYTHON_APP + "RUN echo " + "x" * 3000 + "\n"})
    (root / "mami-audit.toml").write_text('max-file-size = "2KB"\nselect = ["AU001", "DF"]\n')
    run = cli("--output-format", "concise", cwd=root)
    assert run.out.splitlines()[0] == (
        "Dockerfile:1:1: AU001 cannot parse: not read: 3118 bytes is over the size limit of "
        "2000 bytes (max-file-size in the config)"
    )
    assert "DF" not in run.out  # the file was not read, so no DF rule saw it


def test_12_max_file_size_is_validated() -> None:
    assert Config.from_mapping({"max-file-size": "1.5MiB"}).max_file_size == 1572864
    assert Config.from_mapping({"max-file-size": 4096}).max_file_size == 4096
    for bad in ("big", 0, "-1MB", True):
        with pytest.raises(ConfigError, match="max-file-size"):
            Config.from_mapping({"max-file-size": bad})


def test_14_a_config_that_is_not_a_regular_file_says_so(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": PYTHON_APP})
    run = cli("--config", "/dev/zero", cwd=root)
    assert run.code == 2
    assert (
        run.err
        == "mami-audit: error: /dev/zero: not read: a character device, not a regular file\n"
    )


# -- 9, 10, 14. the report's own output --------------------------------------------------------


@pytest.mark.parametrize("target", ["Dockerfile", "mami-audit.toml", "./sub/../Dockerfile"])
def test_09_the_report_never_overwrites_an_audited_file(make_project, cli, target) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": "FROM python:3.11-slim\nMAINTAINER x\n", "sub/x": ""})
    before = {path: (root / path).read_bytes() for path in ("Dockerfile", "mami-audit.toml")}
    run = cli("--fix", "-o", target, cwd=root)
    assert run.code == 2
    assert "refusing to overwrite" in run.err
    assert {path: (root / path).read_bytes() for path in before} == before  # not even fixed
    (root / "mami-audit.toml").write_text("")
    assert cli("-o", "report.txt", cwd=root).code == 1  # a report of an earlier run is no file
    assert cli("-o", "report.txt", cwd=root).code == 1  # to audit: overwriting it is fine


def test_10_a_file_name_that_is_not_utf8_is_escaped_and_the_report_made_before_writing(
    make_project, cli
) -> None:  # type: ignore[no-untyped-def]
    root = make_project({})
    folder = os.fsdecode(b"caf\xe9")
    write = root / folder / "Dockerfile"
    write.parent.mkdir()
    write.write_text("FROM python:3.11-slim\nMAINTAINER x\n")
    for output_format in ("sarif", "json", "full", "concise", "github"):
        write.write_text("FROM python:3.11-slim\nMAINTAINER x\n")
        run = cli("--fix", "--select", "DF026,DF002", "--output-format", output_format,
                  "-o", "report.out", cwd=root)  # fmt: skip
        assert run.code == 1, (output_format, run.err)
        report = (root / "report.out").read_text(encoding="utf-8")
        if output_format == "json":
            assert json.loads(report)["findings"][0]["path"] == "caf\\xe9/Dockerfile"
        elif output_format == "sarif":
            assert '"uri": "caf%5Cxe9/Dockerfile"' in report
        else:
            assert "caf\\xe9/Dockerfile" in report, (output_format, report)
        assert "LABEL" in write.read_text()


def test_10_a_report_that_cannot_be_made_writes_no_fix(make_project, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import auditor.report

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the renderer fell over")

    monkeypatch.setattr(auditor.report, "render", broken)
    text = "FROM python:3.11-slim\nMAINTAINER x\n"
    root = make_project({"Dockerfile": text})
    run = cli("--fix", "--select", "DF026", cwd=root)
    assert run.code == 3 and "the renderer fell over" in run.err
    assert (root / "Dockerfile").read_text() == text


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_14_a_report_that_cannot_be_written_is_one_line_and_exit_2(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": PYTHON_APP})
    run = cli("-o", "/dev/full", cwd=root)
    assert run.code == 2
    assert run.err == "mami-audit: error: cannot write /dev/full: No space left on device\n"


# -- also from issue 15: a PATH that cannot be read, a fix that cannot be written, sub-roots ---


class FixesReadOnlyFile(Rule):
    """Test rule: a lower-case `from`; safe fix to upper case (as the engine tests' TS001)."""

    code = "TS104"
    name = "upper-from"
    summary = "from in lower case"
    fixable = True

    def check(self, context: Context) -> Iterator[Finding]:
        for document in context.project.documents("dockerfile"):
            for number, line in enumerate(document.lines, 1):
                if line.startswith("from "):
                    span = Span(number, 1, number, 5)
                    fix = Fix.safe("Write FROM", Edit.replace(document.path, span, "FROM"))
                    yield self.finding(document, span, "write FROM in upper case", fix)


def test_a_fix_that_cannot_be_written_still_reports_what_is_left(
    make_project, cli, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import auditor.fixer

    root = make_project(
        {"a/Dockerfile": "from python:3.11\n", "b/Dockerfile": "from python:3.11\n"}
    )
    real_write = auditor.fixer._write_one

    def failing(root_, path, data, expected):  # type: ignore[no-untyped-def]
        if path == "a/Dockerfile":
            raise PermissionError(13, "Permission denied")
        return real_write(root_, path, data, expected)

    monkeypatch.setattr(auditor.fixer, "_write_one", failing)
    with registered(FixesReadOnlyFile):
        run = cli("--fix", "--select", "TS104", "--output-format", "json", cwd=root)
    assert run.err == "mami-audit: error: a/Dockerfile: not written: Permission denied\n"
    assert run.code == 2
    report = json.loads(run.out)
    assert [finding["path"] for finding in report["findings"]] == ["a/Dockerfile"]
    assert report["summary"]["fixed"] == 1  # b/Dockerfile's
    assert (root / "b/Dockerfile").read_text() == "FROM python:3.11\n"


def test_paths_are_shown_from_the_current_folder_when_a_subfolder_is_its_own_root(
    make_project, cli
) -> None:  # type: ignore[no-untyped-def]
    root = make_project(
        {
            "services/api/pyproject.toml": "",
            "services/api/Dockerfile": PYTHON_APP.replace("ENV PYTHONUNBUFFERED=1\n", ""),
        }
    )
    for output_format, needle in (
        ("github", "file=services/api/Dockerfile,"),
        ("concise", "services/api/Dockerfile:1:1: DF009"),
        ("json", '"path": "services/api/Dockerfile"'),
        ("sarif", '"uri": "services/api/Dockerfile"'),
    ):
        run = cli("--select", "DF009", "--output-format", output_format, "services/api", cwd=root)
        assert needle in run.out, (output_format, run.out)
    inside = cli("--select", "DF009", "--output-format", "concise", cwd=root / "services/api")
    assert inside.out.startswith("Dockerfile:1:1: DF009")


def test_the_run_says_when_a_fix_was_stopped_for_coming_back(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": "FROM python:3.11\n"})

    class ComesBack(Rule):
        """Test rule: always one more comment line at the top."""

        code = "TS105"
        name = "comes-back"
        summary = "never settles"
        fixable = True

        def check(self, context: Context) -> Iterator[Finding]:
            for document in context.project.documents("dockerfile"):
                fix = Fix.safe("Add a line", Edit.insert(document.path, 1, 1, "# again\n"))
                yield self.finding(document, Span.point(1), "once more", fix)

    with registered(ComesBack):
        run = cli("--fix", "--select", "TS105", cwd=root)
    assert (root / "Dockerfile").read_text() == "# again\nFROM python:3.11\n"
    assert (
        "mami-audit: warning: fix stopped: Dockerfile: TS105: its fix (Add a line) re-appeared"
        in run.err
    )


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root and setpriv to run as nobody",
)
def test_an_unreadable_path_named_on_the_command_line_is_an_au001_finding(run_subprocess) -> None:  # type: ignore[no-untyped-def]
    import pwd
    import tempfile

    nobody = pwd.getpwnam("nobody").pw_uid
    with tempfile.TemporaryDirectory(prefix="mami-audit-perm-") as folder:
        root = Path(folder)
        (root / "mami-audit.toml").write_text("")
        (root / "Dockerfile").write_text("FROM python:3.11\n")
        os.chmod(root, 0o755)
        os.chmod(root / "mami-audit.toml", 0o644)
        os.chmod(root / "Dockerfile", 0o000)
        done = run_subprocess(
            "--select",
            "AU001",
            "--output-format",
            "concise",
            "Dockerfile",
            cwd=root,
            user=str(nobody),
        )
    assert done.stdout.startswith(
        "Dockerfile:1:1: AU001 cannot parse: cannot read file: Permission denied"
    ), done
    assert done.returncode == 1 and "Usage:" not in done.stderr
