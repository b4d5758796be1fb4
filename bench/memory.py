"""Peak memory (RSS) of an ingest process and of a serving process.

    python -m bench.memory [--words N]

Ingest: `citebot ingest` of the corpus into an empty store. Serving: `citebot eval` over the
seed's questions on the loaded store: it opens the store, builds the BM25 snapshot of every
chunk and answers, as a door's process does (bench.slack_load also reports the peak RSS of a
real `citebot slack --http` process after 500 requests). Peak RSS comes from wait4.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from bench.common import (
    FULL,
    WORK,
    citebot_cmd,
    citebot_env,
    emit,
    ingest_store,
    loaded_store,
    machine,
    question_files,
    quiet,
    run_child,
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="peak RSS of ingest and serving")
    parser.add_argument("--words", type=int, default=FULL, help="corpus size in words (default: all)")
    args = parser.parse_args(argv)
    quiet()
    store = loaded_store(args.words)
    ingest = ingest_store(args.words, WORK / f"store-{args.words}-memory")
    with tempfile.TemporaryDirectory() as tmp:
        questions = Path(tmp) / "questions.jsonl"
        questions.write_text("".join(p.read_text(encoding="utf-8") for p in question_files().values()))
        run = run_child(
            citebot_cmd("eval", str(questions), "--json"),
            citebot_env(store, CITEBOT_AUTO_SEED="false"),
        )
    metrics = json.loads(run.stdout)
    emit(
        {
            "benchmark": "memory",
            "machine": machine(),
            "ingest": {"words": ingest["words"], "passages": ingest["passages"], "peak_rss_mb": ingest["peak_rss_mb"]},
            "serving": {
                "questions": metrics["n_answerable"] + metrics["n_unanswerable"],
                "wall_seconds": round(run.wall_seconds, 2), "peak_rss_mb": run.peak_rss_mb,
            },
        }
    )


if __name__ == "__main__":
    main()
