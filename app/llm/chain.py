"""The fallback chain (R16.1, R16.2): try each `provider:model` step in order.

Within a step, keys rotate on 429 and auth failures. Timeouts, connection errors, 5xx and an
unknown or retired model (a 404, or a 400 whose error code names the model) move on to the
next step. Any other 400 means the request itself is bad: no other provider would take it, so
the chain stops. Every attempt is logged and counted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from app.config import Settings
from app.core.logger import get_logger
from app.core.metrics import LLM_ATTEMPTS, LLM_CHAIN_FAILURES
from app.llm.base import ChatMessage, Provider
from app.llm.errors import FailureKind, ProviderError
from app.llm.gemini import GeminiProvider
from app.llm.groq import GroqProvider
from app.llm.ollama import OllamaProvider

logger = get_logger(__name__)


@dataclass
class Attempt:
    provider: str
    model: str
    outcome: str  # "ok" | "error"
    detail: str | None
    duration_ms: float


@dataclass
class ChainAnswer:
    answer: str
    provider: str
    model: str
    attempts: list[Attempt] = field(default_factory=list)


class ChainError(Exception):
    def __init__(self, message: str, attempts: list[Attempt]) -> None:
        super().__init__(message)
        self.message = message
        self.attempts = attempts


class ChainExhausted(ChainError):
    """Every step failed: the API answers 503."""


class RequestRejected(ChainError):
    """A provider called the request itself bad: the API answers 400."""


class UnknownChain(KeyError):
    pass


def build_providers(settings: Settings) -> dict[str, Provider]:
    return {
        "groq": GroqProvider(settings),
        "gemini": GeminiProvider(settings),
        "ollama": OllamaProvider(settings),
    }


class FallbackChain:
    def __init__(self, settings: Settings, providers: dict[str, Provider] | None = None) -> None:
        self._chains = settings.get_fallback_chains()
        self._providers = providers if providers is not None else build_providers(settings)

    @property
    def names(self) -> list[str]:
        return sorted(self._chains)

    async def answer(self, chain_name: str, messages: list[ChatMessage]) -> ChainAnswer:
        if chain_name not in self._chains:
            raise UnknownChain(chain_name)
        attempts: list[Attempt] = []
        for step in self._chains[chain_name]:
            provider_name, _, model = step.partition(":")
            provider = self._providers[provider_name]
            keys = provider.api_keys()
            if not keys:
                self._record(attempts, provider_name, model, "error", "no API key configured", 0.0)
                continue
            for index, key in enumerate(keys, start=1):
                key_label = f"key {index} of {len(keys)}: " if len(keys) > 1 else ""
                started = time.perf_counter()
                try:
                    text = await provider.complete(model, messages, key)
                except ProviderError as error:
                    elapsed = (time.perf_counter() - started) * 1000
                    self._record(
                        attempts, provider_name, model, "error", key_label + error.message, elapsed
                    )
                    if error.kind is FailureKind.BAD_REQUEST:
                        raise RequestRejected(
                            f"{provider_name} rejected the request: {error.message}", attempts
                        ) from None
                    if error.kind.try_next_key:
                        continue
                    break  # another key would not help: next provider
                elapsed = (time.perf_counter() - started) * 1000
                self._record(attempts, provider_name, model, "ok", None, elapsed)
                return ChainAnswer(text, provider_name, model, attempts)
        LLM_CHAIN_FAILURES.inc()
        logger.error("every step of LLM chain %r failed (%d attempts)", chain_name, len(attempts))
        raise ChainExhausted(f"every step of chain {chain_name!r} failed", attempts)

    @staticmethod
    def _record(
        attempts: list[Attempt],
        provider: str,
        model: str,
        outcome: str,
        detail: str | None,
        duration_ms: float,
    ) -> None:
        attempts.append(Attempt(provider, model, outcome, detail, round(duration_ms, 2)))
        LLM_ATTEMPTS.labels(provider=provider, model=model, outcome=outcome).inc()
        if outcome == "ok":
            logger.info("LLM %s:%s answered in %.0f ms", provider, model, duration_ms)
        else:
            logger.warning(
                "LLM %s:%s failed after %.0f ms: %s", provider, model, duration_ms, detail
            )
