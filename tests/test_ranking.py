"""The sentence that answers, when a question restates what its whole article is about.

A question often names the article's topic ("the maternity pay rise", "the library closure")
before asking for one detail of it. The article's opening sentence holds every topic word and
sits closest to the question in WordLlama, so it used to be quoted in place of the sentence with
the detail. Words that run through the whole article now count less when choosing among its
sentences, and similarity is measured beyond what the article's sentences share."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.service import Service
from bot.wiring import build_service
from retrieval.lexical import terms
from retrieval.search import Hit, article_first
from retrieval.types import Passage
from tests.conftest import CORPUS, SEED, env_for
from tests.test_answerability import ARTICLE


def build(root: Path, files: dict[str, str]) -> Service:
    seeds = root / "seeds"
    seeds.mkdir()
    for name, text in files.items():
        (seeds / name).write_text(text, encoding="utf-8")
    return build_service(Settings.from_env(env_for(root, CITEBOT_SEEDS_DIR=str(seeds))))


@pytest.fixture(scope="module")
def women_at_work(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """Three BBC articles on maternity pay and women at work, alike in their words."""
    root = tmp_path_factory.mktemp("women")
    names = ["001.txt", "003.txt", "008.txt"]
    service = build(root, {n: (CORPUS / n).read_text(encoding="utf-8") for n in names})
    yield service
    service.close()


def cited_in(root: Path, files: dict[str, str], question: str) -> tuple[str, int, str]:
    """The first citation answering the question from a store of just these articles."""
    service = build(root, files)
    try:
        return first_citation(service, question)
    finally:
        service.close()


def first_citation(service: Service, question: str) -> tuple[str, int, str]:
    answer = asyncio.run(service.ask(question))
    assert not answer.not_found, question
    cited = answer.citations[0]
    return cited.title, cited.paragraph, cited.quote


def test_the_detail_asked_for_is_quoted_not_the_articles_opening(women_at_work: Service) -> None:
    question = "What was the business lobby's worry about the maternity pay rise for small companies?"
    title, paragraph, quote = first_citation(women_at_work, question)
    assert title == (CORPUS / "001.txt").read_text(encoding="utf-8").splitlines()[0]
    assert 'many small firms could be "crippled" by the move' in quote
    assert paragraph == 5
    assert "£1,400" not in quote  # the opening sentence, which restates the question's topic


def test_a_question_restating_the_lead_is_answered_from_the_detail(tmp_path: Path) -> None:
    _, paragraph, quote = cited_in(
        tmp_path, {"library.txt": ARTICLE},
        "Who will the year-long library closure for roof repairs hurt, according to critics?",
    )
    assert "the closure will hit pupils preparing for exams" in quote
    assert paragraph == 6



def test_an_article_about_the_question_is_chosen_over_one_sharing_a_rarer_word(tmp_path: Path) -> None:
    # "trust" is rare in the BBC piece and absent from the seed, where North Korea and China run
    # through every paragraph: discounting those words must not hand the question to the BBC piece
    service = build(tmp_path, {
        "kim.txt": SEED.read_text(encoding="utf-8"),
        "007.txt": (CORPUS / "007.txt").read_text(encoding="utf-8"),
    })
    try:
        answer = asyncio.run(service.ask("Does North Korea trust China?"))
    finally:
        service.close()
    assert not answer.not_found
    assert answer.citations[0].title == "With Hanoi in the Rearview, Will Kim Jong Un Turn to Russia?"
    assert "China" in answer.citations[0].quote


def _scored(doc: str, score: float, text: str = "A sentence.") -> Hit:
    return Hit(Passage(doc, doc, f"{doc}.txt", 1, 0, len(text), text, score), score, f"{doc}-{score}")


def test_an_article_that_answers_in_two_places_outweighs_one_lucky_sentence_elsewhere() -> None:
    lucky, first, second = _scored("a", 1.0), _scored("b", 0.8), _scored("b", 0.7)
    assert [h.passage.doc_id for h in article_first([lucky, first, second])] == ["b", "a", "b"]
    # a lead that its own article backs up stands
    backed = [_scored("a", 1.0), _scored("a", 0.6), _scored("b", 0.8), _scored("b", 0.7)]
    assert article_first(backed) == backed
    # one article: nothing to choose
    alone = [_scored("a", 1.0), _scored("a", 0.2)]
    assert article_first(alone) == alone


def test_initials_no_article_uses_stand_for_the_name_one_writes_out(tmp_path: Path) -> None:
    root = tmp_path
    (root / "seeds").mkdir()
    (root / "seeds" / "port.txt").write_text(
        "Port strike talks resume\n\nThe owners want the strike over before Christmas.\n\n"
        "The Harbour Workers Federation wants a pay rise of 6% for its members.\n",
        encoding="utf-8",
    )
    service = build_service(Settings.from_env(env_for(root, CITEBOT_SEEDS_DIR=str(root / "seeds"))))
    try:
        asyncio.run(service.ask("What do the owners want?"))  # ingests seeds/
        result = service.search("What does the HWF want?")
        assert set(terms("Harbour Workers Federation")) <= set(result.terms)
        assert "Harbour Workers Federation" in result.hits[0].passage.text
        # initials an article does use are searched as written
        assert "owner" in service.search("What do the owners want?").terms
    finally:
        service.close()


TAPES = """Councillors describe sexist jibes in new study

Some 83 councillors gave their answers in 100 hours of taped interviews for the study of town hall life.

Several said they had been mocked in the council chamber for their clothes.

One said a senior officer had asked her to fetch the tea at her first meeting.

The researchers said attitudes had changed since the 1990s, but only slowly.

The recordings will be placed in the county library as a historical record.
"""


def test_a_where_question_is_answered_by_a_sentence_that_says_where(tmp_path: Path) -> None:
    """The sentence that restates the question ("taped interviews", "councillors") says nowhere;
    the one that says where they go ("in the county library") is quoted first."""
    _, paragraph, quote = cited_in(tmp_path, {"tapes.txt": TAPES}, "Where will the taped interviews with councillors be kept?")
    assert "placed in the county library" in quote
    assert paragraph == 5


DEADLINE = """Mayor gives council until spring

The mayor has lost patience with the council over the harbour plan.

Of course, the old council was a loyal ally of the mayor's predecessor. It backed every plan he made.

She has set a deadline of the end of April for the council to come around and back the plan.
"""


def test_of_course_that_frames_a_sentence_is_no_match_for_change_course(tmp_path: Path) -> None:
    # "Of course, ..." says nothing about a course: the rare word must not pull the question
    # to that sentence, away from the deadline it asks about
    _, paragraph, quote = cited_in(
        tmp_path, {"harbour.txt": DEADLINE}, "How long has the mayor given the council to change course?"
    )
    assert "the end of April" in quote
    assert paragraph == 3


def test_one_sentence_quoting_the_question_outweighs_two_weak_ones_elsewhere(tmp_path: Path) -> None:
    """Among the seed and the 13 BBC articles, "really" and "mean" are in two sentences of the
    sexism piece, each scoring half what the Kim sentence quoting "corresponding measures" does.
    Two weak sentences used to lead over one that holds the phrase asked about."""
    files = {p.name: p.read_text(encoding="utf-8") for p in [SEED, *sorted(CORPUS.glob("*.txt"))]}
    service = build(tmp_path, files)
    try:
        for question in ["what does 'corresponding measures' really mean?", "wat does 'corresponding measures' really mean"]:
            title, paragraph, quote = first_citation(service, question)
            assert title == SEED.read_text(encoding="utf-8").splitlines()[0], question
            assert paragraph == 3
            assert "“corresponding measures”\xa0— read: sanctions relief" in quote
    finally:
        service.close()


def test_who_holds_a_post_is_answered_by_the_name_given_with_it(tmp_path: Path) -> None:
    """The sentence naming the agency with the question's words and someone else (the reporter)
    scores best; the one that gives the boss's name beside the post is quoted first."""
    article = (
        "Minister in poster row\n\nThe minister was questioned after claims that the party's advertising "
        "agency Brightline was blaming her for the row over its posters, the Daily Post's Tom Hale reported.\n\n"
        "She suggested the party should ask Nina Park, Brightline's boss, to issue a statement.\n\n"
        "The posters will be withdrawn on Friday.\n"
    )
    _, paragraph, quote = cited_in(tmp_path, {"agency.txt": article}, "Who is the boss of the party's advertising agency Brightline?")
    assert "Nina Park, Brightline's boss" in quote
    assert paragraph == 2
