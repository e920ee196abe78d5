"""The FastAPI application (NODE_MODE=CORE)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from prometheus_fastapi_instrumentator import Instrumentator

from app.api import chat, health, images, internal
from app.config import Settings, get_settings
from app.core.database import init_database_with_defaults
from app.core.logger import configure_logging, get_logger, shutdown_logging
from app.core.metrics import build_registry
from app.llm.chain import FallbackChain
from app.memory.working import WorkingMemory

logger = get_logger(__name__)

# Multipart framing around an upload; a body bigger than the limit plus this is refused
# before it is read.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
UPLOAD_PATH = "/api/images"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings)
        logger.info("starting Mami AI API: %s", settings.describe())
        # Raises MigrationError on a failed migration: uvicorn then exits (R18.5).
        await anyio.to_thread.run_sync(init_database_with_defaults, settings)
        app.state.memory = WorkingMemory.from_settings(settings)
        try:
            yield
        finally:
            if app.state.memory is not None:
                await app.state.memory.close()
            logger.info("Mami AI API stopped")
            shutdown_logging(settings.LOG_SHIP_FLUSH_SECONDS)

    app = FastAPI(title="Mami AI", version="1.0.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.chain = FallbackChain(settings)
    app.state.memory = None

    @app.middleware("http")
    async def refuse_oversized_uploads(request: Request, call_next):  # type: ignore[no-untyped-def]
        # Checked before the body is parsed; chunked bodies are checked while reading.
        if request.method == "POST" and request.url.path == UPLOAD_PATH:
            length = request.headers.get("content-length", "")
            limit = settings.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES
            if length.isdigit() and int(length) > limit:
                return JSONResponse(
                    {"detail": f"request body is larger than {settings.MAX_UPLOAD_BYTES} bytes"},
                    status_code=413,
                )
        return await call_next(request)

    # Added after the size check so that it wraps it: a 413 carries CORS headers too and the
    # UI can read it.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.get_cors_origins_list(),
        # Settings refuses "*" together with credentials (browsers would reject it anyway).
        allow_credentials=settings.CORS_ALLOW_CREDENTIALS,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Content-Type", "Authorization"],
    )

    app.include_router(health.router)
    app.include_router(chat.router)
    app.include_router(images.router)
    app.include_router(internal.router)

    # http_requests_total{handler,method,status} and http_request_duration_seconds{handler,
    # method} from the instrumentator, our mami_* counters and process metrics, all in this
    # app's registry (R11.4, R20.5).
    Instrumentator(excluded_handlers=["/metrics"], registry=build_registry()).instrument(
        app
    ).expose(app, include_in_schema=False)
    return app


app = create_app()
