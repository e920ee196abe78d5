"""POST /api/chat: answered through the LLM fallback chain (R16.1, R16.2)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from app.llm.base import ChatMessage
from app.llm.chain import ChainExhausted, FallbackChain, RequestRejected, UnknownChain
from app.memory.working import WorkingMemory

router = APIRouter(prefix="/api", tags=["chat"])


class ChatRequest(BaseModel):
    message: str = Field(min_length=1, max_length=4000)
    chain: str = "default"
    # Optional: with Redis configured, earlier turns of this conversation are sent along.
    conversation_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")


class AttemptOut(BaseModel):
    provider: str
    model: str
    outcome: Literal["ok", "error"]
    detail: str | None
    duration_ms: float


class ChatResponse(BaseModel):
    answer: str
    provider: Literal["groq", "gemini", "ollama"]
    model: str
    attempts: list[AttemptOut]


@router.post(
    "/chat",
    response_model=ChatResponse,
    responses={
        400: {"description": "A provider rejected the request"},
        503: {"description": "Every step failed"},
    },
)
async def chat(body: ChatRequest, request: Request) -> ChatResponse:
    chain: FallbackChain = request.app.state.chain
    memory: WorkingMemory | None = request.app.state.memory

    history: list[ChatMessage] = []
    if memory is not None and body.conversation_id:
        history = await memory.recall(body.conversation_id)
    messages = [*history, ChatMessage(role="user", content=body.message)]

    try:
        result = await chain.answer(body.chain, messages)
    except UnknownChain:
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ("body", "chain"),
                    "msg": f"unknown chain; configured chains: {', '.join(chain.names)}",
                    "input": body.chain,
                }
            ]
        ) from None
    except RequestRejected as error:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, _failure(error.message, error.attempts)
        ) from None
    except ChainExhausted as error:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, _failure(error.message, error.attempts)
        ) from None

    if memory is not None and body.conversation_id:
        await memory.remember(body.conversation_id, body.message, result.answer)
    return ChatResponse(
        answer=result.answer,
        provider=result.provider,  # type: ignore[arg-type]
        model=result.model,
        attempts=[AttemptOut(**asdict(attempt)) for attempt in result.attempts],
    )


def _failure(message: str, attempts: list) -> dict:  # type: ignore[type-arg]
    return {"message": message, "attempts": [asdict(attempt) for attempt in attempts]}
