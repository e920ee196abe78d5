"""The requirements-file and pyproject models: pip's reading of lines, with positions."""

from __future__ import annotations

from pathlib import Path

from auditor.documents import pyproject, requirements
from auditor.documents.base import SourceFile


def parse(text: str | bytes, path: str = "requirements.txt") -> requirements.RequirementsFile:
    data = text.encode() if isinstance(text, str) else text
    return requirements.parse(SourceFile.from_bytes(path, Path("/nowhere") / path, data))


def test_names_specifiers_extras_markers_and_positions() -> None:
    document = parse(
        "# header\n"
        "  Google_GenerativeAI==0.8.3   # gemini\n"
        "uvicorn[Standard] \\\n"
        "    >=0.20 ; python_version >= '3.8'\n"
        "bar===2.0\n"
    )
    first, second, third = document.requirements
    assert (first.line, first.column, first.name, first.written_name) == (
        2,
        3,
        "google-generativeai",
        "Google_GenerativeAI",
    )
    assert str(first.specifier) == "==0.8.3" and first.pinned
    assert (second.line, second.end_line, second.extras) == (3, 4, frozenset({"standard"}))
    assert str(second.marker) == 'python_version >= "3.8"' and not second.pinned
    assert third.pinned  # === is a pin too
    assert document.problems == []


def test_options_includes_hashes_urls_and_editables() -> None:
    document = parse(
        "-r base.txt\n-rother.txt\n--constraint=c.txt\n--no-index\n"
        "-e git+https://example.com/x/y.git#egg=ydist\n"
        "./local/pkg\nhttps://example.com/wheels/foo-1.0-py3-none-any.whl\n"
        "requests @ https://example.com/r.tar.gz ; sys_platform == 'linux'\n"
        "redis==5.0.8 --hash=sha256:aa --hash sha256:bb\n"
    )
    assert [(o.name, o.value) for o in document.options] == [
        ("--requirement", "base.txt"),
        ("--requirement", "other.txt"),
        ("--constraint", "c.txt"),
        ("--no-index", None),
    ]
    by_line = {r.line: r for r in document.requirements}
    assert by_line[5].editable and by_line[5].name == "ydist"
    assert by_line[6].name is None and by_line[6].url == "./local/pkg"
    assert by_line[7].name == "foo"
    assert by_line[8].name == "requests" and by_line[8].specifier is None
    assert by_line[9].hashes == ("sha256:aa", "sha256:bb")


def test_bom_and_crlf_keep_lines_and_columns() -> None:
    document = parse(b"\xef\xbb\xbfredis==5.0.8\r\nnot valid!!\r\ngroq==0.11.0\r\n")
    assert [r.name for r in document.requirements] == ["redis", "groq"]
    assert document.requirements[0].column == 1  # the BOM is not a column
    assert [(p.line, p.column) for p in document.problems] == [(2, 1)]


def test_a_comment_line_ends_a_continuation_as_in_pip() -> None:
    document = parse("redis==5.0.8 \\\n# a comment\ngroq==0.11.0\n")
    assert [(r.name, r.line, r.end_line) for r in document.requirements] == [
        ("redis", 1, 2),
        ("groq", 3, 3),
    ]


def test_malformed_lines_are_problems_and_the_rest_still_parses() -> None:
    document = parse("fastapi==0.115.0\nuvicorn = 0.30.3\n--frobnicate\n-r\nredis==5.0.8\n")
    assert [r.name for r in document.requirements] == ["fastapi", "redis"]
    assert [(p.line, p.message.split(" ")[0]) for p in document.problems] == [
        (2, "invalid"),
        (3, "unknown"),
        (4, "option"),
    ]


def test_credentials_are_masked_in_problem_messages() -> None:
    document = parse("https://bob:s3cret@example.com/pkg.whl ; os_name ==\n")
    assert document.problems and "s3cret" not in document.problems[0].message
    assert requirements.mask_credentials("https://a:b@h/x") == "https://a:****@h/x"


def test_a_50k_line_file_parses_and_points_at_its_bad_line() -> None:
    lines = [f"package-{index}=={index % 7}.{index % 5}.0" for index in range(50_000)]
    lines[39_999] = "package-oops==="
    document = parse("\n".join(lines) + "\n")
    assert len(document.requirements) == 49_999
    assert [problem.line for problem in document.problems] == [40_000]


def test_include_paths_are_relative_to_the_including_file() -> None:
    document = parse("-r base.txt\n-r ../../up.txt\n-r /abs.txt\n", "requirements/prod.txt")
    first, second, third = document.includes()
    assert document.include_path(first) == "requirements/base.txt"
    assert document.include_path(second) is None and document.include_path(third) is None


def test_matches_the_usual_requirements_file_names() -> None:
    usual = ("requirements.txt", "requirements-dev.txt", "dev-requirements.txt")
    for path in (*usual, "requirements/base.txt", "Constraints.txt", "api/requirements.prod.txt"):
        assert requirements.matches(path), path
    for path in ("README.txt", "requirements.in", "docs/notes.txt"):
        assert not requirements.matches(path), path


def test_pyproject_dependencies_with_lines_and_bad_toml() -> None:
    text = (
        '[project]\nname = "x"\nversion = "1"\n'
        "dependencies = [\n"
        '    "fastapi==0.115.0",\n'
        '    "redis>=5,<6",\n'
        "]\n\n[project.optional-dependencies]\n"
        'dev = ["pytest==8.3.3", "not valid!!"]\n'
    )
    document = pyproject.parse(SourceFile.from_bytes("pyproject.toml", Path("/x"), text.encode()))
    assert [(r.name, r.line) for r in document.dependencies] == [("fastapi", 5), ("redis", 6)]
    assert [(r.name, r.line) for r in document.groups["dev"]] == [("pytest", 10)]
    assert [p.line for p in document.problems] == [10]
    broken = pyproject.parse(SourceFile.from_bytes("pyproject.toml", Path("/x"), b"[project\n"))
    assert broken.parse_error is not None and broken.parse_error.line == 1


def test_environment_variables_pip_expands_are_not_errors() -> None:
    document = parse("internal-sdk==${SDK_VERSION}\n${WHOLE_LINE}\nbad==\n")
    found = [(r.name, r.specifier) for r in document.requirements]
    assert found == [("internal-sdk", None), (None, None)]  # kept, their versions unknown
    assert [p.line for p in document.problems] == [3]
