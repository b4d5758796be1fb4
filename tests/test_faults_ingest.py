"""`kill -9` in the middle of a large ingest, and two ingests of one folder at once: afterwards the
store holds exactly what one clean ingest leaves (documents, passage counts, chunk records).

The corpus is the Python documentation's reST sources (Debian's python3-doc, installed here):
about 300,000 words in 121 files, copied into a temporary folder. Where python3-doc is missing,
the standard library's own modules, as .txt files, stand in."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from retrieval.embeddings import WordLlamaEmbedder
from retrieval.store import ChunkStore, StoreLocation

CITEBOT = [sys.executable, "-m", "bot.cli"]
PYTHON_DOCS = Path("/usr/share/doc/python3.11/html/_sources")
PARTS = ("howto", "c-api", "reference", "tutorial", "faq")


@dataclass(frozen=True)
class Where:
    """One store: on disk (a data folder) or on the Chroma server (a collection prefix)."""

    env: dict[str, str]
    location: StoreLocation
    prefix: str


@dataclass(frozen=True)
class Snapshot:
    """What a store holds, minus ingestion times."""

    documents: dict[str, dict[str, Any]]  # id -> title, source, passages, words, content hash
    chunks: dict[str, dict[str, Any]]  # every chunk record, committed or not

    @property
    def passages(self) -> int:
        return sum(int(d["passages"]) for d in self.documents.values())


@dataclass(frozen=True)
class Clean:
    snapshot: Snapshot
    store_bytes: int  # size of a clean on-disk store, to tell when an ingest is part-way
    words: int


def citebot(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CITEBOT_", "CHROMA_", "OPENAI_"))}
    return subprocess.Popen(
        [*CITEBOT, *args], env={**base, "CITEBOT_AUTO_SEED": "false", **env},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def ingest(where: Where, corpus: Path) -> dict[str, Any]:
    proc = citebot(where.env, "ingest", str(corpus), "--json")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    report: dict[str, Any] = json.loads(out)
    return report


def snapshot(where: Where, embedder: WordLlamaEmbedder) -> Snapshot:
    store = ChunkStore(where.location, embedder, where.prefix)
    try:
        documents = {
            d.id: {"title": d.title, "source": d.source, "passages": d.passages, "words": d.words,
                   "hash": d.content_hash, **d.extra}
            for d in store.documents()
        }
        return Snapshot(documents, store.chunk_records())
    finally:
        store.close()


def disk_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) if folder.exists() else 0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("python-docs")
    if PYTHON_DOCS.is_dir():
        for part in PARTS:
            shutil.copytree(PYTHON_DOCS / part, folder / part)
        return folder
    words = 0
    for module in sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py")):
        text = module.read_text(encoding="utf-8", errors="replace")
        (folder / f"{module.stem}.txt").write_text(text, encoding="utf-8")
        words += len(text.split())
        if words > 320_000:
            return folder
    return folder


def files(corpus: Path) -> int:
    return sum(1 for f in corpus.rglob("*") if f.is_file())


@pytest.fixture(scope="module")
def clean(corpus: Path, tmp_path_factory: pytest.TempPathFactory, embedder: WordLlamaEmbedder) -> Clean:
    """One clean ingest, on disk: the store every faulty run must end up equal to."""
    data = tmp_path_factory.mktemp("clean")
    where = Where({"CITEBOT_DATA_DIR": str(data)}, StoreLocation(path=data / "chroma"), "citebot")
    report = ingest(where, corpus)
    assert report["added"] == files(corpus) - len(report["skipped"]) > 100
    assert report["words"] >= 250_000
    shot = snapshot(where, embedder)
    assert len(shot.documents) == report["added"] and shot.passages == report["passages"]
    assert len(shot.chunks) > 1000
    return Clean(shot, disk_bytes(data / "chroma"), report["words"])


@pytest.fixture(params=["disk", "server"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Where]:
    data = tmp_path / "data"
    if request.param == "disk":
        yield Where({"CITEBOT_DATA_DIR": str(data)}, StoreLocation(path=data / "chroma"), "citebot")
        return
    host, port = request.getfixturevalue("chroma_server")
    prefix = f"f{uuid.uuid4().hex[:10]}"
    env = {"CITEBOT_DATA_DIR": str(data), "CHROMA_HOST": host, "CHROMA_PORT": str(port),
           "CITEBOT_COLLECTION_PREFIX": prefix}  # fmt: skip
    yield Where(env, StoreLocation(host=host, port=port), prefix)


def part_way(where: Where, clean: Clean, embedder: WordLlamaEmbedder) -> float:
    """How far along an ingest running in another process is, without disturbing it."""
    if where.location.path is not None:  # a second client on a disk store is not safe: look at its size
        return disk_bytes(where.location.path) / clean.store_bytes
    store = ChunkStore(where.location, embedder, where.prefix)
    try:
        return store.count() / len(clean.snapshot.chunks)
    except Exception:  # the collections are not created yet
        return 0.0
    finally:
        store.close()


def revised(where: Where, embedder: WordLlamaEmbedder, old: dict[str, str]) -> int:
    """Documents on a server whose record names a version other than `old`."""
    store = ChunkStore(where.location, embedder, where.prefix)
    try:
        return sum(1 for d in store.documents() if old.get(d.id, d.content_hash) != d.content_hash)
    finally:
        store.close()


def kill_when(proc: subprocess.Popen[str], reached: Callable[[], bool]) -> None:
    """SIGKILL the process as soon as `reached()`; fails if it ends first."""
    deadline = time.monotonic() + 120
    while not reached():
        assert proc.poll() is None, "the ingest finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def test_kill_9_mid_ingest_then_ingest_again_equals_a_clean_ingest(
    where: Where, corpus: Path, clean: Clean, embedder: WordLlamaEmbedder
) -> None:
    proc = citebot(where.env, "ingest", str(corpus), "--json")
    kill_when(proc, lambda: part_way(where, clean, embedder) >= 0.5)

    killed = snapshot(where, embedder)
    print(f"after kill -9: {len(killed.documents)} documents, {killed.passages} passages, "
          f"{len(killed.chunks)} chunk records")  # fmt: skip
    assert len(killed.documents) < len(clean.snapshot.documents)  # it really was cut short
    assert killed.chunks  # ... after writing some of it

    report = ingest(where, corpus)
    assert report["added"] + report["unchanged"] == len(clean.snapshot.documents)
    assert report["updated"] == 0 and report["unchanged"] == len(killed.documents)
    again = snapshot(where, embedder)
    print(f"ingested again: {len(again.documents)} documents, {again.passages} passages, "
          f"{len(again.chunks)} chunk records; clean: {len(clean.snapshot.documents)}, "
          f"{clean.snapshot.passages}, {len(clean.snapshot.chunks)}")  # fmt: skip
    assert again.documents == clean.snapshot.documents
    assert again.passages == clean.snapshot.passages
    assert again.chunks == clean.snapshot.chunks


def test_two_ingests_at_once_leave_the_store_of_one(
    where: Where, corpus: Path, clean: Clean, embedder: WordLlamaEmbedder
) -> None:
    procs = [citebot(where.env, "ingest", str(corpus), "--json") for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    reports = [json.loads(out) for out, _ in results]
    for report in reports:
        assert report["added"] + report["unchanged"] == len(clean.snapshot.documents)
        assert report["updated"] == 0
    if where.location.path is not None:
        # On disk the second waits for the first (Chroma's local store is not safe for two
        # writers), says so, and then finds every article already stored.
        waited = [err for _, err in results if "waiting for another ingest" in err]
        assert len(waited) == 1
        assert waited[0].strip() == f"citebot: waiting for another ingest into {where.location.path} to finish…"
        assert sorted(r["added"] for r in reports) == [0, len(clean.snapshot.documents)]
    shot = snapshot(where, embedder)
    assert shot.documents == clean.snapshot.documents
    assert shot.chunks == clean.snapshot.chunks


def test_kill_9_while_replacing_changed_articles_then_again_equals_a_clean_ingest(
    where: Where, corpus: Path, clean: Clean, embedder: WordLlamaEmbedder, tmp_path: Path
) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(corpus, articles)
    ingest(where, articles)
    old = {i: d["hash"] for i, d in snapshot(where, embedder).documents.items()}
    stored = {Path(d["source"]).relative_to(corpus) for d in clean.snapshot.documents.values()}
    for path in sorted(articles.rglob("*.txt")):  # a new version of every article
        if path.relative_to(articles) not in stored:
            continue  # skipped as no article (stdlib's "from _contextvars import *"): still none
        path.write_text(path.read_text(encoding="utf-8") + "\n\nThis page was revised after publication.\n",
                        encoding="utf-8")  # fmt: skip
    proc = citebot(where.env, "ingest", str(articles), "--json")
    if where.location.path is not None:
        # new chunks written, the records still naming the old version
        kill_when(proc, lambda: part_way(where, clean, embedder) >= 1.5)
    else:
        # some records committed to the new version, the rest not yet
        kill_when(proc, lambda: revised(where, embedder, old) > 0)
    report = ingest(where, articles)
    assert report["updated"] > 0 and report["added"] == 0  # the update really was cut short
    assert report["updated"] + report["unchanged"] == len(clean.snapshot.documents)
    print(f"after kill -9 mid-update: {report['unchanged']} already at the new version, "
          f"{report['updated']} updated on the next run")  # fmt: skip
    reference = Where({"CITEBOT_DATA_DIR": str(tmp_path / "reference")},
                      StoreLocation(path=tmp_path / "reference" / "chroma"), "citebot")  # fmt: skip
    ingest(reference, articles)
    expected = snapshot(reference, embedder)
    again = snapshot(where, embedder)
    assert again.documents == expected.documents
    assert again.chunks == expected.chunks  # no chunk of an old version is left behind
