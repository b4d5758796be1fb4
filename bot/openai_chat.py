"""The ChatModel on any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp's server).

Uses the official `openai` package with its own retries off: this module retries 429 and 5xx
itself, with backoff, inside one deadline that bounds the whole call. Every failure becomes an
LLMError with a few words for the user; the log gets the detail and how to fix it, never the key.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import openai

from bot.llm import DeltaSink, LLMError, Message

if TYPE_CHECKING:
    from openai import AsyncOpenAI

log = logging.getLogger(__name__)

TIMED_OUT = "model timed out"
UNREACHABLE = "model endpoint unreachable"
RATE_LIMITED = "model rate-limited"
EMPTY = "model gave an empty reply"
MALFORMED = "model sent a malformed reply"
BROKEN_STREAM = "model's reply broke off"


@dataclass(frozen=True, slots=True)
class Backoff:
    """How often and how long to wait before trying a 429 or 5xx again."""

    attempts: int = 4
    first: float = 0.25
    factor: float = 2.0
    most: float = 4.0
    jitter: float = 0.1  # a share of the delay, so that many clients do not retry in step

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        base = min(self.most, self.first * self.factor**attempt)
        base *= 1 + random.uniform(0, self.jitter)
        return max(base, retry_after or 0.0)


def _status_reason(status: int) -> str:
    if status == 429:
        return RATE_LIMITED
    if status in (401, 403):
        return "model refused the API key"
    if status == 404:
        return "model or endpoint not found"
    if status >= 500:
        return f"model endpoint failed (HTTP {status})"
    return f"model endpoint refused the request (HTTP {status})"


def _status_hint(status: int) -> str:
    if status in (401, 403):
        return "check OPENAI_API_KEY"
    if status == 404:
        return "check CITEBOT_LLM_MODEL and OPENAI_BASE_URL (it usually ends in /v1)"
    if status == 429:
        return "the endpoint is rate-limiting: wait, or raise CITEBOT_LLM_TIMEOUT to allow more retries"
    if status >= 500:
        return "the endpoint is failing; citebot answers extractively meanwhile"
    return "check CITEBOT_LLM_MODEL and the endpoint's logs"


def _retry_after(exc: openai.APIStatusError) -> float | None:
    value = exc.response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class OpenAIChat:
    """`ChatModel` over the chat-completions API. `connect` builds a client for one call (so no
    connection outlives the event loop that made it); build it with max_retries=0."""

    def __init__(
        self, connect: Callable[[], AsyncOpenAI], model: str, timeout: float,
        backoff: Backoff | None = None,
    ) -> None:
        self.connect = connect
        self.model = model
        self.timeout = timeout
        self.backoff = backoff or Backoff()

    async def complete(
        self, messages: Sequence[Message], on_delta: DeltaSink | None = None, *,
        timeout: float | None = None,
    ) -> str:
        budget = min(timeout, self.timeout) if timeout is not None else self.timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, budget)
        failed: list[str] = []  # why each attempt before the last failed
        try:
            async with asyncio.timeout_at(deadline):
                async with self.connect() as client:
                    return await self._attempts(client, messages, on_delta, deadline, failed)
        except TimeoutError:
            if failed:  # the time ran out on a retry: the endpoint's failure is the reason
                log.warning("model endpoint still failing when CITEBOT_LLM_TIMEOUT=%g s ran out", self.timeout)
                raise LLMError(failed[-1]) from None
            log.warning(
                "model %s gave no reply in the %.1f s left of CITEBOT_LLM_TIMEOUT=%g s: raise it for a slow model",
                self.model, budget, self.timeout,
            )
            raise LLMError(TIMED_OUT) from None

    async def _attempts(
        self, client: AsyncOpenAI, messages: Sequence[Message], on_delta: DeltaSink | None,
        deadline: float, failed: list[str],
    ) -> str:
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            progress = _Progress()
            try:
                return await self._once(client, messages, on_delta, progress)
            except openai.APIStatusError as exc:
                status = exc.status_code
                retry = status == 429 or status >= 500
                wait = self.backoff.delay(attempt, _retry_after(exc))
                attempt += 1
                if (
                    not retry or progress.streamed or attempt >= self.backoff.attempts
                    or loop.time() + wait >= deadline
                ):
                    log.warning(
                        "model endpoint answered HTTP %d after %d attempt(s): %s",
                        status, attempt, _status_hint(status),
                    )
                    raise LLMError(_status_reason(status)) from None
                log.info("model endpoint answered HTTP %d; retrying in %.2f s", status, wait)
                failed.append(_status_reason(status))
                await asyncio.sleep(wait)
            except openai.APITimeoutError:
                raise TimeoutError from None
            except openai.APIConnectionError as exc:
                if progress.streamed:
                    log.warning("model stream broke off: %s", _cause(exc))
                    raise LLMError(BROKEN_STREAM) from None
                wait = self.backoff.delay(attempt)
                attempt += 1
                if attempt >= self.backoff.attempts or loop.time() + wait >= deadline:
                    log.warning(
                        "cannot reach the model endpoint: %s; check OPENAI_BASE_URL", _cause(exc)
                    )
                    raise LLMError(UNREACHABLE) from None
                log.info("cannot reach the model endpoint (%s); retrying in %.2f s", _cause(exc), wait)
                failed.append(UNREACHABLE)
                await asyncio.sleep(wait)
            except (openai.APIError, ValueError, KeyError, TypeError, AttributeError) as exc:
                # a 200 whose body is not a chat completion, or an error event mid-stream
                log.warning("model endpoint sent a reply citebot cannot read: %s", _cause(exc))
                raise LLMError(BROKEN_STREAM if progress.streamed else MALFORMED) from None

    async def _once(
        self, client: AsyncOpenAI, messages: Sequence[Message], on_delta: DeltaSink | None,
        progress: _Progress,
    ) -> str:
        wire: Any = [{"role": m.role, "content": m.content} for m in messages]
        if on_delta is None:
            response = await client.chat.completions.create(
                model=self.model, messages=wire, temperature=0
            )
            text = response.choices[0].message.content if response.choices else None
            if not text or not text.strip():
                raise LLMError(EMPTY)
            return text
        return await self._stream(client, wire, on_delta, progress)

    async def _stream(
        self, client: AsyncOpenAI, wire: Any, on_delta: DeltaSink, progress: _Progress
    ) -> str:
        parts: list[str] = []
        finished = False
        stream = await client.chat.completions.create(
            model=self.model, messages=wire, temperature=0, stream=True
        )
        async with stream:
            async for chunk in stream:
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                piece = choice.delta.content if choice.delta else None
                if piece:
                    parts.append(piece)
                    progress.streamed = True
                    await on_delta(piece)
                if choice.finish_reason:
                    finished = True
                    if choice.finish_reason == "length":
                        log.info("model reply cut at its length limit")
        text = "".join(parts)
        if not finished:
            log.warning("model stream ended without a finish reason after %d characters", len(text))
            raise LLMError(BROKEN_STREAM if text else EMPTY)
        if not text.strip():
            raise LLMError(EMPTY)
        return text


@dataclass
class _Progress:
    streamed: bool = False  # some of the reply was handed out: a retry would repeat it


def _cause(exc: BaseException) -> str:
    """The innermost cause's type and message (never a request's headers)."""
    inner: BaseException = exc
    while inner.__cause__ is not None:
        inner = inner.__cause__
    detail = str(inner).splitlines()[0] if str(inner) else ""
    return f"{type(inner).__name__}: {detail}" if detail else type(inner).__name__
