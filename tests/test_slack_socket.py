"""Socket Mode: the real bolt handler over a loopback WebSocket that speaks Slack's envelopes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.feedback import FeedbackStore
from bot.slack_app import LOOKING, build
from tests.fakes.slack_api import BOT_USER, TEAM, FakeSlack
from tests.fakes.slack_service import FakeService
from tests.slack_harness import kim_service, settings_for, shown


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = await FakeSlack().start()
    yield slack
    await slack.stop()


async def connect(fake: FakeSlack, tmp_path: Path, service: FakeService) -> AsyncSocketModeHandler:
    settings = settings_for(fake, tmp_path, SLACK_SIGNING_SECRET="")
    bot = build(settings, service, FeedbackStore(tmp_path / "f.sqlite3"), http=False)
    handler = AsyncSocketModeHandler(bot.app, fake.app_token)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    return handler


def event_payload(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    return {"team_id": TEAM, "api_app_id": "A0APP", "event": event, "type": "event_callback",
            "event_id": event_id, "event_time": 1700000000}  # fmt: skip


async def test_socket_mode_answers_mentions_and_commands(fake: FakeSlack, tmp_path: Path) -> None:
    service = kim_service()
    handler = await connect(fake, tmp_path, service)
    try:
        opened = fake.calls_to("apps.connections.open")
        assert [c.token for c in opened] == [fake.app_token]  # the app token opens the socket
        text = f"<@{BOT_USER}> Who is Kim expected to meet next?"
        event = {"type": "app_mention", "user": "UASKER", "text": text, "ts": "1700.000100",
                 "channel": "CGENERAL", "event_ts": "1700.000100"}  # fmt: skip
        first = await fake.send_envelope("events_api", event_payload(event, "Ev1"), retry_attempt=0)
        await asyncio.wait_for(first.acked.wait(), 5)
        [post] = await fake.wait_for(lambda: [c.params for c in fake.calls_to("chat.postMessage")])
        assert post["thread_ts"] == "1700.000100" and "Putin" in shown(post)
        assert [c.token for c in fake.calls_to("chat.postMessage")] == [fake.bot_token]

        retried = await fake.send_envelope("events_api", event_payload(event, "Ev1"), retry_attempt=1)
        await asyncio.wait_for(retried.acked.wait(), 5)

        command = {"command": "/ask", "text": "What did Kim say about a new way?",
                   "user_id": "UASKER", "channel_id": "CGENERAL", "team_id": TEAM,
                   "response_url": fake.response_url("sock1"), "trigger_id": "t1"}  # fmt: skip
        ack = await fake.send_envelope("slash_commands", command)
        await asyncio.wait_for(ack.acked.wait(), 5)
        assert ack.ack_payload == {"text": LOOKING, "response_type": "ephemeral"}
        [reply] = await fake.wait_for(lambda: fake.responses("sock1"))
        assert "¶3" in shown(reply)
        assert len(fake.calls_to("chat.postMessage")) == 1  # the retry was acked, not answered
        assert [q for q, _ in service.asked] == [
            "Who is Kim expected to meet next?",
            "What did Kim say about a new way?",
        ]
        acks = [c.params for c in fake.calls if c.method == "socket_ack"]
        assert {a["envelope_id"] for a in acks} == {first.envelope_id, retried.envelope_id,
                                                     ack.envelope_id}  # fmt: skip
        assert all("xoxb" not in json.dumps(a) for a in acks)
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
