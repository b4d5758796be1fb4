"""Summaries with a chat model on loopback: cited, verified bullets, a cited fallback, the cache."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.models import Summary
from bot.service import Service
from bot.wiring import build_service
from tests.conftest import LLM_TIMEOUT, SEED, env_for
from tests.fakes.openai_server import FakeOpenAI, Hang, Reply, Status, passages

RAW = SEED.read_text(encoding="utf-8")
MOON = "build a bridge to the moon"




def bullets(request: dict[str, Any]) -> str:
    """A model that quotes the opening words of the first passages, and invents one bullet."""
    given = passages(request)
    lines = ["Here is the summary:"]
    for n, text in list(given.items())[:3]:
        lines.append(f"- The article notes that “{' '.join(text.split()[:10])}” [{n}]")
    lines.append(f"- Kim plans to “{MOON}” [1]")
    lines.append("- An uncited point about the weather.")
    return "\n".join(lines)


def assert_cited_verbatim(summary: Summary) -> None:
    assert summary.points
    for point in summary.points:
        assert point.citations, point
        for c in point.citations:
            assert RAW[c.start : c.end] == c.quote
            assert 1 <= c.paragraph <= 9


async def test_model_bullets_are_cited_and_the_unverified_ones_dropped(
    make: Callable[..., Service], fake: FakeOpenAI
) -> None:
    fake.script(Reply(bullets))
    summary = await make().summarize(None, "short")
    assert summary.mode == "llm" and summary.note == "removed 2 unverified claims"
    assert len(summary.points) == 3
    assert all(MOON not in p.text and "weather" not in p.text for p in summary.points)
    assert summary.points[0].text.startswith("The article notes that “Since the collapse of the second")
    assert "[" not in summary.points[0].text  # the ¶ references are shown from the citations
    assert_cited_verbatim(summary)
    (seen,) = fake.requests
    assert "exactly 3 bullet points" in seen.messages[0]["content"]
    given = passages(seen.body)
    assert len(given) == 9  # the whole (short) article, one passage a paragraph, in order
    assert given[1].startswith("Since the collapse") and given[9].startswith("If Russia is indeed")


@pytest.mark.parametrize(
    ("behaviour", "note"),
    [
        (Reply(f"- Kim plans to “{MOON}” [1]\n- Kim met the Pope [42]"), "model cited passages it was not given"),
        (Status(500), "model endpoint failed (HTTP 500)"),
        (Hang(), "model timed out"),
    ],
)
async def test_a_failed_model_summary_is_the_extractive_one_marked_fallback(
    make: Callable[..., Service], fake: FakeOpenAI, behaviour: Reply | Status | Hang, note: str
) -> None:
    service = make()
    await service.ensure_ready()
    fake.script(behaviour)
    started = time.monotonic()
    summary = await service.summarize(None, "medium")
    assert time.monotonic() - started < LLM_TIMEOUT + 0.5
    assert summary.mode == "fallback" and summary.note == note
    assert len(summary.points) == 5
    assert all(MOON not in p.text for p in summary.points)
    assert_cited_verbatim(summary)
    fake.script(Reply(bullets))
    again = await service.summarize(None, "medium")
    assert again.mode == "llm"  # a fallback is never cached


async def test_summaries_are_cached_by_content_length_and_mode(
    make: Callable[..., Service], fake: FakeOpenAI, tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    article = seeds / SEED.name
    article.write_text(RAW, encoding="utf-8")
    fake.script(Reply(bullets))
    service = make(CITEBOT_SEEDS_DIR=str(seeds))
    first = await service.summarize(None, "short")
    assert first.mode == "llm"
    assert await service.summarize("Kim Jong Un", "short") == first
    assert len(fake.requests) == 1
    await service.summarize(None, "long")
    assert len(fake.requests) == 2  # another length is another summary
    assert await make(CITEBOT_SEEDS_DIR=str(seeds)).summarize(None, "short") == first  # from disk
    assert len(fake.requests) == 2
    other_model = await make(CITEBOT_LLM_MODEL="another-model").summarize(None, "short")
    assert len(fake.requests) == 3 and other_model.mode == "llm"

    article.write_text(RAW.replace("has mostly kept to itself", "has kept to itself"), encoding="utf-8")
    report = service.ingest([str(article)])
    assert report.updated == 1
    fake.script(Reply(bullets))
    newer = await service.summarize(None, "short")
    assert len(fake.requests) == 1 and newer.mode == "llm"  # changed content, a new summary
    assert newer.doc_id == first.doc_id and "has kept to itself" in newer.points[0].citations[0].quote


async def test_without_a_model_summaries_are_extractive_and_cited(tmp_path: Path) -> None:
    service = build_service(Settings.from_env(env_for(tmp_path)))
    try:
        summary = await service.summarize(None, "short")
        assert summary.mode == "extractive" and len(summary.points) == 3
        assert_cited_verbatim(summary)
        assert await service.summarize(None, "short") is summary  # cached in memory
    finally:
        service.close()
