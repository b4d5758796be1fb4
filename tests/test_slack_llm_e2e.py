"""Acceptance: the real `citebot slack --http` process with a chat model configured, the model
and Slack both on loopback. What a Slack user is shown when the model writes a good cited
answer, when it makes a quote up, and when it fails: always cited, always verified.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from tests.conftest import LLM_KEY, model_env
from tests.fakes.openai_server import FakeOpenAI, Reply, Status, citing
from tests.slack_harness import shown
from tests.test_slack_e2e import ANSWER_TIMEOUT, BOT_TOKEN, Http, http_process

pytestmark = pytest.mark.asyncio(loop_scope="module")

CARD = "What did Kim say about a new way?"
PROSE = "In his New Year’s Day address Kim Jong Un warned that he would be forced to pursue"
GOOD = citing(
    f"{PROSE} a “new way” should the United States fail to come around on “corresponding "
    "measures” [{n}].",
    "pursue a “new way”",
)
MOON = "build a bridge to the moon"
made_up = citing(f"Kim said he would “{MOON}” [{{n}}].", "pursue a “new way”")
PASSAGE = "forced to pursue a “new way” should the United States fail"


@dataclass
class Door:
    http: Http
    model: FakeOpenAI


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def door(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Door]:
    model = FakeOpenAI().start()
    try:
        async with http_process(tmp_path_factory.mktemp("slack-llm"), **model_env(model)) as http:
            yield Door(http, model)
    finally:
        model.stop()


async def ask(door: Door, question: str, key: str) -> str:
    ack, key = await door.http.sender.command("/ask", question, key=key)
    assert ack.status == 200 and ack.seconds < 3.0
    replies = await door.http.fake.wait_for(lambda: door.http.fake.responses(key), ANSWER_TIMEOUT)
    return "\n".join(shown(r) for r in replies)


async def test_the_model_answer_is_shown_with_its_verified_paragraph_citation(door: Door) -> None:
    door.model.script(Reply(GOOD))
    text = await ask(door, CARD, "good")
    assert PROSE in text, text  # the model's own words, not the extractive quote
    assert "With Hanoi in the Rearview" in text and "¶3" in text
    assert PASSAGE in text  # the cited passage itself, verbatim
    assert door.model.requests, "the model was never asked"


async def test_a_made_up_quote_never_reaches_slack(door: Door) -> None:
    door.model.script(Reply(made_up))
    text = await ask(door, CARD, "moon")
    assert MOON not in text and MOON not in door.http.fake.outgoing_text()
    assert PASSAGE in text and "¶3" in text  # the extractive answer instead, still cited
    assert "not in the article" in text  # and the reader is told why


async def test_a_failing_model_still_gets_a_cited_answer(door: Door) -> None:
    door.model.script(Status(500))
    text = await ask(door, CARD, "down")
    assert PASSAGE in text and "¶3" in text
    assert "model endpoint failed" in text


async def test_the_api_key_is_never_logged(door: Door) -> None:
    """Runs last in this module: every exchange above was logged at DEBUG."""
    output = door.http.running.output()
    assert "DEBUG" in output
    assert LLM_KEY not in output and BOT_TOKEN not in output
