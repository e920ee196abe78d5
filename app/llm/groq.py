"""Groq through its OpenAI-compatible chat completions API."""

from __future__ import annotations

from app.config import Settings
from app.llm.base import ChatMessage
from app.llm.errors import FailureKind, ProviderError
from app.llm.http_call import post_json


class GroqProvider:
    name = "groq"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._url = settings.GROQ_BASE_URL.rstrip("/") + "/chat/completions"

    def api_keys(self) -> list[str | None]:
        return list(self._settings.get_groq_api_keys())

    async def complete(self, model: str, messages: list[ChatMessage], api_key: str | None) -> str:
        body = await post_json(
            self._url,
            {"model": model, "messages": list(messages)},
            {"Authorization": f"Bearer {api_key}"},
            self._settings.LLM_TIMEOUT_SECONDS,
        )
        try:
            content = body["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise ProviderError(
                FailureKind.UNAVAILABLE, "answer has no choices[0].message"
            ) from None
        if not isinstance(content, str) or not content:
            raise ProviderError(FailureKind.UNAVAILABLE, "answer is empty")
        return content
