"""Working memory: the last turns of each conversation, in Redis database 1 (R17.2).

Entries expire after WORKING_MEMORY_TTL_SECONDS of silence. The memory is a help, not a
requirement of a chat answer: when Redis fails, the chat still answers without the history.
"""

from __future__ import annotations

import json

import redis.asyncio as redis_asyncio
from redis.exceptions import RedisError

from app.config import WORKING_MEMORY_REDIS_DB, Settings
from app.core.logger import get_logger
from app.llm.base import ChatMessage

logger = get_logger(__name__)

KEY_PREFIX = "mami:conversation:"


class WorkingMemory:
    def __init__(self, client: redis_asyncio.Redis, turns: int, ttl_seconds: int) -> None:
        self._client = client
        self._max_messages = 2 * turns  # a turn is the user's message and the answer
        self._ttl = ttl_seconds

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkingMemory | None:
        url = settings.get_redis_url(WORKING_MEMORY_REDIS_DB)
        if url is None:
            return None
        client = redis_asyncio.Redis.from_url(
            url, socket_timeout=2.0, socket_connect_timeout=2.0, decode_responses=True
        )
        return cls(client, settings.WORKING_MEMORY_TURNS, settings.WORKING_MEMORY_TTL_SECONDS)

    async def recall(self, conversation_id: str) -> list[ChatMessage]:
        if self._max_messages == 0:
            return []
        try:
            stored = await self._client.lrange(KEY_PREFIX + conversation_id, 0, -1)
        except RedisError as error:
            logger.warning("working memory unavailable, answering without history: %s", error)
            return []
        messages: list[ChatMessage] = []
        for item in stored:
            try:
                entry = json.loads(item)
                messages.append(ChatMessage(role=entry["role"], content=entry["content"]))
            except (ValueError, KeyError, TypeError):
                continue  # an entry we did not write: skip it rather than fail the chat
        return messages

    async def remember(self, conversation_id: str, user: str, assistant: str) -> None:
        if self._max_messages == 0:
            return
        key = KEY_PREFIX + conversation_id
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.rpush(
                    key,
                    json.dumps({"role": "user", "content": user}),
                    json.dumps({"role": "assistant", "content": assistant}),
                )
                pipe.ltrim(key, -self._max_messages, -1)
                pipe.expire(key, self._ttl)
                await pipe.execute()
        except RedisError as error:
            logger.warning("working memory unavailable, turn not remembered: %s", error)

    async def close(self) -> None:
        await self._client.aclose()
