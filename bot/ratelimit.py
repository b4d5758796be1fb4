"""A per-key sliding-window rate limit, shared by every door."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


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
            while events and now - events[0] >= 60.0:
                events.popleft()
            if len(events) >= self._limit:
                return max(0.1, 60.0 - (now - events[0]))
            events.append(now)
            if len(self._events) > 10_000:  # forget idle keys so memory stays bounded
                self._events = {k: v for k, v in self._events.items() if v}
            return 0.0


def limited_message(seconds: float) -> str:
    """The friendly reply a rate-limited user sees."""
    return f"You're asking faster than I can keep up. Try again in {max(1, round(seconds))} s."
