"""Gemini through the google-genai SDK (google-generativeai is deprecated).

The SDK is imported on first use: it is heavy, and the API should start fast.
"""

from __future__ import annotations

from app.config import Settings
from app.llm.base import ChatMessage
from app.llm.errors import FailureKind, ProviderError, failure_for_status


class GeminiProvider:
    name = "gemini"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def api_keys(self) -> list[str | None]:
        return list(self._settings.get_gemini_api_keys())

    async def complete(self, model: str, messages: list[ChatMessage], api_key: str | None) -> str:
        from google import genai
        from google.genai import errors, types

        options = types.HttpOptions(
            base_url=self._settings.GEMINI_BASE_URL,
            timeout=int(self._settings.LLM_TIMEOUT_SECONDS * 1000),  # milliseconds
            # The chain does the retrying, across keys and providers.
            retry_options=types.HttpRetryOptions(attempts=1),
        )
        system = "\n".join(m["content"] for m in messages if m["role"] == "system")
        contents = [
            types.Content(
                role="model" if m["role"] == "assistant" else "user",
                parts=[types.Part(text=m["content"])],
            )
            for m in messages
            if m["role"] != "system"
        ]
        config = types.GenerateContentConfig(system_instruction=system or None)
        client = genai.Client(api_key=api_key, http_options=options)
        try:
            response = await client.aio.models.generate_content(
                model=model, contents=contents, config=config
            )
        except errors.APIError as error:
            raise failure_for_status(error.code, str(error.message or error)) from None
        except Exception as error:  # transport errors of the SDK's HTTP library
            kind = "timed out" if "timeout" in type(error).__name__.lower() else "cannot connect"
            raise ProviderError(FailureKind.UNAVAILABLE, f"{kind}: {error!r}") from None
        finally:
            await client.aio.aclose()
        text = response.text
        if not text:
            raise ProviderError(FailureKind.UNAVAILABLE, "answer has no text")
        return text
