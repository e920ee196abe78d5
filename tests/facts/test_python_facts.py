"""Settings class, routes, imports and entry points, derived from the Python source."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from auditor.config import Config
from auditor.facts.imports import entry_point, entry_points_in_code, imported_modules
from auditor.facts.routes import route_facts
from auditor.facts.settings import UNKNOWN, settings_facts
from auditor.project import Project
from auditor.testing import write_files

REPOSITORY = Path(__file__).resolve().parents[2]


def project(tmp_path: Path, files: Mapping[str, str], config: Mapping | None = None) -> Project:
    write_files(tmp_path, files)
    return Project(tmp_path, Config.from_mapping(config or {}))


# -- the Settings class ------------------------------------------------------------------------


def test_reference_settings_class() -> None:
    facts = settings_facts(Project(REPOSITORY, Config()))
    assert facts.complete
    settings = facts.primary
    assert settings is not None
    assert (settings.name, settings.path, settings.version) == ("Settings", "app/config.py", "v2")
    assert settings.env_file == (".env",)  # env_file=ENV_FILE, a module constant
    assert settings.fields["DATABASE_URL"].value == "sqlite:///data/app.db"
    assert settings.fields["PORT"].value == 8000  # Field(default=8000, ge=1, le=65535)
    assert settings.fields["GROQ_NUMBERED_API_KEYS"].default == "list"  # default_factory
    assert settings.fields["GROQ_NUMBERED_API_KEYS"].value is UNKNOWN
    assert "model_config" not in settings.fields
    redis = settings.methods["get_redis_url"]
    assert [p.name for p in redis.parameters] == ["db"]
    assert settings.field_for_variable("database_url") is settings.fields["DATABASE_URL"]


def test_settings_found_through_aliases_and_re_exports(tmp_path: Path) -> None:
    facts = settings_facts(
        project(
            tmp_path,
            {
                "app/__init__.py": "",
                "app/base.py": "from pydantic_settings import BaseSettings as _Base\n"
                "class AppBase(_Base):\n    pass\n",
                "app/reexport.py": "from app.base import _Base as Settings2\n",
                "app/config.py": "import app.reexport as r\nfrom .base import AppBase\n"
                "class Conf(AppBase):\n    NAME: str\n"
                "class Other(r.Settings2):\n    X: int = 1\n",
                "app/models.py": "class BaseSettings:\n    pass\nclass Fake(BaseSettings):\n"
                "    A: int = 1\n",
            },
        )
    )
    names = {(c.path, c.name) for c in facts.classes}
    assert names == {
        ("app/base.py", "AppBase"),
        ("app/config.py", "Conf"),
        ("app/config.py", "Other"),
    }
    assert facts.primary is not None and facts.primary.name == "Conf"  # in app/config.py
    assert facts.primary.fields["NAME"].required


def test_pydantic_v1_settings_are_recognised(tmp_path: Path) -> None:
    facts = settings_facts(
        project(
            tmp_path,
            {
                "app/config.py": "from pydantic import BaseSettings, Field\n"
                "class Settings(BaseSettings):\n"
                "    redis_url: str = Field('redis://localhost', env='REDIS_URL')\n"
                "    debug: bool = False\n"
                "    class Config:\n        env_file = '.env'\n        env_prefix = 'MAMI_'\n",
            },
        )
    )
    settings = facts.primary
    assert settings is not None and settings.version == "v1"
    assert settings.config_class is not None and settings.model_config is None
    assert settings.env_file == (".env",) and settings.env_prefix == "MAMI_"
    assert settings.field_for_variable("REDIS_URL") is settings.fields["redis_url"]
    assert settings.field_for_variable("MAMI_DEBUG") is settings.fields["debug"]
    assert settings.field_for_variable("DEBUG") is None


def test_computed_config_is_unknown(tmp_path: Path) -> None:
    facts = settings_facts(
        project(
            tmp_path,
            {
                "app/config.py": "import os\nfrom pydantic_settings import BaseSettings\n"
                "class Settings(BaseSettings):\n"
                "    model_config = {'env_file': os.environ['ENV'], 'env_prefix': os.getenv('P')}\n"
                "    A: int = 1\n",
            },
        )
    )
    settings = facts.primary
    assert settings is not None
    assert settings.env_file is UNKNOWN and not settings.variables_known
    assert settings.field_for_variable("A") is None  # the prefix is unknown: no guessing


def test_an_unresolvable_base_makes_settings_incomplete(tmp_path: Path) -> None:
    facts = settings_facts(
        project(tmp_path, {"app/config.py": "class Settings(make_base()):\n    A: int = 1\n"})
    )
    assert facts.primary is None and not facts.complete
    assert facts.unresolved == [("app/config.py", 1)]


# -- routes ------------------------------------------------------------------------------------


def test_reference_routes() -> None:
    facts = route_facts(Project(REPOSITORY, Config()))
    assert facts.complete, facts.problems
    pairs = {(route.method, route.path) for route in facts.routes}
    assert {("GET", "/health"), ("GET", "/metrics"), ("POST", "/api/chat")} <= pairs
    assert ("GET", "/api/images/{job_id}") in pairs
    assert ("POST", "/internal/jobs/claim") in pairs


def test_prefixes_nest_and_mounts_count(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/api/__init__.py": "",
        "app/api/v1.py": "from fastapi import APIRouter\nrouter = APIRouter(prefix='/items')\n"
        "@router.get('/{id}')\ndef item(id: int): ...\n"
        "@router.api_route('', methods=['GET', 'POST'])\ndef items(): ...\n",
        "app/api/__main__.py": "",
        "app/main.py": "import fastapi\nfrom fastapi import APIRouter\n"
        "from prometheus_client import make_asgi_app\n"
        "from app.api import v1\nfrom .api.v1 import router as items_router\n"
        "api = APIRouter(prefix='/api')\napi.include_router(v1.router, prefix='/v1')\n"
        "app = fastapi.FastAPI()\napp.include_router(api)\n"
        "app.mount('/metrics', make_asgi_app())\n"
        "@app.get('/health')\nasync def health(): ...\n"
        "app.add_api_route('/ready', health)\n",
    }
    facts = route_facts(project(tmp_path, files))
    assert facts.complete, facts.problems
    pairs = {(route.method, route.path) for route in facts.routes}
    assert pairs == {
        ("GET", "/api/v1/items/{id}"),
        ("GET", "/api/v1/items"),
        ("POST", "/api/v1/items"),
        ("GET", "/health"),
        ("GET", "/ready"),
    }
    assert facts.serves("/metrics") is not None and facts.serves("/health/") is not None
    assert facts.serves("/nope") is None


def test_dynamic_routes_make_the_facts_incomplete(tmp_path: Path) -> None:
    files = {
        "app/main.py": "from fastapi import FastAPI\nPATH = '/x'\napp = FastAPI()\n"
        "@app.get(PATH)\ndef x(): ...\n"
    }
    facts = route_facts(project(tmp_path, files))
    assert not facts.complete and "not a string literal" in facts.problems[0]
    assert not route_facts(project(tmp_path / "none", {"app/main.py": "x = 1\n"})).complete


# -- imports and entry points ------------------------------------------------------------------


def test_imports_of_the_app_code(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/main.py": "import os\nfrom fastapi import FastAPI\nfrom app.config import X\n"
        "try:\n    import ujson\nexcept ImportError:\n    ujson = None\n"
        "import importlib\nplugin = importlib.import_module(os.environ['PLUGIN'])\n",
        "app/config.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import redis\n",
        "scripts/tool.py": "import click\n",  # outside the app package
    }
    used = imported_modules(project(tmp_path, files))
    assert set(used.third_party) == {"fastapi", "ujson", "redis"}
    assert "app" in used.first_party and "os" in used.stdlib
    fastapi = used.names["fastapi"][0]
    assert (fastapi.path, fastapi.line, fastapi.conditional) == ("app/main.py", 2, False)
    assert used.names["ujson"][0].conditional
    assert used.names["redis"][0].type_checking
    assert used.dynamic == [("app/main.py", 9)]


def test_entry_points(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/__main__.py": "import uvicorn\nuvicorn.run('app.main:app')\n",
        "app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        "app/tool.py": "if __name__ == '__main__':\n    pass\n",
    }
    audited = project(tmp_path, files)
    assert entry_point(audited, "app.main:app").exists
    assert entry_point(audited, "app.main:app").line == 2
    assert entry_point(audited, "app").path == "app/__main__.py"
    assert not entry_point(audited, "app.main:application").exists
    assert not entry_point(audited, "app.missing:app").exists
    assert not entry_point(audited, "uvicorn").exists
    targets = {(site.target, site.path) for site in entry_points_in_code(audited)}
    assert targets == {
        ("app", "app/__main__.py"),
        ("app.main:app", "app/__main__.py"),
        ("app.tool", "app/tool.py"),
    }


def test_facts_are_computed_once_per_project(tmp_path: Path) -> None:
    audited = project(tmp_path, {"app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n"})
    assert route_facts(audited) is route_facts(audited)
    changed = Project(
        tmp_path, audited.config, overlay={"app/main.py": b"x = 1\n"}, previous=audited
    )
    assert route_facts(changed).apps == [] and route_facts(audited).apps == ["app.main.app"]


def test_a_package_below_a_plain_folder_is_named_as_its_imports_name_it(tmp_path: Path) -> None:
    files = {
        "backend/app/__init__.py": "",
        "backend/app/api/__init__.py": "",
        "backend/app/api/health.py": "from fastapi import APIRouter\nrouter = APIRouter()\n"
        "@router.get('/health')\ndef health(): ...\n",
        "backend/app/main.py": "from fastapi import FastAPI\nfrom app.api import health\n"
        "app = FastAPI()\napp.include_router(health.router)\n",
    }
    audited = project(tmp_path, files)
    facts = route_facts(audited)
    assert facts.apps == ["app.main.app"] and facts.complete
    assert [(r.method, r.path) for r in facts.routes] == [("GET", "/health")]
    assert "app" in imported_modules(audited).first_party


def test_entry_points_of_a_package_below_a_plain_folder(tmp_path: Path) -> None:
    files = {
        "backend/app/__init__.py": "",
        "backend/app/__main__.py": "print('run')\n",
        "backend/app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
    }
    audited = project(tmp_path, files)
    assert entry_point(audited, "app.main:app").path == "backend/app/main.py"
    assert entry_point(audited, "app").path == "backend/app/__main__.py"
    assert not entry_point(audited, "app.main:application").exists
