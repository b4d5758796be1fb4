"""Discord sharding: `citebot discord` with DISCORD_SHARDS runs discord.py's AutoShardedClient.

One process of a bot split over two processes (DISCORD_SHARDS=2, DISCORD_SHARD_IDS=1) against
the loopback Discord fake: it identifies as shard 1 of 2 and answers /ask as the unsharded bot.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.discord_app import CitebotClient, ShardedCitebotClient, build_client
from bot.errors import ConfigError
from bot.feedback import FeedbackStore
from bot.render_discord import visible
from bot.wiring import build_service
from tests.conftest import SEEDS
from tests.fakes.discord_api import FakeDiscord

TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0.Gx7Qw2.shard-secret-0123456789"


def test_sharding_settings_pick_the_client(tmp_path: Path) -> None:
    feedback = FeedbackStore(tmp_path / "f.sqlite3")

    def client(**env: str) -> CitebotClient:
        settings = Settings.from_env({"CITEBOT_DATA_DIR": str(tmp_path / "data"), **env})
        return build_client(settings, build_service(settings), feedback)  # nothing connects yet

    assert type(client()) is CitebotClient
    auto = client(DISCORD_SHARDS="auto")
    assert isinstance(auto, ShardedCitebotClient) and auto.shard_count is None
    split = client(DISCORD_SHARDS="4", DISCORD_SHARD_IDS="2,3")
    assert isinstance(split, ShardedCitebotClient)
    assert (split.shard_count, split.shard_ids) == (4, [2, 3])
    with pytest.raises(ConfigError, match="DISCORD_SHARD_IDS must be shard numbers below"):
        client(DISCORD_SHARDS="2", DISCORD_SHARD_IDS="2")
    with pytest.raises(ConfigError, match="needs DISCORD_SHARDS"):
        client(DISCORD_SHARD_IDS="0")
    with pytest.raises(ConfigError, match="DISCORD_SHARDS"):
        client(DISCORD_SHARDS="many")


async def test_one_shard_of_two_identifies_as_its_shard_and_answers(tmp_path: Path) -> None:
    fake = FakeDiscord(TOKEN)
    await fake.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "OPENAI_", "CITEBOT_", "CHROMA_"))}
    env.update(
        DISCORD_TOKEN=TOKEN, DISCORD_API_BASE=fake.api_base, DISCORD_GATEWAY_URL=fake.gateway_url,
        DISCORD_GUILD_ID=fake.guild_id, DISCORD_SHARDS="2", DISCORD_SHARD_IDS="1",
        CITEBOT_DATA_DIR=str(tmp_path / "data"), CITEBOT_SEEDS_DIR=str(SEEDS),
    )
    log = tmp_path / "citebot.log"
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "discord", cwd=tmp_path, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=sink, stderr=sink,
        )
    try:
        await asyncio.wait_for(fake.ready.wait(), 60)
        assert fake.identify is not None
        assert fake.identify["shard"] == [1, 2]
        await fake.wait_for(lambda c: c.method == "PUT" and c.path.endswith("/commands"), 30)
        interaction, _ = await fake.slash("ask", {"question": "What did Kim say about a new way?"})
        path = f"/webhooks/{fake.app_id}/{interaction['token']}"
        answer = await fake.wait_for(lambda c: c.method == "POST" and c.path == path, 90)
        shown = visible((answer.message.get("content") or "") + "".join(
            e.get("description") or "" for e in answer.message.get("embeds") or []
        ))
        assert "forced to pursue a “new way”" in shown
        assert fake.gateway_connections == 1  # only this process's shard
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()
        await fake.stop()
    assert "Traceback" not in log.read_text(encoding="utf-8", errors="replace")
