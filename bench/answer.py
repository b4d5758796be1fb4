"""Answer latency and quality with the offline corpus loaded around the seed article.

    python -m bench.answer [--words N]

In one process (a serving process's work without a door): the store holding the corpus and
the seed, then the seed's question sets (hit@1 as `citebot eval` scores it) and questions about
the corpus (cold caches), each asked once through `Service.ask` after one warm-up question.
Then a clean store holding only the seed answers the same sets, for the quality comparison.
With --server, both stores live on a `chroma run` server on loopback (ingested there first).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

from bench.common import (
    FULL,
    SEEDS,
    WORK,
    chroma_server,
    clean_store,
    emit,
    ingest_store,
    loaded_store,
    machine,
    peak_rss_mb,
    quiet,
    summary,
)
from bench.questions import corpus_questions, seed_sets
from bot.config import Settings
from bot.evaluate import Question, Report, run_eval
from bot.service import Service
from bot.wiring import build_service


def service_on(data_dir: Path, auto_seed: bool, **env: str) -> Service:
    return build_service(
        Settings.from_env(
            {"CITEBOT_DATA_DIR": str(data_dir), "CITEBOT_SEEDS_DIR": str(SEEDS),
             "CITEBOT_AUTO_SEED": str(auto_seed).lower(), **env}
        )
    )


async def quality(service: Service, sets: dict[str, list[Question]]) -> tuple[dict[str, Any], list[float]]:
    """Each set's eval metrics, all answerable questions pooled, and every question's ms."""
    out: dict[str, Any] = {}
    pooled = Report()
    for name, questions in sets.items():
        report = await run_eval(questions, service.ask)
        out[name] = report.metrics()
        pooled.outcomes.extend(report.outcomes)
    out["all"] = pooled.metrics()
    return out, [o.ms for o in pooled.outcomes]


async def measure(words: int, server: dict[str, str] | None = None) -> dict[str, Any]:
    sets = seed_sets()
    ingest: dict[str, Any] | None = None
    if server is None:
        loaded = service_on(loaded_store(words), auto_seed=False)
    else:
        ingest = ingest_store(words, WORK / "server-client", **server)
        loaded = service_on(WORK / "server-client", auto_seed=False, **server)
    started = time.perf_counter()
    await loaded.ask("What did Kim say about a new way?")  # the first question builds the snapshot
    first_ms = (time.perf_counter() - started) * 1000
    snapshot = loaded.searcher.snapshot()
    with_distractors, seed_ms = await quality(loaded, sets)
    corpus_ms: list[float] = []
    for question in corpus_questions():
        t0 = time.perf_counter()
        await loaded.ask(question)
        corpus_ms.append((time.perf_counter() - t0) * 1000)
    serving_rss = peak_rss_mb()
    loaded.close()

    clean_env = {**(server or {}), "CITEBOT_COLLECTION_PREFIX": "clean"}
    clean = service_on(clean_store(), auto_seed=True, **clean_env)
    clean_quality, _ = await quality(clean, sets)
    clean.close()

    deltas = {
        name: round(with_distractors[name]["hit_at_1"] - clean_quality[name]["hit_at_1"], 4)
        for name in with_distractors
    }
    return {
        "benchmark": "answer",
        "machine": machine(),
        "store_location": "chroma server (loopback)" if server else "local (on disk)",
        "store": {
            "documents": len({c.doc_id for c in snapshot.chunks}),
            "chunks": len(snapshot.chunks),
            "words": sum(len(c.text.split()) for c in snapshot.chunks),
        },
        "first_question_ms": round(first_ms, 1),  # opens the store and builds the BM25 snapshot
        "latency_ms_seed_questions": summary(seed_ms),
        "latency_ms_corpus_questions": summary(corpus_ms),
        "latency_ms_all": summary(seed_ms + corpus_ms),
        "hit_at_1_with_distractors": {k: v["hit_at_1"] for k, v in with_distractors.items()},
        "hit_at_1_clean": {k: v["hit_at_1"] for k, v in clean_quality.items()},
        "hit_at_1_delta": deltas,
        "with_distractors": with_distractors,
        "clean": clean_quality,
        "peak_rss_mb_serving": serving_rss,
        **({"ingest_to_server": _ingest_figures(ingest)} if ingest else {}),
    }


def _ingest_figures(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "words": report["words"], "passages": report["passages"], "seconds": report["seconds"],
        "words_per_second": round(report["words"] / report["seconds"]),
        "peak_rss_mb": report["peak_rss_mb"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="answer latency and quality")
    parser.add_argument("--words", type=int, default=FULL, help="corpus size in words (default: all)")
    parser.add_argument("--server", action="store_true", help="on a `chroma run` server this starts")
    args = parser.parse_args(argv)
    quiet()
    if args.server:
        with chroma_server() as server:
            emit(asyncio.run(measure(args.words, server)))
    else:
        emit(asyncio.run(measure(args.words)))


if __name__ == "__main__":
    main()
