"""Concurrent questions through the service: throughput and event-loop lag.

    python -m bench.concurrency [--words N] [--questions 100]

With the corpus loaded, a ticker task sleeps 10 ms at a time and records how late it wakes
(the event loop's lag) while N questions run at once through `Service.ask`; then the same
questions run one after another for comparison. One untimed pass first warms the caches, so
both passes measure the same steady state.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable
from typing import Any, TypeVar

from bench.answer import service_on
from bench.common import FULL, emit, loaded_store, machine, peak_rss_mb, quiet, summary
from bench.questions import corpus_questions, seed_sets

T = TypeVar("T")
TICK = 0.010


async def with_lag(work: Awaitable[T]) -> tuple[T, list[float]]:
    """Run `work` while a ticker records how late each 10 ms sleep wakes up (ms)."""
    lags: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            lags.append(max(0.0, (time.perf_counter() - before - TICK) * 1000))

    tick = asyncio.create_task(ticker())
    try:
        result = await work
    finally:
        done.set()
        await tick
    return result, lags


def mixed_questions(n: int) -> list[str]:
    """n questions: the seed's sets and questions about the corpus, interleaved."""
    seed = [q.q for qs in seed_sets().values() for q in qs]
    pool = [q for pair in zip(seed, corpus_questions(len(seed)), strict=False) for q in pair]
    pool += seed[len(pool) // 2 :]
    return [pool[i % len(pool)] for i in range(n)]


async def measure(words: int, n: int) -> dict[str, Any]:
    service = service_on(loaded_store(words), auto_seed=False)
    started = time.perf_counter()
    _, cold_lags = await with_lag(service.ask("What did Kim say about a new way?"))  # builds the snapshot
    cold_s = time.perf_counter() - started
    questions = mixed_questions(n)

    async def timed(q: str) -> float:
        t0 = time.perf_counter()
        await service.ask(q)
        return (time.perf_counter() - t0) * 1000

    await _one_by_one(timed, questions)  # warm: both passes below find the same caches
    started = time.perf_counter()
    per_question, lags = await with_lag(asyncio.gather(*(timed(q) for q in questions)))
    concurrent_s = time.perf_counter() - started

    started = time.perf_counter()
    sequential, seq_lags = await with_lag(_one_by_one(timed, questions))
    sequential_s = time.perf_counter() - started

    # Another process ingested: the store's revision changes, this process rebuilds its
    # snapshot in one thread while the questions are answered from the previous one.
    service.searcher.store.bump_revision()
    service.searcher.invalidate()
    started = time.perf_counter()
    during_rebuild, rebuild_lags = await with_lag(asyncio.gather(*(timed(q) for q in questions)))
    rebuild_s = time.perf_counter() - started
    await asyncio.to_thread(service.searcher.snapshot)  # wait for the rebuild to finish
    service.close()
    return {
        "benchmark": "concurrency",
        "machine": machine(),
        "questions": n,
        "concurrent": {
            "seconds": round(concurrent_s, 3),
            "questions_per_second": round(n / concurrent_s, 1),
            "latency_ms": summary(per_question),
            "loop_lag_ms": summary(lags),
        },
        "sequential": {
            "seconds": round(sequential_s, 3),
            "questions_per_second": round(n / sequential_s, 1),
            "latency_ms": summary(sequential),
            "loop_lag_ms": summary(seq_lags),
        },
        "cold_first_question": {"seconds": round(cold_s, 3), "loop_lag_ms": summary(cold_lags)},
        "concurrent_during_snapshot_rebuild": {
            "seconds": round(rebuild_s, 3),
            "latency_ms": summary(during_rebuild),
            "loop_lag_ms": summary(rebuild_lags),
        },
        "peak_rss_mb": peak_rss_mb(),
    }


async def _one_by_one(timed: Any, questions: list[str]) -> list[float]:
    return [await timed(q) for q in questions]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="concurrent questions: throughput and loop lag")
    parser.add_argument("--words", type=int, default=FULL, help="corpus size in words (default: all)")
    parser.add_argument("--questions", type=int, default=100)
    args = parser.parse_args(argv)
    quiet()
    emit(asyncio.run(measure(args.words, args.questions)))


if __name__ == "__main__":
    main()
