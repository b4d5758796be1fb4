"""ask / summarize / sources: the one place the core is composed, and the seam every door uses."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from bot.answer import ExtractiveAnswerer, not_found
from bot.errors import EmptyStore, InputError, NotFound, StoreUnavailable
from bot.llm import LLMError, TextSink
from bot.llm_answer import LLMAnswerer, QuestionRewriter
from bot.llm_summary import LLMSummarizer, SummaryCache, document_passages
from bot.models import Answer, Length, Sources, Summary, Turn
from bot.questions import clean_question, with_context
from bot.summary import ExtractiveSummarizer
from retrieval.documents import fold
from retrieval.ingest import Ingestor, IngestReport, MissingPath
from retrieval.search import HybridSearcher, SearchResult
from retrieval.store import StoreError
from retrieval.types import DocumentInfo

log = logging.getLogger(__name__)


class CitebotService(Protocol):
    """What a door needs. Every method is safe to await on an event loop: blocking work runs
    in worker threads inside. Errors a user can act on are raised as `bot.errors.CitebotError`
    whose str() is a one-line message fit to show."""

    async def ask(
        self, question: str, history: Sequence[Turn] = (), on_text: TextSink | None = None
    ) -> Answer: ...

    async def summarize(self, doc: str | None = None, length: Length = "medium") -> Summary: ...

    async def sources(self) -> Sources: ...


class Service:
    """The core, composed: search, answer, summarize, list and ingest documents."""

    def __init__(
        self,
        *,
        searcher: HybridSearcher,
        ingestor: Ingestor,
        answerer: ExtractiveAnswerer,
        summarizer: ExtractiveSummarizer,
        seeds_dir: Path | None = None,
        max_question_chars: int = 1000,
        llm: LLMAnswerer | None = None,
        rewriter: QuestionRewriter | None = None,
        llm_summarizer: LLMSummarizer | None = None,
        summary_cache: SummaryCache | None = None,
    ) -> None:
        self.searcher = searcher
        self.ingestor = ingestor
        self.answerer = answerer
        self.summarizer = summarizer
        self.seeds_dir = seeds_dir
        self.max_question_chars = max_question_chars
        self.llm = llm  # None: answers are extractive, as without a model
        self.rewriter = rewriter
        self.llm_summarizer = llm_summarizer
        self.summary_cache = summary_cache or SummaryCache()
        self._seed_lock = asyncio.Lock()
        self._seeded = False

    # -- the door seam ------------------------------------------------------------------------

    async def ask(
        self, question: str, history: Sequence[Turn] = (), on_text: TextSink | None = None
    ) -> Answer:
        started = time.perf_counter()
        cleaned = clean_question(question, self.max_question_chars)
        await self.ensure_ready()
        if self.llm is None:
            query = with_context(cleaned, history)
            answer = await asyncio.to_thread(self.ask_now, query)
        else:
            answer = await self.ask_model(self.llm, cleaned, history, on_text)
        return replace(answer, question=cleaned, latency_ms=(time.perf_counter() - started) * 1000)

    async def summarize(self, doc: str | None = None, length: Length = "medium") -> Summary:
        await self.ensure_ready()
        info = await asyncio.to_thread(self.find_document, doc)
        if self.llm_summarizer is None:
            key = SummaryCache.key(info, length, "extractive")
            summary = self.summary_cache.get(key)
            if summary is None:
                summary = await asyncio.to_thread(self.summarizer.summarize, info, length)
                self.summary_cache.put(key, summary, disk=False)
            return summary
        return await self.summarize_with_model(self.llm_summarizer, info, length)

    # -- with a chat model ----------------------------------------------------------------------

    async def ask_model(
        self, llm: LLMAnswerer, question: str, history: Sequence[Turn], on_text: TextSink | None
    ) -> Answer:
        """A verified answer from the model, or the extractive one (mode "fallback", with a
        note saying why) when the model fails or nothing it said holds up. The whole call,
        follow-up rewrite included, ends within the model timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + llm.timeout
        query = await self.standalone(question, history, deadline)
        result = await asyncio.to_thread(self.search, query)
        if not result.terms:
            return not_found(query, "llm")
        try:
            return await llm.answer(query, result.paragraphs, on_text, timeout=deadline - loop.time())
        except LLMError as exc:
            log.info("answering extractively instead: %s", exc)
            return await asyncio.to_thread(self.answerer.answer, result, "fallback", str(exc))

    async def standalone(self, question: str, history: Sequence[Turn], deadline: float) -> str:
        """The question made standalone from the conversation: by the model when there is one
        (with a quarter of the time at most), else, or when it fails, by the simple rule."""
        if not any(t.role == "user" and t.text.strip() for t in history):
            return question
        if self.rewriter is None:
            return with_context(question, history)
        budget = min(self.rewriter.timeout, 0.25 * (deadline - asyncio.get_running_loop().time()))
        try:
            rewritten = await self.rewriter.rewrite(question, history, timeout=budget)
        except LLMError as exc:
            log.info("follow-up rewrite failed (%s): using the simple rule", exc)
            return with_context(question, history)
        log.debug("follow-up rewritten as %r", rewritten)
        return rewritten

    async def summarize_with_model(
        self, summarizer: LLMSummarizer, info: DocumentInfo, length: Length
    ) -> Summary:
        """Verified bullets from the model (cached by content), or the extractive summary with
        mode "fallback" and a note when the model fails."""
        key = SummaryCache.key(info, length, f"llm:{summarizer.model_name}")
        cached = self.summary_cache.get(key)
        if cached is not None:
            return cached
        central = await asyncio.to_thread(self.summarizer.passages, info, length)
        passages = await asyncio.to_thread(document_passages, self.searcher, info, central)
        try:
            summary = await summarizer.summarize(info, length, passages)
        except LLMError as exc:
            log.info("summarizing extractively instead: %s", exc)
            fallback = await asyncio.to_thread(self.summarizer.summarize, info, length)
            return replace(fallback, mode="fallback", note=str(exc))
        self.summary_cache.put(key, summary, disk=True)
        return summary

    async def sources(self) -> Sources:
        await self.ensure_ready()
        return Sources(tuple(await asyncio.to_thread(self.documents)))

    # -- synchronous core (run in worker threads by the async methods) -------------------------

    def ask_now(self, question: str) -> Answer:
        """Search and answer a cleaned question, blocking."""
        result = self.search(question)
        if not result.terms:
            return not_found(question)
        return self.answerer.answer(result)

    def search(self, question: str, doc_id: str | None = None) -> SearchResult:
        try:
            return self.searcher.search(question, doc_id)
        except StoreError as exc:
            raise StoreUnavailable(str(exc)) from None

    def documents(self) -> list[DocumentInfo]:
        try:
            return self.searcher.store.documents()
        except StoreError as exc:
            raise StoreUnavailable(str(exc)) from None

    def summarize_now(self, doc: str | None, length: Length) -> Summary:
        info = self.find_document(doc)
        return self.summarizer.summarize(info, length)

    def find_document(self, doc: str | None) -> DocumentInfo:
        """A document by id, source, or words of its title; the newest when doc is None."""
        documents = self.documents()
        if not documents:
            raise EmptyStore(EMPTY_MESSAGE)
        if not doc or not doc.strip():
            return documents[-1]
        wanted = fold(doc)
        for info in documents:
            if wanted in (info.id, fold(info.source)) or info.source.endswith(doc):
                return info
        matches = [d for d in documents if wanted in fold(d.title)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            names = "; ".join(m.title for m in matches[:3])
            raise NotFound(f"“{doc}” matches several articles ({names}): use its id from /sources")
        raise NotFound(f"No article matches “{doc}”. /sources lists them.")

    def ingest(
        self, targets: Sequence[str], progress: Callable[[str, int], None] | None = None
    ) -> IngestReport:
        try:
            report = self.ingestor.ingest(targets, progress)
        except MissingPath as exc:
            raise InputError(str(exc)) from None
        except StoreError as exc:
            raise StoreUnavailable(str(exc)) from None
        self.searcher.invalidate()
        return report

    def close(self) -> None:
        """Release the store's connections."""
        self.searcher.store.close()

    # -- readiness ----------------------------------------------------------------------------

    async def ensure_ready(self) -> None:
        """Ingest seeds/ when the store is empty (once a process), else say how to fill it."""
        if self._seeded:
            return
        async with self._seed_lock:
            if self._seeded:
                return
            await asyncio.to_thread(self.ensure_ready_now)

    def ensure_ready_now(self) -> None:
        try:
            empty = self.searcher.is_empty()
        except StoreError as exc:
            raise StoreUnavailable(str(exc)) from None
        if empty and self.seeds_dir is not None and self.seeds_dir.is_dir():
            log.info("store is empty: ingesting %s", self.seeds_dir)
            self.ingest([str(self.seeds_dir)])
            empty = self.searcher.is_empty()
        if empty:
            raise EmptyStore(EMPTY_MESSAGE)
        self._seeded = True


EMPTY_MESSAGE = "No articles are stored yet: add one with `citebot ingest PATH_OR_URL`."
