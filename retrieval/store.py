"""The chunk store: the only module that imports chromadb. Local on disk, or a Chroma server."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.embeddings import Embedder, Vectors
from retrieval.types import Chunk, Document, DocumentInfo, Paragraph, StoredChunk

log = logging.getLogger(__name__)

_PAGE = 2000
_ADD_BATCH = 1000


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


class ChunkStore:
    """Chunks of every document in one Chroma collection named after the embedder."""

    def __init__(self, location: StoreLocation, embedder: Embedder, prefix: str = "citebot") -> None:
        self.location = location
        self.embedder = embedder
        self.collection_name = f"{prefix}-{embedder.slug}"[:500]
        self._client: Any = None
        self._collection: Any = None

    # -- connection -------------------------------------------------------------------------

    def _open(self) -> Any:
        if self._collection is not None:
            return self._collection
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
            self._collection = self._client.get_or_create_collection(
                self.collection_name,
                embedding_function=_embedding_function(self.embedder),
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"revision": "new"},
            )
        except Exception as exc:
            self._client = self._collection = None
            raise StoreError(self._explain(exc)) from None
        return self._collection

    def _explain(self, exc: Exception) -> str:
        if self.location.host:
            return (
                f"cannot reach {self.location.describe()} ({type(exc).__name__}): start it with "
                f"`chroma run --path DIR --host {self.location.host} --port {self.location.port}`, "
                "or unset CHROMA_HOST to use the local store"
            )
        return (
            f"cannot open {self.location.describe()} ({exc}): check CITEBOT_DATA_DIR is a "
            "writable folder"
        )

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a collection call, turning transport failures into a StoreError that says why."""
        collection = self._open()
        try:
            return fn(collection, *args, **kwargs)
        except StoreError:
            raise
        except Exception as exc:
            # A server that went away: forget the connection so the next call reconnects.
            if self.location.host:
                self._client = self._collection = None
            log.debug("store call %s failed", what, exc_info=True)
            raise StoreError(self._explain(exc)) from None

    def close(self) -> None:
        """Release the client (its HTTP connections, or the on-disk database)."""
        client, self._client, self._collection = self._client, None, None
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

    def check(self) -> None:
        """Open the store now (raises StoreError with advice when it cannot be)."""
        self._call("heartbeat", lambda c: c.count())

    # -- reads --------------------------------------------------------------------------------

    def revision(self) -> str:
        """Changes whenever any document is added, replaced or deleted (by any process)."""
        def read(c: Any) -> str:
            # a Collection object caches its metadata: ask for the collection afresh
            fresh = self._client.get_collection(
                self.collection_name, embedding_function=_embedding_function(self.embedder)
            )
            return f"{(fresh.metadata or {}).get('revision', '')}:{c.count()}"

        return str(self._call("revision", read))

    def count(self) -> int:
        return int(self._call("count", lambda c: c.count()))

    def iter_chunks(self) -> Iterator[StoredChunk]:
        """Every stored chunk, a page at a time."""
        offset = 0
        while True:
            page = self._call(
                "get", lambda c, o=offset: c.get(
                    include=["documents", "metadatas"], limit=_PAGE, offset=o
                )
            )
            ids = page["ids"]
            for cid, text, meta in zip(ids, page["documents"], page["metadatas"], strict=True):
                yield _stored(cid, text, meta)
            if len(ids) < _PAGE:
                return
            offset += len(ids)

    def get_chunks(self, ids: Sequence[str]) -> list[StoredChunk]:
        if not ids:
            return []
        page = self._call("get", lambda c: c.get(ids=list(ids), include=["documents", "metadatas"]))
        by_id = {
            cid: _stored(cid, text, meta)
            for cid, text, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True)
        }
        return [by_id[i] for i in ids if i in by_id]

    def document_chunks(self, doc_id: str) -> list[StoredChunk]:
        """A document's chunks in reading order."""
        page = self._call(
            "get", lambda c: c.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        )
        chunks = [
            _stored(cid, text, meta)
            for cid, text, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True)
        ]
        return sorted(chunks, key=lambda ch: ch.start)

    def query(self, vector: Vectors, k: int) -> list[tuple[str, float]]:
        """The ids of the k nearest chunks with their cosine similarity."""
        if k <= 0:
            return []
        result = self._call(
            "query",
            lambda c: c.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()],
                n_results=k, include=["distances"],
            ),
        )
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(result["ids"][0], result["distances"][0], strict=True)]

    def documents(self) -> list[DocumentInfo]:
        """One entry a stored document (complete versions only), in ingestion order."""
        docs: dict[str, DocumentInfo] = {}
        seen: dict[tuple[str, str], int] = {}
        metas = self._all_metadatas()
        for meta in metas:
            key = (str(meta["doc_id"]), str(meta["hash"]))
            seen[key] = seen.get(key, 0) + 1
        for meta in metas:
            key = (str(meta["doc_id"]), str(meta["hash"]))
            if seen[key] != int(meta["n_chunks"]):
                continue  # an ingest that was interrupted: not a document yet
            current = docs.get(key[0])
            if current is None or str(meta["ingested_at"]) > current.ingested_at:
                docs[key[0]] = DocumentInfo(
                    id=key[0], title=str(meta["title"]), source=str(meta["source"]),
                    passages=int(meta["n_paragraphs"]), words=int(meta["words"]),
                    ingested_at=str(meta["ingested_at"]), content_hash=key[1],
                    extra={k: str(meta[k]) for k in ("description", "author", "date") if meta.get(k)},
                )
        return sorted(docs.values(), key=lambda d: (d.ingested_at, d.title))

    def _all_metadatas(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = self._call(
                "get", lambda c, o=offset: c.get(include=["metadatas"], limit=_PAGE, offset=o)
            )
            out.extend(page["metadatas"])
            if len(page["ids"]) < _PAGE:
                return out
            offset += len(page["ids"])

    def stored_state(self, doc_id: str) -> dict[str, int]:
        """For each content hash stored under doc_id: how many chunks of it are present."""
        page = self._call("get", lambda c: c.get(where={"doc_id": doc_id}, include=["metadatas"]))
        counts: dict[str, int] = {}
        for meta in page["metadatas"]:
            counts[str(meta["hash"])] = counts.get(str(meta["hash"]), 0) + 1
        return counts

    # -- writes -------------------------------------------------------------------------------

    def put_document(self, doc: Document, chunks: Sequence[Chunk], vectors: Vectors) -> None:
        """Store a document's chunks, then drop any other version of it. Safe to repeat."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        base = {
            "doc_id": doc.id, "title": doc.title, "source": doc.source, "hash": doc.content_hash,
            "n_chunks": len(chunks), "n_paragraphs": len(doc.paragraphs), "words": doc.words,
            "ingested_at": now, "description": doc.description[:500], "author": doc.author[:200],
            "date": doc.date[:50],
        }
        ids = [chunk_id(doc, ch.index) for ch in chunks]
        metas = [
            {**base, "index": ch.index, "start": ch.start, "end": ch.end,
             "paras": json.dumps([[p.n, p.start, p.end] for p in ch.paragraphs])}
            for ch in chunks
        ]
        texts = [ch.text for ch in chunks]
        rows = vectors.tolist()
        for i in range(0, len(ids), _ADD_BATCH):
            batch = {
                "ids": ids[i : i + _ADD_BATCH], "embeddings": rows[i : i + _ADD_BATCH],
                "documents": texts[i : i + _ADD_BATCH], "metadatas": metas[i : i + _ADD_BATCH],
            }
            self._call("upsert", lambda c, b=batch: c.upsert(**b))
        self._call(
            "delete", lambda c: c.delete(
                where={"$and": [{"doc_id": doc.id}, {"hash": {"$ne": doc.content_hash}}]}
            )
        )
        self.bump_revision()

    def delete_document(self, doc_id: str) -> None:
        self._call("delete", lambda c: c.delete(where={"doc_id": doc_id}))
        self.bump_revision()

    def bump_revision(self) -> None:
        self._call("modify", lambda c: c.modify(metadata={"revision": uuid.uuid4().hex}))


def chunk_id(doc: Document, index: int) -> str:
    """Deterministic: the same content always lands on the same ids (idempotent upserts)."""
    return f"{doc.id}:{doc.content_hash[:12]}:{index}"


def _stored(cid: str, text: str, meta: dict[str, Any]) -> StoredChunk:
    paras = tuple(Paragraph(int(n), int(s), int(e)) for n, s, e in json.loads(str(meta["paras"])))
    return StoredChunk(
        id=cid, doc_id=str(meta["doc_id"]), title=str(meta["title"]), source=str(meta["source"]),
        start=int(meta["start"]), end=int(meta["end"]), text=text, paragraphs=paras,
        content_hash=str(meta["hash"]), n_chunks=int(meta["n_chunks"]),
        ingested_at=str(meta["ingested_at"]),
    )
