"""The chunk store: the only module that imports chromadb. Local on disk, or a Chroma server."""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; run one ingest at a time there
    fcntl = None  # type: ignore[assignment]

from retrieval.embeddings import Embedder, Vectors
from retrieval.types import Chunk, Document, DocumentInfo, Paragraph, StoredChunk

log = logging.getLogger(__name__)

_PAGE = 2000
_ADD_BATCH = 1000  # rows an upsert: Chroma writes big batches ~2x faster than small ones


class StoreError(Exception):
    """The store cannot be reached or used; str() says how to fix it."""


@dataclass(frozen=True, slots=True)
class StoreLocation:
    """Where the chunks live: a folder on disk, or a Chroma server."""

    path: Path | None = None
    host: str | None = None
    port: int = 8000
    ssl: bool = False

    def describe(self) -> str:
        if self.host:
            return f"the Chroma server at {self.host}:{self.port}"
        return f"the store in {self.path}"


def _embedding_function(embedder: Embedder) -> Any:
    """Our embedder dressed as a Chroma embedding function, so Chroma never loads its own."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class CitebotEmbeddingFunction(EmbeddingFunction[Documents]):
        def __init__(self, inner: Embedder) -> None:
            self._inner = inner

        def __call__(self, input: Documents) -> Embeddings:
            return list(self._inner.embed(list(input)))

        @staticmethod
        def name() -> str:
            return "citebot"

        def get_config(self) -> dict[str, Any]:
            return {"embedder": self._inner.name, "dim": self._inner.dim}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> CitebotEmbeddingFunction:
            # Reopening a collection without our process's embedder: vectors are always passed
            # in explicitly, so a WordLlama stand-in is right for the default collections.
            from retrieval.embeddings import WordLlamaEmbedder

            return CitebotEmbeddingFunction(WordLlamaEmbedder(int(config.get("dim", 256))))

    from chromadb.utils.embedding_functions import known_embedding_functions

    if "citebot" not in known_embedding_functions:
        from chromadb.utils.embedding_functions import register_embedding_function

        register_embedding_function(CitebotEmbeddingFunction)  # type: ignore[no-untyped-call]
    return CitebotEmbeddingFunction(embedder)


@dataclass(frozen=True, slots=True)
class PendingDocument:
    """A document's chunks and vectors, ready to be written."""

    doc: Document
    chunks: Sequence[Chunk]
    vectors: Vectors
    replaces: bool  # another version of it is stored


class ChunkStore:
    """Two Chroma collections named after the embedder: chunks, and one record a document.

    A document's record is written after all its chunks, and names the content hash of the
    version to serve: readers serve only chunks of that version, so an ingest killed half-way
    leaves chunks nobody sees, and the next ingest completes or replaces them."""

    def __init__(self, location: StoreLocation, embedder: Embedder, prefix: str = "citebot") -> None:
        self.location = location
        self.embedder = embedder
        self.collection_name = f"{prefix}-{embedder.slug}"[:500]
        self.documents_name = f"{self.collection_name[:480]}-docs"
        self._client: Any = None
        self._collection: Any = None
        self._documents: Any = None

    # -- connection -------------------------------------------------------------------------

    def _open(self) -> tuple[Any, Any]:
        if self._collection is not None:
            return self._collection, self._documents
        try:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            chroma_settings = ChromaSettings(anonymized_telemetry=False)
            if self.location.host:
                self._client = chromadb.HttpClient(
                    host=self.location.host, port=self.location.port, ssl=self.location.ssl,
                    settings=chroma_settings,
                )
            else:
                assert self.location.path is not None
                self.location.path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(
                    path=str(self.location.path), settings=chroma_settings
                )
            function = _embedding_function(self.embedder)
            self._documents = self._client.get_or_create_collection(
                self.documents_name, embedding_function=function,
                configuration={"hnsw": {"space": "cosine"}}, metadata={"revision": "new"},
            )
            self._collection = self._client.get_or_create_collection(
                self.collection_name, embedding_function=function,
                configuration={"hnsw": {"space": "cosine"}},
            )
        except Exception as exc:
            self._forget()
            raise StoreError(self._explain(exc)) from None
        return self._collection, self._documents

    def _forget(self) -> None:
        self._client = self._collection = self._documents = None

    def _explain(self, exc: Exception) -> str:
        if self.location.host:
            # Chroma's own messages ("Could not connect to a Chroma server. Are you sure it is
            # running?", ValueError, ConnectError) add nothing: say where and what to do.
            return (
                f"cannot reach {self.location.describe()} (CHROMA_HOST={self.location.host}, "
                f"CHROMA_PORT={self.location.port}): start it with `chroma run --path DIR --host "
                f"{self.location.host} --port {self.location.port}`, or unset CHROMA_HOST to use "
                "the local store"
            )
        return (
            f"cannot open {self.location.describe()} ({exc}): check CITEBOT_DATA_DIR is a "
            "writable folder"
        )

    def _call(self, what: str, fn: Any) -> Any:
        """Run fn(chunks, documents), turning failures into a StoreError that says why."""
        chunks, documents = self._open()
        try:
            return fn(chunks, documents)
        except StoreError:
            raise
        except Exception as exc:
            log.debug("store call %s failed", what, exc_info=True)
            if self.location.host:
                self.close()  # a server that went away: reconnect on the next call
            raise StoreError(self._explain(exc)) from None

    def close(self) -> None:
        """Release the client (its HTTP connections, or the on-disk database)."""
        client = self._client
        self._forget()
        if client is None:
            return
        try:
            servers = [client._server, getattr(getattr(client, "_admin_client", None), "_server", None)]
            client.close()
            # Chroma 1.5 stops an HttpClient's systems on close() but leaves their HTTP
            # connection pools open (each HttpClient has its own, so closing them is safe).
            for server in servers:
                session = getattr(server, "_session", None)
                if session is not None:
                    session.close()
        except Exception:  # closing is best effort: the process may be exiting anyway
            log.debug("closing the Chroma client failed", exc_info=True)

    @contextlib.contextmanager
    def exclusive(self, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold the store alone while writing. Chroma's on-disk store is not safe for two writing
        processes (two ingests at once left it unreadable), so a second one waits here for the
        first to finish, telling `on_wait` why. A server orders writes itself: no lock."""
        if self.location.path is None or fcntl is None:
            yield
            return
        lock_path = self.location.path.with_name(self.location.path.name + ".lock")
        try:
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            handle = lock_path.open("a+b")
        except OSError as exc:
            raise StoreError(self._explain(exc)) from None
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait:
                    on_wait(f"waiting for another ingest into {self.location.path} to finish")
                fcntl.flock(handle, fcntl.LOCK_EX)
                self.close()  # the other process wrote meanwhile: reopen to read what it wrote
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- reads --------------------------------------------------------------------------------

    def revision(self) -> str:
        """Changes whenever any document is added, replaced or deleted (by any process)."""
        def read(c: Any, d: Any) -> str:
            # a Collection object caches its metadata: ask for the collection afresh
            fresh = self._client.get_collection(
                self.documents_name, embedding_function=_embedding_function(self.embedder)
            )
            return f"{(fresh.metadata or {}).get('revision', '')}:{d.count()}"

        return str(self._call("revision", read))

    def count(self) -> int:
        """Stored chunk records (stale versions included until they are cleaned)."""
        return int(self._call("count", lambda c, d: c.count()))

    def documents(self) -> list[DocumentInfo]:
        """One entry a stored document, in ingestion order."""
        page = self._call("documents", lambda c, d: d.get(include=["metadatas"]))
        docs = [_document_info(doc_id, meta) for doc_id, meta in zip(page["ids"], page["metadatas"], strict=True)]
        return sorted(docs, key=lambda d: (d.ingested_at, d.title))

    def document_vectors(self) -> dict[str, Vectors]:
        """Each document's direction in embedding space: the normalised mean of its chunks'
        vectors, written with its record at ingest."""
        page = self._call("documents", lambda c, d: d.get(include=["embeddings"]))
        found = page.get("embeddings")
        if found is None:
            return {}
        return {
            doc_id: np.asarray(vector, dtype=np.float32)
            for doc_id, vector in zip(page["ids"], found, strict=True)
            if vector is not None and len(vector)
        }

    def iter_chunks(self) -> Iterator[StoredChunk]:
        """Every chunk of the version each document record names, a page at a time."""
        docs = {d.id: d for d in self.documents()}
        offset = 0
        while True:
            page = self._call(
                "get", lambda c, d, o=offset: c.get(include=["metadatas"], limit=_PAGE, offset=o)
            )
            ids = page["ids"]
            for cid, meta in zip(ids, page["metadatas"], strict=True):
                info = docs.get(str(meta["doc_id"]))
                if info is not None and info.content_hash.startswith(str(meta["hash"])):
                    yield _stored(cid, str(meta["text"]), meta, info)
            if len(ids) < _PAGE:
                return
            offset += len(ids)

    def chunk_records(self) -> dict[str, dict[str, Any]]:
        """Every chunk record's metadata by id, served or not (stale versions, and chunks an
        interrupted ingest left uncommitted): what an audit of the store compares."""
        records: dict[str, dict[str, Any]] = {}
        while True:
            offset = len(records)
            page = self._call(
                "get", lambda c, d, o=offset: c.get(include=["metadatas"], limit=_PAGE, offset=o)
            )
            records.update(zip(page["ids"], (dict(m) for m in page["metadatas"]), strict=True))
            if len(page["ids"]) < _PAGE:
                return records

    def query(self, vector: Vectors, k: int) -> list[tuple[str, float]]:
        """The ids of the k nearest chunks with their cosine similarity."""
        if k <= 0:
            return []
        result = self._call(
            "query",
            lambda c, d: c.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()],
                n_results=k, include=["distances"],
            ),
        )
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(result["ids"][0], result["distances"][0], strict=True)]

    def stored_hashes(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """The committed content hash of each of these documents that is stored."""
        if not doc_ids:
            return {}
        page = self._call("get", lambda c, d: d.get(ids=list(doc_ids), include=["metadatas"]))
        return {i: str(m["hash"]) for i, m in zip(page["ids"], page["metadatas"], strict=True)}

    def chunk_count(self, doc_id: str) -> int:
        """Chunk records under a document id, whatever their version."""
        page = self._call("get", lambda c, d: c.get(where={"doc_id": doc_id}, include=[]))
        return len(page["ids"])

    # -- writes -------------------------------------------------------------------------------

    def put_documents(self, pending: Sequence[PendingDocument]) -> None:
        """Write chunks, then the document records that commit them, then drop old versions.
        Safe to repeat and to interrupt: ids follow from content."""
        if not pending:
            return
        ids: list[str] = []
        rows: list[list[float]] = []
        metas: list[dict[str, Any]] = []
        for p in pending:
            for chunk, vector in zip(p.chunks, p.vectors.tolist(), strict=True):
                ids.append(chunk_id(p.doc, chunk.index))
                rows.append(vector)
                # The text goes in metadata, not Chroma's `documents`: Chroma full-text indexes
                # documents, which more than halves write speed, and we search text with BM25.
                metas.append({
                    "doc_id": p.doc.id, "hash": p.doc.content_hash[:12], "text": chunk.text,
                    "paras": json.dumps([[x.n, x.start, x.end] for x in chunk.paragraphs]),
                    "tail": chunk.tail,
                })
        for i in range(0, len(ids), _ADD_BATCH):
            batch = {
                "ids": ids[i : i + _ADD_BATCH], "embeddings": rows[i : i + _ADD_BATCH],
                "metadatas": metas[i : i + _ADD_BATCH],
            }
            self._call("upsert", lambda c, d, b=batch: c.upsert(**b))
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        records = {
            "ids": [p.doc.id for p in pending],
            "embeddings": [_mean_vector(p.vectors) for p in pending],
            "documents": [p.doc.title for p in pending],
            "metadatas": [_document_meta(p.doc, len(p.chunks), now) for p in pending],
        }
        self._call("commit", lambda c, d: d.upsert(**records))
        for p in pending:
            if p.replaces:
                self.drop_stale(p.doc.id, p.doc.content_hash)
        self.bump_revision()

    def drop_stale(self, doc_id: str, content_hash: str) -> None:
        """Delete a document's chunks of any version but this one."""
        self._call(
            "delete", lambda c, d: c.delete(
                where={"$and": [{"doc_id": doc_id}, {"hash": {"$ne": content_hash[:12]}}]}
            )
        )

    def bump_revision(self) -> None:
        self._call("modify", lambda c, d: d.modify(metadata={"revision": uuid.uuid4().hex}))


def chunk_id(doc: Document, index: int) -> str:
    """Deterministic: the same content always lands on the same ids (idempotent upserts)."""
    return f"{doc.id}:{doc.content_hash[:12]}:{index}"


def _mean_vector(vectors: Vectors) -> list[float]:
    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean)) or 1.0
    return [float(x) for x in mean / norm]


def _document_meta(doc: Document, n_chunks: int, now: str) -> dict[str, Any]:
    return {
        "title": doc.title, "source": doc.source, "hash": doc.content_hash, "n_chunks": n_chunks,
        "n_paragraphs": len(doc.paragraphs), "words": doc.words, "ingested_at": now,
        "description": doc.description[:500], "author": doc.author[:200], "date": doc.date[:50],
    }


def _document_info(doc_id: str, meta: dict[str, Any]) -> DocumentInfo:
    return DocumentInfo(
        id=doc_id, title=str(meta["title"]), source=str(meta["source"]),
        passages=int(meta["n_paragraphs"]), words=int(meta["words"]),
        ingested_at=str(meta["ingested_at"]), content_hash=str(meta["hash"]),
        extra={k: str(meta[k]) for k in ("description", "author", "date") if meta.get(k)},
    )


def _stored(cid: str, text: str, meta: dict[str, Any], info: DocumentInfo) -> StoredChunk:
    paras = tuple(Paragraph(int(n), int(s), int(e)) for n, s, e in json.loads(str(meta["paras"])))
    return StoredChunk(
        id=cid, doc_id=info.id, title=info.title, source=info.source,
        start=paras[0].start, end=paras[-1].end, text=text, paragraphs=paras,
        content_hash=info.content_hash, ingested_at=info.ingested_at,
        tail=str(meta.get("tail", "")),
    )
