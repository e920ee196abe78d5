"""GET /health (R4.1, R17.5): 200 when every required component is up, else 503."""

from __future__ import annotations

from typing import Literal

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.config import Settings
from app.core.database import database_is_up

router = APIRouter(tags=["health"])

PROBE_TIMEOUT_SECONDS = 2.0


class ComponentHealth(BaseModel):
    status: Literal["up", "down"]
    detail: str | None = None
    required: bool


class Health(BaseModel):
    status: Literal["ok", "unhealthy"]
    components: dict[str, ComponentHealth]


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    components: dict[str, ComponentHealth] = {}

    up, detail = await anyio.to_thread.run_sync(database_is_up, settings.DATABASE_URL)
    components["database"] = _component(up, detail, required=True)

    if settings.redis_configured:
        up, detail = await _redis_is_up(settings)
        components["redis"] = _component(up, detail, required=True)

    if settings.ELASTICSEARCH_URL:
        # Not required: without Elasticsearch, logs still go to stdout and the API serves.
        up, detail = await anyio.to_thread.run_sync(
            _elasticsearch_is_up, settings.ELASTICSEARCH_URL
        )
        components["elasticsearch"] = _component(up, detail, required=False)

    healthy = all(c.status == "up" for c in components.values() if c.required)
    body = Health(status="ok" if healthy else "unhealthy", components=components)
    return JSONResponse(body.model_dump(), status_code=200 if healthy else 503)


def _component(up: bool, detail: str | None, required: bool) -> ComponentHealth:
    return ComponentHealth(status="up" if up else "down", detail=detail, required=required)


async def _redis_is_up(settings: Settings) -> tuple[bool, str | None]:
    import redis.asyncio as redis_asyncio
    from redis.exceptions import RedisError

    url = settings.get_redis_url()
    assert url is not None
    client = redis_asyncio.Redis.from_url(
        url, socket_timeout=PROBE_TIMEOUT_SECONDS, socket_connect_timeout=PROBE_TIMEOUT_SECONDS
    )
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        return False, f"{type(error).__name__}: {error}"[:300]
    finally:
        await client.aclose()
    return True, None


def _elasticsearch_is_up(url: str) -> tuple[bool, str | None]:
    from elasticsearch import Elasticsearch
    from elasticsearch import exceptions as es_exceptions

    client = Elasticsearch(url, request_timeout=PROBE_TIMEOUT_SECONDS, max_retries=0)
    try:
        cluster = client.cluster.health()
    except (
        es_exceptions.ApiError,
        es_exceptions.TransportError,
        es_exceptions.UnsupportedProductError,
    ) as error:
        return False, f"{type(error).__name__}: {error}"[:300]
    finally:
        client.close()
    cluster_status = cluster.get("status")
    if cluster_status == "red":
        return False, "cluster status red"
    return True, f"cluster status {cluster_status}"
