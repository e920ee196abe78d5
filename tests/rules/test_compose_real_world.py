"""Compose projects in the shapes real teams write, none written for a rule's examples.

Each is audited through the CLI as a user would (`check`, then `check --fix` twice): no
internal error, the fixes keep comments and anchors, the second `--fix` changes nothing, and
every stack still passes the real `docker-compose config -q` afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.testing import write_files

from .test_compose_fixes import compose_accepts

REPOSITORY = Path(__file__).resolve().parents[2]

PROJECTS: dict[str, dict[str, str]] = {
    "web-db-cache": {
        "docker-compose.yml": """\
# web + postgres + redis, the classic
version: "3.9"

x-env: &env
  DATABASE_URL: postgres://app:${POSTGRES_PASSWORD:-app}@db:5432/app
  REDIS_URL: redis://cache:6379/0

services:
  web:
    build: .
    command: gunicorn project.wsgi:application --bind 0.0.0.0:8000
    environment:
      <<: *env
    ports:
      - 8000:8000   # the app
    depends_on:
      - db
      - cache
  db:
    image: postgres:16
    volumes:
      - pgdata:/var/lib/postgresql/data
  cache:
    image: redis
volumes:
  pgdata:
""",
        "docker-compose.prod.yml": """\
services:
  web:
    image: registry.example.com/web:1.4.2
  db:
    ports:
      - "5432:5432"
""",
        "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n"
        'CMD ["gunicorn", "project.wsgi:application"]\n',
    },
    "profiles-and-override": {
        "compose.yaml": """\
name: shop
services:
  api:
    image: example/shop-api:2.3.1
    ports: ["127.0.0.1:8080:8080"]
    healthcheck:
      test: ["CMD", "wget", "-q", "--spider", "http://localhost:8080/healthz"]
  mailhog:
    image: mailhog/mailhog:v1.0.1
    profiles: [dev]
    ports:
      - "8025:8025"
""",
        "compose.override.yaml": """\
services:
  api:
    environment:
      LOG_LEVEL: debug
    volumes:
      - ./src:/srv/src:ro
""",
    },
    "extends-and-anchors": {
        "docker-compose.yml": """\
x-defaults: &defaults
  restart: unless-stopped
  logging:
    driver: json-file

services:
  worker-a:
    <<: *defaults
    extends:
      file: common/base.yml
      service: python-worker
    command: ["python", "-m", "jobs.a"]
  worker-b:
    extends: worker-a
    command: ["python", "-m", "jobs.b"]
""",
        "common/base.yml": """\
services:
  python-worker:
    image: python:3.12-slim
    environment:
      - QUEUE=default
""",
    },
    "include": {
        "compose.yaml": """\
include:
  - infra/observability.yaml
services:
  app:
    image: example/app:1.0.0
    depends_on:
      prometheus:
        condition: service_started
""",
        "infra/observability.yaml": """\
services:
  prometheus:
    image: prom/prometheus:v3.5.0
    volumes:
      - ./prometheus.yml:/etc/prometheus/prometheus.yml:ro
""",
        "infra/prometheus.yml": "scrape_configs:\n  - job_name: app\n    static_configs:\n"
        '      - targets: ["app:9100"]\n',
    },
}


def run_cli(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *arguments],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPOSITORY), "NO_COLOR": "1", "PATH": os.environ["PATH"]},
        timeout=120,
    )


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


@pytest.mark.parametrize("fix", [("--fix",), ("--fix", "--unsafe-fixes")], ids=["safe", "unsafe"])
@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_real_world_project_audits_and_fixes_cleanly(
    tmp_path: Path, name: str, fix: tuple[str, ...]
) -> None:
    write_files(tmp_path, PROJECTS[name])
    first = run_cli(tmp_path, "check", ".")
    assert first.returncode in (0, 1), first.stdout + first.stderr
    assert "Traceback" not in first.stderr
    fixed = run_cli(tmp_path, "check", *fix, ".")
    assert fixed.returncode in (0, 1), fixed.stdout + fixed.stderr
    after_first_fix = snapshot(tmp_path)
    again = run_cli(tmp_path, "check", *fix, ".")
    assert again.returncode in (0, 1), again.stdout + again.stderr
    assert snapshot(tmp_path) == after_first_fix, "a second --fix changed files"
    # Comments and anchors survive the fixes.
    for path, text in PROJECTS[name].items():
        written = (tmp_path / path).read_text()
        for line in text.splitlines():
            if line.lstrip().startswith("#") or "&" in line or "*" in line:
                assert line in written, (path, line)
    compose_accepts(tmp_path)


def test_the_web_db_cache_fixes_are_the_minimal_ones(tmp_path: Path) -> None:
    write_files(tmp_path, PROJECTS["web-db-cache"])
    run_cli(tmp_path, "check", "--fix", ".")
    text = (tmp_path / "docker-compose.yml").read_text()
    assert 'version: "3.9"' not in text
    assert '      - "8000:8000"   # the app\n' in text
    assert text.count("    restart: unless-stopped\n") == 3
    # Not a Mami stack: no mami-network is forced on it.
    assert "mami-network" not in text


def test_legacy_example_shows_the_families_at_work() -> None:
    done = run_cli(
        REPOSITORY,
        "check",
        "examples/legacy-mami",
        "--select",
        "CP,OB",
        "--output-format",
        "concise",
    )
    assert done.returncode == 1, done.stdout + done.stderr
    codes = {
        line.split(" ")[1] for line in done.stdout.splitlines() if ": CP" in line or ": OB" in line
    }
    # Every CP/OB rule but those the example has no case for (CP001-2, CP012, CP015-16,
    # CP020, CP025-27, OB001, OB005).
    shown = {f"CP{n:03}" for n in (3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 17, 18, 19, 21, 22)}
    shown |= {f"CP{n:03}" for n in (23, 24, 28, 29, 30, 31, 32)}
    shown |= {f"OB{n:03}" for n in (2, 3, 4, 6, 7, 8)}
    assert shown <= codes, shown - codes


def test_the_reference_project_is_clean_for_both_families() -> None:
    done = run_cli(REPOSITORY, "check", ".", "--select", "CP,OB,AU")
    assert done.returncode == 0, done.stdout + done.stderr


_LOADED_LIBRARIES = """
import sys
from auditor.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def libraries_loaded(root: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _LOADED_LIBRARIES, "check", ".", "--output-format", "concise"],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPOSITORY), "NO_COLOR": "1", "PATH": os.environ["PATH"]},
        timeout=120,
    )
    return set(done.stdout.split("\n")[-2].split())


def test_only_a_project_with_compose_files_pays_for_yaml_and_the_schema(tmp_path: Path) -> None:
    write_files(tmp_path / "compose", PROJECTS["web-db-cache"])
    loaded = libraries_loaded(tmp_path / "compose")
    assert {"yaml", "jsonschema"} <= loaded
    assert not loaded & {"ruamel", "libcst", "rich"}
    write_files(tmp_path / "dockerfile", {"Dockerfile": "FROM python:3.12-slim\n"})
    assert not libraries_loaded(tmp_path / "dockerfile") & {"yaml", "jsonschema"}


def test_the_legacy_example_fixed_with_unsafe_fixes_keeps_only_what_needs_a_choice(
    tmp_path: Path,
) -> None:
    """What `check --fix --unsafe-fixes` leaves of the legacy example's compose findings is
    what needs the user's choice (an image tag, an autoheal image, a secret, the app's code);
    every stack still loads in the real Compose and a second run changes nothing."""
    import shutil

    project = tmp_path / "legacy"
    shutil.copytree(REPOSITORY / "examples" / "legacy-mami", project)
    (project / "mami-audit.toml").unlink(missing_ok=True)
    before = run_cli(project, "check", ".", "--select", "CP", "--output-format", "concise")
    fixed = run_cli(project, "check", "--fix", "--unsafe-fixes", ".")
    assert fixed.returncode in (0, 1), fixed.stdout + fixed.stderr
    after_first_fix = snapshot(project)
    run_cli(project, "check", "--fix", "--unsafe-fixes", ".")
    assert snapshot(project) == after_first_fix, "a second --fix changed files"
    compose_accepts(project)
    after = run_cli(project, "check", ".", "--select", "CP", "--output-format", "concise")
    left = {line.split(" ")[1] for line in after.stdout.splitlines() if ": CP" in line}
    fixed_away = {"CP005", "CP006", "CP008", "CP009", "CP010", "CP013", "CP014", "CP018"}
    fixed_away |= {"CP021", "CP032"}
    found = {line.split(" ")[1] for line in before.stdout.splitlines() if ": CP" in line}
    assert fixed_away <= found
    assert not left & fixed_away, after.stdout
    needs_a_choice = {"CP003", "CP007", "CP011", "CP019", "CP024", "CP028", "CP029", "CP030"}
    assert left <= needs_a_choice | {"CP031"}, after.stdout
