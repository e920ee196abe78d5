"""The Dockerfile model: positions, continuations, heredocs, directives, stages, parse errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.documents import dockerfile
from auditor.documents.base import SourceFile
from auditor.documents.dockerfile import Dockerfile, parse_image, substitute


def parse(text: str | bytes, path: str = "Dockerfile") -> Dockerfile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return dockerfile.parse(SourceFile.from_bytes(path, Path("/project") / path, data))


def keywords(document: Dockerfile) -> list[tuple[str, int, int]]:
    return [(ins.keyword, ins.line, ins.end_line) for ins in document.instructions]


def test_instructions_have_lines_columns_flags_and_arguments() -> None:
    document = parse(
        "FROM python:3.11-slim AS builder\n"
        "  copy --from=builder --chown=mami:mami /wheels /wheels\n"
        'CMD ["python", "-m", "app"]\n'
    )
    assert document.parse_error is None
    copy = document.instructions[1]
    assert (copy.keyword, copy.line, copy.column) == ("COPY", 2, 3)
    assert copy.flag("from") == "builder" and copy.flag("chown") == "mami:mami"
    assert copy.arguments == "/wheels /wheels" and copy.words() == [
        "/wheels",
        "/wheels",
    ]
    assert copy.exec_form is None
    assert document.instructions[2].exec_form == ("python", "-m", "app")
    assert document.keyword_span(copy).end_column == 7


def test_continuations_with_comments_and_empty_lines_inside() -> None:
    document = parse(
        "FROM debian:bookworm-slim\n"
        "RUN apt-get update \\\n"
        "    # the tools the health check needs\n"
        "\n"
        "    && apt-get install -y curl\n"
        "EXPOSE 8000\n"
    )
    run = document.instructions[1]
    assert (run.line, run.command_end_line, run.end_line) == (2, 5, 5)
    assert run.arguments == "apt-get update     && apt-get install -y curl"
    assert [comment.line for comment in run.comments] == [3]
    assert document.statement_range(2) == (2, 5)
    assert document.statement_range(6) == (6, 6)


def test_heredoc_followed_directly_by_the_next_instruction() -> None:
    # hadolint 2.x fails on this ("unexpected 'R'"); BuildKit builds it.
    document = parse(
        "FROM python:3.11-slim\nRUN <<EOF\npip install --no-cache-dir fastapi\nEOF\nRUN echo next\n"
    )
    assert document.parse_error is None
    assert keywords(document) == [("FROM", 1, 1), ("RUN", 2, 4), ("RUN", 5, 5)]
    heredoc = document.instructions[1].heredocs[0]
    assert (heredoc.name, heredoc.first_line, heredoc.terminator_line) == ("EOF", 3, 4)
    assert heredoc.content == "pip install --no-cache-dir fastapi\n"
    assert "pip install" in document.instructions[1].shell_command


def test_heredoc_variants_quoted_chomped_and_several() -> None:
    document = parse(
        "FROM alpine:3.20\nCOPY <<-'CONF' /etc/a.conf <<B /etc/b\n\tkey=$HOME\n\tCONF\nb\nB\n"
    )
    copy = document.instructions[1]
    first, second = copy.heredocs
    assert (first.name, first.expand, first.chomp) == ("CONF", False, True)
    assert (second.name, second.expand, second.content) == ("B", True, "b\n")
    assert copy.end_line == 6


def test_a_heredoc_word_in_exec_form_is_not_a_heredoc() -> None:
    document = parse('FROM alpine:3.20\nRUN ["echo", "<<EOF"]\nRUN echo after\n')
    assert keywords(document) == [("FROM", 1, 1), ("RUN", 2, 2), ("RUN", 3, 3)]


def test_escape_directive_changes_the_continuation_character() -> None:
    document = parse(
        "# escape=`\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN dir C:\\ `\n"
        "    && echo done\n"
        "WORKDIR C:\\app\\\n"
    )
    assert document.escape == "`"
    assert document.directives["escape"].line == 1
    run = document.instructions[1]
    assert (run.line, run.end_line) == (3, 4)
    # A backslash ends no line now: WORKDIR stays one instruction.
    assert keywords(document)[-1] == ("WORKDIR", 5, 5)


def test_directives_only_at_the_top() -> None:
    document = parse("# syntax=docker/dockerfile:1\n# check=error=true\nFROM a:1\n# escape=`\n")
    assert set(document.directives) == {"syntax", "check"}
    assert document.escape == "\\"
    late = parse("# a comment first\n# escape=`\nFROM a:1\nRUN echo \\\n  hi\n")
    assert late.directives == {} and late.instructions[1].end_line == 5


def test_crlf_and_bom_files_parse_like_lf_files() -> None:
    document = parse(
        b"\xef\xbb\xbfFROM python:3.11-slim\r\nRUN echo a \\\r\n    b\r\nUSER mami\r\n"
    )
    assert document.parse_error is None
    assert keywords(document) == [("FROM", 1, 1), ("RUN", 2, 3), ("USER", 4, 4)]
    assert document.instructions[1].arguments == "echo a     b"
    assert document.source.newline == "\r\n" and document.source.bom


def test_arg_values_are_substituted_into_from() -> None:
    document = parse(
        "ARG PYTHON_VERSION=3.11\nARG VARIANT\n"
        "FROM python:${PYTHON_VERSION}-slim AS builder\n"
        "FROM --platform=linux/amd64 python:$PYTHON_VERSION${VARIANT:-slim} AS runtime\n"
        "FROM ${MISSING}alpine\n"
    )
    builder, runtime, third = document.stages
    assert (builder.base, builder.base_resolved, builder.name) == (
        "python:3.11-slim",
        True,
        "builder",
    )
    assert runtime.base == "python:3.11slim" and runtime.platform == "linux/amd64"
    assert (third.base, third.base_resolved) == ("alpine", False)
    assert document.global_args == {"PYTHON_VERSION": "3.11", "VARIANT": None}


def test_stages_chain_through_earlier_stages() -> None:
    document = parse(
        "FROM python:3.11-slim AS base\nUSER mami\nFROM base AS app\nENV A=1\nFROM app\nCMD x\n"
    )
    final = document.final_stage
    assert final is not None and final.index == 2 and final.name is None
    assert [stage.index for stage in document.stage_chain(final)] == [0, 1, 2]
    assert document.root_base(final) == "python:3.11-slim"
    assert [ins.keyword for ins in document.chain_instructions(final)] == [
        "FROM", "USER", "FROM", "ENV", "FROM", "CMD",
    ]  # fmt: skip


def test_env_and_arg_pairs() -> None:
    document = parse(
        'FROM a:1\nENV A=1 B="two words" C=\nENV LEGACY value with spaces\nARG X Y=2 Z=\n'
    )
    assert document.instructions[1].key_values() == [
        ("A", "1"),
        ("B", "two words"),
        ("C", ""),
    ]
    assert document.instructions[2].key_values() == [("LEGACY", "value with spaces")]
    assert document.instructions[3].key_values() == [("X", None), ("Y", "2"), ("Z", "")]


def test_healthcheck_parts() -> None:
    document = parse(
        "FROM a:1\nHEALTHCHECK --interval=30s --retries=3 \\\n"
        '    CMD ["curl", "-f", "http://localhost:8000/health"]\nFROM b:1\nHEALTHCHECK NONE\n'
    )
    check = document.instructions[1].healthcheck()
    assert check is not None and not check.disabled
    assert check.options == {"interval": "30s", "retries": "3"}
    assert check.exec_form == ("curl", "-f", "http://localhost:8000/health")
    disabled = document.instructions[3].healthcheck()
    assert disabled is not None and disabled.disabled


def test_broken_json_is_shell_form_as_in_buildkit() -> None:
    document = parse("FROM a:1\nCMD ['python', '-m', 'app']\n")
    cmd = document.instructions[1]
    assert document.parse_error is None and cmd.exec_form is None and cmd.looks_like_json


def test_continuation_at_end_of_file_ends_the_instruction() -> None:
    document = parse("FROM a:1\nRUN echo hi \\")
    assert document.parse_error is None
    assert document.instructions[1].continues_at_eof


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", 1, "no instructions"),
        ("# only a comment\n\n", 1, "no instructions"),
        ("FROM a:1\nFOO bar\n", 2, "unknown instruction: FOO"),
        ("FROM a:1\nRUN <<EOF\necho never closed\n", 2, "unterminated heredoc"),
        ("FROM a:1 AS b c\n", 1, "FROM takes"),
        ("FROM a:1 AS x\nFROM b:1 AS X\n", 2, "duplicate stage name"),
        ("FROM a:1\nENV ONLYNAME\n", 2, "has no value"),
        ("FROM a:1\nENV A=1 B\n", 2, "ENV"),
        ("FROM a:1\nSHELL /bin/bash -c\n", 2, "JSON form"),
        ("FROM a:1\nCOPY onlyone\n", 2, "at least two"),
        ("FROM a:1\nWORKDIR\n", 2, "at least one argument"),
        ("FROM a:1\nHEALTHCHECK CMD\n", 2, "no command"),
        ("FROM a:1\nHEALTHCHECK --interval=5s\n", 2, "at least one argument"),
        ("FROM a:1\nHEALTHCHECK curl -f x\n", 2, "CMD <command> or NONE"),
        ("# escape=x\nFROM a:1\n", 1, "invalid escape"),
        ("# escape=`\n# escape=\\\nFROM a:1\n", 2, "only one escape"),
    ],
)
def test_parse_errors_name_the_line(text: str, line: int, fragment: str) -> None:
    error = parse(text).parse_error
    assert error is not None, text
    assert error.line == line and fragment in error.message, error


def test_undecodable_bytes_are_a_parse_error_not_a_crash() -> None:
    error = parse(b"FROM a:1\nRUN echo \xff\n").parse_error
    assert error is not None and error.line == 2


def test_which_files_are_dockerfiles() -> None:
    for name in ("Dockerfile", "a/Dockerfile.prod", "api.Dockerfile", "Containerfile"):
        assert dockerfile.matches(name), name
    for name in (
        "Dockerfile.dockerignore",
        "api.Dockerfile.dockerignore",
        "dockerfile.md",
        "x.py",
    ):
        assert not dockerfile.matches(name), name


def test_find_in_gives_spans_inside_the_instruction() -> None:
    document = parse("FROM python:3.11\nRUN pip install \\\n    fastapi\n")
    run = document.instructions[1]
    span = document.find_in(run, "fastapi")
    assert span is not None and (span.line, span.column, span.end_column) == (3, 5, 12)
    assert document.find_in(run, "python") is None  # only the RUN's own lines


def test_image_references_and_substitution() -> None:
    assert parse_image("localhost:5000/team/app:1.2@sha256:ab").tag == "1.2"
    assert parse_image("localhost:5000/team/app").tag is None
    assert parse_image("docker.io/library/python:3.11").short_name == "python"
    assert substitute("${A:+set}-${B:-dflt}-$C", {"A": "x", "C": "c"}) == (
        "set-dflt-c",
        True,
    )


def test_words_use_the_dockerfiles_escape_character() -> None:
    document = parse(
        '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY C:\\src\\app "C:\\Program Files\\app"\nENV GREETING=say` hi\n'
    )
    copy, env = document.instructions[1], document.instructions[2]
    assert copy.words() == ["C:\\src\\app", "C:\\Program Files\\app"]
    assert env.key_values() == [("GREETING", "say hi")]


def test_keywords_a_fix_writes_follow_the_files_case() -> None:
    lower = parse('from python:3.11-slim\nrun pip install x\ncmd ["python"]\n')
    assert lower.written_keyword("HEALTHCHECK") == "healthcheck"
    assert lower.keyword_as_written(lower.instructions[1]) == "run"
    mixed = parse("FROM python:3.11-slim\nrun pip install x\n")
    assert mixed.written_keyword("user") == "USER"


@pytest.mark.parametrize("text", ["RUN echo\nFROM a:1\n", "RUN pip install x\n"])
def test_instructions_before_the_first_from_are_kept_outside_any_stage(text: str) -> None:
    """BuildKit refuses them, but rules still read them (rule DF027 reports the place)."""
    document = parse(text)
    assert document.parse_error is None
    run = document.instructions[0]
    assert run.keyword == "RUN" and run.stage is None
    assert document.before_first_from == [run]
