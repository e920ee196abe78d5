"""Fixtures for the engine tests: temporary projects, the CLI run in-process, and small rules.

The sample rules below exist only here: they read Dockerfiles as plain lines so that the
engine, suppressions and fixer can be tested without depending on the DF family's logic.
They are registered in the global registry for one test at a time (`use_rules`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.rule import Context, Edit, Finding, Fix, Rule, Span
from auditor.testing import registered, write_files

REPOSITORY = Path(__file__).resolve().parents[2]


# -- sample rules ----------------------------------------------------------------------------


def dockerfiles(context: Context):  # type: ignore[no-untyped-def]
    return [doc for doc in context.project.documents("dockerfile") if doc.parse_error is None]


class LowercaseFrom(Rule):
    """Test rule: `from` written in lower case; safe fix to `FROM`."""

    code = "TS001"
    name = "lowercase-from"
    summary = "from in lower case"
    peers = ("DL9001",)
    fixable = True

    def check(self, context: Context) -> Iterator[Finding]:
        for document in dockerfiles(context):
            for number, line in enumerate(document.lines, 1):
                if line.startswith("from "):
                    span = Span(number, 1, number, 5)
                    fix = Fix.safe("Write FROM", Edit.replace(document.path, span, "FROM"))
                    yield self.finding(document, span, "write FROM in upper case", fix)


class TodoComment(Rule):
    """Test rule: a TODO comment; unsafe fix deletes the line."""

    code = "TS002"
    name = "todo-comment"
    summary = "TODO comment"
    fixable = True

    def check(self, context: Context) -> Iterator[Finding]:
        for document in dockerfiles(context):
            for number, line in enumerate(document.lines, 1):
                if line.startswith("# TODO"):
                    whole = Span(number, 1, number + 1, 1)
                    fix = Fix.unsafe("Delete the TODO", Edit.delete_text(document.path, whole))
                    yield self.finding(document, document.line_span(number), "a TODO is left", fix)


class Exploding(Rule):
    """Test rule: reports line 1 of each Dockerfile, then raises on one named `boom`."""

    code = "TS003"
    name = "exploding-rule"
    summary = "raises"

    def check(self, context: Context) -> Iterator[Finding]:
        for document in dockerfiles(context):
            if "boom" in document.path:
                raise RuntimeError("the rule fell over")
            yield self.finding(document, Span.point(1), "line one")


class BreakingFix(Rule):
    """Test rule: `RUN break-me` lines; the 'fix' writes an unknown instruction."""

    code = "TS004"
    name = "breaking-fix"
    summary = "a fix that breaks the file"
    fixable = True

    def check(self, context: Context) -> Iterator[Finding]:
        for document in dockerfiles(context):
            for number, line in enumerate(document.lines, 1):
                if line == "RUN break-me":
                    span = Span(number, 1, number, 4)
                    fix = Fix.safe("Break it", Edit.replace(document.path, span, "FORM"))
                    yield self.finding(document, span, "break me", fix)


class MissingDockerignore(Rule):
    """Test rule: no .dockerignore beside a Dockerfile; fix creates one."""

    code = "TS005"
    name = "missing-dockerignore-sample"
    summary = "no .dockerignore"
    fixable = True

    def check(self, context: Context) -> Iterator[Finding]:
        for document in dockerfiles(context):
            folder = document.path.rpartition("/")[0]
            ignore = f"{folder}/.dockerignore" if folder else ".dockerignore"
            if not context.project.exists(ignore):
                fix = Fix.safe("Create .dockerignore", Edit.create_file(ignore, ".git\n"))
                yield self.finding(document, Span.point(1), "no .dockerignore", fix)


class JunkFile(Rule):
    """Test rule: `*.orig` files; fix deletes them."""

    code = "TS006"
    name = "junk-file-sample"
    summary = "leftover merge file"
    fixable = True

    def check(self, context: Context) -> Iterator[Finding]:
        for path in context.project.files():
            if path.endswith(".orig"):
                fix = Fix.safe("Delete it", Edit.delete_file(path))
                yield self.finding(path, Span.point(1), "leftover merge file", fix)


class ExpectedPort(Rule):
    """Test rule: reports the configured app port on line 1 of each Dockerfile."""

    code = "TS007"
    name = "expected-port"
    summary = "shows context.expect"

    def check(self, context: Context) -> Iterator[Finding]:
        for document in dockerfiles(context):
            yield self.finding(document, Span.point(1), f"port {context.expect.app_port}")


class UpperArguments(Rule):
    """Test rule: lower-case RUN arguments; two overlapping fixes per line (word and all)."""

    code = "TS008"
    name = "upper-arguments"
    summary = "overlapping fixes"
    fixable = True

    def check(self, context: Context) -> Iterator[Finding]:
        for document in dockerfiles(context):
            for number, line in enumerate(document.lines, 1):
                if not line.startswith("RUN ") or line == line.upper():
                    continue
                arguments = line[4:]
                first = arguments.split(" ")[0]
                if first != first.upper():
                    span = Span(number, 5, number, 5 + len(first))
                    fix = Fix.safe(
                        "Upper the word", Edit.replace(document.path, span, first.upper())
                    )
                    yield self.finding(document, span, "lower-case word", fix)
                span = Span(number, 5, number, 5 + len(arguments))
                fix = Fix.safe("Upper all", Edit.replace(document.path, span, arguments.upper()))
                yield self.finding(document, span, "lower-case arguments", fix)


class NeverSettles(Rule):
    """Test rule: always asks to add one more comment line at the top (never converges)."""

    code = "TS009"
    name = "never-settles"
    summary = "a fix that keeps coming back"
    fixable = True

    def check(self, context: Context) -> Iterator[Finding]:
        for document in dockerfiles(context):
            fix = Fix.safe("Add a line", Edit.insert(document.path, 1, 1, "# again\n"))
            yield self.finding(document, Span.point(1), "once more", fix)


class ReadsNothing(Rule):
    """Test rule: looks at file names only, so it parses no document."""

    code = "TS010"
    name = "reads-nothing"
    summary = "parses nothing"

    def check(self, context: Context) -> Iterator[Finding]:
        for path in context.project.files():
            if path.endswith(".nothing"):
                yield self.finding(path, Span.point(1), "a .nothing file")


SAMPLE_RULES = (
    LowercaseFrom,
    TodoComment,
    Exploding,
    BreakingFix,
    MissingDockerignore,
    JunkFile,
    ExpectedPort,
    UpperArguments,
    NeverSettles,
    ReadsNothing,
)


@pytest.fixture
def use_rules() -> Iterator[None]:
    """Register the sample rules for one test."""
    with registered(*SAMPLE_RULES):
        yield


# -- projects and the CLI -------------------------------------------------------------------


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """Write files into a fresh project folder; `git=True` makes it a git work tree."""

    def make(files: Mapping[str, str | bytes], *, git: bool = False, name: str = "project") -> Path:
        root = tmp_path / name
        root.mkdir()
        if git:
            subprocess.run(["git", "init", "-q", str(root)], check=True)
        else:
            (root / "mami-audit.toml").write_text("")  # marks the root; defaults apply
        write_files(root, files)
        return root

    return make


@dataclass
class CliRun:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., CliRun]:
    """Run `mami-audit ARGS` in-process from `cwd`; return exit code, stdout and stderr."""
    from auditor.cli import main

    def run(*args: str, cwd: Path) -> CliRun:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run


def run_module(*args: str, cwd: Path, user: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m auditor ARGS` in a real subprocess (optionally as another user)."""
    command = [sys.executable, "-m", "auditor", *args]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    environment = dict(os.environ, PYTHONPATH=str(REPOSITORY), NO_COLOR="1")
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env=environment, timeout=120
    )


@pytest.fixture
def run_subprocess() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_module
