"""The PS family on whole projects: bad input, dynamic code, the reference and legacy shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.testing import check_files

SETTINGS = (
    "from pydantic_settings import BaseSettings\n\n"
    "class Settings(BaseSettings):\n"
    "    REDIS_URL: str | None = None\n"
    "    DATABASE_URL: str = 'sqlite:///data/app.db'\n"
)


def codes(findings) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f"{f.code}:{f.path}:{f.span.line}" for f in findings)


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"def broken(:\n    pass\n", 1, "syntax error"),
        (b"x = 1\ny = '\xe7ay'\n", 2, "not UTF-8"),
        ("# -*- coding: latin-1 -*-\nx = 'çay'\n".encode(), 1, "coding"),
        (b"x = " + b"(" * 300 + b"1" + b")" * 300 + b"\n", 1, ""),
        (b"x = 1\ny = " + b"-" * 100_000 + b"1\n", 2, "nested"),
    ],
    ids=["syntax", "latin1-bytes", "latin1-cookie", "too-many-parentheses", "recursion"],
)
def test_unparsable_app_modules_give_one_au001_and_no_traceback(
    data: bytes, line: int, words: str
) -> None:
    findings = check_files(
        {"app/config.py": SETTINGS, "app/broken.py": data}, select=["PS", "AU001"]
    )
    parse_errors = [f for f in findings if f.code == "AU001"]
    assert len(parse_errors) == 1, codes(findings)
    assert parse_errors[0].path == "app/broken.py" and parse_errors[0].span.line == line
    assert words in parse_errors[0].message


def test_star_imports_conditional_imports_and_re_exports_are_followed() -> None:
    files = {
        "app/__init__.py": "",
        "app/base.py": "from pydantic_settings import *\n",
        "app/config.py": "try:\n    from app.base import BaseSettings as Base\n"
        "except ImportError:\n    raise\n\n"
        "class Settings(Base):\n    REDIS_URL: str | None = None\n",
        "app/main.py": "import os\nREDIS = os.getenv('REDIS_URL')\n",
    }
    findings = check_files(files, select=["PS001", "PS010"])
    assert codes(findings) == ["PS010:app/main.py:2"]


def test_dynamic_settings_and_routes_keep_the_rules_silent() -> None:
    files = {
        "app/config.py": "from app.factory import settings_base\n\n"
        "class Settings(settings_base()):\n    X: int = 1\n",
        "app/main.py": "from fastapi import FastAPI\n\nPATHS = ['/health']\napp = FastAPI()\n"
        "for path in PATHS:\n    app.add_api_route(path, lambda: {})\n",
    }
    findings = check_files(files, select=["PS001", "PS040", "PS041"])
    assert findings == []


def test_a_ten_thousand_line_generated_module_is_fine() -> None:
    generated = "".join(f"CONSTANT_{n} = {n}\n" for n in range(10_000))
    findings = check_files(
        {"app/config.py": SETTINGS, "app/generated.py": generated}, select=["PS", "AU001"]
    )
    assert not [f for f in findings if f.path == "app/generated.py"]


def test_the_reference_project_is_clean_and_legacy_shows_the_family() -> None:
    import subprocess
    import sys

    repository = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "auditor", "check", "--select", "PS", "--output-format"]
    clean = subprocess.run(
        [*command, "concise", "."], cwd=repository, capture_output=True, text=True, timeout=300
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr
    legacy = subprocess.run(
        [*command, "concise", "examples/legacy-mami"],
        cwd=repository,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert legacy.returncode == 1, legacy.stderr
    found = {line.split(" ", 2)[1] for line in legacy.stdout.splitlines() if ": PS" in line}
    expected = {
        "PS002", "PS003", "PS004", "PS005", "PS006", "PS010", "PS011", "PS013",
        "PS020", "PS021", "PS031", "PS032", "PS040", "PS041", "PS050",
    }  # fmt: skip
    assert expected <= found, legacy.stdout


def test_fix_twice_on_a_project_written_like_a_legacy_one(tmp_path: Path) -> None:
    import subprocess
    import sys

    from auditor.testing import write_files

    write_files(
        tmp_path,
        {
            "mami-audit.toml": 'select = ["PS"]\n',
            "app/__init__.py": "",
            "app/settings.py": "# -*- coding: utf-8 -*-\n"
            '"""Config."""\nfrom typing import Optional\n\n'
            "from pydantic import BaseSettings, validator  # v1\n\n\n"
            "class AppSettings(BaseSettings):\n"
            "    '''All settings.'''\n\n"
            "    redis_url: Optional[str] = None  # e.g. redis://redis:6379\n"
            "    database_url: str = 'sqlite:///data/app.db'\n\n"
            "    @validator('redis_url')\n"
            "    def strip(cls, value):\n        return value.strip() if value else value\n\n"
            "    class Config:\n"
            "        env_file = '.env'\n\n"
            "        # case matters in production\n"
            "        case_sensitive = True\n",
        },
    )
    command = [sys.executable, "-m", "auditor", "check", "--fix", "--select", "PS002", "."]
    first = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert first.returncode in (0, 1), first.stderr
    text = (tmp_path / "app/settings.py").read_text()
    assert "from pydantic import validator  # v1\n" in text
    assert "from pydantic_settings import BaseSettings, SettingsConfigDict\n" in text
    assert "        # case matters in production\n        case_sensitive=True,\n" in text
    compile(text, "settings.py", "exec")
    second = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stdout
    assert (tmp_path / "app/settings.py").read_text() == text


def test_a_suppression_comment_covers_the_whole_python_statement_below_it() -> None:
    files = {
        "app/jobs.py": "def run():\n"
        "    # mami-audit: ignore[print-call] the CLI output is the point\n"
        '    print(\n        "x"\n    )\n'
        '    print("y")\n'
    }
    findings = check_files(files, select=["PS011", "AU003"])
    assert codes(findings) == ["PS011:app/jobs.py:6"]
