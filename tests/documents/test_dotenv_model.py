"""The .env scanner against python-dotenv's own parser: same keys, same lines."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from dotenv.parser import parse_stream

from auditor.documents import dotenv
from auditor.documents.base import SourceFile

CASES = {
    "plain": "A=1\nB=two words\n",
    "comments": "# heading\nA=1  # trailing\n\n  # indented comment\nB=\n",
    "export": "export A=1\nexport   B='x'\n",
    "quotes": 'A=\'single # not a comment\'\nB="double \\" quote"\nC="multi\nline\nvalue"\nD=4\n',
    "escapes": "A='it\\'s'\nB=\"tab\\there\\nnewline\"\nC='no \\n escape'\n",
    "bare-key": "A\nB=2\n",
    "quoted-key": "'A B'=1\nC=3\n",
    "spaces": "  A = 1\nB =2\n",
    "crlf-free-unicode": "NAME=çay\nURL=http://x/?a=1&b=2\n",
}


def scan(text: str, path: str = ".env.example") -> dotenv.EnvFile:
    data = text.encode("utf-8")
    return dotenv.parse(SourceFile.from_bytes(path, Path("/nowhere") / path, data))


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_same_keys_and_lines_as_python_dotenv(text: str) -> None:
    reference = [
        (binding.key, binding.original.line, binding.value)
        for binding in parse_stream(io.StringIO(text))
        if binding.key is not None
    ]
    document = scan(text)
    assert document.parse_error is None
    ours = [(v.key, v.line, v.value) for v in document.variables if not v.commented]
    assert ours == reference


@pytest.mark.parametrize(
    ("text", "line"),
    [("A=1\nB VALUE\n", 2), ("A=1\nB='s3cr3t-value\nC=3\n", 2), ("A=1\n=2\n", 2)],
    ids=["no-equals", "unclosed-quote", "no-key"],
)
def test_lines_python_dotenv_rejects_are_parse_errors(text: str, line: int) -> None:
    assert any(b.error for b in parse_stream(io.StringIO(text)))
    document = scan(text)
    assert document.parse_error is not None and document.parse_error.line == line
    assert "s3cr3t" not in document.parse_error.message  # values are not quoted back


def test_commented_assignments_document_a_key() -> None:
    document = scan("# GROQ_API_KEY_1=\nA=1\n# just words = here\n")
    assert set(document.documented()) == {"GROQ_API_KEY_1", "A"}
    assert set(document.keys()) == {"A"}


def test_a_real_env_keeps_no_values() -> None:
    document = scan("SECRET=hunter2\nTOKEN='abc'\n", path=".env")
    assert document.is_secret
    assert [(v.key, v.value) for v in document.variables] == [("SECRET", None), ("TOKEN", None)]
    assert "hunter2" not in repr(document.variables)


@pytest.mark.parametrize(
    ("path", "expected"),
    [(".env.example", True), ("deploy/.env.sample", True), (".env", True), ("env.py", False)],
)
def test_which_files(path: str, expected: bool) -> None:
    assert dotenv.matches(path) is expected
