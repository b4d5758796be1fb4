"""Runs the real Slack door (bolt + aiohttp) in-process against the loopback Slack stand-in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.config import Settings
from bot.feedback import FeedbackStore
from bot.slack_app import SlackBot, build, web_app
from tests.fakes.loopback import serve_loopback
from tests.fakes.slack_api import FakeSlack, SlackSender
from tests.fakes.slack_service import FakeService, answer

SECRET = "fake-signing-secret-7f3a9c"
NEW_WAY = 'Kim warned that he would be forced to pursue a "new way" [1].'
PUTIN = "Kim is likely to meet Russian President Vladimir Putin next [1]."


def kim_service(**kw: Any) -> FakeService:
    """A fake service answering the two acceptance questions with the seed's real paragraphs."""
    return FakeService(
        answers={
            "new way": answer("", NEW_WAY, [3]),
            "meet next": answer("", PUTIN, [8]),
        },
        **kw,
    )


def settings_for(fake: FakeSlack, data_dir: Path, **env: str) -> Settings:
    return Settings.from_env(
        {
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_APP_TOKEN": fake.app_token,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url,
            "CITEBOT_DATA_DIR": str(data_dir),
            **env,
        }
    )


@dataclass
class Harness:
    fake: FakeSlack
    service: FakeService
    feedback: FeedbackStore
    bot: SlackBot
    sender: SlackSender
    session: aiohttp.ClientSession
    runner: web.AppRunner

    async def close(self) -> None:
        await self.session.close()
        await self.runner.cleanup()


async def start_http(
    fake: FakeSlack, data_dir: Path, service: FakeService | None = None, **env: str
) -> Harness:
    """The door in HTTP mode on a loopback port, with a signed-request sender pointed at it."""
    settings = settings_for(fake, data_dir, **env)
    service = service or kim_service()
    feedback = FeedbackStore(data_dir / "feedback.sqlite3")
    bot = build(settings, service, feedback, http=True)
    runner = web.AppRunner(web_app(bot.app), access_log=None)
    port = await serve_loopback(runner)
    session = aiohttp.ClientSession()
    sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET, fake, session)
    return Harness(fake, service, feedback, bot, sender, session, runner)


def shown(payload: dict[str, Any]) -> str:
    """The mrkdwn a reader sees in a sent message (its blocks), joined."""
    out: list[str] = []
    for block in payload.get("blocks") or []:
        if "text" in block:
            out.append(block["text"]["text"])
        for el in block.get("elements", []):
            text = el.get("text")
            out.append(text if isinstance(text, str) else text["text"])
    return "\n".join(out)


def buttons(payload: dict[str, Any]) -> dict[str, str]:
    """action_id -> value of the buttons in a sent message."""
    return {
        el["action_id"]: el["value"]
        for block in payload.get("blocks") or []
        if block["type"] == "actions"
        for el in block["elements"]
    }
