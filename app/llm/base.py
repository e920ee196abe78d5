"""What every provider offers the chain."""

from __future__ import annotations

from typing import Protocol, TypedDict


class ChatMessage(TypedDict):
    role: str  # "system" | "user" | "assistant"
    content: str


class Provider(Protocol):
    name: str

    def api_keys(self) -> list[str | None]:
        """Keys to rotate through, in order; [None] for a provider that needs none."""
        ...

    async def complete(self, model: str, messages: list[ChatMessage], api_key: str | None) -> str:
        """The assistant's answer, or ProviderError."""
        ...
