"""A local Ollama server through its /api/chat endpoint (no key)."""

from __future__ import annotations

from app.config import Settings
from app.llm.base import ChatMessage
from app.llm.errors import FailureKind, ProviderError
from app.llm.http_call import post_json


class OllamaProvider:
    name = "ollama"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._url = settings.OLLAMA_BASE_URL.rstrip("/") + "/api/chat"

    def api_keys(self) -> list[str | None]:
        return [None]

    async def complete(self, model: str, messages: list[ChatMessage], api_key: str | None) -> str:
        body = await post_json(
            self._url,
            {"model": model, "messages": list(messages), "stream": False},
            {},
            self._settings.LLM_TIMEOUT_SECONDS,
        )
        if "error" in body:
            raise ProviderError(FailureKind.UNAVAILABLE, f"Ollama error: {body['error']}")
        content = (body.get("message") or {}).get("content")
        if not isinstance(content, str) or not content:
            raise ProviderError(FailureKind.UNAVAILABLE, "answer has no message.content")
        return content
