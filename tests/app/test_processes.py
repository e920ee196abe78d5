"""The real processes: `python -m app` as API (R15.1) and as worker (R15.2, R15.3), under
uvicorn on loopback; `python -m app.selfcheck` (R1.3)."""

from __future__ import annotations

import io
import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from backend_testkit import free_port, wait_for_health, wait_until
from PIL import Image

TOKEN = "e2e-token"


def exif_rotated_jpeg() -> bytes:
    """A 400x200 JPEG whose EXIF says "rotate 90°": upright it is 200x400."""
    image = Image.new("RGB", (400, 200), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW to display
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def api_env(tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    return {
        "NODE_MODE": "CORE",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path}/data/app.db",
        "INTERNAL_UPLOAD_TOKEN": TOKEN,
        **extra,
    }


def worker_env(port: int, token: str = TOKEN, **extra: str) -> dict[str, str]:
    return {
        "NODE_MODE": "WORKER",
        "API_BASE_URL": f"http://127.0.0.1:{port}",
        "INTERNAL_UPLOAD_TOKEN": token,
        "WORKER_POLL_SECONDS": "0.2",
        "WORKER_MAX_BACKOFF_SECONDS": "0.5",
        **extra,
    }


def job_status(base_url: str, job_id: str) -> dict[str, Any]:
    return httpx.get(f"{base_url}/api/images/{job_id}", timeout=5).json()


def test_worker_waits_for_the_api_then_processes_a_job_and_stops_on_sigterm(
    tmp_path: Path, spawn: Callable[..., Any]
) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # The worker comes up first, as it may in Compose: it must wait, not crash.
    worker = spawn(worker_env(port), name="worker")
    wait_until(lambda: "API not ready" in worker.log(), 20, "the worker to notice the API is down")
    assert worker.process.poll() is None

    api = spawn(api_env(tmp_path, port), name="api")
    wait_for_health(base_url, api)
    assert (tmp_path / "data" / "app.db").is_file()

    created = httpx.post(
        f"{base_url}/api/images",
        files={"file": ("photo.jpg", exif_rotated_jpeg(), "image/jpeg")},
        timeout=10,
    )
    assert created.status_code == 201
    job_id = created.json()["id"]
    wait_until(lambda: job_status(base_url, job_id)["status"] == "done", 30, "the job to be done")

    results = {r["name"]: r for r in job_status(base_url, job_id)["results"]}
    # Upright (EXIF applied) and never enlarged: 200x400 fits both variants as is or smaller.
    assert (results["large"]["width"], results["large"]["height"]) == (200, 400)
    assert (results["thumbnail"]["width"], results["thumbnail"]["height"]) == (128, 256)
    thumbnail = httpx.get(base_url + results["thumbnail"]["url"], timeout=5)
    assert thumbnail.headers["content-type"] == "image/webp"
    with Image.open(io.BytesIO(thumbnail.content)) as image:
        assert image.size == (128, 256)
        assert image.getexif().get(0x0112) is None  # orientation applied, EXIF gone

    worker.process.send_signal(signal.SIGTERM)
    assert worker.process.wait(15) == 0
    assert "stopped on request" in worker.log()
    stop_api(api)


def stop_api(api: Any) -> None:
    """SIGTERM: uvicorn shuts down gracefully (lifespan end), then re-raises the signal."""
    api.process.send_signal(signal.SIGTERM)
    assert api.process.wait(15) in (0, -signal.SIGTERM)
    assert "Mami AI API stopped" in api.log()


def test_a_job_whose_worker_died_mid_job_is_not_lost(
    tmp_path: Path, spawn: Callable[..., Any]
) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    api = spawn(api_env(tmp_path, port, IMAGE_JOB_LEASE_SECONDS="1"), name="api")
    wait_for_health(base_url, api)
    job_id = httpx.post(
        f"{base_url}/api/images",
        files={"file": ("a.jpg", exif_rotated_jpeg(), "image/jpeg")},
        timeout=10,
    ).json()["id"]

    # A worker process that claims the job, downloads it, and is killed (SIGKILL) mid-job.
    doomed = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import os, signal
                from app.image.worker_local import ApiClient
                api = ApiClient("{base_url}", "{TOKEN}")
                job = api.claim()
                print("CLAIMED", job["id"], flush=True)
                api.original(job["id"])
                os.kill(os.getpid(), signal.SIGKILL)
                """
            ),
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert doomed.returncode == -signal.SIGKILL
    assert f"CLAIMED {job_id}" in doomed.stdout
    assert job_status(base_url, job_id)["status"] == "processing"

    worker = spawn(worker_env(port), name="worker")
    wait_until(lambda: job_status(base_url, job_id)["status"] == "done", 30, "the job to be redone")
    assert len(job_status(base_url, job_id)["results"]) == 2

    # An image whose header passes the upload check but whose pixels are cut off: the worker
    # marks the job failed instead of retrying it forever.
    truncated = exif_rotated_jpeg()[:700]
    broken_id = httpx.post(
        f"{base_url}/api/images",
        files={"file": ("cut.jpg", truncated, "image/jpeg")},
        timeout=10,
    ).json()["id"]
    wait_until(lambda: job_status(base_url, broken_id)["status"] == "failed", 30, "the job to fail")
    assert "cannot process image" in job_status(base_url, broken_id)["error"]
    assert worker.process.poll() is None
    worker.process.send_signal(signal.SIGTERM)
    assert worker.process.wait(15) == 0


def test_a_worker_with_a_wrong_token_stores_nothing_and_exits(
    tmp_path: Path, spawn: Callable[..., Any]
) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    api = spawn(api_env(tmp_path, port), name="api")
    wait_for_health(base_url, api)
    job_id = httpx.post(
        f"{base_url}/api/images",
        files={"file": ("a.jpg", exif_rotated_jpeg(), "image/jpeg")},
        timeout=10,
    ).json()["id"]

    worker = spawn(worker_env(port, token="not-the-token"), name="worker")
    assert worker.process.wait(30) == 1
    assert "rejected INTERNAL_UPLOAD_TOKEN" in worker.log()
    job = job_status(base_url, job_id)
    assert (job["status"], job["results"]) == ("pending", [])


def test_the_worker_refuses_to_run_without_a_token(spawn: Callable[..., Any]) -> None:
    worker = spawn(
        {"NODE_MODE": "WORKER", "API_BASE_URL": "http://127.0.0.1:9"},
        module="app.image.worker_local",
    )
    assert worker.process.wait(30) == 2
    assert "INTERNAL_UPLOAD_TOKEN is not set" in worker.log()


@pytest.mark.parametrize("module", ["app", "app.image.worker_local"])
def test_invalid_settings_stop_with_a_clear_message(spawn: Callable[..., Any], module: str) -> None:
    process = spawn(
        {"NODE_MODE": "BOTH", "PORT": "eighty", "GROQ_API_KEY": "gsk_do_not_print"}, module=module
    )
    assert process.process.wait(30) == 2
    log = process.log()
    assert "invalid settings" in log
    assert "NODE_MODE: Input should be 'CORE' or 'WORKER' (got 'BOTH')" in log
    assert "Traceback" not in log
    assert "gsk_do_not_print" not in log


def test_the_api_refuses_to_start_when_the_migration_fails(
    tmp_path: Path, spawn: Callable[..., Any]
) -> None:
    db_file = tmp_path / "data" / "app.db"
    db_file.parent.mkdir()
    with sqlite3.connect(db_file) as connection:
        connection.execute("CREATE TABLE image_job (unexpected TEXT)")
    api = spawn(api_env(tmp_path, free_port()), name="api")
    assert api.process.wait(60) != 0
    log = api.log()
    assert "refusing to start: database migration failed" in log
    assert "already exists" in log


def test_selfcheck_imports_every_module(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.selfcheck"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "every module under app imports" in result.stdout


def test_selfcheck_names_each_module_that_fails(tmp_path: Path) -> None:
    package = tmp_path / "brokenpkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "fine.py").write_text("import json\n")
    (package / "missing_dep.py").write_text("import no_such_library_xyz\n")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "exits.py").write_text("raise SystemExit(3)\n")
    repo = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "app.selfcheck", "brokenpkg"],
        cwd=tmp_path,
        env={"PYTHONPATH": f"{tmp_path}:{repo}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "cannot import brokenpkg.missing_dep: ModuleNotFoundError" in result.stderr
    assert "cannot import brokenpkg.sub.exits: SystemExit" in result.stderr
    assert "brokenpkg.fine" not in result.stderr
    assert "2 module(s) failed to import" in result.stderr


@pytest.mark.parametrize("mode", ["CORE"])
def test_python_m_app_serves_health_and_metrics(
    tmp_path: Path, spawn: Callable[..., Any], mode: str
) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    api = spawn(api_env(tmp_path, port, NODE_MODE=mode), name="api")
    wait_for_health(base_url, api)
    assert httpx.get(f"{base_url}/health", timeout=5).json()["status"] == "ok"
    metrics = httpx.get(f"{base_url}/metrics", timeout=5).text
    assert 'http_requests_total{handler="/health",method="GET",status="2xx"}' in metrics
    stop_api(api)
    # Every log line on stdout is one JSON object (R20.2).
    lines = [line for line in api.log().splitlines() if line.strip()]
    assert lines and all(json.loads(line)["message"] is not None for line in lines)


def test_the_idle_worker_does_not_log_every_poll(
    tmp_path: Path, spawn: Callable[..., Any]
) -> None:
    # httpx logs each request at INFO; at one poll every 2 s that is 1,800 lines an hour.
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    api = spawn(api_env(tmp_path, port), name="api")
    wait_for_health(base_url, api)
    worker = spawn(worker_env(port), name="worker")
    wait_until(
        lambda: api.log().count("/internal/jobs/claim") >= 3, 30, "three polls of the worker"
    )
    worker.process.send_signal(signal.SIGTERM)
    assert worker.process.wait(30) == 0
    assert "HTTP Request:" not in worker.log()


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("REDIS_DSN", "https://default:S3CRETPW@up.example:6379"),
        ("REDIS_URL", "http://default:S3CRETPW@cache:6379"),
    ],
)
def test_a_wrong_redis_scheme_stops_startup_without_printing_the_password(
    spawn: Callable[..., Any], name: str, url: str
) -> None:
    process = spawn({name: url, "PORT": str(free_port()), "HOST": "127.0.0.1"})
    assert process.process.wait(30) == 2
    log = process.log()
    assert f"{name}: Value error, must be a redis://, rediss:// or unix:// URL" in log
    assert "S3CRETPW" not in log
    assert "Traceback" not in log


@pytest.mark.parametrize("module", ["app", "app.image.worker_local"])
@pytest.mark.parametrize(
    ("env_file", "expected"),
    [
        (
            b"SERVICE_NAME=caf\xe9\n",
            ".env: byte 0xe9 at position 16 (line 1) is not valid UTF-8",
        ),
        (
            b'INTERNAL_UPLOAD_TOKEN="s3cret-token\nPORT=8000\n',
            ".env line 1: cannot be parsed (an unclosed quote?)",
        ),
    ],
)
def test_an_unreadable_env_file_stops_with_one_line_naming_it(
    tmp_path: Path, spawn: Callable[..., Any], module: str, env_file: bytes, expected: str
) -> None:
    (tmp_path / ".env").write_bytes(env_file)
    process = spawn({}, module=module)
    assert process.process.wait(30) == 2
    log = process.log()
    assert expected in log
    assert "Traceback" not in log
    assert "s3cret-token" not in log


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        ("notaurl", "DATABASE_URL: Value error, not a database URL"),
        (
            "postgresql://mami:S3CRETPW@db:5432/mami",
            "DATABASE_URL: Value error, only sqlite databases are supported",
        ),
    ],
)
def test_an_unusable_database_url_stops_startup_with_one_line(
    spawn: Callable[..., Any], database_url: str, expected: str
) -> None:
    process = spawn({"DATABASE_URL": database_url, "PORT": str(free_port())})
    assert process.process.wait(30) == 2
    log = process.log()
    assert expected in log
    assert "Traceback" not in log
    assert "S3CRETPW" not in log


def test_an_uncreatable_database_directory_is_a_clear_refusal(
    tmp_path: Path, spawn: Callable[..., Any]
) -> None:
    api = spawn(
        api_env(tmp_path, free_port(), DATABASE_URL="sqlite:////proc/nope/app.db"), name="api"
    )
    assert api.process.wait(60) != 0
    log = api.log()
    assert "refusing to start: cannot create the directory /proc/nope of the sqlite database" in log
