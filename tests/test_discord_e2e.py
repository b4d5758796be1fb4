"""`citebot discord` end to end: the real process and core against the loopback Discord fake.

One process serves the whole module (its first answer seeds the store, which takes a few
seconds); the tests run in order and the last one stops it and reads everything it logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.fakes.discord_api import Call, FakeDiscord, shown

pytestmark = pytest.mark.asyncio(loop_scope="module")

TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0.Gx7Qw2.e2e-secret-never-log-me-0123456789"
REPO = Path(__file__).resolve().parent.parent
FIRST_ANSWER_TIMEOUT = 90.0  # the first question loads WordLlama and seeds Chroma


def citebot_command() -> list[str]:
    """The installed `citebot` script beside this Python, else the same entry point via -m."""
    script = Path(sys.executable).with_name("citebot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


@dataclass
class Running:
    fake: FakeDiscord
    process: asyncio.subprocess.Process
    log: Path

    async def stop(self) -> str:
        """Stops the bot like Ctrl-C and returns everything it logged."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextlib.asynccontextmanager
async def discord_process(tmp: Path, **extra_env: str) -> AsyncIterator[Running]:
    """`citebot discord` against a fresh Discord fake, logging at DEBUG, its commands registered."""
    fake = FakeDiscord(TOKEN)
    await fake.start()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "SLACK_", "OPENAI_", "CITEBOT_", "CHROMA_"))
    }
    env.update(
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_BASE=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        DISCORD_GUILD_ID=fake.guild_id,
        CITEBOT_DATA_DIR=str(tmp / "data"),
        CITEBOT_SEEDS_DIR=str(REPO / "seeds"),
        CITEBOT_LOG_LEVEL="DEBUG",
        **extra_env,
    )
    log = tmp / "citebot.log"
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            *citebot_command(),
            "discord",
            cwd=tmp,  # no stray .env is read
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=sink,
            stderr=sink,
        )
    running = Running(fake, process, log)
    try:
        await asyncio.wait_for(fake.ready.wait(), 60)
        await fake.wait_for(lambda c: c.method == "PUT" and c.path.endswith("/commands"), 30)
        yield running
    finally:
        await running.stop()
        await fake.stop()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Running]:
    async with discord_process(tmp_path_factory.mktemp("discord-e2e")) as running:
        yield running


async def followup(fake: FakeDiscord, interaction: dict[str, Any]) -> Call:
    path = f"/webhooks/{fake.app_id}/{interaction['token']}"
    return await fake.wait_for(
        lambda c: c.method == "POST" and c.path == path, FIRST_ANSWER_TIMEOUT
    )


async def test_ask_defers_within_3_s_then_quotes_the_new_way_passage(bot: Running) -> None:
    fake = bot.fake
    interaction, sent = await fake.slash("ask", {"question": "What did Kim say about a new way?"})
    callback = await fake.wait_for(
        lambda c: c.path.startswith(f"/interactions/{interaction['id']}/")
    )
    first_response = callback.at - sent
    print(f"\n/ask first interaction response after {first_response * 1000:.0f} ms")
    assert callback.body["type"] == 5
    assert first_response < 3.0
    answer = await followup(fake, interaction)
    print(f"/ask answer after {(answer.at - sent) * 1000:.0f} ms")
    text = shown(answer)
    print(text)
    assert "forced to pursue a “new way”" in text
    assert re.search(r"\[\d+\] ¶3 · With Hanoi in the Rearview", text)
    assert answer.message["components"]  # 👍/👎


async def test_mention_about_the_next_meeting_names_putin(bot: Running) -> None:
    fake = bot.fake
    asked = await fake.say("Who is Kim expected to meet next?")
    reply = await fake.wait_for(
        lambda c: (
            c.method == "POST"
            and str((c.body or {}).get("message_reference", {}).get("message_id")) == asked["id"]
        ),
        FIRST_ANSWER_TIMEOUT,
    )
    print(shown(reply))
    assert "Putin" in shown(reply)
    assert any(c.path.endswith("/typing") and c.at <= reply.at for c in fake.calls)


async def test_summarize_sends_a_summary(bot: Running) -> None:
    fake = bot.fake
    interaction, sent = await fake.slash("summarize", {"length": "short"})
    callback = await fake.wait_for(
        lambda c: c.path.startswith(f"/interactions/{interaction['id']}/")
    )
    assert callback.body["type"] == 5 and callback.at - sent < 3.0
    text = shown(await followup(fake, interaction))
    print(text)
    assert "With Hanoi in the Rearview, Will Kim Jong Un Turn to Russia?" in text
    assert text.count("• ") >= 2 and "¶" in text


async def test_sources_lists_the_seed_article(bot: Running) -> None:
    interaction, _ = await bot.fake.slash("sources")
    text = shown(await followup(bot.fake, interaction))
    assert "1 stored article" in text and "With Hanoi in the Rearview" in text


async def test_a_vote_is_confirmed(bot: Running) -> None:
    fake = bot.fake
    answered = next(
        m for m in reversed(list(fake.messages.values())) if m.get("components") and m["embeds"]
    )
    up = answered["components"][0]["components"][0]["custom_id"]
    click = await fake.click(up, answered)
    confirm = await fake.wait_for(lambda c: c.path.startswith(f"/interactions/{click['id']}/"))
    assert "👍 is recorded" in confirm.body["data"]["content"]


async def test_every_message_forbids_pings_and_fits_discords_limits(bot: Running) -> None:
    calls = bot.fake.message_calls()
    assert len(calls) >= 5
    for call in calls:
        assert call.message.get("allowed_mentions", {}).get("parse") == [], call.path
        assert call.status == 200 and not call.problems, (call.path, call.problems)
    print(f"{len(calls)} messages sent, all with allowed_mentions parse [] and within limits")


async def test_token_never_appears_in_the_debug_log(bot: Running) -> None:
    logged = await bot.stop()
    assert bot.process.returncode is not None
    # The log really holds the exchange at DEBUG...
    assert "DEBUG" in logged and "INTERACTION_CREATE" in logged and "MESSAGE_CREATE" in logged
    # ...and never the bot token, nor any interaction token.
    assert TOKEN not in logged and TOKEN.split(".")[-1] not in logged
    assert "interaction-token-" not in logged
    assert "Traceback" not in logged
