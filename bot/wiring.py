"""Build the real parts from Settings: the one place clients are constructed.

The CLI, the doors' tests and the benchmarks all start processes through here, so a door never
builds a client of its own and every process is wired the same way."""

from __future__ import annotations

import logging

from bot.answer import ExtractiveAnswerer
from bot.config import Settings
from bot.errors import ConfigError
from bot.feedback import FeedbackStore
from bot.llm import ChatModel
from bot.llm_answer import LLMAnswerer, QuestionRewriter
from bot.llm_summary import LLMSummarizer, SummaryCache
from bot.ratelimit import SharedRateLimiter
from bot.service import Service
from bot.summary import ExtractiveSummarizer
from retrieval.embeddings import Embedder, OpenAIEmbedder, WordLlamaEmbedder
from retrieval.ingest import Ingestor
from retrieval.search import HybridSearcher
from retrieval.store import ChunkStore, StoreLocation


def make_embedder(settings: Settings) -> Embedder:
    if settings.citebot_embeddings == "openai":
        if settings.openai_api_key is None and not settings.openai_base_url:
            raise ConfigError(
                "CITEBOT_EMBEDDINGS=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL): set it, "
                "or unset CITEBOT_EMBEDDINGS to use the offline WordLlama embeddings"
            )
        import openai

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "none"
        client = openai.OpenAI(
            api_key=key, base_url=settings.openai_base_url, max_retries=2,
            timeout=settings.citebot_llm_timeout,
        )
        return OpenAIEmbedder(client, settings.citebot_embedding_model)
    return WordLlamaEmbedder()


def store_location(settings: Settings) -> StoreLocation:
    if settings.chroma_host:
        return StoreLocation(
            host=settings.chroma_host, port=settings.chroma_port or 8000, ssl=settings.chroma_ssl
        )
    return StoreLocation(path=settings.citebot_data_dir / "chroma")


def build_service(settings: Settings) -> Service:
    """The whole core, wired from settings. Nothing is loaded or connected until first use."""
    embedder = make_embedder(settings)
    store = ChunkStore(store_location(settings), embedder, settings.citebot_collection_prefix)
    searcher = HybridSearcher(store, embedder)
    chat = make_chat_model(settings)
    timeout = settings.citebot_llm_timeout
    return Service(
        searcher=searcher,
        ingestor=Ingestor(store),
        answerer=ExtractiveAnswerer(searcher),
        summarizer=ExtractiveSummarizer(searcher),
        seeds_dir=settings.citebot_seeds_dir if settings.citebot_auto_seed else None,
        max_question_chars=settings.citebot_max_question_chars,
        llm=LLMAnswerer(chat, timeout) if chat else None,
        rewriter=QuestionRewriter(chat, min(REWRITE_SECONDS, timeout / 4), settings.citebot_max_question_chars)
        if chat else None,
        llm_summarizer=LLMSummarizer(chat, timeout, settings.citebot_llm_model) if chat else None,
        summary_cache=SummaryCache(settings.citebot_data_dir / "summaries"),
    )


REWRITE_SECONDS = 5.0  # a follow-up rewrite is one short line: it should not eat the answer's time


def make_chat_model(settings: Settings) -> ChatModel | None:
    """The OpenAI-compatible chat model when one is configured (OPENAI_API_KEY or
    OPENAI_BASE_URL), else None: answers and summaries are then extractive."""
    if not settings.llm_enabled:
        return None
    import openai  # imported only when a model is configured: it is slow to import

    from bot.openai_chat import OpenAIChat

    # A local server (Ollama, vLLM, llama.cpp) needs no key, but the client wants one.
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    base_url = settings.openai_base_url
    timeout = settings.citebot_llm_timeout

    def connect() -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(api_key=key, base_url=base_url, max_retries=0, timeout=timeout)

    return OpenAIChat(connect, settings.citebot_llm_model, timeout)


def build_feedback(settings: Settings) -> FeedbackStore:
    return FeedbackStore(settings.citebot_data_dir / "feedback.sqlite3")


def build_limiter(settings: Settings) -> SharedRateLimiter:
    """The per-user question limit, counted together by every worker sharing the data dir."""
    return SharedRateLimiter(settings.citebot_rate_limit, settings.citebot_data_dir / "ratelimit.sqlite3")


def configure_logging(settings: Settings) -> None:
    level = getattr(logging, settings.citebot_log_level.upper(), logging.WARNING)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Chatty libraries stay at WARNING unless DEBUG is asked for explicitly.
    for name in ("bm25s", "chromadb", "httpx", "httpcore", "urllib3", "trafilatura"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING) if level > logging.DEBUG else level)
