"""Shared helpers for the benchmarks: percentiles, machine facts, the corpus and store cache."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import corpus

PROJECT = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("CITEBOT_BENCH_DIR", "/tmp/citebot-bench"))
SEEDS = PROJECT / "seeds"
FULL = 2_000_000  # more than there is: the whole corpus (1.67 M words split on spaces, ~1.55 M as ingest counts)
QUESTION_FILES = {
    "public": Path(os.environ.get("CITEBOT_SHARED_DIR", PROJECT.parent / "shared")) / "eval" / "public_questions.jsonl",
    "seed_dev": PROJECT / "tests" / "eval" / "seed_dev.jsonl",
    "seed_holdout": PROJECT / "tests" / "eval" / "seed_holdout.jsonl",
}


def shared_questions() -> Path:
    """The shared public sample: beside the project, or /work/shared."""
    path = QUESTION_FILES["public"]
    return path if path.exists() else Path("/work/shared/eval/public_questions.jsonl")


def question_files() -> dict[str, Path]:
    return {**QUESTION_FILES, "public": shared_questions()}


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile (as numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * pct / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: Sequence[float], digits: int = 2) -> dict[str, float]:
    """n, p50, p95, p99, max and mean of a list of measurements."""
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": round(statistics.median(values), digits),
        "p95": round(percentile(values, 95), digits),
        "p99": round(percentile(values, 99), digits),
        "max": round(max(values), digits),
        "mean": round(statistics.fmean(values), digits),
    }


def machine() -> dict[str, Any]:
    """What the numbers were measured on (the load average says whether others were busy)."""
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def vm_hwm_mb(pid: int) -> float:
    """Another live process's peak RSS, from /proc (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def quiet() -> None:
    """Warnings only: the benchmarks print JSON on stdout and nothing chatty on stderr."""
    logging.basicConfig(level=logging.WARNING)
    for name in ("retrieval", "bot", "chromadb", "bm25s", "aiohttp", "slack_bolt"):
        logging.getLogger(name).setLevel(logging.WARNING)


def emit(result: dict[str, Any]) -> None:
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


def corpus_dir(words: int, seed: bool) -> Path:
    """The corpus of about `words` words (with the seed article), built once and reused."""
    dest = WORK / f"corpus-{words}{'-seed' if seed else ''}"
    done = dest / ".built.json"
    if not done.exists():
        facts = corpus.build(dest, words, seed)
        done.write_text(json.dumps(facts))
    return dest


def corpus_facts(dest: Path) -> dict[str, int]:
    facts: dict[str, int] = json.loads((dest / ".built.json").read_text())
    return facts


def citebot_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a citebot child process: its store, nothing from .env or the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITEBOT_", "CHROMA_", "SLACK_", "OPENAI_"))}
    env.update(
        CITEBOT_DATA_DIR=str(data_dir), CITEBOT_SEEDS_DIR=str(SEEDS), CITEBOT_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@dataclass(frozen=True)
class ChildRun:
    """A finished child process: its output, wall and CPU seconds, and peak RSS (wait4)."""

    stdout: str
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float


def run_child(args: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> ChildRun:
    """Run a process to its end and measure it."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(args), env=env, cwd=str(cwd or WORK), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}: {err[-2000:]}")
    return ChildRun(out, wall, usage.ru_utime + usage.ru_stime, round(usage.ru_maxrss / 1024, 1))


def citebot_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot.cli", *args]


def ingest_store(words: int, data_dir: Path, **env: str) -> dict[str, Any]:
    """Ingest the corpus (with the seed) into a fresh store with `citebot ingest --json`
    (on a Chroma server when env names one)."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    source = corpus_dir(words, seed=True)
    run = run_child(citebot_cmd("ingest", str(source), "--json"), citebot_env(data_dir, **env))
    report: dict[str, Any] = json.loads(run.stdout)
    report.update(
        wall_seconds=round(run.wall_seconds, 3), cpu_seconds=round(run.cpu_seconds, 2),
        peak_rss_mb=run.peak_rss_mb,
    )
    return report


@contextlib.contextmanager
def chroma_server() -> Iterator[dict[str, str]]:
    """A real `chroma run` on loopback with an empty folder; yields CHROMA_HOST / CHROMA_PORT."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    with tempfile.TemporaryDirectory() as data:
        exe = Path(sys.executable).with_name("chroma")
        proc = subprocess.Popen(
            [str(exe), "run", "--path", data, "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            yield {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(port)}
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def loaded_store(words: int) -> Path:
    """A store holding the corpus of `words` words and the seed: ingested once, then reused."""
    data_dir = WORK / f"store-{words}"
    done = data_dir / ".ingested.json"
    if not done.exists():
        report = ingest_store(words, data_dir)
        done.write_text(json.dumps(report))
    return data_dir


def clean_store() -> Path:
    """A store with only the seed article (auto-seeded on the first question)."""
    data_dir = WORK / "store-clean"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    return data_dir
