"""How a provider call can fail, and what the chain does about it."""

from __future__ import annotations

import json
from enum import StrEnum


class FailureKind(StrEnum):
    # Try the provider's next key, then the next provider.
    RATE_LIMITED = "rate_limited"
    AUTH = "auth"
    # Try the next provider: another key would not help.
    UNAVAILABLE = "unavailable"  # timeout, connection error, 5xx
    MISCONFIGURED = "misconfigured"  # no key, unknown or retired model (404, or a 400 naming it)
    # Stop: the request itself is bad and every provider would reject it.
    BAD_REQUEST = "bad_request"

    @property
    def try_next_key(self) -> bool:
        return self in (FailureKind.RATE_LIMITED, FailureKind.AUTH)


class ProviderError(Exception):
    def __init__(self, kind: FailureKind, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status


def failure_for_status(status: int, body: str) -> ProviderError:
    """Classify an HTTP error answer the same way for every provider."""
    excerpt = " ".join(body.split())[:300]
    message = f"HTTP {status}: {excerpt}" if excerpt else f"HTTP {status}"
    if status == 429:
        return ProviderError(FailureKind.RATE_LIMITED, message, status)
    if status in (401, 403):
        return ProviderError(FailureKind.AUTH, message, status)
    if status in (400, 413, 422):
        if _names_a_model_problem(body):
            return ProviderError(FailureKind.MISCONFIGURED, message, status)
        return ProviderError(FailureKind.BAD_REQUEST, message, status)
    if status == 404:
        return ProviderError(FailureKind.MISCONFIGURED, message, status)
    return ProviderError(FailureKind.UNAVAILABLE, message, status)


def _names_a_model_problem(body: str) -> bool:
    """True when an OpenAI-style error body blames the model, not the request.

    Groq answers a retired or unknown model with 400 and `{"error": {"code":
    "model_decommissioned"}}` (or `model_not_found`): another provider may still answer.
    """
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return False
    code = error.get("code") if isinstance(error, dict) else None
    return isinstance(code, str) and code.startswith("model_")
