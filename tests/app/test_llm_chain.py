"""The fallback chain (R16.1, R16.2) through POST /api/chat, against loopback servers that
speak the Groq (OpenAI-compatible), Gemini (generateContent) and Ollama (/api/chat) protocols."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from backend_testkit import RecordedRequest, Reply

CHAIN = (
    '{"default": ["groq:llama-3.3-70b-versatile", "gemini:gemini-2.0-flash", "ollama:llama3.2"]}'
)


def groq_answer(text: str) -> Reply:
    return Reply(
        200,
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": "llama-3.3-70b-versatile",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
        },
    )


def groq_error(status: int, message: str) -> Reply:
    return Reply(status, {"error": {"message": message, "type": "invalid_request_error"}})


def gemini_answer(text: str) -> Reply:
    return Reply(
        200,
        {
            "candidates": [
                {
                    "content": {"role": "model", "parts": [{"text": text}]},
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "modelVersion": "gemini-2.0-flash",
        },
    )


def gemini_error(status: int, state: str) -> Reply:
    return Reply(
        status, {"error": {"code": status, "message": f"{state} from test", "status": state}}
    )


def ollama_answer(text: str) -> Reply:
    return Reply(
        200,
        {
            "model": "llama3.2",
            "message": {"role": "assistant", "content": text},
            "done": True,
        },
    )


@dataclass
class Providers:
    """The three loopback providers; each answers with the next scripted reply."""

    groq: Any
    gemini: Any
    ollama: Any
    scripts: dict[str, list[Callable[[RecordedRequest], Reply]]] = field(default_factory=dict)

    def settings(self, **extra: Any) -> dict[str, Any]:
        return {
            "GROQ_BASE_URL": self.groq.url + "/openai/v1",
            "GEMINI_BASE_URL": self.gemini.url,
            "OLLAMA_BASE_URL": self.ollama.url,
            "GROQ_API_KEY": "gsk_one",
            "GEMINI_API_KEY": "AIza_one",
            "FALLBACK_CHAINS": json.loads(CHAIN),
            "LLM_TIMEOUT_SECONDS": 2.0,
            **extra,
        }


@pytest.fixture
def providers(peer_server: Callable[..., Any]) -> Iterator[Providers]:
    scripts: dict[str, list[Callable[[RecordedRequest], Reply]]] = {
        "groq": [],
        "gemini": [],
        "ollama": [],
    }

    def scripted(name: str) -> Callable[[RecordedRequest], Reply]:
        def respond(request: RecordedRequest) -> Reply:
            if not scripts[name]:
                return Reply(500, {"error": f"{name}: no reply scripted"})
            return scripts[name].pop(0)(request)

        return respond

    yield Providers(
        peer_server(scripted("groq")),
        peer_server(scripted("gemini")),
        peer_server(scripted("ollama")),
        scripts,
    )


def always(reply: Reply) -> Callable[[RecordedRequest], Reply]:
    return lambda _request: reply


def metric(client: Any, name: str, **labels: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        series, _, value = line.rpartition(" ")
        if series.split("{")[0] == name and all(f'{k}="{v}"' in series for k, v in labels.items()):
            return float(value)
    return 0.0


def test_groq_429_then_gemini_500_then_ollama_answers(
    providers: Providers, api_client: Callable[..., Any]
) -> None:
    providers.scripts["groq"].append(always(groq_error(429, "Rate limit reached")))
    providers.scripts["gemini"].append(always(gemini_error(500, "INTERNAL")))
    providers.scripts["ollama"].append(always(ollama_answer("Merhaba from Ollama")))
    client = api_client(**providers.settings())
    before = metric(
        client, "mami_llm_attempts_total", provider="ollama", model="llama3.2", outcome="ok"
    )

    response = client.post("/api/chat", json={"message": "Merhaba"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["answer"] == "Merhaba from Ollama"
    assert (body["provider"], body["model"]) == ("ollama", "llama3.2")
    assert [(a["provider"], a["outcome"]) for a in body["attempts"]] == [
        ("groq", "error"),
        ("gemini", "error"),
        ("ollama", "ok"),
    ]
    assert "429" in body["attempts"][0]["detail"]
    assert "500" in body["attempts"][1]["detail"]
    assert body["attempts"][2]["detail"] is None
    assert all(isinstance(a["duration_ms"], float) for a in body["attempts"])

    # Each peer got its own protocol.
    (groq_request,) = providers.groq.requests
    assert groq_request.path == "/openai/v1/chat/completions"
    assert groq_request.headers["authorization"] == "Bearer gsk_one"
    assert groq_request.json()["messages"] == [{"role": "user", "content": "Merhaba"}]
    assert groq_request.json()["model"] == "llama-3.3-70b-versatile"
    (gemini_request,) = providers.gemini.requests
    assert gemini_request.path.endswith("/models/gemini-2.0-flash:generateContent")
    assert gemini_request.headers["x-goog-api-key"] == "AIza_one"
    assert gemini_request.json()["contents"][0]["parts"][0]["text"] == "Merhaba"
    (ollama_request,) = providers.ollama.requests
    assert ollama_request.path == "/api/chat"
    assert ollama_request.json()["stream"] is False

    after = metric(
        client, "mami_llm_attempts_total", provider="ollama", model="llama3.2", outcome="ok"
    )
    assert after == before + 1


def test_gemini_answers_when_groq_times_out(
    providers: Providers, api_client: Callable[..., Any]
) -> None:
    providers.scripts["groq"].append(always(Reply(200, {"choices": []}, delay=3.0)))
    providers.scripts["gemini"].append(always(gemini_answer("from Gemini")))
    client = api_client(**providers.settings(LLM_TIMEOUT_SECONDS=0.5))

    body = client.post("/api/chat", json={"message": "hi"}).json()

    assert (body["answer"], body["provider"]) == ("from Gemini", "gemini")
    assert "timed out" in body["attempts"][0]["detail"]
    assert providers.ollama.requests == []


def test_malformed_answers_move_on_to_the_next_provider(
    providers: Providers, api_client: Callable[..., Any]
) -> None:
    providers.scripts["groq"].append(always(Reply(200, "<html>gateway</html>")))
    providers.scripts["gemini"].append(always(Reply(200, {"candidates": []})))
    providers.scripts["ollama"].append(always(ollama_answer("sane answer")))
    client = api_client(**providers.settings())

    body = client.post("/api/chat", json={"message": "hi"}).json()

    assert (body["answer"], body["provider"]) == ("sane answer", "ollama")
    assert body["attempts"][0]["detail"] == "answer is not JSON"
    assert body["attempts"][1]["detail"] == "answer has no text"


def test_groq_keys_rotate_on_429_and_auth_failures(
    providers: Providers, api_client: Callable[..., Any]
) -> None:
    providers.scripts["groq"] += [
        always(groq_error(429, "Rate limit reached")),
        always(groq_error(401, "Invalid API Key")),
        always(groq_answer("third key works")),
    ]
    client = api_client(**providers.settings(GROQ_API_KEY=None, GROQ_API_KEYS="gsk_1,gsk_2,gsk_3"))

    body = client.post("/api/chat", json={"message": "hi"}).json()

    assert (body["answer"], body["provider"]) == ("third key works", "groq")
    assert [r.headers["authorization"] for r in providers.groq.requests] == [
        "Bearer gsk_1",
        "Bearer gsk_2",
        "Bearer gsk_3",
    ]
    assert [
        a["detail"] is not None and a["detail"].startswith(f"key {n} of 3")
        for n, a in enumerate(body["attempts"][:2], start=1)
    ] == [True, True]
    assert providers.gemini.requests == []
    for request in providers.groq.requests:  # keys never leak into the answer
        assert request.headers["authorization"].split()[1] not in json.dumps(body)


def test_gemini_keys_rotate_too(providers: Providers, api_client: Callable[..., Any]) -> None:
    providers.scripts["groq"].append(always(groq_error(503, "over capacity")))
    providers.scripts["gemini"] += [
        always(gemini_error(429, "RESOURCE_EXHAUSTED")),
        always(gemini_answer("second Gemini key")),
    ]
    client = api_client(**providers.settings(GEMINI_API_KEY="AIza_1", GEMINI_API_KEYS="AIza_2"))

    body = client.post("/api/chat", json={"message": "hi"}).json()

    assert body["answer"] == "second Gemini key"
    assert [r.headers["x-goog-api-key"] for r in providers.gemini.requests] == ["AIza_1", "AIza_2"]
    # A 503 is the provider's trouble, not the key's: the one Groq key is not retried.
    assert len(providers.groq.requests) == 1


def test_a_400_does_not_fall_back(providers: Providers, api_client: Callable[..., Any]) -> None:
    providers.scripts["groq"].append(always(groq_error(400, "context_length_exceeded")))
    client = api_client(**providers.settings(GROQ_API_KEYS="gsk_two"))

    response = client.post("/api/chat", json={"message": "far too long"})

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "groq rejected the request" in detail["message"]
    assert [(a["provider"], a["outcome"]) for a in detail["attempts"]] == [("groq", "error")]
    assert "context_length_exceeded" in detail["attempts"][0]["detail"]
    assert len(providers.groq.requests) == 1  # not even the second key
    assert providers.gemini.requests == [] and providers.ollama.requests == []


def test_when_every_step_fails_the_answer_is_503_listing_the_attempts(
    providers: Providers, api_client: Callable[..., Any], dead_url: str
) -> None:
    providers.scripts["groq"].append(always(groq_error(500, "internal")))
    client = api_client(**providers.settings(GEMINI_API_KEY=None, OLLAMA_BASE_URL=dead_url))
    before = metric(client, "mami_llm_chain_failures_total")

    response = client.post("/api/chat", json={"message": "anyone?"})

    assert response.status_code == 503
    detail = response.json()["detail"]
    assert detail["message"] == "every step of chain 'default' failed"
    assert [(a["provider"], a["outcome"]) for a in detail["attempts"]] == [
        ("groq", "error"),
        ("gemini", "error"),
        ("ollama", "error"),
    ]
    assert detail["attempts"][1]["detail"] == "no API key configured"
    assert "cannot connect" in detail["attempts"][2]["detail"]
    assert metric(client, "mami_llm_chain_failures_total") == before + 1


def test_a_named_chain_is_used_and_an_unknown_one_is_a_validation_error(
    providers: Providers, api_client: Callable[..., Any]
) -> None:
    providers.scripts["ollama"].append(always(ollama_answer("local only")))
    chains = {"default": ["groq:llama-3.3-70b-versatile"], "local": ["ollama:qwen3"]}
    client = api_client(**providers.settings(FALLBACK_CHAINS=chains))

    body = client.post("/api/chat", json={"message": "hi", "chain": "local"}).json()
    assert (body["provider"], body["model"]) == ("ollama", "qwen3")
    assert providers.ollama.requests[0].json()["model"] == "qwen3"

    unknown = client.post("/api/chat", json={"message": "hi", "chain": "nope"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "chain"]


@pytest.mark.parametrize("message", ["", "x" * 4001])
def test_message_length_is_validated(api_client: Callable[..., Any], message: str) -> None:
    response = api_client().post("/api/chat", json={"message": message})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "message"]


def test_working_memory_in_redis_db_1_carries_the_conversation(
    providers: Providers, api_client: Callable[..., Any], redis_server: Any
) -> None:
    import redis

    providers.scripts["groq"] += [
        always(groq_answer("Nice to meet you, Ada")),
        always(groq_answer("Ada")),
    ]
    client = api_client(**providers.settings(REDIS_URL=redis_server.url(0), WORKING_MEMORY_TURNS=5))

    client.post("/api/chat", json={"message": "I am Ada", "conversation_id": "conv-1"})
    client.post("/api/chat", json={"message": "Who am I?", "conversation_id": "conv-1"})

    second = providers.groq.requests[1].json()["messages"]
    assert second == [
        {"role": "user", "content": "I am Ada"},
        {"role": "assistant", "content": "Nice to meet you, Ada"},
        {"role": "user", "content": "Who am I?"},
    ]
    memory_db = redis.Redis.from_url(redis_server.url(1))
    queue_db = redis.Redis.from_url(redis_server.url(0))
    try:
        assert memory_db.llen("mami:conversation:conv-1") == 4
        assert 0 < memory_db.ttl("mami:conversation:conv-1") <= 3600
        assert queue_db.exists("mami:conversation:conv-1") == 0
    finally:
        memory_db.close()
        queue_db.close()


def test_chat_still_answers_when_working_memory_is_down(
    providers: Providers, api_client: Callable[..., Any], stopped_redis: Callable[[], Any]
) -> None:
    redis = stopped_redis()
    providers.scripts["groq"].append(always(groq_answer("still here")))
    client = api_client(**providers.settings(REDIS_HOST="127.0.0.1", REDIS_PORT=redis.port))
    redis.process.terminate()
    redis.process.wait(10)

    response = client.post("/api/chat", json={"message": "hi", "conversation_id": "c"})
    assert response.status_code == 200
    assert response.json()["answer"] == "still here"


@pytest.mark.parametrize("code", ["model_decommissioned", "model_not_found"])
def test_a_400_about_the_model_falls_back_to_the_next_provider(
    providers: Providers, api_client: Callable[..., Any], code: str
) -> None:
    # Groq answers a retired or unknown model with 400 and an error code naming the model:
    # the provider's problem, not the request's.
    providers.scripts["groq"].append(
        always(
            Reply(
                400,
                {
                    "error": {
                        "message": "The model `llama-3.1-70b-versatile` has been decommissioned",
                        "type": "invalid_request_error",
                        "code": code,
                    }
                },
            )
        )
    )
    providers.scripts["gemini"].append(always(gemini_answer("from gemini")))
    client = api_client(**providers.settings(GROQ_API_KEYS="gsk_two"))

    response = client.post("/api/chat", json={"message": "hello"})

    assert response.status_code == 200, response.text
    assert response.json()["provider"] == "gemini"
    assert len(providers.groq.requests) == 1  # another key would not bring the model back
