"""Grounded answers from a chat model, and standalone follow-up questions.

The model sees numbered passages; what it says is verified (bot/verify.py) before anyone sees it.
While it streams, only the verified sentences so far are handed out."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.answer import not_found
from bot.llm import ChatModel, LLMError, TextSink
from bot.models import Answer, Turn
from bot.prompts import answer_messages, is_not_in_passages, pick_passages, rewrite_messages
from bot.verify import split_claims, verify
from retrieval.types import Passage

log = logging.getLogger(__name__)


class LLMAnswerer:
    """Asks the model about the best passages and keeps only what verification lets through.
    Raises LLMError (its message says why, in a few words) when nothing usable is left."""

    def __init__(self, model: ChatModel, timeout: float, max_passages: int = 8) -> None:
        self.model = model
        self.timeout = timeout
        self.max_passages = max_passages

    async def answer(
        self, question: str, paragraphs: Sequence[Passage], on_text: TextSink | None = None,
        timeout: float | None = None,
    ) -> Answer:
        passages = pick_passages(paragraphs, self.max_passages)
        if not passages:
            return not_found(question, "llm")
        preview = _VerifiedPreview(passages, on_text) if on_text is not None else None
        reply = await self.model.complete(
            answer_messages(question, passages),
            preview.add if preview is not None else None,
            timeout=self.timeout if timeout is None else timeout,
        )
        if is_not_in_passages(reply):
            return not_found(question, "llm")
        verdict = verify(reply, passages)
        if verdict.dropped:
            log.info("verification removed %d claim(s): %s", len(verdict.dropped), ", ".join(verdict.dropped))
        if not verdict.citations:
            raise LLMError(verdict.reason)
        return Answer(question, verdict.text, verdict.citations, False, "llm", note=verdict.note)


class _VerifiedPreview:
    """Turns streamed pieces into the verified text so far: a sentence is shown once it is
    complete and has passed the checks, so a made-up quote never flashes on screen."""

    def __init__(self, passages: Sequence[Passage], sink: TextSink) -> None:
        self.passages = passages
        self.sink: TextSink | None = sink
        self.raw = ""
        self.shown = ""
        self.checked = 0  # complete claims verified so far

    async def add(self, piece: str) -> None:
        self.raw += piece
        claims = split_claims(self.raw)
        done = claims[:-1]  # the last one may still be growing
        if len(done) <= self.checked or self.sink is None:
            return  # nothing new is complete: no need to check again
        self.checked = len(done)
        text = verify(self.raw, self.passages, done).text
        if text and text != self.shown:
            self.shown = text
            try:
                await self.sink(text)
            except Exception:  # a live preview is a nicety: the answer still goes out
                log.warning("the streaming preview failed; no more previews for this answer", exc_info=True)
                self.sink = None


class QuestionRewriter:
    """Makes a follow-up ("and what about China?") a standalone question with one short call."""

    def __init__(self, model: ChatModel, timeout: float, max_chars: int = 1000) -> None:
        self.model = model
        self.timeout = timeout
        self.max_chars = max_chars

    async def rewrite(self, question: str, history: Sequence[Turn], timeout: float | None = None) -> str:
        """The standalone question; raises LLMError when the model gives nothing usable."""
        reply = await self.model.complete(
            rewrite_messages(question, history), timeout=self.timeout if timeout is None else timeout
        )
        lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
        if not lines:
            raise LLMError("model gave an empty reply")
        text = lines[0]
        for prefix in ("rewritten question:", "question:", "standalone question:"):
            if text.lower().startswith(prefix):
                text = text[len(prefix) :].strip()
        text = text.strip("\"'“”‘’ ")
        if not text or len(text) > self.max_chars:
            raise LLMError("model's rewrite was unusable")
        return text
