"""A line inside a Dockerfile heredoc body is file content, never a suppression comment.

The Dockerfile model knows which lines are comments (its heredoc bodies are not); a
`# mami-audit:` or `# hadolint` line inside a body must neither silence findings nor be
reported as a malformed or unused pragma.
"""

from __future__ import annotations

from auditor.testing import check_files


def codes(text: str, select: list[str]) -> list[tuple[str, int]]:
    return [(f.code, f.span.line) for f in check_files({"Dockerfile": text}, select=select)]


def test_an_ignore_file_pragma_in_a_copy_heredoc_body_silences_nothing() -> None:
    text = (
        "FROM python:3.11-slim\n"
        "COPY <<EOF /etc/notes.txt\n"
        "# mami-audit: ignore-file[DF001,DF002] this is file content, not a pragma\n"
        "EOF\n"
        'CMD ["python", "-m", "app"]\n'
    )
    assert codes(text, ["DF001", "DF002"]) == [("DF001", 1), ("DF002", 1)]


def test_a_statement_pragma_in_a_run_heredoc_body_is_a_shell_comment() -> None:
    text = (
        "FROM python:3.11-slim\n"
        "RUN <<EOF\n"
        "# mami-audit: ignore[DF020]\n"
        "# hadolint ignore=DL3015\n"
        "apt-get install -y curl\n"
        "EOF\n"
    )
    assert codes(text, ["DF020"]) == [("DF020", 5)]


def test_malformed_or_unused_pragmas_in_a_heredoc_body_are_not_reported() -> None:
    text = (
        "FROM python:3.11-slim\n"
        "RUN <<EOF\n"
        "# mami-audit: ignore DF001\n"
        "# mami-audit: ignore[NOPE999]\n"
        "# mami-audit: ignore-file[DF002]\n"
        "echo hi\n"
        "EOF\n"
    )
    assert codes(text, ["AU002", "AU003", "DF002"]) == [("DF002", 1)]


def test_pragmas_outside_heredocs_still_work() -> None:
    text = (
        "# mami-audit: ignore-file[DF001] runs as root on purpose\n"
        "FROM python:3.11-slim\n"
        "COPY <<EOF /etc/notes.txt\n"
        "hello\n"
        "EOF\n"
        "# mami-audit: ignore[DF020] the slim image needs the recommends here\n"
        "RUN apt-get install -y curl\n"
        'CMD ["python", "-m", "app"]\n'
    )
    assert codes(text, ["DF001", "DF020", "AU002", "AU003"]) == []


def test_a_dockerfile_that_does_not_parse_falls_back_to_comment_lines() -> None:
    # No heredoc model to ask: every line starting with `#` is read as a comment, as before.
    text = "# mami-audit: ignore[NOPE999]\nFROM python:3.11-slim\nFORM nothing\n"
    assert codes(text, ["AU002"]) == [("AU002", 1)]
