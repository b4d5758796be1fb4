"""A loopback stand-in for an OpenAI-compatible endpoint: POST /v1/chat/completions, answered
as plain JSON or as `text/event-stream` chunks ending in `data: [DONE]`.

Each test scripts what the "model" does, one behaviour a request (the last one repeats): a
reply (fixed text, or text made from the prompt), an HTTP status, a hang, a stream that breaks
or stalls mid-way, malformed JSON, an empty reply. It runs in its own thread with its own event
loop, so a test may drive it from async code or from a subprocess (`citebot ask`)."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.loopback import serve_loopback

Responder = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class Reply:
    """A chat completion: `text`, or what `text(request)` makes of the request."""

    text: str | Responder
    chunk: int = 12  # characters a streamed chunk
    delay: float = 0.0  # seconds before answering


@dataclass(frozen=True)
class Status:
    """An HTTP error with an OpenAI-shaped body."""

    code: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hang:
    """Never answers (until the server stops)."""


@dataclass(frozen=True)
class BrokenStream:
    """Streams the first `after` characters of `text`, then drops the connection
    (or, with stall=True, keeps it open and sends nothing more)."""

    text: str | Responder
    after: int = 20
    stall: bool = False


@dataclass(frozen=True)
class Malformed:
    """A 200 whose body is not JSON."""


@dataclass(frozen=True)
class Empty:
    """A well-formed completion with empty content."""


Behaviour = Reply | Status | Hang | BrokenStream | Malformed | Empty


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    body: dict[str, Any]
    headers: dict[str, str]
    at: float

    @property
    def messages(self) -> list[dict[str, str]]:
        return list(self.body.get("messages", []))

    @property
    def prompt(self) -> str:
        return "\n".join(m["content"] for m in self.messages)

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))


class FakeOpenAI:
    """The server. `script(...)` sets what the next requests get; `requests` is what came in."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.embedding_calls = 0
        self._script: list[Behaviour] = [Status(503)]
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self._script = list(behaviours)
            self.requests.clear()

    def _next(self) -> Behaviour:
        with self._lock:
            return self._script.pop(0) if len(self._script) > 1 else self._script[0]

    # -- lifetime ---------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(),), daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fake OpenAI server did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/embeddings", self._embeddings)
        runner = web.AppRunner(app, shutdown_timeout=0.5)
        self.port = await serve_loopback(runner)
        self._ready.set()
        await self._stop.wait()
        await runner.cleanup()

    # -- the endpoints ----------------------------------------------------------------------

    async def _embeddings(self, request: web.Request) -> web.StreamResponse:
        """Deterministic bag-of-words vectors (hashed into EMBEDDING_DIM buckets), in the
        OpenAI response shape: enough for retrieval to work through a remote embedder."""
        body = await request.json()
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        self.embedding_calls += 1
        data = [
            {"object": "embedding", "index": i, "embedding": bag_of_words(t)}
            for i, t in enumerate(texts)
        ]
        return web.json_response(
            {"object": "list", "data": data, "model": body.get("model", "fake"),
             "usage": {"prompt_tokens": 0, "total_tokens": 0}}
        )

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        seen = Seen(body, dict(request.headers), time.monotonic())
        with self._lock:
            self.requests.append(seen)
        behaviour = self._next()
        if isinstance(behaviour, Status):
            error = {"error": {"message": f"fake error {behaviour.code}", "type": "server_error", "code": None}}
            return web.json_response(error, status=behaviour.code, headers=behaviour.headers)
        if isinstance(behaviour, Hang):
            await self._hang()
            return web.Response(status=504)
        if isinstance(behaviour, Malformed):
            return web.Response(text='{"id": "x", "choices": [ {"mess', content_type="application/json")
        if isinstance(behaviour, Empty) and not seen.stream:
            return web.json_response(completion(body, ""))
        if isinstance(behaviour, Empty):
            response = await self._open_stream(request)
            await response.write(sse(chunk(body, None, finish="stop")))
            await response.write(b"data: [DONE]\n\n")
            await response.write_eof()
            return response
        if isinstance(behaviour, BrokenStream):
            return await self._broken(request, seen, behaviour)
        if behaviour.delay:
            await asyncio.sleep(behaviour.delay)
        text = behaviour.text(body) if callable(behaviour.text) else behaviour.text
        if not seen.stream:
            return web.json_response(completion(body, text))
        response = await self._open_stream(request)
        for piece in pieces(text, behaviour.chunk):
            await response.write(sse(chunk(body, piece)))
        await response.write(sse(chunk(body, None, finish="stop")))
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    async def _hang(self) -> None:
        assert self._stop is not None
        await self._stop.wait()

    async def _open_stream(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)
        return response

    async def _broken(self, request: web.Request, seen: Seen, how: BrokenStream) -> web.StreamResponse:
        text = how.text(seen.body) if callable(how.text) else how.text
        response = await self._open_stream(request)
        for piece in pieces(text[: how.after], 8):
            await response.write(sse(chunk(seen.body, piece)))
        if how.stall:
            await self._hang()
            return response
        assert request.transport is not None
        request.transport.close()  # mid-body: the client sees the connection drop
        return response


EMBEDDING_DIM = 64


def bag_of_words(text: str) -> list[float]:
    vector = [0.0] * EMBEDDING_DIM
    for word in re.findall(r"[a-z]+", text.lower()):
        vector[zlib.crc32(word.encode()) % EMBEDDING_DIM] += 1.0
    return vector


def pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def sse(data: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(data)}\n\n".encode()


def completion(request: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
        "model": request.get("model", "fake"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def chunk(request: dict[str, Any], text: str | None, finish: str | None = None) -> dict[str, Any]:
    delta: dict[str, Any] = {} if text is None else {"content": text}
    return {
        "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
        "model": request.get("model", "fake"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


# -- models a test can script ----------------------------------------------------------------

_PASSAGE = re.compile(r"^\[(\d+)\] (.*)$", re.MULTILINE)


def passages(request: dict[str, Any]) -> dict[int, str]:
    """The numbered passages in the last user message of a request."""
    user = [m["content"] for m in request.get("messages", []) if m.get("role") == "user"]
    return {int(n): text for n, text in _PASSAGE.findall(user[-1] if user else "")}


def number_of(request: dict[str, Any], words: str) -> int:
    """The number of the passage holding `words` (0 when none does)."""
    return next((n for n, text in passages(request).items() if words in text), 0)


def citing(template: str, words: str) -> Responder:
    """A model that writes `template` with {n} set to the passage holding `words`."""
    return lambda request: template.format(n=number_of(request, words))
