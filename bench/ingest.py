"""Ingest throughput: `citebot ingest` of the offline corpus (and the seed) into a fresh store.

    python -m bench.ingest [--words N] [--repeat R]

Each run is a separate `citebot ingest --json` process on an empty local store; words/s and
passages/s are its own report's figures (parse, chunk, embed and write, model load included).
Peak RSS is the ingest process's, from wait4. The last store is kept for the other benchmarks.
"""

from __future__ import annotations

import argparse
import json
import statistics
from typing import Any

from bench.common import FULL, WORK, corpus_dir, corpus_facts, emit, ingest_store, machine, quiet


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="ingest throughput")
    parser.add_argument("--words", type=int, default=FULL, help="corpus size in words (default: all)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    quiet()
    facts = corpus_facts(corpus_dir(args.words, seed=True))
    data_dir = WORK / f"store-{args.words}"
    runs: list[dict[str, Any]] = []
    for _ in range(args.repeat):
        report = ingest_store(args.words, data_dir)
        runs.append(
            {
                "words": report["words"], "passages": report["passages"], "documents": report["added"],
                "seconds": report["seconds"], "wall_seconds": report["wall_seconds"],
                "cpu_seconds": report["cpu_seconds"],
                "cores_busy": round(report["cpu_seconds"] / report["wall_seconds"], 2),
                "loadavg_1m_after": machine()["loadavg_1m"],
                "words_per_second": round(report["words"] / report["seconds"]),
                "passages_per_second": round(report["passages"] / report["seconds"]),
                "peak_rss_mb": report["peak_rss_mb"],
            }
        )
    (data_dir / ".ingested.json").write_text(json.dumps(report))
    emit(
        {
            "benchmark": "ingest",
            "machine": machine(),
            "corpus": {"files": facts["files"], "words_split": facts["words"]},
            "words_ingested": runs[-1]["words"],
            "passages": runs[-1]["passages"],
            "words_per_second_median": statistics.median(r["words_per_second"] for r in runs),
            "passages_per_second_median": statistics.median(r["passages_per_second"] for r in runs),
            "seconds_median": statistics.median(r["seconds"] for r in runs),
            "peak_rss_mb_max": max(r["peak_rss_mb"] for r in runs),
            "runs": runs,
        }
    )


if __name__ == "__main__":
    main()
