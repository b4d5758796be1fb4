"""Slack HTTP load: N signed `/ask` requests at concurrency C against a real `citebot slack
--http` process over loopback, with SLACK_API_URL and every response_url at a local stand-in.

    python -m bench.slack_load [--words N] [--requests 500] [--concurrency 50]

The server has the corpus loaded and answers one warm-up question first (that builds its BM25
snapshot). Then each request comes from its own user (the per-user rate limit stays on) and is
timed until its HTTP acknowledgement; its answer is counted when it reaches its response_url.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import subprocess
import time
from typing import Any

import aiohttp

from bench.common import (
    FULL,
    WORK,
    citebot_cmd,
    citebot_env,
    emit,
    loaded_store,
    machine,
    quiet,
    summary,
    vm_hwm_mb,
)
from bench.questions import seed_sets
from bot.slack_app import LOOKING, SORRY
from tests.fakes.slack_api import Call, FakeSlack, SlackSender

SECRET = "bench-signing-secret"
ACK_DEADLINE = 3.0  # seconds Slack waits for an acknowledgement


class TimedSlack(FakeSlack):
    """The stand-in, noting when each response_url first received an answer."""

    def __init__(self) -> None:
        super().__init__()
        self.answered_at: dict[str, float] = {}
        self.answered = asyncio.Event()
        self.expected = 0

    async def _record(self, call: Call) -> None:
        if call.method == "response_url" and call.key not in self.answered_at:
            self.answered_at[call.key] = time.perf_counter()
            if len(self.answered_at) >= self.expected:
                self.answered.set()
        await super()._record(call)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_healthy(port: int, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"citebot slack exited with {proc.returncode}")
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
                    if resp.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise TimeoutError("citebot slack did not start")


async def measure(words: int, requests: int, concurrency: int) -> dict[str, Any]:
    data_dir = loaded_store(words)
    fake = TimedSlack()
    await fake.start()
    port = free_port()
    env = citebot_env(
        data_dir, SLACK_BOT_TOKEN=fake.bot_token, SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url, CITEBOT_AUTO_SEED="false", PORT=str(port),
    )
    proc = subprocess.Popen(
        citebot_cmd("slack", "--http", "--port", str(port)), env=env, cwd=str(WORK),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    connector = aiohttp.TCPConnector(limit=concurrency)
    session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30))
    try:
        await wait_healthy(port, proc)
        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET, fake, session)
        questions = [q.q for qs in seed_sets().values() for q in qs]

        # warm-up: the first answer opens the store and builds the snapshot
        fake.expected = 1
        t0 = time.perf_counter()
        await sender.command("/ask", questions[0], user="UWARM", key="warm")
        await asyncio.wait_for(fake.answered.wait(), 120)
        warm_s = time.perf_counter() - t0
        rss_after_warmup = vm_hwm_mb(proc.pid)

        fake.answered.clear()
        fake.expected = 1 + requests
        gate = asyncio.Semaphore(concurrency)
        sent_at: dict[str, float] = {}
        acks: dict[str, tuple[int, float, str]] = {}

        async def one(i: int) -> None:
            key = f"r{i}"
            async with gate:
                sent_at[key] = time.perf_counter()
                try:
                    sent, _ = await sender.command(
                        "/ask", questions[i % len(questions)], user=f"U{i:05d}", key=key
                    )
                    acks[key] = (sent.status, sent.seconds, sent.body)
                except (aiohttp.ClientError, TimeoutError) as exc:
                    acks[key] = (0, time.perf_counter() - sent_at[key], type(exc).__name__)

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(requests)))
        acked_s = time.perf_counter() - started
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(fake.answered.wait(), 120)
        done_s = time.perf_counter() - started
        server_rss = vm_hwm_mb(proc.pid)
    finally:
        await session.close()
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        await fake.stop()

    ack_ms = [s * 1000 for status, s, _ in acks.values()]
    ok_acks = [k for k, (status, s, body) in acks.items() if status == 200 and LOOKING in _ack_text(body)]
    answers = {k: fake.responses(k) for k in sent_at}
    delivered = [k for k, r in answers.items() if r]
    failed = [k for k, r in answers.items() if r and SORRY in json.dumps(r[0], ensure_ascii=False)]
    answer_ms = [(fake.answered_at[k] - sent_at[k]) * 1000 for k in delivered]
    return {
        "benchmark": "slack_load",
        "machine": machine(),
        "requests": requests,
        "concurrency": concurrency,
        "warmup_first_answer_s": round(warm_s, 2),
        "ack_ms": summary(ack_ms),
        "acked_ok": len(ok_acks),
        "acked_within_3s": sum(1 for ms in ack_ms if ms <= ACK_DEADLINE * 1000),
        "ack_errors": requests - len(ok_acks),
        "answers_delivered": len(delivered),
        "answers_lost": requests - len(delivered),
        "answers_sorry": len(failed),
        "answer_ms": summary(answer_ms),
        "seconds_to_send_all": round(acked_s, 2),
        "seconds_to_answer_all": round(done_s, 2),
        "answers_per_second": round(len(delivered) / done_s, 1) if done_s else 0.0,
        "server_peak_rss_mb": server_rss,
        "server_rss_after_warmup_mb": rss_after_warmup,
        "server_errors_logged": err.decode(errors="replace").count("ERROR"),
    }


def _ack_text(body: str) -> str:
    try:
        return str(json.loads(body).get("text", ""))
    except (ValueError, AttributeError):
        return body


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Slack HTTP /ask load")
    parser.add_argument("--words", type=int, default=FULL, help="corpus size in words (default: all)")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args(argv)
    quiet()
    emit(asyncio.run(measure(args.words, args.requests, args.concurrency)))


if __name__ == "__main__":
    main()
