"""The Python document kind: which files it reads, positions, imports and parse errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.documents import python
from auditor.documents.base import SourceFile


def parse(text: str | bytes, path: str = "app/module.py") -> python.PythonModule:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return python.parse(SourceFile.from_bytes(path, Path("/nowhere") / path, data))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("app/main.py", True),
        ("main.py", True),
        ("app/core/logger.py", True),
        ("app/main.pyc", False),
        ("tests/test_app.py", False),
        ("app/tests/helpers.py", False),
        ("app/test_main.py", False),
        ("app/main_test.py", False),
        ("conftest.py", False),
        ("migrations/versions/0001_init.py", False),
        ("migrations/env.py", True),
        ("app/vendor/lib.py", False),
        ("third_party/x.py", False),
    ],
)
def test_which_files_are_python_source(path: str, expected: bool) -> None:
    assert python.matches(path) is expected


def test_module_names() -> None:
    assert python.module_name("app/core/logger.py") == "app.core.logger"
    assert python.module_name("app/__init__.py") == "app"
    assert python.module_name("src/pkg/mod.py") == "pkg.mod"


def test_imports_are_resolved_and_marked() -> None:
    document = parse(
        "from __future__ import annotations\n"
        "import os.path\n"
        "import numpy as np\n"
        "from . import sibling\n"
        "from ..core.logger import get_logger as log\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from app.config import Settings\n"
        "try:\n"
        "    import ujson as json\n"
        "except ImportError:\n"
        "    import json\n"
        "def f():\n"
        "    import redis\n"
        "from pydantic_settings import *\n",
        path="app/api/chat.py",
    )
    by_bound = {(item.bound, item.line): item for item in document.imports}
    assert by_bound[("os", 2)].target == "os" and by_bound[("os", 2)].module == "os.path"
    assert by_bound[("np", 3)].target == "numpy"
    assert by_bound[("sibling", 4)].target == "app.api.sibling"
    assert by_bound[("log", 5)].target == "app.core.logger.get_logger"
    settings = by_bound[("Settings", 8)]
    assert settings.type_checking and settings.conditional
    assert by_bound[("json", 10)].conditional and not by_bound[("json", 10)].type_checking
    assert by_bound[("redis", 14)].conditional
    assert not by_bound[("np", 3)].conditional
    assert [item.module for item in document.star_imports] == ["pydantic_settings"]
    assert "Settings" not in document.bindings  # TYPE_CHECKING-only names are not bound


def test_positions_are_character_columns() -> None:
    document = parse('label = "çok güzel"; x = print("é")\n')
    call = next(
        node for node in document.walk_if_mentions("print(") if type(node).__name__ == "Call"
    )
    span = document.span_of(call)
    assert document.lines[0][span.column - 1 : span.end_column - 1] == 'print("é")'
    assert document.segment(call) == 'print("é")'


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("x = 1\ndef f(:\n    pass\n", 2, "syntax error"),
        (b"x = 1\ny = '\xff'\n", 2, "not UTF-8"),
        ("# -*- coding: latin-1 -*-\nname = 'çay'\n", 1, "coding: latin-1"),
        ("x = 1\ny = " + "-" * 200000 + "1\n", 2, "nested"),
    ],
    ids=["syntax", "not-utf8", "coding-cookie", "recursion"],
)
def test_unparsable_files_get_one_error_at_their_line(
    text: str | bytes, line: int, words: str
) -> None:
    document = parse(text)
    assert document.parse_error is not None
    assert document.parse_error.line == line
    assert words in document.parse_error.message
    assert document.tree is None and document.imports == [] and document.statements == []


def test_an_ascii_file_with_a_latin1_cookie_parses() -> None:
    document = parse("# -*- coding: latin-1 -*-\nx = 1\n")
    assert document.parse_error is None and document.tree is not None


def test_a_long_generated_module_parses() -> None:
    text = "".join(f"VALUE_{number} = {number}\n" for number in range(10_000))
    document = parse(text)
    assert document.parse_error is None
    assert len(document.top_level_names) == 10_000
