"""The FastAPI application (NODE_MODE=CORE)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from prometheus_fastapi_instrumentator import Instrumentator

from app.api import chat, health, images, internal
from app.api.upload_guard import UploadGuard
from app.config import Settings, get_settings
from app.core.database import init_database_with_defaults
from app.core.logger import configure_logging, get_logger, shutdown_logging
from app.core.metrics import build_registry
from app.llm.chain import FallbackChain
from app.memory.working import WorkingMemory

logger = get_logger(__name__)


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

    # Token check for /internal/* and a byte cap on upload bodies, before the body is read.
    app.add_middleware(UploadGuard, settings=settings)

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
