"""No token or secret ever reaches the logs, at DEBUG, through a whole Slack exchange."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.feedback import FeedbackStore
from bot.render_slack import SHARE, VOTE_UP
from bot.slack_app import build
from tests.fakes.slack_api import BOT_USER, TEAM, FakeSlack
from tests.slack_harness import SECRET, buttons, kim_service, settings_for, start_http

BOT_TOKEN = "xoxb-1111111111-2222222222-SeCrEtBoTtOkEn"
APP_TOKEN = "xapp-1-A0APP-3333333333-SeCrEtApPtOkEn"


async def test_no_secret_in_debug_logs_through_a_whole_exchange(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # before the apps exist: bolt copies the level at creation
    fake = await FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN).start()
    h = await start_http(fake, tmp_path / "http", kim_service(), CITEBOT_LOG_LEVEL="DEBUG")
    try:
        mention = f"<@{BOT_USER}> Who is Kim expected to meet next?"
        _, key = await h.sender.command("/ask", "What did Kim say about a new way?")
        [reply] = await fake.wait_for(lambda: fake.responses(key))
        _, vote_key = await h.sender.click(VOTE_UP, buttons(reply)[VOTE_UP])
        _, share_key = await h.sender.click(SHARE, buttons(reply)[SHARE])
        root = fake.add_message("CGENERAL", mention)
        await h.sender.event({"type": "app_mention", "user": "UASKER", "text": mention, "ts": root,
                              "channel": "CGENERAL", "event_ts": root})  # fmt: skip
        await fake.wait_for(lambda: fake.calls_to("chat.postMessage"))
        follow = fake.add_message("CGENERAL", "new way?", thread_ts=root)
        await h.sender.event({"type": "message", "user": "UASKER", "text": "new way?",
                              "ts": follow, "channel": "CGENERAL", "thread_ts": root,
                              "channel_type": "channel"})  # fmt: skip
        await fake.wait_for(lambda: len(fake.calls_to("chat.postMessage")) == 2)
        await h.sender.post("payload=x", "application/x-www-form-urlencoded", signature="v0=bad")
        await fake.wait_for(lambda: fake.responses(vote_key) and len(fake.responses(share_key)) > 1)
        await fake.wait_for(lambda: len(fake.calls_to("reactions.remove")) == 2)

        socket_settings = settings_for(fake, tmp_path / "sock", SLACK_SIGNING_SECRET="")
        bot = build(socket_settings, kim_service(), FeedbackStore(tmp_path / "s.sqlite3"), http=False)
        handler = AsyncSocketModeHandler(bot.app, APP_TOKEN)
        await handler.connect_async()  # type: ignore[no-untyped-call]
        try:
            event = {"type": "app_mention", "user": "UASKER", "text": mention, "ts": "1800.000001",
                     "channel": "CSOCK", "event_ts": "1800.000001"}  # fmt: skip
            payload = {"team_id": TEAM, "event": event, "type": "event_callback", "event_id": "EvS"}
            envelope = await fake.send_envelope("events_api", payload)
            await asyncio.wait_for(envelope.acked.wait(), 5)
            await fake.wait_for(lambda: len(fake.calls_to("chat.postMessage")) == 3)
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]
    finally:
        await h.close()
        await fake.stop()

    # the tokens were really used on the wire...
    assert {c.token for c in fake.calls if c.method == "chat.postMessage"} == {BOT_TOKEN}
    assert {c.token for c in fake.calls if c.method == "apps.connections.open"} == {APP_TOKEN}
    # ...and the logs really are DEBUG logs of the SDKs and of the door...
    logged = "\n".join(
        [caplog.text] + [str(r.args) for r in caplog.records] + [repr(r.__dict__) for r in caplog.records]
    )
    assert "Sending a request" in logged  # slack-sdk's own request log
    assert any(r.name.startswith("slack_bolt") and r.levelno == logging.DEBUG for r in caplog.records)
    assert len(caplog.records) > 50
    # ...yet no secret appears in any of them
    for secret in (BOT_TOKEN, APP_TOKEN, SECRET, "SeCrEtBoTtOkEn", "SeCrEtApPtOkEn"):
        assert secret not in logged
