"""Turn paths and URLs into stored chunks: idempotent, and safe to interrupt and repeat."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.chunking import chunk_document
from retrieval.documents import SUFFIXES, Unreadable, doc_id_for, load_file, load_url, path_text
from retrieval.store import ChunkStore, PendingDocument
from retrieval.types import Document

log = logging.getLogger(__name__)


class MissingPath(Exception):
    """A path given to ingest does not exist; nothing was ingested."""


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    passages: int = 0
    words: int = 0
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.skipped)} skipped; {self.passages} passages, {self.words:,} words "
            f"in {self.seconds:.1f} s ({self.words_per_second:,.0f} words/s)"
        )


Target = Path | str  # a file or folder, or a URL


def expand(targets: Sequence[str]) -> tuple[list[Target], list[tuple[str, str]]]:
    """Files (folders walked recursively, in sorted order) and URLs; skips with reasons.
    Raises MissingPath, before anything is read, when a path does not exist."""
    missing = [t for t in targets if not _is_url(t) and not Path(t).exists()]
    if missing:
        raise MissingPath(f"no such file or folder: {missing[0]}")
    out: list[Target] = []
    skipped: list[tuple[str, str]] = []
    for target in targets:
        if _is_url(target):
            out.append(target)
            continue
        path = Path(target)
        if path.is_dir():
            out.extend(_walk(path))
        elif path.suffix.lower() in SUFFIXES:
            out.append(path)
        else:
            skipped.append((path_text(path), f"unsupported file type '{path.suffix or '(none)'}'"))
    unique = list(dict.fromkeys(t if isinstance(t, str) else t.resolve() for t in out))
    return unique, skipped


def _walk(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).parts
        if any(part.startswith(".") for part in rel):
            continue  # .git, .citebot and other hidden folders
        if path.is_file() and path.suffix.lower() in SUFFIXES:
            yield path


def _is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def load(target: Target) -> Document:
    return load_url(target) if isinstance(target, str) else load_file(target)


class Ingestor:
    """Stores documents in a ChunkStore: unchanged ones are skipped by content hash, and
    chunks of several documents are written together (Chroma writes big batches faster)."""

    def __init__(
        self, store: ChunkStore, batch_chunks: int = 1000, on_wait: Callable[[str], None] | None = None
    ) -> None:
        self.store = store
        self.batch_chunks = batch_chunks
        self.on_wait = on_wait  # told when another process is writing the store and we wait

    def ingest(
        self, targets: Sequence[str], progress: Callable[[str, int], None] | None = None
    ) -> IngestReport:
        """Ingest files, folders and URLs. `progress(name, words)` is called after each one.
        One ingest at a time writes an on-disk store: a second process waits for the first."""
        started = time.perf_counter()
        items, skipped = expand(targets)
        report = IngestReport(skipped=skipped)
        with self.store.exclusive(self.on_wait):
            self._ingest(items, report, progress)
        report.seconds = time.perf_counter() - started
        return report

    def _ingest(
        self, items: list[Target], report: IngestReport, progress: Callable[[str, int], None] | None
    ) -> None:
        known = self.stored_hashes(items)  # read under the lock: a process we waited for wrote them
        pending: list[PendingDocument] = []
        # One writer thread: Chroma stores a batch while this thread parses and embeds the next
        # (both release the GIL in native code, so two cores are both busy).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="citebot-ingest") as writer:
            writing: Future[None] | None = None
            for item in items:
                name = path_text(item)
                try:
                    doc = load(item)
                except Unreadable as exc:
                    report.skipped.append((name, str(exc)))
                    if progress:
                        progress(name, 0)
                    continue
                ready = self.prepare(doc, report, known)
                if ready is not None:
                    pending.append(ready)
                    if sum(len(p.chunks) for p in pending) >= self.batch_chunks:
                        if writing is not None:
                            writing.result()  # at most one batch in flight; errors surface here
                        writing = writer.submit(self.flush, pending, report)
                        pending = []
                if progress:
                    progress(name, doc.words)
            if writing is not None:
                writing.result()
        self.flush(pending, report)

    def stored_hashes(self, items: Sequence[Target]) -> dict[str, str | None]:
        """The stored hash (or None) of every item's document, read in a few calls up front:
        one read a document costs as much as its write once the writer thread holds Chroma."""
        ids = list(dict.fromkeys(doc_id_for(path_text(item)) for item in items))
        known: dict[str, str | None] = dict.fromkeys(ids)
        for i in range(0, len(ids), 500):
            known.update(self.store.stored_hashes(ids[i : i + 500]))
        return known

    def prepare(
        self, doc: Document, report: IngestReport, known: Mapping[str, str | None] | None = None
    ) -> PendingDocument | None:
        """Chunks and vectors for a document, or None when this version is already stored.
        `known` holds stored hashes read beforehand; a document not in it is looked up."""
        chunks = chunk_document(doc)
        if known is not None and doc.id in known:
            stored = known[doc.id]
        else:
            stored = self.store.stored_hashes([doc.id]).get(doc.id)
        if stored == doc.content_hash:
            if self.store.chunk_count(doc.id) != len(chunks):
                self.store.drop_stale(doc.id, doc.content_hash)  # an earlier replace cut short
            report.unchanged += 1
            return None
        vectors = self.store.embedder.embed([c.text for c in chunks])
        return PendingDocument(doc, chunks, vectors, replaces=stored is not None)

    def flush(self, pending: list[PendingDocument], report: IngestReport) -> None:
        """Write the pending documents and count them in the report."""
        if not pending:
            return
        self.store.put_documents(pending)
        for p in pending:
            if p.replaces:
                report.updated += 1
            else:
                report.added += 1
            report.passages += len(p.doc.paragraphs)
            report.words += p.doc.words
