"""The Slack door in HTTP mode: real signed requests to the real bolt app; Slack on loopback."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.errors import ConfigError, EmptyStore
from bot.render_slack import SHARE, VOTE_DOWN, VOTE_UP
from bot.slack_app import LOOKING, SORRY, build
from tests.fakes.slack_api import BOT_USER, FakeSlack, sign
from tests.fakes.slack_service import FakeService
from tests.slack_harness import Harness, buttons, kim_service, settings_for, shown, start_http

Start = Callable[..., Awaitable[Harness]]
MENTION = f"<@{BOT_USER}>"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = await FakeSlack().start()
    yield slack
    await slack.stop()


@pytest.fixture
async def start(fake: FakeSlack, tmp_path: Path) -> AsyncIterator[Start]:
    """Starts the door (with optional service and environment); stops it after the test."""
    started: list[Harness] = []

    async def go(service: FakeService | None = None, **env: str) -> Harness:
        h = await start_http(fake, tmp_path, service, **env)
        started.append(h)
        return h

    yield go
    for h in started:
        await h.close()


def mention(text: str, ts: str, channel: str = "CGENERAL", **extra: Any) -> dict[str, Any]:
    return {"type": "app_mention", "user": "UASKER", "text": text, "ts": ts, "channel": channel,
            "event_ts": ts, **extra}  # fmt: skip


def message(text: str, ts: str, channel: str, **extra: Any) -> dict[str, Any]:
    return {"type": "message", "user": "UASKER", "text": text, "ts": ts, "channel": channel,
            "event_ts": ts, "channel_type": "channel", **extra}  # fmt: skip


def posts(fake: FakeSlack) -> list[dict[str, Any]]:
    return [c.params for c in fake.calls_to("chat.postMessage")]


# ---------------------------------------------------------------- slash commands


async def test_ask_is_acked_at_once_then_answered_with_the_quote(start: Start) -> None:
    h = await start(kim_service(delay=0.5))
    ack, key = await h.sender.command("/ask", "What did Kim say about a new way?")
    assert ack.status == 200
    assert ack.json()["text"] == LOOKING
    assert ack.seconds < 0.4  # acked before the (0.5 s) answer exists
    [reply] = await h.fake.wait_for(lambda: h.fake.responses(key))
    text = shown(reply)
    assert reply["response_type"] == "ephemeral"
    assert '"new way"' in text and "¶3" in text
    assert "forced to pursue a \u201cnew way\u201d should the United States fail" in text
    assert "*Q:* What did Kim say about a new way?" in text
    assert set(buttons(reply)) == {VOTE_UP, VOTE_DOWN, SHARE}
    assert reply["unfurl_links"] is False and "link_names" not in reply


async def test_acks_stay_fast_under_load(start: Start) -> None:
    h = await start(kim_service(delay=1.0), CITEBOT_RATE_LIMIT="0")
    sent = await asyncio.gather(
        *(h.sender.command("/ask", f"What did Kim say about a new way? #{i}", user=f"U{i}")
          for i in range(40))
    )  # fmt: skip
    slowest = max(s.seconds for s, _ in sent)
    assert all(s.status == 200 for s, _ in sent)
    assert slowest < 1.0, f"slowest ack {slowest:.2f}s"
    keys = [k for _, k in sent]
    await h.fake.wait_for(lambda: all(h.fake.responses(k) for k in keys))


async def test_public_setting_answers_in_channel_without_share(start: Start) -> None:
    h = await start(CITEBOT_SLACK_PUBLIC="true")
    _, key = await h.sender.command("/ask", "What did Kim say about a new way?")
    [reply] = await h.fake.wait_for(lambda: h.fake.responses(key))
    assert reply["response_type"] == "in_channel"
    assert set(buttons(reply)) == {VOTE_UP, VOTE_DOWN}


async def test_summarize_and_sources_are_answered(start: Start) -> None:
    h = await start()
    ack, key = await h.sender.command("/summarize", "short")
    assert ack.status == 200
    [summary] = await h.fake.wait_for(lambda: h.fake.responses(key))
    assert "*Summary of <https://thediplomat.com" in shown(summary)
    assert "(short)" in shown(summary) and "¶1" in shown(summary)
    assert h.service.summarized == [(None, "short")]
    _, key = await h.sender.command("/summarize", "kim-russia long")
    await h.fake.wait_for(lambda: h.fake.responses(key))
    assert h.service.summarized[-1] == ("kim-russia", "long")
    _, key = await h.sender.command("/sources", "")
    [sources] = await h.fake.wait_for(lambda: h.fake.responses(key))
    assert "*Stored articles* (1)" in shown(sources) and "12 passages" in shown(sources)


async def test_bad_signature_and_stale_timestamp_get_401(start: Start) -> None:
    h = await start()
    body = "command=%2Fask&text=hello&user_id=U1&channel_id=C1&response_url=http%3A%2F%2Fx"
    form = "application/x-www-form-urlencoded"
    forged = await h.sender.post(body, form, signature="v0=" + "0" * 64)
    assert forged.status == 401
    wrong_secret = await h.sender.post(body, form, signature=sign("not-the-secret", body, int(time.time())))
    assert wrong_secret.status == 401
    old = int(time.time()) - 3600
    stale = await h.sender.post(body, form, timestamp=old, signature=sign(h.sender.secret, body, old))
    assert stale.status == 401
    assert h.service.asked == []
    fresh = await h.sender.post(
        json.dumps({"type": "url_verification", "challenge": "c-42"}), "application/json"
    )
    assert fresh.status == 200 and fresh.json() == {"challenge": "c-42"}


@pytest.mark.parametrize("markup", ["<!channel>", "<!here>", "<!everyone>", "<@U0SOMEONE>", "<!subteam^S1>"])
async def test_mention_markup_in_a_question_is_never_sent_back_live(start: Start, markup: str) -> None:
    h = await start()
    question = f"{markup} What did Kim say about a new way? {markup}"
    ack, key = await h.sender.command("/ask", question)
    await h.fake.wait_for(lambda: h.fake.responses(key))
    await h.sender.event(mention(f"{MENTION} {markup} what did Kim say about a new way?", "1700.000100"))
    await h.fake.wait_for(lambda: posts(h.fake))
    sent = h.fake.outgoing_text() + ack.body
    assert markup not in sent
    assert "<!" not in sent and "<@" not in sent
    assert markup.replace("<", "&lt;").replace(">", "&gt;") in sent  # shown, but inert


async def test_question_limits_and_empty_questions_get_a_reply(start: Start) -> None:
    h = await start(CITEBOT_MAX_QUESTION_CHARS="200")
    long_ack, _ = await h.sender.command("/ask", "why?" * 5000)
    assert "20,000 characters long; the limit is 200" in long_ack.json()["text"]
    empty_ack, _ = await h.sender.command("/ask", "   ")
    assert "Ask me a question" in empty_ack.json()["text"]
    assert h.service.asked == []


async def limited_reply(h: Harness, key: str) -> str:
    """The one private message a rate-limited /ask gets at its response_url, after "Looking"."""
    [reply] = await h.fake.wait_for(lambda: h.fake.responses(key))
    assert reply["response_type"] == "ephemeral"
    return shown(reply)


async def test_per_user_rate_limit_replies_kindly(start: Start) -> None:
    h = await start(CITEBOT_RATE_LIMIT="2")
    sent = [await h.sender.command("/ask", "What did Kim say about a new way?") for _ in range(3)]
    # acknowledged at once whatever the count: the shared count is read after the ack
    assert [ack.json()["text"] for ack, _ in sent] == [LOOKING, LOOKING, LOOKING]
    assert "faster than I can keep up. Try again in" in await limited_reply(h, sent[2][1])
    assert len(h.service.asked) == 2
    other, key = await h.sender.command("/ask", "What did Kim say about a new way?", user="UOTHER")
    assert other.json()["text"] == LOOKING
    [answer] = await h.fake.wait_for(lambda: h.fake.responses(key))
    assert "¶3" in shown(answer)


async def test_the_rate_limit_is_counted_across_workers(start: Start) -> None:
    """Two HTTP workers on one data dir behind a balancer: a user's questions count together,
    whichever worker each lands on."""
    first, second = await start(CITEBOT_RATE_LIMIT="2"), await start(CITEBOT_RATE_LIMIT="2")
    question = "What did Kim say about a new way?"
    for n, h in enumerate((first, second)):  # one Slack, so each command names its own url
        _, key = await h.sender.command("/ask", question, key=f"asked{n}")
        answer = await h.fake.wait_for(lambda h=h, key=key: h.fake.responses(key))
        assert "¶3" in shown(answer[0])
    _, key = await first.sender.command("/ask", question, key="third")
    assert "faster than I can keep up. Try again in" in await limited_reply(first, key)
    _, key = await second.sender.command("/ask", question, user="UOTHER", key="other")
    answer = await second.fake.wait_for(lambda: second.fake.responses(key))
    assert "¶3" in shown(answer[0])


async def test_channel_allowlist(start: Start) -> None:
    h = await start(CITEBOT_SLACK_CHANNELS="CALLOWED, COTHER")
    refused, _ = await h.sender.command("/ask", "What did Kim say about a new way?", channel="CGENERAL")
    assert "not enabled in this channel" in refused.json()["text"]
    allowed, key = await h.sender.command("/ask", "What did Kim say about a new way?", channel="CALLOWED")
    assert allowed.json()["text"] == LOOKING
    dm, _ = await h.sender.command("/ask", "What did Kim say about a new way?", channel="D0DM")
    assert dm.json()["text"] == LOOKING
    await h.sender.event(mention(f"{MENTION} Who is Kim expected to meet next?", "1700.000200"))
    [post] = await h.fake.wait_for(lambda: posts(h.fake))
    assert post["thread_ts"] == "1700.000200" and "not enabled in this channel" in shown(post)
    await h.fake.wait_for(lambda: h.fake.responses(key))
    assert len(h.service.asked) == 2


# ---------------------------------------------------------------- conversation


async def test_mention_is_answered_in_the_askers_thread_with_a_working_indicator(
    start: Start,
) -> None:
    h = await start()
    sent = await h.sender.event(mention(f"{MENTION} Who is Kim expected to meet next?", "1700.000300"))
    assert sent.status == 200
    [post] = await h.fake.wait_for(lambda: posts(h.fake))
    assert post["channel"] == "CGENERAL" and post["thread_ts"] == "1700.000300"
    assert "Putin" in post["text"] and "Putin" in shown(post) and "¶8" in shown(post)
    assert h.service.asked == [("Who is Kim expected to meet next?", ())]
    await h.fake.wait_for(lambda: h.fake.calls_to("reactions.remove"))
    order = [c.method for c in h.fake.calls if c.method.startswith(("reactions", "chat"))]
    assert order == ["reactions.add", "chat.postMessage", "reactions.remove"]
    [added] = [c.params for c in h.fake.calls_to("reactions.add")]
    assert (added["channel"], added["timestamp"]) == ("CGENERAL", "1700.000300")
    assert added["name"] == "hourglass_flowing_sand"


async def test_thread_follow_up_needs_no_mention_and_reads_the_thread_back(start: Start) -> None:
    h = await start()
    root = h.fake.add_message("CGENERAL", f"{MENTION} Who is Kim expected to meet next?")
    await h.sender.event(mention(f"{MENTION} Who is Kim expected to meet next?", root))
    await h.fake.wait_for(lambda: posts(h.fake))
    follow = h.fake.add_message("CGENERAL", "What did Kim say about a new way?", thread_ts=root)
    await h.sender.event(message("What did Kim say about a new way?", follow, "CGENERAL", thread_ts=root))
    await h.fake.wait_for(lambda: len(posts(h.fake)) == 2)
    answer = posts(h.fake)[1]
    assert answer["thread_ts"] == root and "¶3" in shown(answer)
    question, history = h.service.asked[1]
    assert question == "What did Kim say about a new way?"
    assert [t.role for t in history] == ["user", "assistant"]
    assert history[0].text == "Who is Kim expected to meet next?"
    assert "Putin" in history[1].text


async def test_threads_without_citebot_and_bot_messages_are_ignored(start: Start) -> None:
    h = await start()
    root = h.fake.add_message("CGENERAL", "lunch?")
    reply = h.fake.add_message("CGENERAL", "What did Kim say about a new way?", thread_ts=root)
    await h.sender.event(message("What did Kim say about a new way?", reply, "CGENERAL", thread_ts=root))
    await h.sender.event(
        message("Who is Kim expected to meet next?", "1700.9", "CGENERAL")
    )  # not in a thread
    await h.sender.event(message("new way?", "1701.1", "D0DM", channel_type="im", bot_id="B0OTHER"))
    await h.sender.event(message("new way?", "1701.2", "D0DM", channel_type="im", user=BOT_USER))
    await h.sender.event(message("new way?", "1701.3", "D0DM", channel_type="im", subtype="message_changed"))
    ours = h.fake.add_message("CGENERAL", "earlier answer", user=BOT_USER, thread_ts=root, bot_id="BCITEBOT")
    aside = "<@U0BOB> did you see the new way passage?"  # a person talking to a person
    await h.sender.event(message(aside, ours + "1", "CGENERAL", thread_ts=root))
    # then one that is answered: everything before it has had its chance to go wrong
    await h.sender.event(message("Who is Kim expected to meet next?", "1701.4", "D0DM", channel_type="im"))
    [post] = await h.fake.wait_for(lambda: posts(h.fake))
    assert post["channel"] == "D0DM" and "thread_ts" not in post and "Putin" in shown(post)
    assert [q for q, _ in h.service.asked] == ["Who is Kim expected to meet next?"]


async def test_slack_retries_and_duplicate_events_never_answer_twice(start: Start) -> None:
    h = await start()
    event = mention(f"{MENTION} Who is Kim expected to meet next?", "1700.000400")
    first = await h.sender.event(event, event_id="Ev0001")
    again = await h.sender.event(event, event_id="Ev0001", retry=1)
    twin = await h.sender.event(event, event_id="Ev0001")
    retry_only = await h.sender.event(mention(f"{MENTION} new way?", "1700.5"), event_id="Ev9", retry=2)
    text = f"{MENTION} Who is Kim expected to meet next?"
    also = await h.sender.event(message(text, "1700.000400", "CGENERAL", thread_ts="1700.000400"))
    assert [s.status for s in (first, again, twin, retry_only, also)] == [200] * 5
    await h.fake.wait_for(lambda: h.fake.calls_to("reactions.remove"))
    await h.sender.event(mention(f"{MENTION} new way?", "1700.000500"))  # a fresh one still works
    await h.fake.wait_for(lambda: len(posts(h.fake)) == 2)
    assert [q for q, _ in h.service.asked] == ["Who is Kim expected to meet next?", "new way?"]


async def test_streamed_answer_updates_one_message_at_most_once_a_second(start: Start) -> None:
    pieces = [" ".join(["Kim"] * i) for i in range(1, 41)]  # 40 pieces over about 1.2 s
    h = await start(kim_service(stream=pieces))
    await h.sender.event(mention(f"{MENTION} Who is Kim expected to meet next?", "1700.000600"))
    await h.fake.wait_for(lambda: h.fake.calls_to("reactions.remove"))
    [first] = posts(h.fake)
    assert "writing" in shown(first)
    updates = [c.params for c in h.fake.calls_to("chat.update")]
    assert 1 <= len(updates) <= 3  # one or two previews, then the final answer
    final = updates[-1]
    assert "Putin" in shown(final) and "¶8" in shown(final) and "writing" not in shown(final)


# ---------------------------------------------------------------- buttons


async def test_feedback_click_is_stored_with_the_answer_and_confirmed(start: Start) -> None:
    h = await start()
    _, key = await h.sender.command("/ask", "What did Kim say about a new way?")
    [reply] = await h.fake.wait_for(lambda: h.fake.responses(key))
    answer_id = buttons(reply)[VOTE_DOWN]
    click, click_key = await h.sender.click(VOTE_DOWN, answer_id)
    assert click.status == 200
    [confirm] = await h.fake.wait_for(lambda: h.fake.responses(click_key))
    assert "Thanks" in shown(confirm) and confirm["response_type"] == "ephemeral"
    assert confirm["replace_original"] is False
    [record] = h.feedback.records()
    assert (record.vote, record.user_id, record.platform) == ("down", "UASKER", "slack")
    assert record.question == "What did Kim say about a new way?"
    assert record.citations[0]["paragraph"] == 3
    _, unknown_key = await h.sender.click(VOTE_UP, "no-such-answer")
    [unknown] = await h.fake.wait_for(lambda: h.fake.responses(unknown_key))
    assert "no longer have that answer" in shown(unknown)


async def share(h: Harness, answer_id: str) -> list[dict[str, Any]]:
    """Clicks "Share in channel" on an answer; the two replies it makes (delete the private
    copy, post the public one)."""
    _, key = await h.sender.click(SHARE, answer_id)
    replies: list[dict[str, Any]] = await h.fake.wait_for(
        lambda: h.fake.responses(key)[:2] if len(h.fake.responses(key)) >= 2 else None
    )
    return replies


async def test_share_in_channel_posts_the_answer_publicly(start: Start) -> None:
    h = await start()
    _, key = await h.sender.command("/ask", "What did Kim say about a new way?")
    [reply] = await h.fake.wait_for(lambda: h.fake.responses(key))
    delete, public = await share(h, buttons(reply)[SHARE])
    assert delete == {"delete_original": True}
    assert public["response_type"] == "in_channel" and "¶3" in shown(public)
    assert set(buttons(public)) == {VOTE_UP, VOTE_DOWN}


async def test_share_works_when_the_click_reaches_another_worker(start: Start) -> None:
    """Two HTTP workers on one data dir behind a balancer: the answer is given by one, the
    "Share in channel" click lands on the other, and the channel still gets the answer."""
    first, second = await start(), await start()
    _, key = await first.sender.command("/ask", "What did Kim say about a new way?")
    [reply] = await first.fake.wait_for(lambda: first.fake.responses(key))
    delete, public = await share(second, buttons(reply)[SHARE])
    assert delete == {"delete_original": True}
    assert public["response_type"] == "in_channel"
    assert "*Q:* What did Kim say about a new way?" in shown(public) and "¶3" in shown(public)
    assert "forced to pursue a \u201cnew way\u201d should the United States fail" in shown(public)
    assert set(buttons(public)) == {VOTE_UP, VOTE_DOWN}


async def test_share_of_an_answer_no_worker_knows_says_so(start: Start) -> None:
    h = await start()
    _, key = await h.sender.click(SHARE, "no-such-answer")
    [reply] = await h.fake.wait_for(lambda: h.fake.responses(key))
    assert "That answer has expired" in shown(reply)


async def test_a_vote_store_from_before_notes_were_kept_still_works(start: Start, tmp_path: Path) -> None:
    """An answers table written by an earlier citebot (no note column) is upgraded in place:
    its answers can still be shared and voted on, and new answers are stored."""
    old = sqlite3.connect(tmp_path / "feedback.sqlite3")
    with old:
        old.execute(
            "CREATE TABLE answers (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, platform TEXT "
            "NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL, mode TEXT NOT NULL, "
            "citations TEXT NOT NULL)"
        )
        cite = {"n": 1, "doc_id": "d1", "title": "Old piece", "paragraph": 2, "quote": "An old quote.",
                "start": 10, "end": 23, "source": "old.txt"}  # fmt: skip
        old.execute(
            "INSERT INTO answers VALUES ('oldanswer', '2026-01-01T00:00:00+00:00', 'slack', "
            "'An old question?', '“An old quote.” [1]', 'extractive', ?)", (json.dumps([cite]),),
        )
    old.close()
    h = await start()
    _, public = await share(h, "oldanswer")
    assert "An old quote." in shown(public) and "¶2" in shown(public)
    _, key = await h.sender.command("/ask", "What did Kim say about a new way?")
    [reply] = await h.fake.wait_for(lambda: h.fake.responses(key))
    _, vote_key = await h.sender.click(VOTE_UP, buttons(reply)[VOTE_UP])
    await h.fake.wait_for(lambda: h.fake.responses(vote_key))
    assert [r.question for r in h.feedback.records()] == ["What did Kim say about a new way?"]


# ---------------------------------------------------------------- failures


async def test_failures_become_short_replies_never_silence(
    start: Start, caplog: pytest.LogCaptureFixture
) -> None:
    h = await start(FakeService(error=EmptyStore("No articles yet: run `citebot ingest` first.")))
    _, key = await h.sender.command("/ask", "What did Kim say about a new way?")
    [reply] = await h.fake.wait_for(lambda: h.fake.responses(key))
    assert shown(reply) == "No articles yet: run `citebot ingest` first."
    h.service.error = RuntimeError("chroma exploded")
    _, key = await h.sender.command("/summarize", "")
    [reply] = await h.fake.wait_for(lambda: h.fake.responses(key))
    assert shown(reply) == SORRY
    await h.sender.event(mention(f"{MENTION} Who is Kim expected to meet next?", "1700.000700"))
    [post] = await h.fake.wait_for(lambda: posts(h.fake))
    assert shown(post) == SORRY and post["thread_ts"] == "1700.000700"
    assert "chroma exploded" not in h.fake.outgoing_text()
    assert "chroma exploded" in caplog.text and "Traceback" in caplog.text
    await h.fake.wait_for(lambda: h.fake.calls_to("reactions.remove"))


async def test_web_api_429_and_5xx_are_retried(start: Start) -> None:
    h = await start()
    h.fake.fail("chat.postMessage", 429, retry_after=0)
    h.fake.fail("chat.postMessage", 503)
    h.fake.fail("response_url", 502)
    await h.sender.event(mention(f"{MENTION} Who is Kim expected to meet next?", "1700.000800"))
    _, key = await h.sender.command("/ask", "What did Kim say about a new way?")
    [post] = await h.fake.wait_for(lambda: posts(h.fake), timeout=20)
    assert "Putin" in shown(post)
    [reply] = await h.fake.wait_for(lambda: h.fake.responses(key), timeout=20)
    assert "¶3" in shown(reply)
    statuses = [c.status for c in h.fake.calls if c.method == "chat.postMessage"]
    assert statuses == [429, 503, 200]
    assert [c.status for c in h.fake.calls if c.method == "response_url"] == [502, 200]


async def test_missing_tokens_are_named(fake: FakeSlack, tmp_path: Path) -> None:
    from bot.feedback import FeedbackStore

    store = FeedbackStore(tmp_path / "f.sqlite3")
    no_bot = settings_for(fake, tmp_path, SLACK_BOT_TOKEN="")
    with pytest.raises(ConfigError, match=r"^SLACK_BOT_TOKEN is not set"):
        build(no_bot, kim_service(), store, http=True)
    no_secret = settings_for(fake, tmp_path, SLACK_SIGNING_SECRET="")
    with pytest.raises(ConfigError, match=r"^SLACK_SIGNING_SECRET is not set"):
        build(no_secret, kim_service(), store, http=True)
    build(no_secret, kim_service(), store, http=False)  # Socket Mode needs no signing secret
    wrong = settings_for(fake, tmp_path, SLACK_BOT_TOKEN="xoxb-revoked")
    with pytest.raises(ConfigError, match=r"^SLACK_BOT_TOKEN was rejected by Slack \(invalid_auth\)"):
        await build(wrong, kim_service(), store, http=True).identity.load()


async def test_odd_characters_in_a_question_are_answered_and_shown_cleanly(start: Start) -> None:
    h = await start()
    question = "What did Kim say about a new way?\u202e\x07 🙂 新しい道 «путь»"
    ack, key = await h.sender.command("/ask", question)
    assert ack.json()["text"] == LOOKING
    [reply] = await h.fake.wait_for(lambda: h.fake.responses(key))
    echo = shown(reply).splitlines()[0]
    assert echo == "*Q:* What did Kim say about a new way? 🙂 新しい道 «путь»"
    assert "\u202e" not in h.fake.outgoing_text() and "\x07" not in h.fake.outgoing_text()
