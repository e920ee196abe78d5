"""The .dockerignore model, checked against Docker's documented matching semantics."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.documents import ignorefile
from auditor.documents.base import SourceFile
from auditor.documents.ignorefile import IgnoreFile


def parse(text: str) -> IgnoreFile:
    return ignorefile.parse(
        SourceFile.from_bytes(".dockerignore", Path("/p/.dockerignore"), text.encode())
    )


def test_patterns_keep_their_lines_and_exceptions() -> None:
    document = parse("# comment\n\n  *.pyc  \n!keep.pyc\n ./build/ \n/dist\n")
    assert [(p.line, p.pattern, p.exception) for p in document.patterns] == [
        (3, "*.pyc", False),
        (4, "keep.pyc", True),
        (5, "build", False),
        (6, "dist", False),
    ]


@pytest.mark.parametrize(
    ("patterns", "path", "excluded"),
    [
        # Anchored at the context root, unlike gitignore.
        ("*.pyc\n", "x.pyc", True),
        ("*.pyc\n", "app/x.pyc", False),
        ("**/*.pyc\n", "app/deep/x.pyc", True),
        ("**/__pycache__\n", "app/__pycache__/m.pyc", True),
        # A directory pattern excludes what is inside; a trailing slash is cleaned away.
        ("logs/\n", "logs/today.log", True),
        ("logs/\n", "logs", True),
        ("node_modules\n", "frontend/node_modules/react/index.js", False),
        # Last match wins, and an exception can reach inside an excluded directory.
        ("data\n!data/seed.json\n", "data/seed.json", False),
        ("data\n!data/seed.json\n", "data/app.db", True),
        ("*\n!app/\n**/*.pyc\n", "app/main.py", False),
        ("*\n!app/\n**/*.pyc\n", "app/main.pyc", True),
        ("*\n!app/\n", "README.md", True),
        # A pattern that matches a parent directory leaves out everything inside it, even
        # when the pattern itself never crosses a `/` (moby's MatchesOrParentMatches).
        ("*\n", ".git/config", True),
        ("*\n!app/\n", ".venv/bin/python", True),
        ("app/*\n", "app/core/db.py", True),
        ("app/*.py\n", "app/core/db.py", False),
        # Leading ./ and / are cleaned from patterns and paths.
        ("./secrets\n", "/secrets/key", True),
        ("/.env\n", "./.env", True),
        ("", "anything", False),
    ],
)
def test_is_excluded_follows_docker(patterns: str, path: str, excluded: bool) -> None:
    assert parse(patterns).is_excluded(path) is excluded


def test_exceptions_under_a_directory_and_the_deciding_pattern() -> None:
    document = parse("data\n!data/seed.json\n*.log\n")
    assert document.has_exceptions_under("data")
    assert not document.has_exceptions_under("logs")
    pattern = document.pattern_excluding("x.log")
    assert pattern is not None and pattern.line == 3


def test_an_unclosed_bracket_is_a_parse_error_with_its_line() -> None:
    error = parse("*.pyc\nfile[0-9\n").parse_error
    assert error is not None and error.line == 2 and "unclosed" in error.message


def test_which_files_are_ignore_files() -> None:
    assert ignorefile.matches(".dockerignore")
    assert ignorefile.matches("docker/api/Dockerfile.dockerignore")
    assert ignorefile.matches("api.Dockerfile.dockerignore")
    assert not ignorefile.matches("notes.dockerignore")
    assert not ignorefile.matches(".gitignore")
    assert ignorefile.ignore_file_candidates("docker/api.Dockerfile", "docker") == [
        "docker/api.Dockerfile.dockerignore",
        "docker/.dockerignore",
    ]


# -- the matcher against moby's own translation ------------------------------------------------


def moby_regex(pattern: str) -> str:
    """moby/patternmatcher's pattern -> regexp translation (Unix), for short inputs only:
    a backtracking engine takes exponential time on it, which is why `Glob` does not use it."""
    import re

    out, index = "^", 0
    while index < len(pattern):
        char = pattern[index]
        index += 1
        if char == "*":
            if index < len(pattern) and pattern[index] == "*":
                index += 1
                if index < len(pattern) and pattern[index] == "/":
                    index += 1
                out += ".*" if index >= len(pattern) else "(.*/)?"
            else:
                out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char in ".$+()|{}":
            out += "\\" + char
        elif char == "\\":
            out += "\\" + pattern[index] if index < len(pattern) else "\\\\"
            index += 1
        else:
            out += re.escape(char) if char not in "[]-^" else char
    return out + "$"


def test_glob_agrees_with_mobys_translation_on_random_patterns() -> None:
    import random
    import re

    rng = random.Random(8)
    for _ in range(3000):
        pattern = "".join(rng.choice(["*", "**", "?", "a", "b", "/", "[ab]", "[^a]"]) for _ in range(rng.randint(1, 6)))
        path = "".join(rng.choice("ab/") for _ in range(rng.randint(1, 8))).strip("/") or "a"
        path = re.sub("/+", "/", path)
        parts = path.split("/")
        expected = any(
            re.match(moby_regex(pattern), "/".join(parts[:depth]), re.DOTALL)
            for depth in range(1, len(parts) + 1)
        )
        glob = ignorefile.Glob(pattern)
        assert glob.matches_path_or_parent(path) is expected, (pattern, path)
        glob._regex = None  # the state-set matcher, which longer patterns use, agrees too
        assert glob.matches_path_or_parent(path) is expected, (pattern, path, "states")


def test_a_line_of_stars_is_matched_without_backtracking() -> None:
    # 2,501 `*` then `b`: a backtracking regex takes minutes on a path that does not match.
    document = parse("*" * 2501 + "b\n" + "*a" * 40 + "c\n")
    assert not document.is_excluded("a" * 200)
    assert document.is_excluded("x/y/zb")
