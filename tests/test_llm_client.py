"""The OpenAI-compatible chat client, through the real `openai` package, against a loopback fake."""

from __future__ import annotations

import logging
import time

import openai
import pytest

from bot.config import Settings
from bot.llm import LLMError, Message
from bot.openai_chat import Backoff, OpenAIChat
from bot.wiring import make_chat_model
from tests.conftest import free_port
from tests.fakes.openai_server import BrokenStream, Empty, FakeOpenAI, Hang, Malformed, Reply, Status

KEY = "sk-test-0123456789-never-log-me"
TIMEOUT = 2.0
ASK = [Message("system", "Be brief."), Message("user", "Say hello.")]



def chat_for(fake: FakeOpenAI, timeout: float = TIMEOUT) -> OpenAIChat:
    model = make_chat_model(
        Settings.from_env(
            {"OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": KEY, "CITEBOT_LLM_TIMEOUT": str(timeout),
             "CITEBOT_LLM_MODEL": "fake-model"}
        )
    )
    assert isinstance(model, OpenAIChat)
    return model


async def failure(chat: OpenAIChat, streamed: bool = False) -> tuple[str, float, list[str]]:
    """The LLMError's message, the seconds it took, and any pieces streamed before it."""
    pieces: list[str] = []

    async def sink(piece: str) -> None:
        pieces.append(piece)

    started = time.monotonic()
    with pytest.raises(LLMError) as caught:
        await chat.complete(ASK, sink if streamed else None)
    return str(caught.value), time.monotonic() - started, pieces


def test_no_model_configured_means_no_chat_model() -> None:
    assert make_chat_model(Settings.from_env({})) is None


async def test_a_plain_reply_and_what_was_sent(fake: FakeOpenAI) -> None:
    fake.script(Reply("Hello [1]."))
    assert await chat_for(fake).complete(ASK) == "Hello [1]."
    (seen,) = fake.requests
    assert seen.body["model"] == "fake-model" and not seen.stream
    assert seen.messages == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello."}]
    assert seen.headers["Authorization"] == f"Bearer {KEY}"


async def test_a_streamed_reply_arrives_in_pieces(fake: FakeOpenAI) -> None:
    text = "Kim warned of a “new way” should talks fail [1]."
    fake.script(Reply(text, chunk=5))
    pieces: list[str] = []

    async def sink(piece: str) -> None:
        pieces.append(piece)

    assert await chat_for(fake).complete(ASK, sink) == text
    assert len(pieces) == len(text) // 5 + 1 and "".join(pieces) == text
    assert fake.requests[0].stream


async def test_429_is_retried_after_a_backoff_then_succeeds(fake: FakeOpenAI) -> None:
    fake.script(Status(429), Status(429), Reply("At last."))
    assert await chat_for(fake).complete(ASK) == "At last."
    first, second, third = (r.at for r in fake.requests)
    assert second - first >= 0.25 and third - second >= 0.5  # exponential backoff


async def test_a_retry_after_beyond_the_timeout_gives_up_at_once(fake: FakeOpenAI) -> None:
    fake.script(Status(429, {"Retry-After": "30"}))
    message, took, _ = await failure(chat_for(fake))
    assert message == "model rate-limited"
    assert took < 1.0 and len(fake.requests) == 1


async def test_a_persistent_500_ends_within_the_timeout_after_a_few_tries(fake: FakeOpenAI) -> None:
    fake.script(Status(500))
    message, took, _ = await failure(chat_for(fake))
    assert message == "model endpoint failed (HTTP 500)"
    assert 2 <= len(fake.requests) <= Backoff().attempts
    assert took < TIMEOUT


async def test_retries_never_outlast_the_timeout(fake: FakeOpenAI) -> None:
    fake.script(Status(503))
    patient = OpenAIChat(chat_for(fake).connect, "fake-model", 1.0, Backoff(attempts=100, first=0.2, most=0.2))
    message, took, _ = await failure(patient)
    assert message == "model endpoint failed (HTTP 503)"
    # the deadline holds, less a loaded machine's scheduling slack (1.005 s seen with two
    # evaluations running alongside)
    assert took < 1.25 and len(fake.requests) >= 3


async def test_time_running_out_on_a_retry_reports_the_failure_not_a_timeout(fake: FakeOpenAI) -> None:
    """A 503, then a retry that hangs until the deadline (a loaded machine, a slow endpoint):
    the reader is told the endpoint failed, which is why there was a retry at all."""
    fake.script(Status(503), Hang())
    message, took, _ = await failure(chat_for(fake))
    assert message == "model endpoint failed (HTTP 503)"
    assert took < TIMEOUT + 0.5 and len(fake.requests) == 2


async def test_a_bad_key_is_not_retried_and_the_log_says_what_to_set(
    fake: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    fake.script(Status(401))
    message, _, _ = await failure(chat_for(fake))
    assert message == "model refused the API key"
    assert len(fake.requests) == 1
    assert "check OPENAI_API_KEY" in caplog.text


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_hang_times_out_on_time(fake: FakeOpenAI, streamed: bool) -> None:
    fake.script(Hang())
    message, took, _ = await failure(chat_for(fake), streamed)
    assert message == "model timed out"
    assert TIMEOUT - 0.1 <= took < TIMEOUT + 0.5


async def test_a_stream_that_stalls_mid_way_times_out(fake: FakeOpenAI) -> None:
    fake.script(BrokenStream("Kim warned of a new way, and then some more words.", after=16, stall=True))
    message, took, pieces = await failure(chat_for(fake), streamed=True)
    assert message == "model timed out"
    assert "".join(pieces) == "Kim warned of a "
    assert took < TIMEOUT + 0.5


async def test_a_stream_that_breaks_is_not_retried(fake: FakeOpenAI) -> None:
    fake.script(BrokenStream("Kim warned of a new way, and then some more words.", after=16))
    message, took, pieces = await failure(chat_for(fake), streamed=True)
    assert message == "model's reply broke off"
    assert "".join(pieces) == "Kim warned of a "
    assert len(fake.requests) == 1 and took < 1.0


@pytest.mark.parametrize(
    ("behaviour", "streamed", "expected"),
    [
        (Malformed(), False, "model sent a malformed reply"),
        (Empty(), False, "model gave an empty reply"),
        (Empty(), True, "model gave an empty reply"),
        (Reply("   \n"), False, "model gave an empty reply"),
    ],
)
async def test_unusable_replies(fake: FakeOpenAI, behaviour: Malformed | Empty | Reply, streamed: bool, expected: str) -> None:
    fake.script(behaviour)
    message, _, _ = await failure(chat_for(fake), streamed)
    assert message == expected


async def test_an_unreachable_endpoint_says_so_within_the_timeout(caplog: pytest.LogCaptureFixture) -> None:
    closed = f"http://127.0.0.1:{free_port()}/v1"
    chat = make_chat_model(Settings.from_env({"OPENAI_BASE_URL": closed, "CITEBOT_LLM_TIMEOUT": "1.5"}))
    assert chat is not None
    started = time.monotonic()
    with pytest.raises(LLMError, match="model endpoint unreachable"):
        await chat.complete(ASK)
    assert time.monotonic() - started < 1.5
    assert "check OPENAI_BASE_URL" in caplog.text


async def test_the_key_never_reaches_the_logs_at_debug(fake: FakeOpenAI, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("openai", "httpx", "httpx2", "httpcore", "bot"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    chat = chat_for(fake)
    fake.script(Reply("Fine."), Status(401), Status(500), Malformed())
    assert await chat.complete(ASK) == "Fine."
    for _ in range(3):
        with pytest.raises(LLMError):
            await chat.complete(ASK)
    assert fake.requests[0].headers["Authorization"] == f"Bearer {KEY}"  # the key was used...
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert len(caplog.records) > 5  # ... and DEBUG logging was really on
    assert KEY not in logged and KEY[:12] not in logged


async def test_the_client_is_built_without_sdk_retries(fake: FakeOpenAI) -> None:
    async with chat_for(fake).connect() as client:
        assert isinstance(client, openai.AsyncOpenAI)
        assert client.max_retries == 0
        assert str(client.base_url).rstrip("/") == fake.url
