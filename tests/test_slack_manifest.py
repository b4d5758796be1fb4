"""The app manifest users paste into Slack matches what the door really does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fakes.slack_api import BOT_USER, FakeSlack
from tests.slack_harness import Harness, kim_service, start_http

MANIFEST = Path(__file__).resolve().parent.parent / "slack" / "manifest.yml"

# The bot scopes each Web API method the door calls needs (conversations.replies reads threads
# in public and private channels and in DMs, so it needs all three history scopes).
METHOD_SCOPES = {
    "auth.test": set(),
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "reactions.add": {"reactions:write"},
    "reactions.remove": {"reactions:write"},
    "conversations.replies": {"channels:history", "groups:history", "im:history"},
}


def manifest() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return data


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    fake = await FakeSlack().start()
    stream = [f"Kim {'is ' * i}" for i in range(3)]
    harness = await start_http(fake, tmp_path, kim_service(stream=stream))
    yield harness
    await harness.close()
    await fake.stop()


def test_manifest_sets_up_socket_mode_interactivity_and_the_events() -> None:
    m = manifest()
    settings = m["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention", "message.im", "message.channels", "message.groups",
    }  # fmt: skip
    assert m["features"]["bot_user"]["display_name"] == "citebot"
    assert m["features"]["app_home"]["messages_tab_enabled"] is True  # people can DM it
    assert 175 <= len(m["display_information"]["long_description"]) <= 4000


async def test_every_manifest_command_is_answered(h: Harness) -> None:
    commands = [c["command"] for c in manifest()["features"]["slash_commands"]]
    assert commands == ["/ask", "/summarize", "/sources"]
    for command in commands:
        ack, key = await h.sender.command(command, "What did Kim say about a new way?")
        assert ack.status == 200, command
        await h.fake.wait_for(lambda key=key: h.fake.responses(key))  # type: ignore[misc]


async def test_the_manifest_grants_every_scope_the_door_uses(h: Harness) -> None:
    granted = set(manifest()["oauth_config"]["scopes"]["bot"])
    root = h.fake.add_message("CGENERAL", f"<@{BOT_USER}> Who is Kim expected to meet next?")
    await h.sender.event({"type": "app_mention", "user": "UASKER", "channel": "CGENERAL",
                          "text": f"<@{BOT_USER}> Who is Kim expected to meet next?", "ts": root})  # fmt: skip
    await h.fake.wait_for(lambda: h.fake.calls_to("reactions.remove"))
    follow = h.fake.add_message("CGENERAL", "new way?", thread_ts=root)
    await h.sender.event({"type": "message", "user": "UASKER", "channel": "CGENERAL",
                          "channel_type": "channel", "text": "new way?", "ts": follow,
                          "thread_ts": root})  # fmt: skip
    await h.sender.event({"type": "message", "user": "UASKER", "channel": "D0DM",
                          "channel_type": "im", "text": "new way?", "ts": "1800.1"})  # fmt: skip
    await h.fake.wait_for(lambda: len(h.fake.calls_to("reactions.remove")) == 3)
    used = {c.method for c in h.fake.calls}
    assert {"chat.postMessage", "chat.update", "conversations.replies", "reactions.add"} <= used
    assert used <= set(METHOD_SCOPES), f"a method without a known scope: {used - set(METHOD_SCOPES)}"
    needed = set().union(*(METHOD_SCOPES[m] for m in used))
    assert needed | {"commands", "app_mentions:read"} <= granted
    assert "commands" in granted and "app_mentions:read" in granted
