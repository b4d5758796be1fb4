"""A per-key sliding-window rate limit, shared by every door: in memory, or in SQLite under the
data dir so that every worker on a host counts a user's questions together."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

WINDOW = 60.0  # seconds


class RateLimiter:
    """Allows `per_minute` events per key in any 60-second window; 0 turns it off."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = per_minute
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """0.0 and records the event when allowed; else seconds until the next one is."""
        if self._limit <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and now - events[0] >= WINDOW:
                events.popleft()
            if len(events) >= self._limit:
                return max(0.1, WINDOW - (now - events[0]))
            events.append(now)
            if len(self._events) > 10_000:  # forget idle keys so memory stays bounded
                self._events = {k: v for k, v in self._events.items() if v}
            return 0.0


_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_key ON events (key, at);
"""


class SharedRateLimiter:
    """The same limit, kept in a SQLite file: several Slack HTTP workers behind one balancer,
    or a restarted worker, count a user's questions together. Wall-clock time, since the
    processes share no monotonic clock. If the file cannot be used (a read-only or full disk),
    each process limits on its own and says so once in the log: a limiter never stops answers."""

    def __init__(
        self, per_minute: int, path: Path, clock: Callable[[], float] = time.time, busy_timeout: float = 0.5
    ) -> None:
        self._limit = per_minute
        self._path = path
        self._clock = clock
        self._busy_timeout = busy_timeout
        self._local = threading.local()
        self._fallback = RateLimiter(per_minute, clock)
        self._failed = False
        self._calls = 0

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self._path, timeout=self._busy_timeout, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # no fsync a question: a count, not a record
            conn.executescript(_SCHEMA)
            self._local.conn = conn
        return conn

    def retry_after(self, key: str) -> float:
        """0.0 and records the event when allowed; else seconds until the next one is."""
        if self._limit <= 0:
            return 0.0
        if self._failed:
            return self._fallback.retry_after(key)
        try:
            conn = self._connect()
        except (sqlite3.Error, OSError) as exc:
            self._failed = True
            log.warning("rate limit kept per process from now on: %s cannot be used (%s)", self._path, exc)
            return self._fallback.retry_after(key)
        try:
            return self._shared(conn, key, self._clock())
        except sqlite3.Error as exc:  # busy past the timeout, a full disk: this question only
            log.warning("rate limit counted in this process for one question: %s", exc)
            return self._fallback.retry_after(key)

    def _shared(self, conn: sqlite3.Connection, key: str, now: float) -> float:
        # One statement on the common path, atomic on its own: no two workers both take the last
        # slot, and the caller's thread gives up the GIL once, not once a statement (which under
        # load costs up to 5 ms a time in a door's event loop).
        self._calls += 1
        if self._calls % 1000 == 0:  # forget old events so the file stays small
            conn.execute("DELETE FROM events WHERE at <= ?", (now - WINDOW,))
        taken = conn.execute(
            "INSERT INTO events (key, at) SELECT ?, ? "
            "WHERE (SELECT COUNT(*) FROM events WHERE key = ? AND at > ?) < ?",
            (key, now, key, now - WINDOW, self._limit),
        ).rowcount
        if taken:
            return 0.0
        (first,) = conn.execute(
            "SELECT MIN(at) FROM events WHERE key = ? AND at > ?", (key, now - WINDOW)
        ).fetchone()
        return max(0.1, WINDOW - (now - float(first if first is not None else now)))


class Limiter(Protocol):
    """What the doors need of a rate limit (both classes above)."""

    def retry_after(self, key: str) -> float: ...


def limited_message(seconds: float) -> str:
    """The friendly reply a rate-limited user sees."""
    return f"You're asking faster than I can keep up. Try again in {max(1, round(seconds))} s."
