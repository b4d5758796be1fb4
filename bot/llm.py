"""The chat-model seam: one method, `complete`. No SDK is imported here (see bot/openai_chat.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

ChatRole = Literal["system", "user", "assistant"]

DeltaSink = Callable[[str], Awaitable[None]]
"""Receives each new piece of a reply as the model streams it."""

TextSink = Callable[[str], Awaitable[None]]
"""Receives the answer's text so far while it streams (for live-updating messages): only
sentences that are complete and verified."""


@dataclass(frozen=True, slots=True)
class Message:
    role: ChatRole
    content: str


class LLMError(Exception):
    """A model call that gave nothing usable; `str(err)` says why in a few words for a user
    ("model timed out"). The details, with how to fix them, go to the log."""


class ChatModel(Protocol):
    """A chat model. `complete` returns the whole reply, streams pieces of it to `on_delta` when
    given, gives up after `timeout` seconds (retries included), and raises only LLMError."""

    async def complete(
        self, messages: Sequence[Message], on_delta: DeltaSink | None = None, *,
        timeout: float | None = None,
    ) -> str: ...
