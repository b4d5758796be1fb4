"""Summaries from a chat model, every bullet cited and verified, and the summary cache."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from pathlib import Path
from typing import Any

from bot.llm import ChatModel, LLMError
from bot.models import Citation, Length, Mode, Summary, SummaryPoint
from bot.prompts import summary_messages
from bot.summary import POINTS
from bot.verify import split_points, strip_markers, verify
from retrieval.search import HybridSearcher
from retrieval.types import DocumentInfo, Passage

log = logging.getLogger(__name__)

CACHE_VERSION = 1  # bump when prompts or checks change what a cached summary would hold


class LLMSummarizer:
    """Bullets from the model; a bullet whose citation does not verify is dropped. Raises
    LLMError when none is left."""

    def __init__(self, model: ChatModel, timeout: float, model_name: str = "") -> None:
        self.model = model
        self.timeout = timeout
        self.model_name = model_name

    async def summarize(self, doc: DocumentInfo, length: Length, passages: list[Passage]) -> Summary:
        if not passages:
            raise LLMError("the article has no text to summarize")
        want = POINTS[length]
        reply = await self.model.complete(summary_messages(doc.title, passages, want), timeout=self.timeout)
        verdict = verify(reply, passages, split_points(reply))
        if verdict.dropped:
            log.info("summary: verification removed %d bullet(s): %s", len(verdict.dropped), ", ".join(verdict.dropped))
        if not verdict.kept:
            raise LLMError(verdict.reason)
        points = tuple(SummaryPoint(strip_markers(k.text), k.citations) for k in verdict.kept[: want + 2])
        return Summary(doc.id, doc.title, "llm", points, source=doc.source, note=verdict.note, length=length)


def document_passages(
    searcher: HybridSearcher, doc: DocumentInfo, central: list[Passage], max_words: int = 2500
) -> list[Passage]:
    """The document's paragraphs in article order, as many as fit in `max_words`; those holding
    the `central` sentences go in first. A paragraph cut across chunks comes as its pieces."""
    pieces: dict[tuple[str, int], list[Any]] = {}
    for sentence, _ in searcher.document_sentences(doc.id):
        pieces.setdefault((sentence.chunk.id, sentence.paragraph), []).append(sentence)
    paragraphs: list[Passage] = []
    for sentences in pieces.values():
        first, last = sentences[0], sentences[-1]
        chunk = first.chunk
        text = chunk.text[first.start - chunk.start : last.end - chunk.start]
        paragraphs.append(Passage(doc.id, doc.title, doc.source, first.paragraph, first.start, last.end, text))
    paragraphs.sort(key=lambda p: p.start)
    wanted = [p for p in paragraphs if any(p.start <= c.start < p.end for c in central)]
    chosen: list[Passage] = []
    words = 0
    for p in [*wanted, *paragraphs]:
        if p in chosen:
            continue
        size = len(p.text.split())
        if chosen and words + size > max_words:
            continue
        chosen.append(p)
        words += size
    return sorted(chosen, key=lambda p: p.start)


class SummaryCache:
    """Summaries by document content, length and mode: in memory, and on disk when given a
    folder (model summaries cost a call; extractive ones are cheap and kept in memory only)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._memory: dict[str, Summary] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(doc: DocumentInfo, length: Length, mode: str) -> str | None:
        if not doc.content_hash:
            return None
        raw = f"{CACHE_VERSION}|{doc.id}|{doc.content_hash}|{length}|{mode}"
        return hashlib.sha256(raw.encode()).hexdigest()[:32]

    def get(self, key: str | None) -> Summary | None:
        if key is None:
            return None
        with self._lock:
            found = self._memory.get(key)
        if found is not None or self.folder is None:
            return found
        path = self.folder / f"{key}.json"
        try:
            found = summary_from_dict(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring an unreadable cached summary %s: %s", path, exc)
            return None
        with self._lock:
            self._memory[key] = found
        return found

    def put(self, key: str | None, summary: Summary, disk: bool) -> None:
        if key is None:
            return
        with self._lock:
            self._memory[key] = summary
        if not disk or self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{key}.json"
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(summary.to_dict(), ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:  # a cache that cannot be written costs a model call next time, no more
            log.warning("could not cache the summary in %s: %s", self.folder, exc)


def summary_from_dict(data: dict[str, Any]) -> Summary:
    """A Summary back from its to_dict() form."""
    points = tuple(
        SummaryPoint(str(p["text"]), tuple(Citation(**c) for c in p["citations"])) for p in data["points"]
    )
    length = _LENGTHS.get(str(data.get("length", "medium")))
    mode = _MODES.get(str(data["mode"]))
    if length is None or mode is None:
        raise ValueError("unknown length or mode")
    return Summary(
        str(data["doc_id"]), str(data["title"]), mode, points, source=str(data.get("source", "")),
        note=str(data.get("note", "")), length=length,
    )


_LENGTHS: dict[str, Length] = {"short": "short", "medium": "medium", "long": "long"}
_MODES: dict[str, Mode] = {"extractive": "extractive", "llm": "llm", "fallback": "fallback"}
