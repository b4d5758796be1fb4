"""A question that points at a part of the article is answered from that part.

Readers quote the article's shape back at it: "according to the subtitle", "per the subhead",
"in the closing line". The words of such a question often fit a body sentence better than the
part it points at (the standfirst sums up in general words), and "subtitle" is a word no
article uses, which used to count against answering at all."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.service import Service
from bot.wiring import build_service
from tests.conftest import env_for

PORT = """Will the harbour town look to France?

Recent Features

Will the harbour town look to France?

A ferry deal with Calais would show the mayor has friends beyond London.

Will the harbour town look to France?
Credit: Harbour Council Press Office

Since the collapse of the harbour talks in Dover last week, the council has said little.

The mayor is likely to meet the head of the Calais ferry company next month, a deal that would show how far the town has come.

Councillors say the town needs new jobs after the fish market closed in March.

The mayor has also written to shipping firms in Belgium and the Netherlands.

Whether France is the town's way out may be settled at the meeting in Calais.
"""


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    root = tmp_path_factory.mktemp("parts")
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / "port.txt").write_text(PORT, encoding="utf-8")
    service = build_service(Settings.from_env(env_for(root, CITEBOT_SEEDS_DIR=str(seeds))))
    yield service
    service.close()


def first(service: Service, question: str) -> tuple[str, str]:
    """Where the first citation points ("subtitle", "¶2"; a one-sentence paragraph is quoted
    with the sentence after it, "¶2–3") and its quote."""
    answer = asyncio.run(service.ask(question))
    assert not answer.not_found, question
    return answer.citations[0].where, answer.citations[0].quote


@pytest.mark.parametrize(
    "question",
    [
        "According to the subtitle, what would a ferry deal with the head of the Calais company show?",
        "what would a ferry deal with calais show about the mayor, per the subhead",
        "Per the line beneath the headline, what would a deal with the Calais ferry company show?",
        "In the piece's subheading, what would a deal with Calais show?",
        # "say" here asks for the text's words, not someone's
        "What does the subtitle say a ferry deal with Calais would show?",
    ],
)
def test_a_question_pointing_at_the_subtitle_is_answered_from_it(port: Service, question: str) -> None:
    where, quote = first(port, question)
    assert where == "subtitle"
    assert "the mayor has friends beyond London" in quote


def test_without_the_pointer_the_body_sentence_that_fits_is_quoted(port: Service) -> None:
    where, quote = first(port, "What would a ferry deal with the head of the Calais company show?")
    assert where.startswith("¶2")
    assert "how far the town has come" in quote


def test_a_question_pointing_at_the_closing_line_is_answered_from_it(port: Service) -> None:
    # its words fit the paragraph on the mayor's meeting better: "meeting", "Calais", "ferry"
    where, quote = first(port, "According to the closing line, what could the mayor's meeting with the Calais ferry boss settle?")
    assert where == "¶5"
    assert "Whether France is the town's way out may be settled" in quote
