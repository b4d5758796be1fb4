"""Acceptance: the real `citebot discord` process with a chat model configured, the model and
Discord both on loopback. A good model answer is shown with its verified ¶ citation; a made-up
quote never reaches the channel; a failing model still gets the reader a cited answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.conftest import LLM_KEY, model_env
from tests.fakes.discord_api import Call, FakeDiscord, shown
from tests.fakes.openai_server import FakeOpenAI, Reply, Status
from tests.test_discord_e2e import FIRST_ANSWER_TIMEOUT, TOKEN, Running, discord_process
from tests.test_slack_llm_e2e import CARD, GOOD, MOON, PASSAGE, PROSE, made_up

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Running, FakeOpenAI]]:
    model = FakeOpenAI().start()
    try:
        async with discord_process(tmp_path_factory.mktemp("discord-llm"), **model_env(model)) as running:
            yield running, model
    finally:
        model.stop()


async def ask(fake: FakeDiscord, question: str) -> Call:
    """The finished answer to /ask: the message that carries the 👍/👎 buttons (a streamed
    preview before it has none)."""
    interaction, _ = await fake.slash("ask", {"question": question})
    path = f"/webhooks/{fake.app_id}/{interaction['token']}"

    def finished(c: Call) -> bool:
        body: dict[str, Any] = c.message
        return c.path.startswith(path) and c.method in ("POST", "PATCH") and bool(body.get("components"))

    return await fake.wait_for(finished, FIRST_ANSWER_TIMEOUT)


async def test_the_model_answer_is_shown_with_its_verified_paragraph_citation(
    bot: tuple[Running, FakeOpenAI],
) -> None:
    running, model = bot
    model.script(Reply(GOOD))
    text = shown(await ask(running.fake, CARD))
    assert PROSE in text, text
    assert "¶3" in text and "With Hanoi in the Rearview" in text and PASSAGE in text
    assert model.requests, "the model was never asked"


async def test_a_made_up_quote_never_reaches_the_channel(bot: tuple[Running, FakeOpenAI]) -> None:
    running, model = bot
    model.script(Reply(made_up))
    text = shown(await ask(running.fake, CARD))
    assert PASSAGE in text and "¶3" in text
    assert "not in the article" in text
    assert all(MOON not in shown(c) for c in running.fake.calls if c.carries_message)


async def test_a_failing_model_still_gets_a_cited_answer(bot: tuple[Running, FakeOpenAI]) -> None:
    running, model = bot
    model.script(Status(500))
    text = shown(await ask(running.fake, CARD))
    assert PASSAGE in text and "¶3" in text and "model endpoint failed" in text


async def test_the_api_key_is_never_logged(bot: tuple[Running, FakeOpenAI]) -> None:
    """Runs last: stops the bot and reads everything it logged at DEBUG."""
    running, _ = bot
    output = await running.stop()
    assert "DEBUG" in output
    assert LLM_KEY not in output and TOKEN not in output
