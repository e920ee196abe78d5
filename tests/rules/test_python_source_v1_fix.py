"""PS002's libcst fix on pydantic v1 settings modules written the way legacy projects have them,
and the fixed module run under the real pydantic-settings against the original run under
pydantic v1's semantics (`pydantic.v1`, the v1 API pydantic 2 still ships).

The v1 semantics the fix keeps, for what a class loads from the environment and `.env`:
variable names are case-insensitive unless `case_sensitive`; `env_prefix` applies to field
names; `.env` keys no field reads are ignored (pydantic-settings 2 refuses them unless
`extra="ignore"`, which the fix adds); the environment wins over `.env`; option renames such
as `anystr_strip_whitespace` -> `str_strip_whitespace` keep their effect.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import rules
from auditor.rule import Example, registry
from auditor.testing import check_files, run_example

rules.load_all()
PS002 = registry.get("PS002")
assert PS002 is not None

LEGACY_SETTINGS = '''\
"""Application settings."""
import os
from typing import List, Optional

from pydantic import BaseSettings  # moved to pydantic-settings in pydantic 2


class Settings(BaseSettings):
    app_name: str = "Mami AI"
    debug: bool = False
    port: int = 8000
    redis_url: Optional[str] = None
    allowed_hosts: List[str] = ["localhost"]
    groq_api_key: str = ""

    class Config:
        # values come from the environment first, then this file
        env_file = ".env"
        env_file_encoding = "utf-8"
        env_prefix = "MAMI_"
        anystr_strip_whitespace = True


settings = Settings()
'''

DOTENV = """\
MAMI_DEBUG=true
mami_port=9000
MAMI_REDIS_URL=redis://redis:6379/0
MAMI_ALLOWED_HOSTS=["mami.example.com", "localhost"]
MAMI_GROQ_API_KEY=   gsk_padded
# not ours: Compose reads it; v1 ignored it
COMPOSE_PROJECT_NAME=mami
UNRELATED=1
"""


def fixed_text(text: str, *, unsafe: bool = False) -> str:
    run = run_example(PS002, Example({"app/config.py": text}, bad=True, unsafe=unsafe))
    assert run.findings and not run.fix_problems, run.fix_problems
    return run.files["app/config.py"]


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def env_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.upper().startswith("MAMI_"):
            monkeypatch.delenv(name)
    (tmp_path / ".env").write_text(DOTENV, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_fixed_module_loads_the_same_values_as_v1(env_folder: Path, monkeypatch) -> None:
    original_v1 = LEGACY_SETTINGS.replace("from pydantic import", "from pydantic.v1 import")
    fixed = fixed_text(LEGACY_SETTINGS)
    assert "from pydantic_settings import BaseSettings, SettingsConfigDict" in fixed
    assert "# moved to pydantic-settings in pydantic 2" in fixed  # comments are kept
    assert "# values come from the environment first, then this file" in fixed
    assert 'extra="ignore"' in fixed and "str_strip_whitespace=True" in fixed

    (env_folder / "legacy.py").write_text(original_v1, encoding="utf-8")
    (env_folder / "fixed.py").write_text(fixed, encoding="utf-8")
    monkeypatch.setenv("MAMI_PORT", "9100")  # the environment wins over .env in both
    before = load(env_folder / "legacy.py", "legacy_settings_v1").settings
    after = load(env_folder / "fixed.py", "fixed_settings_v2").settings
    assert type(before).__module__ == "legacy_settings_v1"
    expected = {
        "app_name": "Mami AI",
        "debug": True,
        "port": 9100,
        "redis_url": "redis://redis:6379/0",
        "allowed_hosts": ["mami.example.com", "localhost"],
        "groq_api_key": "gsk_padded",
    }
    assert before.dict() == expected
    assert after.model_dump() == expected


def test_without_extra_ignore_pydantic_settings_would_refuse_the_env(env_folder: Path) -> None:
    """Why the fix adds extra="ignore": the same class without it fails on the .env above."""
    fixed = fixed_text(LEGACY_SETTINGS).replace('        extra="ignore",\n', "")
    (env_folder / "strict.py").write_text(fixed, encoding="utf-8")
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        load(env_folder / "strict.py", "strict_settings_v2")


def test_field_env_becomes_validation_alias_unsafely(env_folder: Path) -> None:
    legacy = (
        "from pydantic import BaseSettings, Field\n\n\n"
        "class Settings(BaseSettings):\n"
        "    redis: str = Field('redis://localhost', env='REDIS_ADDRESS')\n\n"
        "    class Config:\n        env_file = '.env'\n"
    )
    (env_folder / ".env").write_text("REDIS_ADDRESS=redis://cache:6379\nOTHER=1\n")
    findings = check_files({"app/config.py": legacy}, select=["PS002"])
    assert findings[0].fix is not None and findings[0].fix.applicability.value == "unsafe"
    fixed = fixed_text(legacy, unsafe=True)
    assert "validation_alias='REDIS_ADDRESS'" in fixed
    (env_folder / "legacy_alias.py").write_text(
        legacy.replace("from pydantic ", "from pydantic.v1 ")
    )
    (env_folder / "fixed_alias.py").write_text(fixed)
    before = load(env_folder / "legacy_alias.py", "legacy_alias").Settings()
    after = load(env_folder / "fixed_alias.py", "fixed_alias").Settings()
    assert before.redis == after.redis == "redis://cache:6379"


@pytest.mark.parametrize(
    ("legacy", "expected_parts"),
    [
        (  # `import pydantic` and the attribute
            "import pydantic\n\n\nclass Settings(pydantic.BaseSettings):\n    port: int = 8000\n",
            ["import pydantic_settings\n", "class Settings(pydantic_settings.BaseSettings):"],
        ),
        (  # an aliased import keeps its alias
            "from pydantic import BaseSettings as Base, validator\n\n\n"
            "class Settings(Base):\n    port: int = 8000\n\n"
            "    class Config:\n        case_sensitive = True\n",
            [
                "from pydantic import validator\n",
                "from pydantic_settings import BaseSettings as Base, SettingsConfigDict\n",
                "        case_sensitive=True,\n",
            ],
        ),
        (  # Extra.ignore becomes the string pydantic 2 expects
            "from pydantic import BaseSettings, Extra\n\n\n"
            "class Settings(BaseSettings):\n    port: int = 8000\n\n"
            "    class Config:\n        extra = Extra.ignore\n",
            ['        extra="ignore",\n'],
        ),
    ],
    ids=["module-attribute", "aliased", "extra-enum"],
)
def test_legacy_shapes(legacy: str, expected_parts: list[str]) -> None:
    fixed = fixed_text(legacy)
    for part in expected_parts:
        assert part in fixed, fixed
    compile(fixed, "fixed.py", "exec")
    assert check_files({"app/config.py": fixed}, select=["PS002"]) == []  # nothing left to fix


def test_a_config_with_a_method_is_reported_but_not_rewritten() -> None:
    legacy = (
        "from pydantic import BaseSettings\n\n\nclass Settings(BaseSettings):\n"
        "    port: int = 8000\n\n    class Config:\n        env_file = '.env'\n\n"
        "        @classmethod\n        def customise_sources(cls, init, env, file):\n"
        "            return env, init, file\n"
    )
    run = run_example(PS002, Example({"app/config.py": legacy}, bad=True, unsafe=True))
    assert len(run.findings) == 1 and "customise_sources" in run.findings[0].message
    assert run.findings[0].fix is None and "no fix" in run.findings[0].message
    assert run.files["app/config.py"] == legacy  # nothing lost, nothing written


def test_check_without_fix_never_imports_libcst(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "config.py").write_text(LEGACY_SETTINGS)
    (tmp_path / "mami-audit.toml").write_text('select = ["PS"]\n')
    script = (
        "import sys\nfrom auditor.cli import main\n"
        "try:\n    main(['check', '.', '--output-format', 'concise'])\n"
        "except SystemExit:\n    pass\n"
        "print('LIBCST' if 'libcst' in sys.modules else 'NO-LIBCST')\n"
    )
    repository = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(repository)},
        timeout=120,
    )
    assert "PS002" in done.stdout, done.stdout + done.stderr
    assert done.stdout.strip().endswith("NO-LIBCST"), done.stdout
