"""The Discord door, in process: the real discord.py client against the loopback Discord fake.

The service is a fake implementing the `CitebotService` seam (its answers are fixed here, so these
tests are about the door: commands, mentions, history, rendering on the wire, feedback, limits,
failures and secrets). The end-to-end tests with the real core are in test_discord_e2e.py.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.config import Settings
from bot.discord_app import CitebotClient, build_client, run, serve
from bot.errors import CitebotError, ConfigError
from bot.feedback import FeedbackStore
from bot.models import Answer, Citation, Length, Sources, Summary, SummaryPoint, Turn
from bot.service import TextSink
from retrieval.types import DocumentInfo
from tests.fakes.discord_api import EPHEMERAL, MESSAGE_CONTENT_INTENT, Call, FakeDiscord, shown

TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0.Gx7Qw2.citebot-test-secret-0123456789abcdef"
TITLE = "With Hanoi in the Rearview, Will Kim Jong Un Turn to Russia?"
NEW_WAY = (
    "We should bear in mind too that in his New Year’s Day address this year, Kim Jong Un warned "
    "that he would be forced to pursue a “new way” should the United States fail to come around."
)


def cite(
    n: int = 1, paragraph: int = 3, quote: str = NEW_WAY, source: str = "seeds/kim.txt"
) -> Citation:
    return Citation(n, "kim", TITLE, paragraph, quote, 100 * n, 100 * n + len(quote), source)


@dataclass
class FakeService:
    """The service seam with scripted behaviour; records what the door asked."""

    asked: list[tuple[str, tuple[Turn, ...]]] = field(default_factory=list)
    lengths: list[Length] = field(default_factory=list)
    behaviour: Callable[[str, TextSink | None], Awaitable[Answer]] | None = None

    async def ask(
        self, question: str, history: Sequence[Turn] = (), on_text: TextSink | None = None
    ) -> Answer:
        self.asked.append((question, tuple(history)))
        if self.behaviour is not None:
            return await self.behaviour(question, on_text)
        return Answer(
            question, "Kim warned he would pursue a “new way” [1].", (cite(),), False, "extractive"
        )

    async def summarize(self, doc: str | None = None, length: Length = "medium") -> Summary:
        self.lengths.append(length)
        points = (
            SummaryPoint("Kim may turn to Russia for support [1].", (cite(),)),
            SummaryPoint(
                "Kim set a deadline for Washington.",
                (cite(2, 4, "He has set in place a timeline."),),
            ),
        )
        return Summary(
            "kim", TITLE, "extractive", points, source="https://thediplomat.com/kim", length=length
        )

    async def sources(self) -> Sources:
        doc = DocumentInfo(
            "kim", TITLE, "https://thediplomat.com/kim", 14, 1043, "2024-01-01T00:00:00"
        )
        return Sources((doc,))


@dataclass
class Harness:
    fake: FakeDiscord
    service: FakeService
    feedback: FeedbackStore
    client: CitebotClient
    task: asyncio.Task[None]

    async def ask(self, question: str, **options: Any) -> tuple[dict[str, Any], float]:
        return await self.fake.slash("ask", {"question": question, **options})

    async def callback(self, interaction: dict[str, Any]) -> Call:
        return await self.fake.wait_for(
            lambda c: c.path.startswith(f"/interactions/{interaction['id']}/")
        )

    async def followup(self, interaction: dict[str, Any]) -> Call:
        prefix = f"/webhooks/{self.fake.app_id}/{interaction['token']}"
        return await self.fake.wait_for(lambda c: c.method == "POST" and c.path == prefix)

    async def reply_to(self, message: dict[str, Any]) -> Call:
        return await self.fake.wait_for(
            lambda c: (
                c.method == "POST"
                and str((c.body or {}).get("message_reference", {}).get("message_id"))
                == message["id"]
            )
        )


def assert_never_pings(fake: FakeDiscord) -> None:
    """Every message citebot sent forbids every ping, and fits Discord's limits."""
    calls = fake.message_calls()
    for call in calls:
        mentions = call.message.get("allowed_mentions")
        assert mentions is not None and mentions["parse"] == [], (call.path, mentions)
        assert (
            not mentions.get("users")
            and not mentions.get("roles")
            and not mentions.get("replied_user")
        )
        assert call.status == 200 and not call.problems, (call.path, call.problems)


@pytest.fixture
def service() -> FakeService:
    return FakeService()


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[Harness]]]:
    """Starts fakes and clients on demand; stops them all and checks every message at the end."""
    started: list[Harness] = []
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY

    async def _start(
        service: FakeService,
        env: dict[str, str] | Callable[[FakeDiscord], dict[str, str]] | None = None,
        *,
        guild_sync: bool = True,
        feedback: FeedbackStore | None = None,
    ) -> Harness:
        fake = FakeDiscord(TOKEN)
        await fake.start()
        base = {
            "DISCORD_TOKEN": TOKEN,
            "DISCORD_API_BASE": fake.api_base,
            "DISCORD_GATEWAY_URL": fake.gateway_url,
            "CITEBOT_DATA_DIR": str(tmp_path),  # the rate limit's count lives there
        }
        if guild_sync:
            base["DISCORD_GUILD_ID"] = fake.guild_id
        extra = env(fake) if callable(env) else env or {}
        settings = Settings.from_env({**base, **extra})
        store = feedback or FeedbackStore(tmp_path / "feedback.sqlite")
        client = build_client(settings, service, store)
        task = asyncio.create_task(serve(client))
        await asyncio.wait_for(fake.ready.wait(), 10)
        await fake.wait_for(lambda c: c.method == "PUT" and c.path.endswith("/commands"))
        harness = Harness(fake, service, store, client, task)
        started.append(harness)
        return harness

    yield _start
    for h in started:
        await h.client.close()
        await asyncio.wait_for(h.task, 10)
        await h.fake.stop()
        assert_never_pings(h.fake)
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway


# --- starting up --------------------------------------------------------------------------------


async def test_connects_without_privileged_intents_and_registers_commands(
    start: Any, service: FakeService
) -> None:
    h = await start(service)
    assert h.fake.identify is not None
    assert h.fake.identify["token"] == TOKEN
    assert not h.fake.identify["intents"] & MESSAGE_CONTENT_INTENT
    commands = {c["name"]: c for c in h.fake.commands[h.fake.guild_id]}
    assert set(commands) == {"ask", "summarize", "sources"}
    ask_options = {o["name"]: o for o in commands["ask"]["options"]}
    assert ask_options["question"]["type"] == 3 and ask_options["question"]["required"] is True
    assert ask_options["private"]["type"] == 5 and not ask_options["private"].get("required")
    lengths = [c["value"] for c in commands["summarize"]["options"][0]["choices"]]
    assert lengths == ["short", "medium", "long"]
    assert h.client.allowed_mentions is not None
    assert h.client.allowed_mentions.to_dict() == {"parse": []}


async def test_without_guild_id_commands_are_registered_globally(
    start: Any, service: FakeService
) -> None:
    h = await start(service, guild_sync=False)
    assert set(h.fake.commands) == {None}
    assert any(
        c.method == "PUT" and c.path == f"/applications/{h.fake.app_id}/commands"
        for c in h.fake.calls
    )


async def test_missing_token_names_the_variable(tmp_path: Path, service: FakeService) -> None:
    settings = Settings.from_env({})
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        run(settings, service, FeedbackStore(tmp_path / "f.sqlite"))


async def test_rejected_token_says_how_to_fix(tmp_path: Path, service: FakeService) -> None:
    fake = FakeDiscord(TOKEN)
    await fake.start()
    try:
        env = {
            "DISCORD_TOKEN": "wrong",
            "DISCORD_API_BASE": fake.api_base,
            "DISCORD_GATEWAY_URL": fake.gateway_url,
        }
        client = build_client(Settings.from_env(env), service, FeedbackStore(tmp_path / "f.sqlite"))
        with pytest.raises(ConfigError, match="DISCORD_TOKEN was rejected"):
            await asyncio.wait_for(serve(client), 10)
    finally:
        await fake.stop()


# --- slash commands -----------------------------------------------------------------------------


async def test_ask_defers_within_3_s_then_follows_up_with_the_cited_quote(
    start: Any, service: FakeService
) -> None:
    h = await start(service)
    interaction, sent = await h.ask("What did Kim say about a new way?")
    callback = await h.callback(interaction)
    assert callback.body["type"] == 5  # deferred: "citebot is thinking…"
    assert callback.at - sent < 3.0
    followup = await h.followup(interaction)
    text = shown(followup)
    assert "pursue a “new way”" in text
    assert "¶3" in text and TITLE in text
    quote = followup.message["embeds"][1]["description"]
    assert quote.startswith("> ")
    buttons = [b["custom_id"] for row in followup.message["components"] for b in row["components"]]
    assert [b.split(":")[2] for b in buttons] == ["up", "down"]
    assert service.asked == [("What did Kim say about a new way?", ())]
    assert not followup.message.get("flags", 0) & EPHEMERAL


async def test_private_ask_is_ephemeral(start: Any, service: FakeService) -> None:
    h = await start(service)
    interaction, _ = await h.ask("What did Kim say?", private=True)
    callback = await h.callback(interaction)
    assert callback.body["type"] == 5 and callback.body["data"]["flags"] & EPHEMERAL
    followup = await h.followup(interaction)
    assert followup.message["flags"] & EPHEMERAL


async def test_summarize_sends_a_cited_summary_of_the_chosen_length(
    start: Any, service: FakeService
) -> None:
    h = await start(service)
    interaction, sent = await h.fake.slash("summarize", {"length": "long"})
    callback = await h.callback(interaction)
    assert callback.body["type"] == 5 and callback.at - sent < 3.0
    text = shown(await h.followup(interaction))
    assert service.lengths == ["long"]
    assert TITLE in text and "• Kim may turn to Russia for support [1]." in text
    assert "• Kim set a deadline for Washington. [2]" in text and "¶4" in text
    assert "long summary" in text


async def test_sources_lists_the_stored_articles(start: Any, service: FakeService) -> None:
    h = await start(service)
    interaction, _ = await h.fake.slash("sources")
    followup = await h.followup(interaction)
    text = shown(followup)
    assert "1 stored article" in text and TITLE in text and "14 passages" in text
    assert "(https://thediplomat.com/kim)" in followup.message["embeds"][0]["description"]


async def test_unknown_command_gets_a_reply(start: Any, service: FakeService) -> None:
    h = await start(service)
    interaction, _ = await h.fake.slash("translate", {})
    callback = await h.callback(interaction)
    assert callback.body["type"] == 4 and callback.body["data"]["flags"] & EPHEMERAL
    assert "I don't know that command" in callback.body["data"]["content"]


# --- mentions and conversations -----------------------------------------------------------------


async def test_mention_gets_a_reply_to_that_message_while_typing(
    start: Any, service: FakeService
) -> None:
    h = await start(service)
    asked = await h.fake.say("Who is Kim expected to meet next?")
    reply = await h.reply_to(asked)
    assert "“new way”" in shown(reply) and "¶3" in shown(reply)
    assert service.asked == [("Who is Kim expected to meet next?", ())]
    typing_at = [c.at for c in h.fake.calls if c.path == f"/channels/{h.fake.channel_id}/typing"]
    assert typing_at and typing_at[0] < reply.at
    assert reply.message["allowed_mentions"] == {"parse": [], "replied_user": False}


async def test_messages_not_addressed_to_the_bot_are_ignored(
    start: Any, service: FakeService
) -> None:
    h = await start(service)
    await h.fake.say("just chatting about Kim", mention_bot=False)
    await h.fake.say("another bot talking", author=h.fake.user("77", "otherbot", bot=True))
    await h.fake.say(
        "and a ping", author=h.fake.user("43", "editor")
    )  # a marker that the others passed
    await h.fake.wait_for(lambda c: c.method == "POST" and "/messages" in c.path)
    await asyncio.sleep(0.2)
    assert [q for q, _ in service.asked] == ["and a ping"]


async def test_reply_chain_is_the_conversation_so_far(start: Any, service: FakeService) -> None:
    h = await start(service)
    first = await h.fake.say("What did Kim say about a new way?")
    await h.reply_to(first)
    answer = next(
        m
        for m in h.fake.messages.values()
        if m.get("message_reference", {}).get("message_id") == first["id"]
    )
    follow = await h.fake.say("And what might that be?", reply_to=answer)
    await h.reply_to(follow)
    question, history = service.asked[-1]
    assert question == "And what might that be?"
    assert history == (
        Turn("user", "What did Kim say about a new way?"),
        Turn("assistant", "Kim warned he would pursue a “new way” [1]."),
    )


async def test_thread_messages_are_the_conversation_so_far(
    start: Any, service: FakeService
) -> None:
    h = await start(service)
    first = await h.fake.say("What did Kim say about a new way?", in_thread=True)
    await h.reply_to(first)
    second = await h.fake.say("Is Russia that new way?", in_thread=True)
    reply = await h.reply_to(second)
    assert reply.path == f"/channels/{h.fake.thread_id}/messages"
    _, history = service.asked[-1]
    assert history == (
        Turn("user", "What did Kim say about a new way?"),
        Turn("assistant", "Kim warned he would pursue a “new way” [1]."),
    )


async def test_streaming_answer_updates_one_message_at_most_once_a_second(
    start: Any, service: FakeService
) -> None:
    async def streams(question: str, on_text: TextSink | None) -> Answer:
        assert on_text is not None
        text = ""
        words = ("Kim", "warned", "that", "he", "would", "pursue", "a", "new", "way")
        for word in (*words, "unless", "sanctions", "eased"):
            text += word + " "
            await on_text(text)
            await asyncio.sleep(0.12)
        return Answer(question, text.strip() + " [1]", (cite(),), False, "llm")

    service.behaviour = streams
    h = await start(service)
    asked = await h.fake.say("What did Kim say?")
    preview = await h.reply_to(asked)
    assert preview.message["content"].startswith("Kim") and preview.message["content"].endswith("…")
    final = await h.fake.wait_for(lambda c: c.method == "PATCH" and bool(c.message.get("embeds")))
    edits = [c for c in h.fake.calls if c.method == "PATCH"]
    updates = [preview.at] + [c.at for c in edits if c is not final]
    assert all(b - a >= 0.9 for a, b in itertools.pairwise(updates)), updates
    assert len(updates) >= 2  # ~1.3 s of streaming: the preview was edited at least once
    assert "unless sanctions eased [1]" in shown(final) and "¶3" in shown(final)
    assert final.message["content"] is None  # the preview text is replaced by the answer
    assert final.message["components"]  # the feedback buttons arrive with the final answer


async def test_long_answer_is_split_within_limits_and_keeps_every_citation(
    start: Any, service: FakeService
) -> None:
    paragraph = "Kim said many things about the talks, the sanctions and the summit. " * 30
    citations = tuple(
        cite(n, n + 1, f"Quote number {n}. " + "Words of the article. " * 150) for n in range(1, 16)
    )

    async def long_answer(question: str, on_text: TextSink | None) -> Answer:
        return Answer(question, "\n\n".join([paragraph] * 10), citations, False, "llm")

    service.behaviour = long_answer
    h = await start(service)
    interaction, _ = await h.ask("Tell me everything")
    await h.followup(interaction)
    await asyncio.sleep(0.5)
    parts = [c for c in h.fake.message_calls() if c.path.startswith("/webhooks/")]
    assert len(parts) >= 3
    everything = "\n".join(shown(p) for p in parts)
    for n in range(1, 16):
        assert f"[{n}] ¶{n + 1} · {TITLE}" in everything
        assert f"Quote number {n}." in everything
    assert everything.index("[15] ¶16") > everything.rindex(
        "Kim said many things"
    )  # citations last
    assert parts[-1].message.get("components") and not any(
        p.message.get("components") for p in parts[:-1]
    )
    assert_never_pings(h.fake)


# --- failures -----------------------------------------------------------------------------------


async def test_citebot_error_is_shown_to_the_user(start: Any, service: FakeService) -> None:
    async def empty(question: str, on_text: TextSink | None) -> Answer:
        raise CitebotError("No articles are stored yet: run `citebot ingest PATH` first.")

    service.behaviour = empty
    h = await start(service)
    interaction, _ = await h.ask("Anything?")
    assert "No articles are stored yet" in shown(await h.followup(interaction))
    asked = await h.fake.say("Anything?")
    assert "No articles are stored yet" in shown(await h.reply_to(asked))


async def test_unexpected_error_is_logged_and_answered_briefly(
    start: Any, service: FakeService, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(question: str, on_text: TextSink | None) -> Answer:
        raise RuntimeError("index exploded")

    service.behaviour = broken
    h = await start(service)
    interaction, _ = await h.ask("Anything?")
    text = shown(await h.followup(interaction))
    assert text.startswith("Sorry, something went wrong") and "index exploded" not in text
    asked = await h.fake.say("Anything?")
    assert shown(await h.reply_to(asked)).startswith("Sorry, something went wrong")
    assert any(r.exc_info and "index exploded" in str(r.exc_info[1]) for r in caplog.records)


# --- limits -------------------------------------------------------------------------------------


async def test_rate_limit_replies_instead_of_answering(start: Any, service: FakeService) -> None:
    h = await start(service, {"CITEBOT_RATE_LIMIT": "2"})
    for _ in range(2):
        interaction, _ = await h.ask("What did Kim say?")
        await h.followup(interaction)
    interaction, _ = await h.ask("What did Kim say?")
    callback = await h.callback(interaction)
    assert callback.body["type"] == 4 and callback.body["data"]["flags"] & EPHEMERAL
    assert "faster than I can keep up" in callback.body["data"]["content"]
    asked = await h.fake.say("And now?")
    assert "faster than I can keep up" in shown(await h.reply_to(asked))
    other = await h.fake.say("Me too?", author=h.fake.user("43", "editor"))  # per user
    assert "“new way”" in shown(await h.reply_to(other))
    assert len(service.asked) == 3


async def test_guild_allowlist(start: Any, service: FakeService) -> None:
    h = await start(service, {"CITEBOT_DISCORD_GUILDS": "111,222"})
    interaction, _ = await h.ask("What did Kim say?")
    callback = await h.callback(interaction)
    assert (
        callback.body["type"] == 4
        and "isn't enabled on this server" in callback.body["data"]["content"]
    )
    asked = await h.fake.say("What did Kim say?")
    assert "isn't enabled on this server" in shown(await h.reply_to(asked))
    assert service.asked == []


async def test_allowed_guild_is_answered(start: Any, service: FakeService) -> None:
    h = await start(service, lambda fake: {"CITEBOT_DISCORD_GUILDS": f"111, {fake.guild_id}"})
    interaction, _ = await h.ask("What did Kim say?")
    assert "“new way”" in shown(await h.followup(interaction))
    asked = await h.fake.say("What did Kim say?")
    assert "“new way”" in shown(await h.reply_to(asked))


async def test_question_length_limit_and_empty_mention(start: Any, service: FakeService) -> None:
    h = await start(service, {"CITEBOT_MAX_QUESTION_CHARS": "50"})
    interaction, _ = await h.ask("Why " * 30)
    callback = await h.callback(interaction)
    assert "120 characters; the limit is 50" in callback.body["data"]["content"]
    asked = await h.fake.say("x" * 20_000)
    assert "20,000 characters; the limit is 50" in shown(await h.reply_to(asked))
    blank = await h.fake.say("   ")
    assert "Ask me about the stored articles" in shown(await h.reply_to(blank))
    assert service.asked == []


async def test_mention_markup_never_pings(start: Any, service: FakeService) -> None:
    async def echo(question: str, on_text: TextSink | None) -> Answer:
        quote = f"Readers wrote: {question}"
        return Answer(
            question, f"You asked: {question} [1]", (cite(quote=quote),), False, "extractive"
        )

    service.behaviour = echo
    h = await start(service)
    hostile = "@everyone @here <@&555> <@42> <#1> [click](https://evil.example) **b** ||s|| what?"
    interaction, _ = await h.ask(hostile)
    followup = await h.followup(interaction)
    asked = await h.fake.say(hostile)
    reply = await h.reply_to(asked)
    for call in (followup, reply):
        raw = "\n".join(e["description"] for e in call.message["embeds"])
        for markup in (
            "@everyone",
            "@here",
            "<@&555>",
            "<@42>",
            "<#1>",
            "[click](",
            "**b**",
            "||s||",
        ):
            # escaped: shown literally, never as a mention, link or format
            assert not re.search(r"(?<!\\)" + re.escape(markup), raw), markup
            assert markup in shown(call)
    assert_never_pings(h.fake)


# --- feedback -----------------------------------------------------------------------------------


def _buttons(call: Call) -> dict[str, str]:
    ids = [b["custom_id"] for row in call.message["components"] for b in row["components"]]
    return {i.split(":")[2]: i for i in ids}


async def test_votes_are_recorded_and_confirmed_privately(start: Any, service: FakeService) -> None:
    h = await start(service)
    interaction, _ = await h.ask("What did Kim say about a new way?")
    followup = await h.followup(interaction)
    message = h.fake.messages[max(h.fake.messages, key=int)]
    click = await h.fake.click(_buttons(followup)["up"], message)
    confirm = await h.callback(click)
    assert confirm.body["type"] == 4 and confirm.body["data"]["flags"] & EPHEMERAL
    assert "👍 is recorded" in confirm.body["data"]["content"]
    [record] = h.feedback.records()
    assert (record.vote, record.user_id, record.platform) == ("up", "42", "discord")
    assert record.question == "What did Kim say about a new way?"


async def test_buttons_survive_a_restart(start: Any, service: FakeService, tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "shared.sqlite")
    first = await start(service, feedback=store)
    asked = await first.fake.say("What did Kim say?")
    reply = await first.reply_to(asked)
    message = first.fake.messages[max(first.fake.messages, key=int)]
    await first.client.close()
    second = await start(service, feedback=store)  # a new process would build exactly this
    click = await second.fake.click(
        _buttons(reply)["down"], message, user=second.fake.user("43", "editor")
    )
    confirm = await second.callback(click)
    assert "👎 is recorded" in confirm.body["data"]["content"]
    assert [(r.vote, r.user_id) for r in store.records()] == [("down", "43")]


async def test_vote_on_an_answer_no_longer_stored_is_explained(
    start: Any, service: FakeService, tmp_path: Path
) -> None:
    first = await start(service, feedback=FeedbackStore(tmp_path / "old.sqlite"))
    asked = await first.fake.say("What did Kim say?")
    reply = await first.reply_to(asked)
    message = first.fake.messages[max(first.fake.messages, key=int)]
    second = await start(
        service, feedback=FeedbackStore(tmp_path / "new.sqlite")
    )  # the store was lost
    confirm = await second.callback(await second.fake.click(_buttons(reply)["up"], message))
    assert "no longer on record" in confirm.body["data"]["content"]


# --- secrets ------------------------------------------------------------------------------------


async def test_token_never_appears_in_logs_at_debug(
    start: Any, service: FakeService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    h = await start(service)
    interaction, _ = await h.ask("What did Kim say about a new way?")
    await h.followup(interaction)
    asked = await h.fake.say("Who is Kim expected to meet next?")
    reply = await h.reply_to(asked)
    message = h.fake.messages[max(h.fake.messages, key=int)]
    confirm = await h.callback(await h.fake.click(_buttons(reply)["up"], message))
    assert confirm.status == 200
    await h.client.close()
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    # The capture really saw the exchange at DEBUG: gateway events and REST bodies...
    assert "INTERACTION_CREATE" in logged and "Who is Kim expected to meet next?" in logged
    assert f"/webhooks/{h.fake.app_id}/" in logged
    # ...and neither the bot token nor any interaction token.
    assert TOKEN not in logged and TOKEN.split(".")[-1] not in logged
    assert interaction["token"] not in logged and "interaction-token-" not in logged


async def test_direct_message_is_answered_without_a_mention(
    start: Any, service: FakeService
) -> None:
    h = await start(service)
    asked = await h.fake.say("What did Kim say about a new way?", dm=True, mention_bot=False)
    reply = await h.reply_to(asked)
    assert reply.path == f"/channels/{h.fake.dm_channel_id}/messages"
    assert "¶3" in shown(reply)


async def test_direct_messages_are_refused_when_servers_are_allowlisted(
    start: Any, service: FakeService
) -> None:
    h = await start(service, lambda fake: {"CITEBOT_DISCORD_GUILDS": fake.guild_id})
    asked = await h.fake.say("What did Kim say about a new way?", dm=True, mention_bot=False)
    assert "not in direct messages" in shown(await h.reply_to(asked))
    assert service.asked == []


async def test_streaming_slash_answer_edits_its_follow_up(start: Any, service: FakeService) -> None:
    async def streams(question: str, on_text: TextSink | None) -> Answer:
        assert on_text is not None
        for text in ("Kim warned", "Kim warned of a new way"):
            await on_text(text)
            await asyncio.sleep(1.05)
        return Answer(question, "Kim warned of a “new way” [1].", (cite(),), False, "llm")

    service.behaviour = streams
    h = await start(service)
    interaction, _ = await h.ask("What did Kim say?", private=True)
    preview = await h.followup(interaction)
    assert preview.message["content"] == "Kim warned …" and preview.message["flags"] & EPHEMERAL
    edits = f"/webhooks/{h.fake.app_id}/{interaction['token']}/messages/"
    final = await h.fake.wait_for(
        lambda c: c.path.startswith(edits) and bool(c.message.get("embeds"))
    )
    assert "written from the quoted passages" in shown(final) and "¶3" in shown(final)
    partial = [c for c in h.fake.calls if c.path.startswith(edits) and c is not final]
    assert [c.message["content"] for c in partial] == ["Kim warned of a new way …"]


async def test_unreachable_discord_says_what_to_check(tmp_path: Path, service: FakeService) -> None:
    fake = FakeDiscord(TOKEN)
    await fake.start()
    base = fake.api_base
    await fake.stop()  # nothing listens there any more
    env = {"DISCORD_TOKEN": TOKEN, "DISCORD_API_BASE": base}
    client = build_client(Settings.from_env(env), service, FeedbackStore(tmp_path / "f.sqlite"))
    with pytest.raises(CitebotError, match=r"cannot reach http://127\.0\.0\.1:\d+/api/v10"):
        await asyncio.wait_for(serve(client), 10)


async def test_stream_that_fails_midway_is_marked_and_explained(
    start: Any, service: FakeService
) -> None:
    async def breaks(question: str, on_text: TextSink | None) -> Answer:
        assert on_text is not None
        await on_text("Kim warned that")
        raise CitebotError("The LLM endpoint stopped answering: try again.")

    service.behaviour = breaks
    h = await start(service)
    asked = await h.fake.say("What did Kim say?")
    preview = await h.reply_to(asked)
    assert preview.message["content"] == "Kim warned that …"
    marked = await h.fake.wait_for(lambda c: c.method == "PATCH")
    assert "This answer was interrupted" in shown(marked)
    error = await h.fake.wait_for(
        lambda c: c.method == "POST" and "LLM endpoint stopped" in (c.message.get("content") or "")
    )
    assert error.at >= marked.at
