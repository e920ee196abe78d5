"""Caps upload bodies while they stream in, and checks the worker's token before any body
is read.

Starlette parses a multipart body completely (spooling files to a temp file) before a route
or its dependencies run, so limits checked in the route come too late: a client could make
the server write an unbounded amount. This ASGI middleware sits in front of the routes and
counts the bytes of every upload route's body as they arrive, with or without a
Content-Length, and answers 413 as soon as the cap is passed. The rest of the body is never
handed to the app: uvicorn discards it, or the connection is closed (see _may_drain).
"""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.deps import internal_token_problem
from app.config import Settings

# Multipart framing (boundaries, part headers, the lease_id field) around the files.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
IMAGE_UPLOAD_PATH = "/api/images"
INTERNAL_PREFIX = "/internal/"
_RESULTS_PATH = re.compile(r"^/internal/jobs/[^/]+/results$")
# The worker sends every variant in one body; more than this many parts is never needed.
MAX_RESULT_FILES = 8
# After an early answer, a body of known length up to this size is left for uvicorn to read
# and discard, so that a browser still sending it reads the answer rather than a reset
# connection. Anything larger, or of unknown length (chunked), gets the connection closed.
DRAIN_LIMIT_BYTES = 64 * 1024 * 1024


def upload_limit(settings: Settings, method: str, path: str) -> int | None:
    """The largest body accepted for this request, or None when it is not an upload route."""
    if method != "POST":
        return None
    if path == IMAGE_UPLOAD_PATH:
        return settings.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES
    if _RESULTS_PATH.match(path):
        return MAX_RESULT_FILES * settings.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES
    if path.startswith(INTERNAL_PREFIX):
        # The other internal POSTs carry small JSON (claim, failure).
        return MULTIPART_OVERHEAD_BYTES
    return None


async def _send_json(
    send: Send,
    scope: Scope,
    status: int,
    detail: str,
    extra_headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *(extra_headers or []),
    ]
    if not _may_drain(scope):
        # Never read to its end: uvicorn closes the connection after this answer.
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _may_drain(scope: Scope) -> bool:
    declared = _header(scope, b"content-length") or ""
    return declared.isdigit() and int(declared) <= DRAIN_LIMIT_BYTES


class UploadGuard:
    """ASGI middleware: token first for /internal/*, then a byte cap on upload bodies."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(INTERNAL_PREFIX):
            problem = internal_token_problem(self.settings, _header(scope, b"authorization"))
            if problem is not None:
                headers = [(k.lower().encode(), v.encode()) for k, v in (problem.headers or {}).items()]
                await _send_json(send, scope, problem.status_code, problem.detail, headers)
                return
        limit = upload_limit(self.settings, scope["method"], path)
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length") or ""
        if declared.isdigit() and int(declared) > limit:
            await _send_json(send, scope, 413, self._too_large(path))
            return
        await self._call_with_cap(scope, receive, send, limit)

    def _too_large(self, path: str) -> str:
        if path == IMAGE_UPLOAD_PATH:
            return f"request body is larger than {self.settings.MAX_UPLOAD_BYTES} bytes"
        return "request body is larger than this endpoint accepts"

    async def _call_with_cap(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        refused = False
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not response_started:
                        await _send_json(send, scope, 413, self._too_large(scope["path"]))
                    # To the app the client is gone: it stops parsing and its own answer
                    # is dropped below.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if refused:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)

