"""ask / summarize / sources: the one place the core is composed, and the seam every door uses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from bot.models import Answer, Length, Sources, Summary, Turn

TextSink = Callable[[str], Awaitable[None]]
"""Receives the answer's text so far while an LLM streams it (for live-updating messages)."""


class CitebotService(Protocol):
    """What a door needs. Every method is safe to await on an event loop: blocking work runs
    in worker threads inside. Errors a user can act on are raised as `bot.errors.CitebotError`
    whose str() is a one-line message fit to show."""

    async def ask(
        self, question: str, history: Sequence[Turn] = (), on_text: TextSink | None = None
    ) -> Answer: ...

    async def summarize(self, doc: str | None = None, length: Length = "medium") -> Summary: ...

    async def sources(self) -> Sources: ...
