"""Acceptance: the real `citebot slack` process, real signed HTTP requests, Slack on loopback.

The core is real too (WordLlama, Chroma and BM25 in a temporary CITEBOT_DATA_DIR, seeded from
seeds/ on the first question), so these tests take some seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from tests.fakes.slack_api import BOT_USER, TEAM, FakeSlack, SlackSender, sign
from tests.slack_harness import SECRET, shown

pytestmark = pytest.mark.asyncio(loop_scope="module")

BOT_TOKEN = "xoxb-2222-4444-E2eBoTtOkEnNeVeRlOgGeD"
APP_TOKEN = "xapp-1-A0APP-5555-E2eApPtOkEnNeVeRlOgGeD"
PROJECT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 90.0
ANSWER_TIMEOUT = 90.0  # the first question loads WordLlama and Chroma and seeds the store


def citebot_command(*args: str) -> list[str]:
    """`citebot ARGS` from this venv (the console script), else `python -m bot.cli ARGS`."""
    script = shutil.which("citebot", path=str(Path(sys.executable).parent))
    return [script, *args] if script else [sys.executable, "-m", "bot.cli", *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """This process's environment without any Slack/citebot settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CITEBOT_", "PORT"))}
    return {**env, "CITEBOT_DATA_DIR": str(data_dir), "CITEBOT_SEEDS_DIR": str(PROJECT / "seeds"),
            **extra}  # fmt: skip


@dataclass
class Running:
    proc: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def launch(args: list[str], env: dict[str, str], cwd: Path) -> Running:
    log = cwd / f"citebot-{time.monotonic_ns()}.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT)
    return Running(proc, log)


# ---------------------------------------------------------------- HTTP mode process


@dataclass
class Http:
    fake: FakeSlack
    sender: SlackSender
    running: Running


@contextlib.asynccontextmanager
async def http_process(work: Path, **extra_env: str) -> AsyncIterator[Http]:
    """`citebot slack --http` on a free port against a fresh Slack fake, logging at DEBUG."""
    fake = await FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN).start()
    port = free_port()
    env = clean_env(work / "data", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET,
                    SLACK_API_URL=fake.api_url, CITEBOT_LOG_LEVEL="DEBUG", **extra_env)  # fmt: skip
    running = launch(citebot_command("slack", "--http", "--port", str(port)), env, work)
    session = aiohttp.ClientSession()
    try:
        await wait_until_serving(session, port, running)
        url = f"http://127.0.0.1:{port}/slack/events"
        yield Http(fake, SlackSender(url, SECRET, fake, session), running)
    finally:
        await asyncio.to_thread(running.stop)  # the fake keeps serving while it shuts down
        await session.close()
        await fake.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def http(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Http]:
    async with http_process(tmp_path_factory.mktemp("slack-http")) as running:
        yield running


async def wait_until_serving(session: aiohttp.ClientSession, port: int, running: Running) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if running.proc.poll() is not None:
            pytest.fail(f"citebot slack exited {running.proc.returncode}:\n{running.output()}")
        try:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    pytest.fail(f"citebot slack did not start in {START_TIMEOUT}s:\n{running.output()}")


def mention_event(text: str, ts: str, channel: str = "CGENERAL") -> dict[str, Any]:
    return {"type": "app_mention", "user": "UASKER", "text": f"<@{BOT_USER}> {text}", "ts": ts,
            "channel": channel, "event_ts": ts}  # fmt: skip


async def test_ask_is_acked_within_3s_and_answered_with_the_new_way_passage(http: Http) -> None:
    ack, key = await http.sender.command("/ask", "What did Kim say about a new way?")
    print(f"\n/ask ack: {ack.seconds * 1000:.0f} ms (cold process, first question)")
    assert ack.status == 200 and ack.seconds < 3.0
    started = time.monotonic()
    [reply] = await http.fake.wait_for(lambda: http.fake.responses(key), ANSWER_TIMEOUT)
    print(f"/ask answered at the response_url {time.monotonic() - started:.1f} s after the ack")
    text = shown(reply)
    assert "forced to pursue a \u201cnew way\u201d should the United States fail" in text
    # the citation that carries the passage names its article and paragraph
    assert re.search(r"\*\[\d\]\* (<[^|>]+\|)?With Hanoi in the Rearview[^\n]* · ¶3", text), text
    warm, key2 = await http.sender.command("/ask", "What did Kim say about a new way?")
    print(f"/ask ack (warm): {warm.seconds * 1000:.0f} ms")
    assert warm.seconds < 3.0
    await http.fake.wait_for(lambda: http.fake.responses(key2), ANSWER_TIMEOUT)


async def test_bad_signature_and_hour_old_timestamp_get_401(http: Http) -> None:
    body = "command=%2Fask&text=hi&user_id=U1&channel_id=C1&team_id=T1"
    form = "application/x-www-form-urlencoded"
    bad = await http.sender.post(body, form, signature="v0=" + "ab" * 32)
    old = int(time.time()) - 3600
    stale = await http.sender.post(body, form, timestamp=old, signature=sign(SECRET, body, old))
    assert (bad.status, stale.status) == (401, 401)


async def test_mention_markup_is_never_sent_back_unescaped(http: Http) -> None:
    question = "<!channel> <!here> <@U0VICTIM> What did Kim say about a new way?"
    ack, key = await http.sender.command("/ask", question)
    await http.fake.wait_for(lambda: http.fake.responses(key), ANSWER_TIMEOUT)
    before = len(http.fake.calls_to("chat.postMessage"))
    await http.sender.event(mention_event("<!here> <@U0VICTIM> <!channel> new way?", "1710.000001"))
    await http.fake.wait_for(lambda: len(http.fake.calls_to("chat.postMessage")) > before,
                             ANSWER_TIMEOUT)  # fmt: skip
    sent = http.fake.outgoing_text() + ack.body
    for markup in ("<!channel>", "<!here>", "<@U0VICTIM>", "<@U"):
        assert markup not in sent
    # the core drops mention markup from questions: never echoed, and the question is answered
    assert "pursue a “new way”" in sent


async def test_app_mention_is_answered_in_the_thread_naming_putin(http: Http) -> None:
    before = len(http.fake.calls_to("chat.postMessage"))
    sent = await http.sender.event(mention_event("Who is Kim expected to meet next?", "1720.000001"))
    assert sent.status == 200 and sent.seconds < 3.0
    posts = await http.fake.wait_for(lambda: http.fake.calls_to("chat.postMessage")[before:], ANSWER_TIMEOUT)
    post = posts[0].params
    assert post["channel"] == "CGENERAL" and post["thread_ts"] == "1720.000001"
    assert "Putin" in shown(post), shown(post)


async def test_summarize_is_answered(http: Http) -> None:
    ack, key = await http.sender.command("/summarize", "short")
    assert ack.status == 200 and ack.seconds < 3.0
    [reply] = await http.fake.wait_for(lambda: http.fake.responses(key), ANSWER_TIMEOUT)
    text = shown(reply)
    assert "*Summary of" in text and "With Hanoi in the Rearview" in text and "¶" in text


async def test_acks_stay_well_inside_3s_under_load(http: Http) -> None:
    """40 commands and 10 mentions at once: every ack is fast while answers are computed."""
    questions = ["What did Kim say about a new way?", "Who is Kim expected to meet next?",
                 "What did Russia sign last November?", "Why is Russia alienated from the west?"]  # fmt: skip
    commands = [
        http.sender.command("/ask", questions[i % 4], user=f"ULOAD{i}", key=f"load{i}") for i in range(40)
    ]
    mentions = [http.sender.event(mention_event(questions[i % 4], f"1740.{i:06d}")) for i in range(10)]
    started = time.monotonic()
    acks = [s for s, _ in await asyncio.gather(*commands)]
    events = await asyncio.gather(*mentions)
    times = sorted(s.seconds for s in [*acks, *events])
    await http.fake.wait_for(lambda: all(http.fake.responses(f"load{i}") for i in range(40)),
                             ANSWER_TIMEOUT)  # fmt: skip
    print(f"\nunder load: 50 acks, median {times[25] * 1000:.0f} ms, slowest {times[-1] * 1000:.0f} ms;"
          f" all 40 answers in {time.monotonic() - started:.1f} s")  # fmt: skip
    assert all(s.status == 200 for s in [*acks, *events])
    assert times[-1] < 3.0
    answers = [shown(http.fake.responses(f"load{i}")[0]) for i in range(40)]
    assert all("¶" in a for a in answers), [a for a in answers if "¶" not in a][:1]
    assert all("Putin" in a for a in answers[1::4])


async def test_the_process_logs_no_secret_at_debug(http: Http) -> None:
    """Runs last in this module: the whole exchange above has been logged at DEBUG."""
    _, key = await http.sender.command("/sources", "")
    await http.fake.wait_for(lambda: http.fake.responses(key), ANSWER_TIMEOUT)
    output = http.running.output()
    assert "Sending a request" in output and "DEBUG" in output  # really at DEBUG
    for secret in (BOT_TOKEN, SECRET, "E2eBoTtOkEn"):
        assert secret not in output
    assert {c.token for c in http.fake.calls if c.method == "chat.postMessage"} == {BOT_TOKEN}


# ---------------------------------------------------------------- Socket Mode and startup


@pytest.fixture
def work(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path


async def test_socket_mode_process_answers_over_a_loopback_websocket(work: Path) -> None:
    fake = await FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN).start()
    env = clean_env(work / "data", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,
                    SLACK_API_URL=fake.api_url, CITEBOT_LOG_LEVEL="DEBUG")  # fmt: skip
    running = launch(citebot_command("slack"), env, work)
    try:
        await asyncio.wait_for(fake.socket_connected.wait(), START_TIMEOUT)
        event = mention_event("What did Kim say about a new way?", "1730.000001")
        payload = {"team_id": TEAM, "type": "event_callback", "event_id": "EvSock1", "event": event}
        envelope = await fake.send_envelope("events_api", payload)
        await asyncio.wait_for(envelope.acked.wait(), 3)
        [post] = await fake.wait_for(lambda: fake.calls_to("chat.postMessage"), ANSWER_TIMEOUT)
        assert post.params["thread_ts"] == "1730.000001" and "¶3" in shown(post.params)
        await fake.wait_for(lambda: fake.calls_to("reactions.remove"))
    finally:
        await asyncio.to_thread(running.stop)
        await fake.stop()
    output = running.output()
    assert APP_TOKEN not in output and BOT_TOKEN not in output and "E2eApPtOkEn" not in output


async def test_a_rejected_token_a_dead_api_and_a_busy_port_are_explained(work: Path) -> None:
    fake = await FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN).start()
    busy = socket.socket()
    try:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        busy_port = str(busy.getsockname()[1])
        cases = [
            ({"SLACK_BOT_TOKEN": "xoxb-revoked", "SLACK_API_URL": fake.api_url}, "3999",
             "citebot: SLACK_BOT_TOKEN was rejected by Slack (invalid_auth): copy the Bot User"),
            ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": f"http://127.0.0.1:{free_port()}/api/"},
             "3999", "citebot: cannot reach Slack's Web API at http://127.0.0.1:"),
            ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": fake.api_url}, busy_port,
             f"citebot: cannot listen on port {busy_port} ("),
        ]  # fmt: skip
        for env, port, expected in cases:
            args = citebot_command("slack", "--http", "--port", port)
            full = clean_env(work, SLACK_SIGNING_SECRET=SECRET, **env)
            done = await asyncio.to_thread(
                subprocess.run, args, env=full, cwd=work, capture_output=True, text=True, timeout=60
            )
            lines = (done.stdout + done.stderr).strip().splitlines()
            assert done.returncode == 2, lines
            assert len(lines) == 1 and lines[0].startswith(expected), lines
            assert "xoxb-revoked" not in lines[0] and BOT_TOKEN not in lines[0]
    finally:
        busy.close()
        await fake.stop()


@pytest.mark.parametrize(
    ("args", "missing", "env"),
    [
        (["slack", "--http"], "SLACK_BOT_TOKEN", {}),
        (["slack", "--http"], "SLACK_SIGNING_SECRET", {"SLACK_BOT_TOKEN": BOT_TOKEN}),
        (["slack"], "SLACK_APP_TOKEN", {"SLACK_BOT_TOKEN": BOT_TOKEN}),
    ],
)
async def test_a_missing_token_stops_at_once_naming_it(
    work: Path, args: list[str], missing: str, env: dict[str, str]
) -> None:
    started = time.monotonic()
    done = subprocess.run(citebot_command(*args), env=clean_env(work, **env), cwd=work,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert done.returncode == 2
    assert lines == [f"citebot: {missing} is not set: export it or add it to .env"]
    assert time.monotonic() - started < 30
