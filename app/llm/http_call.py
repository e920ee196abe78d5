"""One JSON POST with the error handling the HTTP-speaking providers share."""

from __future__ import annotations

from typing import Any

import httpx

from app.llm.errors import FailureKind, ProviderError, failure_for_status


async def post_json(
    url: str, payload: dict[str, Any], headers: dict[str, str], timeout: float
) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.post(url, json=payload, headers=headers)
    except httpx.TimeoutException:
        raise ProviderError(FailureKind.UNAVAILABLE, f"timed out after {timeout:g}s") from None
    except httpx.HTTPError as error:
        raise ProviderError(FailureKind.UNAVAILABLE, f"cannot connect: {error!r}") from None
    if response.status_code >= 400:
        raise failure_for_status(response.status_code, response.text)
    try:
        body = response.json()
    except ValueError:
        raise ProviderError(FailureKind.UNAVAILABLE, "answer is not JSON") from None
    if not isinstance(body, dict):
        raise ProviderError(FailureKind.UNAVAILABLE, "answer is not a JSON object")
    return body
