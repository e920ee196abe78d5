"""Fixtures for the backend tests: a real redis-server, loopback HTTP servers that speak a
peer's protocol (LLM providers, Elasticsearch), in-process API clients and real processes.

Nothing here leaves the loopback interface.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

# `app` lives at the repository root and the helpers beside this file; make both importable
# however pytest was started (pytest runs with --import-mode=importlib).
for _path in (str(REPO_ROOT), str(Path(__file__).resolve().parent)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from backend_testkit import PeerServer, RecordedRequest, Reply, free_port, wait_until  # noqa: E402

# --- redis-server --------------------------------------------------------------------------


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen[bytes]

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


def _start_redis(directory: Path) -> RedisServer:
    executable = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if executable is None:
        pytest.fail(
            "redis-server is not installed: the backend tests need a real Redis "
            "(Debian/Ubuntu: apt-get install redis-server; CI installs it)",
            pytrace=False,
        )
    port = free_port()
    process = subprocess.Popen(
        [
            executable,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
            "--daemonize",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def answers_ping() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    wait_until(answers_ping, 10, f"redis-server on port {port}")
    return RedisServer(port, process)


def _stop(process: subprocess.Popen[Any], timeout: float = 10) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = _start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    _stop(server.process)


@pytest.fixture
def stopped_redis(tmp_path: Path) -> Iterator[Callable[[], RedisServer]]:
    """A private redis-server the test may stop (the session one must stay up)."""
    started: list[RedisServer] = []

    def start() -> RedisServer:
        server = _start_redis(tmp_path)
        started.append(server)
        return server

    yield start
    for server in started:
        _stop(server.process)


# --- loopback HTTP peers -------------------------------------------------------------------


@pytest.fixture
def peer_server() -> Iterator[Callable[[Callable[[RecordedRequest], Reply]], PeerServer]]:
    servers: list[PeerServer] = []

    def start(respond: Callable[[RecordedRequest], Reply]) -> PeerServer:
        server = PeerServer(respond)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def dead_url() -> str:
    """A loopback URL where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"


# --- settings and the in-process API -------------------------------------------------------


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Any]:
    from app.config import Settings

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"DATABASE_URL": f"sqlite:///{tmp_path}/data/app.db"}
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return make


@pytest.fixture
def api_client(make_settings: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """Factory: a TestClient on create_app(settings) with the lifespan running."""
    from fastapi.testclient import TestClient

    from app.main import create_app

    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        client = TestClient(create_app(make_settings(**overrides)))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


# --- real processes ------------------------------------------------------------------------


@dataclass
class AppProcess:
    process: subprocess.Popen[str]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., AppProcess]]:
    """Factory: `python -m <module>` in tmp_path with a clean environment plus `env`."""
    processes: list[AppProcess] = []

    def start(env: dict[str, str], module: str = "app", name: str = "app") -> AppProcess:
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),
            "PYTHONPATH": str(REPO_ROOT),
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        log_path = tmp_path / f"{name}-{len(processes)}.log"
        log_file = log_path.open("w")
        process = subprocess.Popen(
            [PYTHON, "-m", module],
            cwd=tmp_path,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            text=True,
        )
        log_file.close()
        handle = AppProcess(process, log_path)
        processes.append(handle)
        return handle

    yield start
    for handle in processes:
        if handle.process.poll() is None:
            handle.process.send_signal(signal.SIGKILL)
            handle.process.wait()
