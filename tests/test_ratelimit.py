"""The per-user question limit, in memory and shared through SQLite under the data dir."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from bot.ratelimit import RateLimiter, SharedRateLimiter, limited_message


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_workers_sharing_a_file_count_a_user_together(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "ratelimit.sqlite3"
    first, second = SharedRateLimiter(2, path, clock), SharedRateLimiter(2, path, clock)
    assert first.retry_after("slack:U1") == 0.0
    clock.now += 10
    assert second.retry_after("slack:U1") == 0.0
    clock.now += 5
    wait = first.retry_after("slack:U1")
    assert wait == pytest.approx(45.0)  # the first question leaves the window 60 s after it
    assert limited_message(wait) == "You're asking faster than I can keep up. Try again in 45 s."
    assert second.retry_after("slack:U2") == 0.0  # another user is not held back
    clock.now += 46
    assert second.retry_after("slack:U1") == 0.0


def test_a_restarted_worker_keeps_the_count(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "ratelimit.sqlite3"
    before = SharedRateLimiter(1, path, clock)
    assert before.retry_after("discord:7") == 0.0
    after = SharedRateLimiter(1, path, clock)
    assert after.retry_after("discord:7") > 59.0


def test_an_unusable_file_limits_each_process_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    blocked = tmp_path / "not-a-file"
    blocked.mkdir()  # a directory where the file should be
    limiter = SharedRateLimiter(1, blocked, clock)
    with caplog.at_level(logging.WARNING, logger="bot.ratelimit"):
        assert limiter.retry_after("slack:U1") == 0.0
        assert limiter.retry_after("slack:U1") > 59.0
    [warning] = [r.getMessage() for r in caplog.records if "per process" in r.getMessage()]
    assert warning.startswith(f"rate limit kept per process from now on: {blocked} cannot be used")


def test_zero_turns_the_limit_off(tmp_path: Path) -> None:
    shared = SharedRateLimiter(0, tmp_path / "r.sqlite3")
    local = RateLimiter(0)
    assert all(x.retry_after("k") == 0.0 for x in (shared, local) for _ in range(100))
    assert not (tmp_path / "r.sqlite3").exists()


def test_a_file_held_by_another_writer_never_stops_a_question(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    path = tmp_path / "ratelimit.sqlite3"
    limiter = SharedRateLimiter(5, path, clock, busy_timeout=0.05)
    assert limiter.retry_after("slack:U1") == 0.0  # the file exists and counts 1
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another worker stuck mid-write
    with caplog.at_level(logging.WARNING, logger="bot.ratelimit"):
        assert limiter.retry_after("slack:U1") == 0.0  # counted in this process this once
    assert any("for one question" in r.getMessage() for r in caplog.records)
    other.execute("ROLLBACK")
    other.close()
    second = SharedRateLimiter(5, path, clock)
    assert [second.retry_after("slack:U1") for _ in range(4)] == [0.0, 0.0, 0.0, 0.0]
    assert second.retry_after("slack:U1") > 59.0  # back to the shared count: 1 + 4 there
