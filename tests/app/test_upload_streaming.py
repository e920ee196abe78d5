"""Upload bodies are capped while they stream in, before Starlette spools them (review of
issue 3, item 1).

A real uvicorn process is fed a chunked multipart body from a raw socket. What the server
wrote is read from /proc/<pid>/io (`wchar`: bytes passed to write(), which includes the temp
file Starlette spools multipart files to); "early" means the answer arrived while most of the
body was still unsent.
"""

from __future__ import annotations

import select
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from backend_testkit import free_port, wait_for_health

TOKEN = "stream-token"
MIB = 1024 * 1024
MAX_UPLOAD_BYTES = 200_000
BODY_MIB = 64
BOUNDARY = "StreamBoundary"


def bytes_written(pid: int) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    raise AssertionError("no wchar in /proc/<pid>/io")


def send_chunked_upload(
    port: int, path: str, field: str, mebibytes: int, token: str | None = None
) -> tuple[int, int, bytes]:
    """POST a chunked multipart body of `mebibytes` MiB; stop sending once the server
    answers. Returns (status, body bytes sent before the answer came, answer)."""
    head = (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"lease_id\"\r\n\r\nabc\r\n"
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; "
        f"filename=\"large\"\r\nContent-Type: image/png\r\n\r\n"
    ).encode()
    chunks = [head] + [b"\x89PNG" + b"\0" * (MIB - 4)] * mebibytes
    chunks.append(f"\r\n--{BOUNDARY}--\r\n".encode())
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        "Transfer-Encoding: chunked\r\n"
        + (f"Authorization: Bearer {token}\r\n" if token else "")
        + "\r\n"
    ).encode()
    sent = 0
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request)
        for chunk in chunks:
            readable, _, _ = select.select([connection], [], [], 0)
            if readable:
                break
            try:
                connection.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        else:
            connection.sendall(b"0\r\n\r\n")
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            try:
                data = connection.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            answer += data
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
    return status, sent, answer


@pytest.fixture
def api(tmp_path: Path, spawn: Callable[..., Any]) -> tuple[int, Any]:
    port = free_port()
    spool = tmp_path / "spool"
    spool.mkdir()
    process = spawn(
        {
            "NODE_MODE": "CORE",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "DATABASE_URL": f"sqlite:///{tmp_path}/data/app.db",
            "INTERNAL_UPLOAD_TOKEN": TOKEN,
            "MAX_UPLOAD_BYTES": str(MAX_UPLOAD_BYTES),
            "TMPDIR": str(spool),
        },
        name="api",
    )
    wait_for_health(f"http://127.0.0.1:{port}", process)
    return port, process


@pytest.mark.parametrize(
    ("path", "field", "token", "expected_status"),
    [
        ("/internal/jobs/abc/results", "files", None, 401),
        ("/internal/jobs/abc/results", "files", "wrong", 401),
        ("/api/images", "file", None, 413),
    ],
)
def test_a_streamed_body_is_refused_early_and_never_spooled(
    api: tuple[int, Any], path: str, field: str, token: str | None, expected_status: int
) -> None:
    port, process = api
    before = bytes_written(process.process.pid)
    status, sent, answer = send_chunked_upload(port, path, field, BODY_MIB, token)
    written = bytes_written(process.process.pid) - before

    assert status == expected_status, answer[:300]
    # Refused long before the body was all sent (the socket buffers hold a few MiB).
    assert sent < BODY_MIB * MIB // 2, f"{sent} bytes were accepted before the answer"
    # Nothing near the body's size reached the disk (log lines only).
    assert written < 2 * MIB, f"the server wrote {written} bytes"


def test_a_streamed_upload_within_the_limit_still_reaches_the_route(
    api: tuple[int, Any],
) -> None:
    port, _ = api
    # A chunked body within the cap passes the guard: the route itself answers (415: the
    # "file" is only a PNG signature, not an image).
    status, _, answer = send_chunked_upload(port, "/api/images", "file", 0)
    assert status == 415, answer[:300]


def send_whole_upload(port: int, path: str, field: str, mebibytes: int) -> tuple[int, bytes]:
    """POST with a Content-Length and send all of it before reading, as a browser does."""
    head = (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; "
        f"filename=\"large.png\"\r\nContent-Type: image/png\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    length = len(head) + mebibytes * MIB + len(tail)
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request + head)
        for _ in range(mebibytes):
            connection.sendall(b"\0" * MIB)
        connection.sendall(tail)
        answer = b""
        while not answer.rstrip().endswith(b"}"):
            data = connection.recv(65536)
            if not data:
                break
            answer += data
    return int(answer.split(b" ", 2)[1]), answer


@pytest.mark.parametrize(
    ("path", "field", "expected_status"),
    [("/api/images", "file", 413), ("/internal/jobs/abc/results", "files", 401)],
)
def test_a_client_that_sends_everything_first_still_reads_the_refusal(
    api: tuple[int, Any], path: str, field: str, expected_status: int
) -> None:
    # Browsers send a file's whole body before reading the answer: the refusal must not be
    # lost to a reset connection, and the discarded body must not reach the disk.
    port, process = api
    before = bytes_written(process.process.pid)
    status, answer = send_whole_upload(port, path, field, 16)
    assert status == expected_status, answer[:300]
    assert b'"detail"' in answer
    assert bytes_written(process.process.pid) - before < 2 * MIB
