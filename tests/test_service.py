"""The core service with real Chroma and WordLlama: what every door will show."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.errors import EmptyStore, InputError
from bot.models import NOT_FOUND_TEXT, Turn
from bot.service import Service
from tests.conftest import CORPUS, SEED


async def test_card_question_quotes_the_new_way_passage_as_paragraph_three(service: Service) -> None:
    answer = await service.ask("What did Kim say about a new way?")
    assert not answer.not_found
    assert answer.mode == "extractive"
    first = answer.citations[0]
    assert "pursue a “new way”" in first.quote
    assert first.paragraph == 3
    assert first.title == "With Hanoi in the Rearview, Will Kim Jong Un Turn to Russia?"
    raw = SEED.read_text(encoding="utf-8")
    for c in answer.citations:
        assert raw[c.start : c.end] == c.quote  # every quote is verbatim at its offsets
    assert "[1]" in answer.text


async def test_off_topic_question_is_declined_without_citations(service: Service) -> None:
    answer = await service.ask("Who won the 2018 FIFA World Cup?")
    assert answer.not_found
    assert answer.citations == ()
    assert answer.text == NOT_FOUND_TEXT


async def test_who_is_kim_expected_to_meet_names_putin(service: Service) -> None:
    answer = await service.ask("Who is Kim expected to meet next?")
    assert "Vladimir Putin" in answer.citations[0].quote


async def test_follow_up_uses_the_question_before(service: Service) -> None:
    history = [Turn("user", "Which countries signed the trilateral statement?"), Turn("assistant", "…")]
    answer = await service.ask("and what did they favor?", history)
    assert "limited sanctions relief" in answer.citations[0].quote


async def test_summary_points_are_cited_verbatim(service: Service) -> None:
    summary = await service.summarize(None, "short")
    raw = SEED.read_text(encoding="utf-8")
    assert summary.mode == "extractive"
    assert len(summary.points) == 3
    starts = []
    for point in summary.points:
        (c,) = point.citations
        assert raw[c.start : c.end] == c.quote
        assert 1 <= c.paragraph <= 9
        starts.append(c.start)
    assert starts == sorted(starts)  # in article order
    longer = await service.summarize("Kim Jong Un", "long")
    assert len(longer.points) > len(summary.points)


async def test_sources_lists_the_seed(service: Service) -> None:
    listing = (await service.sources()).to_dict()
    (doc,) = listing["documents"]
    assert doc["title"].startswith("With Hanoi in the Rearview")
    assert doc["passages"] == 10  # the standfirst and 9 body paragraphs
    assert doc["words"] > 500
    assert set(doc) == {"id", "title", "source", "passages", "words", "ingested_at"}


@pytest.mark.parametrize("question", ["", "   ", "\u202e\u200b\x07"])
async def test_empty_questions_get_a_clear_message(service: Service, question: str) -> None:
    with pytest.raises(InputError, match="Ask me a question"):
        await service.ask(question)


async def test_overlong_question_is_refused_with_the_limit(service: Service) -> None:
    with pytest.raises(InputError, match="limit is 1,000"):
        await service.ask("why " * 5000)


async def test_empty_store_without_seeds_says_how_to_fill_it(make_service: Callable[..., Service]) -> None:
    service = make_service(CITEBOT_AUTO_SEED="false")
    with pytest.raises(EmptyStore, match="citebot ingest"):
        await service.ask("What did Kim say?")


async def test_an_answer_does_not_depend_on_the_questions_asked_before_it(
    make_service: Callable[..., Service],
) -> None:
    """Two people asking the same question get the same quotes, whatever either asked first
    (word vectors were once cached under the first spelling any question gave a stem)."""
    question = "Who has traditionally been the one to call for a pre-election TV debate?"
    fresh = make_service()
    fresh.ingest([str(CORPUS)])
    expected = [(c.doc_id, c.start, c.end) for c in (await fresh.ask(question)).citations]
    assert expected
    primed = make_service()
    await primed.ask("How much compensation did the Conlon and Maguire families get from the government?")
    got = [(c.doc_id, c.start, c.end) for c in (await primed.ask(question)).citations]
    assert got == expected


async def test_a_long_running_worker_reads_the_store_as_a_fresh_one_does(
    make_service: Callable[..., Service], tmp_path: Path
) -> None:
    """Each stem's vector is made from the first spelling in the store: when a document that
    alone wrote "negotiate" is replaced, a worker that read it before must forget it, as a
    worker started afterwards never knew it, or the two could rank the same question apart."""
    talks, other = tmp_path / "talks.txt", tmp_path / "other.txt"
    talks.write_text("Talks\n\nThe envoys will negotiate a ceasefire in March.\n", encoding="utf-8")
    other.write_text("Other\n\nNegotiations on the ceasefire stalled on Friday.\n", encoding="utf-8")
    before = make_service()
    before.ingest([str(talks), str(other)])
    await before.ask("When will the envoys meet?")
    assert before.searcher.snapshot().surface["negoti"] == "negotiate"
    talks.write_text("Talks\n\nThe envoys will meet about a ceasefire in March.\n", encoding="utf-8")
    writer = make_service()
    assert writer.ingest([str(talks)]).updated == 1
    before.searcher.invalidate()
    await before.ask("When will the envoys meet?")
    after = make_service()
    await after.ask("When will the envoys meet?")
    assert before.searcher.snapshot().surface == after.searcher.snapshot().surface
    assert after.searcher.snapshot().surface["negoti"] == "negotiations"
