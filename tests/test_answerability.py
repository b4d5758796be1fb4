"""When an article answers and when it does not, on an article citebot was never tuned on.

Each declined question names things the article does speak of (the library, the repairs, the
head librarian) and asks for something it never gives: the bot must say so, not quote the
nearest sentence. Each answered one is a neighbour of a declined one, so a rule that declines
too much fails here too."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from bot.answer import reacts
from bot.config import Settings
from bot.models import NOT_FOUND_TEXT
from bot.service import Service
from bot.wiring import build_service
from retrieval.answer_types import AnswerType, holds, question_type
from retrieval.search import Hit, SearchResult, reports_speech
from retrieval.types import Passage
from tests.conftest import env_for

ARTICLE = """Riverside library to close for a year of repairs

Riverside's central library will close on 1 March for a year of repairs to its leaking roof, the town council announced on Tuesday.

About 40,000 books will be moved to a temporary reading room in the old post office on Mill Lane, where opening hours will be shorter.

The head librarian said staff would keep running the children's reading club from the temporary site.

Council leader Maria Okafor said: "The roof has leaked for a decade, and patching it again would only waste money."

The repairs are expected to cost £2.4m, paid for from the council's building fund.

Opposition councillors have criticised the timing, saying the closure will hit pupils preparing for exams.

The Riverside Reading Society raised £30,000 in its spring appeal, and says the money will be spent on a reading garden behind the library.

A short history, which tells how the library first opened its doors to readers and then slowly grew into the busiest building on the high street, will be printed for the town's June 14 Summer Fair.
"""


@contextmanager
def articles(tmp_path: Path, *texts: str) -> Iterator[Service]:
    """A service whose store holds only these articles, ingested from seeds/ on first ask."""
    (tmp_path / "seeds").mkdir()
    for n, text in enumerate(texts):
        (tmp_path / "seeds" / f"article{n or ''}.txt").write_text(text, encoding="utf-8")
    service = build_service(Settings.from_env(env_for(tmp_path, CITEBOT_SEEDS_DIR=str(tmp_path / "seeds"))))
    try:
        yield service
    finally:
        service.close()


def one_article(tmp_path: Path, text: str) -> AbstractContextManager[Service]:
    """A service whose store holds only this article."""
    return articles(tmp_path, text)


def article_fixture(name: str, text: str) -> Callable[[pytest.TempPathFactory], Iterator[Service]]:
    """A fixture `name`: a service holding only this article, ingested once for the module."""

    @pytest.fixture(scope="module", name=name)
    def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
        with one_article(tmp_path_factory.mktemp(name), text) as answering:
            yield answering

    return service


library = article_fixture("library", ARTICLE)


def ask(service: Service, question: str) -> tuple[bool, str, int]:
    answer = asyncio.run(service.ask(question))
    if answer.not_found:
        assert answer.citations == () and answer.text == NOT_FOUND_TEXT
        return True, "", 0
    first = answer.citations[0]
    assert ARTICLE.count(first.quote) == 1  # verbatim
    return False, first.quote, first.paragraph


@pytest.mark.parametrize(
    ("question", "quoted", "paragraph"),
    [
        ("How many books will be moved?", "About 40,000 books", 2),
        ("Where will the books go during the repairs?", "old post office on Mill Lane", 2),
        # chat names the article first: the question is what follows
        ("library piece: where will the books go during the repairs?", "old post office on Mill Lane", 2),
        ("What did Maria Okafor say about the roof?", "leaked for a decade", 4),
        ("How much will the repairs cost?", "£2.4m", 5),
        ("When will the library close?", "on 1 March", 1),
        ("Who will keep the children's reading club going?", "head librarian", 3),
        # initials the article writes out in full are words it uses, not unknown ones
        ("What did the RRS collect?", "raised £30,000", 7),
        # "where" money goes is what it is spent on
        ("Where will the RRS's money be spent?", "spent on a reading garden", 7),
        # "how much cash": a sum of money answers it, though the article never says "cash"
        ("How much cash did the reading society raise?", "raised £30,000", 7),
        # words the article never uses, but a name it does and a date where one is asked for
        ("When does Riverside's athenaeum shut?", "on 1 March", 1),
        # chat's spellings of the question words are those words, not unknown ones
        ("wher will the books go", "old post office on Mill Lane", 2),
        ("wut happens to the books", "About 40,000 books", 2),
        # a clause setting the time is not a "when" question: where is asked
        ("When the library closes, where will the books go?", "old post office on Mill Lane", 2),
    ],
)
def test_answerable_questions_quote_the_answer(library: Service, question: str, quoted: str, paragraph: int) -> None:
    declined, quote, n = ask(library, question)
    assert not declined, question
    assert quoted in quote
    assert n == paragraph


@pytest.mark.parametrize(
    "question",
    [
        "How much oil does the town export?",  # "oil": the thing counted is never mentioned
        "How many Riverside volunteers will help with the move?",  # a place is not what is counted
        "What is the name of the head librarian?",  # the librarian is never named
        "whats the name of the head librarian",  # ... however chat spells "what's"
        "What did Mayor Jones say about the closure?",  # nobody called Jones in the article
        "Which city will host the 2031 book fair?",  # a figure the article never gives
        "In what year was the library built?",  # no year anywhere near the library
        "What is the population of Riverside?",  # a measure the article never takes
        "whats the population of riverside",  # ... asked as chat asks it
        "Which constituency does Maria Okafor represent?",  # a place the article never names
        "When did the library open?",  # the one date in that sentence is the fair's, 20 words on
    ],
)
def test_questions_the_article_cannot_answer_are_declined(library: Service, question: str) -> None:
    declined, quote, _ = ask(library, question)
    assert declined, f"{question!r} was answered with {quote!r}"


def test_the_article_file_is_what_was_ingested(library: Service) -> None:
    (doc,) = library.documents()
    assert doc.title == "Riverside library to close for a year of repairs"


def test_a_one_sentence_paragraph_is_quoted_with_the_sentence_after_it(library: Service) -> None:
    answer = asyncio.run(library.ask("What did Maria Okafor say about the roof?"))
    first = answer.citations[0]
    assert first.quote.startswith("Council leader Maria Okafor said:")
    assert first.quote.endswith("paid for from the council's building fund.")
    assert ARTICLE[first.start : first.end] == first.quote  # verbatim, paragraph break included
    assert (first.paragraph, first.paragraph_end, first.where) == (4, 5, "¶4–5")


FERRY = """Island ferry service cut to two sailings a day

Islanders learned on Monday that their lifeline to the mainland is being reduced. Campaigners called the decision a betrayal.

The ferry operator will cut its island service to two sailings a day from next month.

Photo: Harbour Images/Staff

Fuel costs have doubled since the spring, the operator's chief executive said.

Islanders say the morning sailing is too early for hospital appointments on the mainland.
"""


def test_a_credit_line_between_paragraphs_is_never_quoted(tmp_path: Path) -> None:
    with one_article(tmp_path, FERRY) as service:
        answer = asyncio.run(service.ask("How many sailings a day will the ferry make?"))
        first = answer.citations[0]
        assert "two sailings a day" in first.quote
        assert all("Harbour Images" not in c.quote for c in answer.citations)
        assert first.where == "¶2"


ARCHIVE = """Council e-mails to be kept for ten years

The council will keep its staff e-mails for ten years, it said on Friday.

The Freedom of Information Act gives the public a right to see them, the information commissioner said.

The old rule, which let staff delete e-mails after three months, ends in April.
"""


def test_initials_with_an_of_in_them_name_what_the_article_writes_out(tmp_path: Path) -> None:
    with one_article(tmp_path, ARCHIVE) as service:
        # "FOI" is "Freedom of Information": the article does name it, so this is answered
        answer = asyncio.run(service.ask("Who said FOI lets the public see the e-mails?"))
        assert not answer.not_found
        assert "the information commissioner said" in answer.citations[0].quote
        assert answer.citations[0].paragraph == 2
        # a name it never gives, in any form, is still declined
        assert asyncio.run(service.ask("Who said the GDPR lets the public see the e-mails?")).not_found


LEAVE = """Paid leave for new fathers to double

New fathers will get four weeks of paid leave instead of two from next April, the government said.

Each father will receive an extra £300 during his leave, ministers said.

Employers' groups said the cost to the public purse had not yet been worked out.
"""


HARBOUR = """Harbour talks end without a deal

Since the collapse of the harbour talks in Dover last week, the council has said little.

The mayor has yet to meet the port's new chairman, Tom Reid, who took over in May.

Her silence is particularly telling given her promise of regular meetings with the port.

A reception hosted by the French ambassador in Calais was attended by the Harbour Council.

After a week of talks, the ferry strike was called off because the company raised pay by 5%.

The mayor hopes the two sides will settle their differences at a summit of harbour towns.
"""


harbour = article_fixture("harbour", HARBOUR)


@pytest.mark.parametrize(
    "question",
    [
        # the collapse is only the time the sentence starts from: no reason is given
        "Why did the harbour talks collapse?",
        "Why did the Dover talks collapse last week?",
        "What was the main reason the harbour talks collapsed?",  # a "why" in other words
        "What caused the harbour talks to collapse?",
        # who holds a post is a person: a council is not the ambassador's name
        "Who is the French ambassador in Calais?",
        "What was the French ambassador's name?",
        "What's the name of the French ambassador in Calais?",
        # a reaction is told where it happens: Tom Reid is named only in the next paragraph
        "How did Tom Reid respond to the collapse of the harbour talks?",
        "how did tom reid respond to the collapse of the harbour talks?",  # typed in lower case
        # named in the paragraph, but not as saying or doing anything in reply
        "How did Tom Reid respond to the mayor's failure to meet him?",
        "What did Tom Reid say in response to the mayor's failure to meet him?",
        "what did tom reid say in reaction to the mayor's silence",
        # "at a summit" is not where a meeting will be held
        "Where will the two sides meet to settle their differences?",
        # where their meeting will be is not where other talks were ("in Dover")
        "Where will Tom Reid and the mayor hold their harbour talks?",
        "where are Tom Reid and the mayor gonna hold their harbour talks",
        "Where are Tom Reid and the mayor scheduled to hold their harbour talks?",
    ],
)
def test_tempting_questions_the_article_does_not_answer_are_declined(harbour: Service, question: str) -> None:
    assert_declined(harbour, question)


def assert_declined(service: Service, question: str) -> None:
    """The question gets the plain "doesn't say", citing nothing."""
    answer = asyncio.run(service.ask(question))
    assert answer.not_found and answer.citations == (), f"{question!r}: {answer.text}"


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("Why was the ferry strike called off?", "because the company raised pay by 5%"),
        ("Who is the port's new chairman?", "Tom Reid"),
    ],
)
def test_their_neighbours_are_answered(harbour: Service, question: str, quoted: str) -> None:
    first_quote(harbour, question, quoted)


def first_quote(service: Service, question: str, quoted: str) -> str:
    """The first citation's quote, which must hold `quoted`."""
    answer = asyncio.run(service.ask(question))
    assert not answer.not_found, question
    assert quoted in answer.citations[0].quote
    return answer.citations[0].quote


def test_telling_as_an_adjective_reports_nobodys_words() -> None:
    assert not reports_speech("Her silence is particularly telling given the plans for regular meetings.")
    assert reports_speech("He was telling reporters that the talks would resume.")
    assert reports_speech("The mayor told the council the talks had failed.")



def _hit(text: str, score: float, doc: str = "a") -> Hit:
    return Hit(Passage(doc, "T", f"{doc}.txt", 1, 0, len(text), text, score), score, f"{doc}-1")


@pytest.mark.parametrize(
    ("runner_up", "leads"),
    [
        (_hit("Priya Shah, who ran housing in Leeds, will lead the planning team.", 0.95), True),
        # not close enough: the best stands, and (holding no name) is declined later
        (_hit("Priya Shah, who ran housing in Leeds, will lead the planning team.", 0.5), False),
        # another article's name is no answer to this one's question
        (_hit("Priya Shah, who ran housing in Leeds, will lead the planning team.", 0.95, "b"), False),
    ],
)
def test_a_close_runner_up_holding_a_name_leads_a_who_question(
    library: Service, runner_up: Hit, leads: bool
) -> None:
    question = "Who is the council's new head of planning?"
    best = _hit("The council named its new head of planning on Monday.", 1.0)
    result = SearchResult(question, (), (), False, question_type(question), False, {}, [best, runner_up])
    first = library.answerer.typed_first(result).hits[0]
    assert first is (runner_up if leads else best)


@pytest.mark.parametrize(
    ("question", "score", "leads"),
    [
        # "where": a place further down the article leads at 0.8 of the best
        ("Where will the taped interviews end up?", 0.82, True),
        ("Where will the taped interviews end up?", 0.7, False),
        # other kinds keep the closer bar: a name at 0.82 of the best does not lead
        ("Who will keep the taped interviews?", 0.82, False),
    ],
)
def test_a_place_further_down_leads_a_where_question_sooner_than_other_kinds(
    library: Service, question: str, score: float, leads: bool
) -> None:
    best = _hit("Some 83 MPs gave their answers in 100 hours of taped interviews for the study.", 1.0)
    runner_up = _hit("The interviews are to be placed in the British Library by Ann Lee.", score)
    result = SearchResult(question, (), (), False, question_type(question), False, {}, [best, runner_up])
    first = library.answerer.typed_first(result).hits[0]
    assert first is (runner_up if leads else best)


RECORDS = """Council tightens its records rules

The council will keep its letters and e-mails for ten years, it said on Friday.

Staff who delete records early face disciplinary action, the chief executive warned.

Paper files will be scanned and stored in the town archive on Mill Lane.
"""


@pytest.mark.parametrize("question", ["Will emails be kept?", "how long are emails stored"])
def test_email_and_e_mail_are_one_word(tmp_path: Path, question: str) -> None:
    with one_article(tmp_path, RECORDS) as service:
        answer = asyncio.run(service.ask(question))
        assert not answer.not_found, question
        assert "letters and e-mails for ten years" in answer.citations[0].quote


@pytest.mark.parametrize(
    ("article", "answered"),
    [
        ("The old power station was finally sold on Monday, the council said.\n\n"
         "Council leader Ann Patel said a good deal for the power station had been secured.\n\n"
         "The site will become a museum and flats.\n", ""),
        ("The old power station was finally sold on Monday, the council said.\n\n"
         "Harbour Homes bought the power station for £2m after a long search.\n\n"
         "The site will become a museum and flats.\n", "Harbour Homes"),
        # where the site is ("in Greenwich, London") is no firm
        ("The old power station was finally sold on Monday, the council said.\n\n"
         "More than £2m could now come back to the council in the wake of the deal to rebuild "
         "the site in Greenwich, London.\n\n"
         "The site will become a museum and flats.\n", ""),
        # a firm that worked on the deal did not buy anything
        ("The old power station was finally sold on Monday, the council said.\n\n"
         "Council leader Ann Patel said Harbour Partnerships had worked hard to get a deal.\n\n"
         "The site will become a museum and flats.\n", ""),
    ],
)
@pytest.mark.parametrize(
    "question", ["Which company bought the power station in the deal?", "Which company is buying the site under the deal?"]
)
def test_which_company_bought_it_wants_a_firm_not_the_official_who_welcomed_the_deal(
    tmp_path: Path, article: str, answered: str, question: str
) -> None:
    with one_article(tmp_path, "Power station sold\n\n" + article) as service:
        answer = asyncio.run(service.ask(question))
        if answered:
            assert answered in answer.citations[0].quote
        else:
            assert answer.not_found, answer.text


@pytest.mark.parametrize(
    ("question", "sentence", "kind", "holds_one"),
    [
        # a figure glued to a name is no amount
        ("How much was the agency paid?", "The e-mail went by mistake to BBC2's Newsnight.", AnswerType.NUMBER, False),
        ("How much was the agency paid?", "The agency was paid £5m for the posters.", AnswerType.NUMBER, True),
        ("How much less are women paid than men?", "Women are paid 19% less than men.", AnswerType.NUMBER, True),
        # what something is worth is a figure: a year is not one
        ("What is the value of trade with Russia?", "Trade with Russia has grown since 2014.", AnswerType.NUMBER, False),
        # a seat is a place someone stands in or for: "to the Treasury" names a body
        ("Which seat is Tom Reid standing in?", "Tom Reid left his post at the Treasury to stand for Labour.", AnswerType.PLACE, False),
        ("Which seat is Tom Reid standing in?", "Tom Reid is the Labour candidate for Normanton.", AnswerType.PLACE, True),
        ("What is Tom Reid's constituency?", "Tom Reid said the roof survey was published in January.", AnswerType.PLACE, False),
        ("What is Tom Reid's constituency?", "Tom Reid, the MP for Normanton, said so.", AnswerType.PLACE, True),
        ("How often will the mayor brief the press?", "The mayor will hold a press briefing at the town hall every morning.", AnswerType.TIME, True),
        # a time next to the deadline asked for, though far from the question's other words
        ("What deadline has the mayor given the operators to change their approach?",
         "He has set a timeline until the end of June for the ferry firms to come around on fares and make a bold and lasting decision on their whole approach.",
         AnswerType.TIME, True),
        ("How often will the mayor brief the press?", "The opposition plans to hold daily briefings.", AnswerType.TIME, True),
        ("How often will the mayor brief the press?", "The mayor will hold press briefings at the town hall.", AnswerType.TIME, False),
        # a body is no minister, whatever its last word: "News", "Forces", "Council"
        ("Which minister criticised the report?", "The report was criticised by the Evening News.", AnswerType.PERSON, False),
        ("Which minister criticised the report?", "The report was criticised by minister Jane Hill.", AnswerType.PERSON, True),
        # a meeting is not where a meeting will be held...
        ("Where will the two mayors meet?", "They may settle it at a summit of harbour towns.", AnswerType.PLACE, False),
        # ... but a gathering does say where something else was said or done
        ("Where did the mayor rule out a debate?", "The answer is no, she said at her monthly news conference.", AnswerType.PLACE, True),
        ("Where was the minister speaking?", "She was speaking at a gender and productivity seminar.", AnswerType.PLACE, True),
        # a city with an adjective is still a city; a country's ambassador is still a person
        ("Which French city hosted the harbour talks?", "The harbour talks were held in Calais.", AnswerType.PLACE, True),
        ("Who is France's ambassador in Calais?",
         "A reception hosted by the French ambassador in Calais was attended by the Harbour Council.",
         AnswerType.PERSON, False),
        # "which local government body": a body, named
        ("Which local government body approved the plan?", "The plan was approved by Harbour Council on Monday.",
         AnswerType.PERSON, True),
        # how many days: a span of time, not any figure
        ("How many days did the harbour talks last?", "Her silence is telling given the promise of talks between the two towns.", AnswerType.NUMBER, False),
        ("How many days did the harbour talks last?", "The harbour talks lasted two days.", AnswerType.NUMBER, True),
        # the name of something is written next to it, not anywhere in the sentence
        ("What is the name of the test site that the council closed?",
         "In her New Year address, Mayor Ann Patel praised the closure of its test site.", AnswerType.PERSON, False),
        ("What is the name of the test site that the council closed?",
         "The council closed the Harwick test site last year.", AnswerType.PERSON, True),
        # a rate is a figure: a sentence that only speaks of rates does not give one
        ("What is the central bank's interest rate at the moment?",
         "If the bank raises interest rates, borrowing will slow, she said.", AnswerType.NUMBER, False),
        ("What's the weekly rate new fathers get?", "Fathers get £102.80 a week for two weeks.", AnswerType.NUMBER, True),
        # however many words name the rate
        ("What is the Bank of England's current base interest rate?",
         "If the Bank of England were to raise interest rates, borrowing would slow, she said.", AnswerType.NUMBER, False),
        # "what is X called": a name, next to X
        ("What's the mayor's grandfather called?", "Mayor Ann Patel says she learnt to sail from her late grandfather.",
         AnswerType.PERSON, False),
        ("What was the film called?", "The case was told in the film In The Name Of The Father.", AnswerType.PERSON, True),
        # a salary is a sum of money, not any figure
        ("What salary does the mayor earn?", "Mayor Ann Patel has run 3 marathons since her election.",
         AnswerType.NUMBER, False),
        ("What salary does the mayor earn?", "The mayor is paid £60,000 a year.", AnswerType.NUMBER, True),
        # "which outlet": a body that publishes, named
        ("Which outlet ran the story about the harbour?", "The story was first run by the Harbour Gazette.",
         AnswerType.PERSON, True),
        ("Which outlet ran the story about the harbour?", "The story about the harbour was run last week.",
         AnswerType.PERSON, False),
        # "which agreement": a pact named by what it is, whatever word the question uses
        ("Which agreement does the council say the port is failing to live up to?",
         "The council says the port has not kept to the 2019 harbour declaration it signed.", AnswerType.PERSON, True),
        ("Which agreement does the council say the port is failing to live up to?",
         "The council says the port has failed the town, in the view of Mayor Ann Patel.", AnswerType.PERSON, False),
    ],
)
def test_what_each_kind_of_question_needs(question: str, sentence: str, kind: AnswerType, holds_one: bool) -> None:
    assert question_type(question) is kind
    assert holds(kind, sentence, question) is holds_one


@pytest.mark.parametrize(
    "question",
    [
        "What did the chief say about the roof?",  # the role speaks; no name is asked for
        "What did Harbour Council leader Ann Patel say about the vote?",
    ],
)
def test_a_role_that_speaks_is_not_the_kind_of_answer_asked(tmp_path: Path, question: str) -> None:
    assert question_type(question) is None
    # what the user sees: what was said, not "doesn't say" for want of a name the question lacks
    article = (
        "Harbour vote passes\n\nHarbour Council leader Ann Patel said the vote was a victory for the town.\n\n"
        "The chief said the roof would be fixed by May.\n"
    )
    with one_article(tmp_path, article) as service:
        answer = asyncio.run(service.ask(question))
    assert not answer.not_found
    assert ("fixed by May" if "roof" in question else "a victory for the town") in answer.citations[0].quote


SEA_WALL = """Harbour wall plan approved

The council will build a new sea wall at the harbour at a cost of £2m.

Three councillors voted against the harbour plan on Monday.

Fishermen say the wall will protect their boats from winter storms.
"""


BUSES = """Council to vote on bus lanes

The council is set to vote next week on whether to add bus lanes to the high street.

Shop owner Tom Reid says about 300 shopkeepers fear the lanes will cost them trade.

Last year the council voted to ban lorries from the high street after a long campaign.
"""


@pytest.mark.parametrize(
    ("article", "declined", "asked", "quoted"),
    [
        # the £300 each father gets is not what the plan costs, and no cost is given
        (LEAVE, ("How much will doubling paternity leave cost the government in total?",
                 "What will the longer paternity leave cost the taxpayer each year?",
                 # "paid" here describes the leave: the question asks a cost, not a payment
                 "How much will extending paid leave for new fathers cost the taxpayer?"),
         "How much extra will each father receive?", "an extra £300"),
        # how a vote went is not answered by a vote still to come
        (BUSES, ("What was the result of the council's vote on bus lanes?",
                 "How did the council vote on the bus lanes?",
                 "By how many votes did the council pass the bus lanes plan?",
                 "who won the council vote on bus lanes?",
                 "How many councillors voted for the bus lanes?",
                 "Did the council end up voting for the bus lanes?",
                 "Which way did the council vote on the bus lanes?",
                 "By what margin did the council back the bus lanes?",
                 "Which side won the council vote on bus lanes?",
                 "What did the council decide at its vote on the bus lanes?",
                 "When did the council actually vote on the bus lanes?"),
         "How did the council vote on lorries last year?", "voted to ban lorries"),
        # a count of boats is not answered by the £2m in a paragraph that never speaks of boats
        (SEA_WALL, ("How many fishing boats use the harbour?",),
         "How many councillors voted against the plan?", "Three councillors"),
    ],
)
def test_a_figure_or_outcome_the_article_does_not_give_is_declined_and_its_neighbour_answered(
    tmp_path: Path, article: str, declined: tuple[str, ...], asked: str, quoted: str
) -> None:
    with one_article(tmp_path, article) as service:
        for question in declined:
            assert asyncio.run(service.ask(question)).not_found, question
        assert quoted in asyncio.run(service.ask(asked)).citations[0].quote


DEBATE = """Mayor rules out debate

Mayor Ann Patel has said she will not take part in a TV debate with her rivals before the vote.

"We answer this every campaign and the answer is no," she told reporters on Monday.

Her rivals said she was afraid of the voters.
"""


def test_a_one_sentence_paragraph_that_runs_on_answers_with_the_sentence_after_it(tmp_path: Path) -> None:
    """News gives a sentence a paragraph: when she ruled it out is in the next one, which the
    quote runs on into, so the question is answered, not declined."""
    with one_article(tmp_path, DEBATE) as service:
        answer = asyncio.run(service.ask("When did the mayor rule out taking part in a TV debate?"))
        assert not answer.not_found, answer.text
        assert "on Monday" in answer.citations[0].quote
        assert answer.citations[0].paragraph == 1


TOWN = """Port town looks west

The port has been cut off from the west since 2014, its mayor said.

Mayor Ann Patel accused the prime minister of "hiding from the voters" over the port's future.

The business group said any spare cash should be spent on training dock workers.
"""


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        # "Western" is the article's "west"
        ("Since what year has the port been cut off from Western markets?", "since 2014"),
        # "the PM" is the article's "prime minister"
        ("What did the mayor accuse the PM of?", "hiding from the voters"),
        # where money should go is what it is spent on, not a place
        ("Where did the business group want any spare cash to go?", "spent on training dock workers"),
        # ... however the question orders its words
        ("Where did the business group want the mayor to put any spare cash?", "spent on training dock workers"),
        ("Where did the business group want any spare cash directed?", "spent on training dock workers"),
    ],
)
def test_a_question_may_say_it_in_other_words_news_uses(tmp_path: Path, question: str, quoted: str) -> None:
    with one_article(tmp_path, TOWN) as service:
        answer = asyncio.run(service.ask(question))
        assert not answer.not_found, question
        assert quoted in answer.citations[0].quote


def test_a_past_form_in_a_question_is_the_word_the_article_uses(tmp_path: Path) -> None:
    """"met" in a question is the article's "met" (and "meet"): not a word the article never
    uses, which would make the bot decline."""
    article = (
        "Harbour news\n\nThe mayor spoke to fishermen about the harbour wall on Monday.\n\n"
        "On Tuesday the mayor met Tom Reid, the port's new chairman.\n\n"
        "The mayor thanked volunteers at the harbour festival.\n"
    )
    with one_article(tmp_path, article) as service:
        answer = asyncio.run(service.ask("Whom has she met?"))
        assert not answer.not_found, answer.text
        assert "met Tom Reid" in answer.citations[0].quote


@pytest.mark.parametrize(
    ("who", "text", "replied"),
    [
        (["Ann", "Patel"], "The harbour master, Ann Patel, said: \"We are disappointed.\"", True),
        (["Tories"], "The Tories dismissed the plan as \"desperate\".", True),
        (["Lib", "Dems"], "The Tories mocked it, while the Liberal Democrats said it was misdirected.", True),
        (["Reid"], "\"It is a bad day,\" said Mr Reid.", True),
        (["Reid"], "The mayor has yet to meet Tom Reid, who took over in May.", False),
        (["Trump"], "Should that happen, Kim said, he would be willing to meet Trump for a third summit.", False),
    ],
)
def test_a_reply_is_the_one_asked_about_saying_or_doing_something(who: list[str], text: str, replied: bool) -> None:
    assert reacts(who, text) is replied


def test_who_wrote_the_article_is_not_whoever_wrote_a_letter_in_it(tmp_path: Path) -> None:
    article = (
        "Mayor demands answers\n\nMayor Ann Patel has written to the transport minister demanding an "
        "explanation of the port closure.\n\nThe port closed last week after a storm.\n"
    )
    with one_article(tmp_path, article) as service:
        assert asyncio.run(service.ask("Who wrote this article?")).not_found
        assert asyncio.run(service.ask("Who wrote this analysis piece?")).not_found
        assert asyncio.run(service.ask("who wrote the mayor port closure piece")).not_found
        assert asyncio.run(service.ask("who wrote the mayor/port piece")).not_found
        assert "Ann Patel" in asyncio.run(service.ask("Who has written to the minister?")).citations[0].quote


@pytest.mark.parametrize(
    ("article", "question", "quoted"),
    [
        # members of a parliament the article names
        ("Casino vote due\n\nA decision on the casino is to be made by the Scottish Parliament.\n\n"
         "The vote is due to be taken on Wednesday and is expected to be close.\n",
         "When will MSPs vote on the casino?", "on Wednesday"),
        # a thing the article writes out in lower case
        ("Missile tests halted\n\nThe country announced a halt to intercontinental ballistic missile tests "
         "last year.\n\nIts neighbours welcomed the move.\n",
         "Did the country announce a halt to ICBM tests?", "intercontinental ballistic missile tests"),
    ],
)
def test_initials_for_what_the_article_writes_out(tmp_path: Path, article: str, question: str, quoted: str) -> None:
    with one_article(tmp_path, article) as service:
        answer = asyncio.run(service.ask(question))
        assert not answer.not_found, answer.text
        assert quoted in answer.citations[0].quote


SCRAPED = """Will the harbour town look to France?

Recent Features

Will the harbour town look to France?

A ferry deal with Calais would underscore the mayor's options beyond London.

Will the harbour town look to France?
Credit: Harbour Council Press Office

Since the collapse of the harbour talks in Dover last week, the council has said little.

The mayor has yet to meet the port's new chairman, Tom Reid, who took over in May.
"""


def test_the_standfirst_is_quoted_as_the_subtitle_and_the_body_keeps_its_count(tmp_path: Path) -> None:
    with one_article(tmp_path, SCRAPED) as service:
        answer = asyncio.run(service.ask("According to the subtitle, what would a ferry deal with Calais underscore?"))
        first = answer.citations[0]
        assert "underscore the mayor's options beyond London" in first.quote
        assert (first.paragraph, first.where) == (0, "subtitle")
        body = asyncio.run(service.ask("Who is the port's new chairman?")).citations[0]
        assert "Tom Reid" in body.quote and body.where == "¶2"
        quoted = "\n".join(c.quote for q in ("What is the credit?", "Recent features?") for c in asyncio.run(service.ask(q)).citations)
        assert "Credit:" not in quoted and "Recent Features" not in quoted


AGENCY = """Harbour plan wins backing

The Harbour Development Agency said the new sea wall would protect 300 homes from flooding.

Councillors will vote on the plan in May.
"""


def test_a_speaker_given_by_initials_the_article_writes_out_is_that_speaker(tmp_path: Path) -> None:
    # chat types "hda" for the Harbour Development Agency: the agency speaks in the quote
    with one_article(tmp_path, AGENCY) as service:
        answer = asyncio.run(service.ask("what did hda say about the sea wall"))
    assert not answer.not_found
    assert "would protect 300 homes" in answer.citations[0].quote


def test_two_digits_a_year_the_article_writes_in_full(tmp_path: Path) -> None:
    # "in 97" is 1997: a figure the article does give, not one it never mentions
    article = """Mayor rules out debate

Mayor Ann Patel will not take part in a TV debate with her rivals this year.

A debate planned in 1997 was cancelled when the candidates could not agree a format.
"""
    with one_article(tmp_path, article) as service:
        answer = asyncio.run(service.ask("why was the mayoral debate in 97 cancelled"))
        refused = asyncio.run(service.ask("why was the mayoral debate in 98 cancelled"))
    assert not answer.not_found
    assert "could not agree a format" in answer.citations[0].quote
    assert refused.not_found  # 1998 is a year the article never gives


def test_a_small_figure_in_digits_is_the_word_the_article_writes(tmp_path: Path) -> None:
    # chat writes "the 2 ferries"; the article writes "two": a figure it does give
    article = """Ferry service cut

The island's two ferries will sail only at weekends from May, the operator said.

Fares will rise by a fifth on the mainland route.
"""
    with one_article(tmp_path, article) as service:
        answer = asyncio.run(service.ask("when will the 2 ferries sail"))
        refused = asyncio.run(service.ask("when will the 3 ferries sail"))
    assert not answer.not_found
    assert "only at weekends from May" in answer.citations[0].quote
    assert refused.not_found  # three is a figure the article never gives


def test_a_chat_possessive_without_its_apostrophe_is_not_the_name_asked_for(tmp_path: Path) -> None:
    # "patels grandfather" asks about Patel: her own name is no answer to "whats the name of"
    article = """Mayor to sail for charity

Mayor Ann Patel says she will sail to Calais in June to raise money for the lifeboat station.

Of course, the lifeboat station once rescued Patel’s grandfather.

Patel will sail her boat, the Sea Swift, across the Channel in two days.
"""
    with one_article(tmp_path, article) as service:
        refused = asyncio.run(service.ask("whats the name of patels grandfather"))
        also_refused = asyncio.run(service.ask("whats patels grandfathers name"))
        answer = asyncio.run(service.ask("whats the name of patels boat"))
    assert refused.not_found
    assert also_refused.not_found
    assert not answer.not_found
    assert "the Sea Swift" in answer.citations[0].quote


PORT_TALKS = """Port talks

Mayor Ann Patel is likely to meet ferry boss Tom Okafor next month, officials said.

Since the collapse of the harbour talks in Dover in March, Patel has kept to herself.

Patel met the transport minister in Calais last week to discuss the port.
"""


def test_a_meeting_the_article_has_still_to_come_is_not_answered_by_another_one(tmp_path: Path) -> None:
    # every sentence naming both has their meeting ahead: Calais is where she met someone else
    with one_article(tmp_path, PORT_TALKS) as service:
        refused = [
            asyncio.run(service.ask(question))
            for question in (
                "Where did Ann Patel and Tom Okafor eventually meet?",
                "where did patel and okafor end up meeting",  # chat's names, in lower case
                "where are patel and okafor gonna meet",  # the article says when, not where
            )
        ]
        answer = asyncio.run(service.ask("Where did Patel meet the transport minister?"))
        when = asyncio.run(service.ask("when are patel and okafor gonna meet"))
    assert all(r.not_found and r.citations == () for r in refused), [r.question for r in refused if not r.not_found]
    assert "in Calais last week" in answer.citations[0].quote
    assert "next month" in when.citations[0].quote


def test_a_meeting_the_article_says_happened_is_answered(tmp_path: Path) -> None:
    held = PORT_TALKS.replace(
        "is likely to meet ferry boss Tom Okafor next month", "finally met ferry boss Tom Okafor in Folkestone on Monday"
    )
    with one_article(tmp_path, held) as service:
        answer = asyncio.run(service.ask("Where did Ann Patel and Tom Okafor eventually meet?"))
    assert not answer.not_found
    assert "in Folkestone on Monday" in answer.citations[0].quote


def test_chats_lower_case_names_are_not_what_a_date_must_be_near(tmp_path: Path) -> None:
    # "when did okafor meet patel": the article gives no date for that meeting; "June 12" is
    # near "Okafor" only as the day he signed something else
    article = """Ferry talks

Ferry boss Tom Okafor is expected to meet transport minister Jo Bell next. Okafor has yet to meet the minister and, while he did meet Mayor Ann Patel, a deal would let Okafor show he has other partners if the council fails to keep to the June 12 harbour agreement, signed by Okafor and council leader Sam Reid.

Patel visited Calais on 3 May to discuss the port.
"""
    with one_article(tmp_path, article) as service:
        refused = asyncio.run(service.ask("when did okafor meet patel"))
        signed = asyncio.run(service.ask("when did okafor and reid sign the harbour agreement"))
    assert refused.not_found and refused.citations == ()
    assert "the June 12 harbour agreement" in signed.citations[0].quote


def test_a_paragraph_that_opens_with_a_quotation_reports_someones_words(tmp_path: Path) -> None:
    # news sets a speaker's words as a paragraph of their own, with no "said" in it
    article = """Records rules

The information commissioner, Ann Patel, spoke to MPs on Tuesday about the council's old files.

"If in doubt keep it, that has been the rule of the council for years. Only when a record has no further use may it be destroyed."

The new law will apply to every council from next year.
"""
    with one_article(tmp_path, article) as service:
        answer = asyncio.run(service.ask("What rule of thumb did the commissioner say the council has long followed?"))
    assert not answer.not_found
    assert "If in doubt keep it" in answer.citations[0].quote
    assert reports_speech('"If in doubt keep it," she said.') and reports_speech('Years on. "If in doubt keep it."')
    assert not reports_speech("The council kept its old files in doubt.")


@pytest.mark.parametrize(
    "question",
    [
        "What did the May 2019 agreement say should continue between the two towns?",
        "what did the 2019 thing say shd keep going between the towns",
    ],
)
def test_what_a_document_says_needs_no_one_reported_speaking(tmp_path: Path, question: str) -> None:
    article = """Twin towns drift apart

Since the ferry strike, the mayor of Dover has mostly kept to herself. Her silence toward Calais is telling given the May 2019 agreement on “regular talks” continuing between the two towns.

Calais has since signed a trade deal with Ostend.
"""
    with one_article(tmp_path, article) as service:
        answer = asyncio.run(service.ask(question))
    assert not answer.not_found
    assert "“regular talks” continuing between the two towns" in answer.citations[0].quote


def test_a_question_asking_two_things_wants_both_in_the_quote(tmp_path: Path) -> None:
    # a sum is there, a buyer is not: "who bought it, and for how much" is not answered
    article = """Pier sale criticised

The first attempt to sell the old pier failed, a report by the town's auditors says.

The report said the pier cost taxpayers £2.1m to maintain in the four years before it was sold. Finally, a deal to turn it into a concert venue was struck last week.
"""
    with one_article(tmp_path, article) as service:
        refused = asyncio.run(service.ask("Who bought the pier, and for how much?"))
        answer = asyncio.run(service.ask("How much did the pier cost taxpayers to maintain, and over how many years?"))
    assert refused.not_found and refused.citations == ()
    assert "£2.1m to maintain in the four years" in answer.citations[0].quote


TAPES_KEPT = """Councillors' stories recorded

Researchers taped interviews with 40 former councillors about their years in office.

The interviews are to be placed in the county library as a historical record.

The council will vote on a new library budget on Monday.
"""


@pytest.mark.parametrize(
    "question",
    [
        "Where will the recordings of the interviews end up?",  # still to come, and so asked
        "where r the interviews gonna be kept",  # chat's short forms say nothing of the topic
    ],
)
def test_where_something_will_end_up_is_answered_by_where_it_is_to_go(tmp_path: Path, question: str) -> None:
    with one_article(tmp_path, TAPES_KEPT) as service:
        answer = asyncio.run(service.ask(question))
        settled = asyncio.run(service.ask("Where did the interviews end up in the end?"))
    assert not answer.not_found
    assert "placed in the county library" in answer.citations[0].quote
    assert settled.not_found  # asked as done, and the article has it still to come


def test_a_rate_named_in_many_words_wants_a_figure(tmp_path: Path) -> None:
    # the article speaks of interest rates but gives none: no figure, no answer
    article = """Rates worry

If the Bank of England's monetary policy committee were to raise interest rates before the election, borrowing would slow, the minister said. She did not expect a rise.

The opposition called the remarks complacent.

Consumer borrowing rose at a near-record pace in January, up 4% on the month.
"""
    with one_article(tmp_path, article) as service:
        refused = asyncio.run(service.ask("What is the Bank of England's current base interest rate?"))
        answer = asyncio.run(service.ask("By how much did consumer borrowing rise in January?"))
    assert refused.not_found and refused.citations == ()
    assert "up 4% on the month" in answer.citations[0].quote


def test_initials_that_are_no_word_name_a_place_in_any_case(tmp_path: Path) -> None:
    # chat types "nk" and "dprk" for North Korea; "us" stays a pronoun
    article = """Border talks

Russia will reopen its border crossings for trade in March, officials in Moscow said.

Officials in Seoul said they had not been told of any plan.

North Korea will reopen its border in June, state media said.
"""
    with one_article(tmp_path, article) as service:
        answer = asyncio.run(service.ask("when does nk reopen its border"))
        dprk = asyncio.run(service.ask("when is dprk opening up?"))
    assert "in June" in answer.citations[0].quote
    assert not dprk.not_found  # a name the article uses, and a time: not a question about something else
    assert "in June" in dprk.citations[0].quote


def test_chats_family_words_are_the_articles(tmp_path: Path) -> None:
    # "mums" and "dad" are the article's "mothers" and "father"
    article = """Leave plan unveiled

Fathers will get two more weeks of paid leave under the plan, worth £300 each.

Mothers will get an extra £1,400 over the year.

Mr Reid's father ran the shop for forty years before he retired.
"""
    with one_article(tmp_path, article) as service:
        mums = asyncio.run(service.ask("how much more will new mums get?"))
        dad = asyncio.run(service.ask("how long did reid's dad run the shop"))
    assert "Mothers will get an extra £1,400" in mums.citations[0].quote
    assert "forty years" in dad.citations[0].quote


FUND = """Town fund row

Business leader Ann Patel warned the mayor not to waste any spare cash from the town fund on new statues.

The mayor said the fund would be spent carefully.

Ms Patel said any extra cash should be spent on training young workers.
"""


@pytest.mark.parametrize(
    "question",
    [
        "What did business leader Ann Patel want any spare town fund cash spent on?",
        "what does ann patel want the spare cash put towards?",
    ],
)
def test_what_money_should_be_spent_on_is_where_it_goes(tmp_path: Path, question: str) -> None:
    # the sentence that says what it goes on, not the one that restates who has the cash
    with one_article(tmp_path, FUND) as service:
        answer = asyncio.run(service.ask(question))
    assert "should be spent on training young workers" in answer.citations[0].quote
    assert answer.citations[0].paragraph == 3


def test_a_reaction_is_a_response(tmp_path: Path) -> None:
    # "reaction" and "responded" are one act: the sentence with the reply is quoted, not the
    # one that only restates the plan
    article = """Harbour plan row

The council said on Monday that it would not hold public meetings on the harbour plan. Tom Reid was asked about the harbour plan on Monday. Officials said the plan was final.

The harbour has been busy all summer. Mr Reid responded by calling the plan "a waste of money". The council said it would press ahead.
"""
    with one_article(tmp_path, article) as service:
        answer = asyncio.run(service.ask("what was reid's reaction to the harbour plan"))
    assert '"a waste of money"' in answer.citations[0].quote
    assert answer.citations[0].paragraph == 2


def test_chats_short_forms_are_the_words_news_writes(tmp_path: Path) -> None:
    # "ppl" is people and "yr" a year: a count of people the article does give
    article = """Petition for the harbour

About 4,000 people signed the petition to save the harbour wall last year.

The council will debate it in May.
"""
    with one_article(tmp_path, article) as service:
        answer = asyncio.run(service.ask("how many ppl are on the petition from last yr"))
    assert not answer.not_found
    assert "About 4,000 people signed" in answer.citations[0].quote


def test_a_regions_adjective_describes_the_answer_and_need_not_be_in_the_article(tmp_path: Path) -> None:
    # "European" says which kind of country is asked for; the article names the countries
    article = """Harbour tariff row

The new harbour tariff is backed by Canada but opposed by France and Germany, officials said.

The mayor said talks would go on.
"""
    with one_article(tmp_path, article) as service:
        answer = asyncio.run(service.ask("Which two European countries oppose the harbour tariff?"))
    assert not answer.not_found
    assert "opposed by France and Germany" in answer.citations[0].quote


def test_putting_stress_on_something_is_not_where_money_goes(tmp_path: Path) -> None:
    assert question_type("what did the march 2018 china–nk understanding put stress on?") is None
    assert question_type("What did the CBI boss want any spare money put towards?") is AnswerType.PLACE
    # what the user sees: both answered, each from its own sentence
    article = (
        "Port and ferry firm sign deal\n\nThe March 2018 port understanding stressed that regular talks "
        "would continue between the two towns. Both sides signed it in Calais.\n\nThe port's boss wants any spare money put towards training "
        "dock workers.\n"
    )
    with one_article(tmp_path, article) as service:
        stress = asyncio.run(service.ask("what did the march 2018 port understanding put stress on?"))
        money = asyncio.run(service.ask("What did the port's boss want any spare money put towards?"))
    assert not stress.not_found and "regular talks" in stress.citations[0].quote
    assert not money.not_found and "training dock workers" in money.citations[0].quote


TRADE = """Port town looks beyond France

The town's trade with France has cooled in recent years, and Paris remains wary of its plans.

Instead, what the harbour has seen is a fair bit of business with Belgium.

Councillors hope new ferry routes will bring more jobs.
"""


def test_a_place_the_question_names_in_another_form_is_not_the_answer(tmp_path: Path) -> None:
    # "which country, apart from the French": Paris and France are the place it names, so the
    # sentence holding only them does not answer it; Belgium does
    with one_article(tmp_path, TRADE) as service:
        answer = asyncio.run(service.ask("Apart from the French, which country has the port been dealing with?"))
    assert not answer.not_found
    assert "a fair bit of business with Belgium" in answer.citations[0].quote
    assert "Paris remains wary" not in answer.citations[0].quote
    # but a city is news to a question that names its country
    talks = "Ferry talks collapse\n\nTalks on the new ferry link collapsed in Paris last week.\n\nThe port will try again in May.\n"
    (tmp_path / "talks").mkdir()
    with one_article(tmp_path / "talks", talks) as service:
        city = asyncio.run(service.ask("In which French city did the ferry talks collapse?"))
        # and one the question itself names is not
        other = asyncio.run(service.ask("Apart from Paris, in which city did ferry talks collapse?"))
    assert other.not_found, other.text
    assert not city.not_found
    assert "collapsed in Paris last week" in city.citations[0].quote


AMERICAN = """Town hall plans a new arts center

The council will spend $2 million on a new theater and arts center downtown.

Officials said the neighboring counties were skeptical of the plan's cost.

The mayor's favorite idea, a summer festival, will be organized by volunteers.

Work on the building starts in the fall.
"""


@pytest.mark.parametrize("question", ["were neighbouring areas sceptical", "how do neighbouring counties feel about it, sceptical?"])
def test_a_question_in_british_spelling_is_answered_from_an_american_article(tmp_path: Path, question: str) -> None:
    # "neighbouring" and "sceptical" are words the article uses, spelt the other way
    with one_article(tmp_path, AMERICAN) as service:
        answer = asyncio.run(service.ask(question))
    assert not answer.not_found
    assert "the neighboring counties were skeptical" in answer.citations[0].quote


def test_a_paraphrase_naming_two_things_the_article_has_is_answered_but_one_name_is_not_enough(tmp_path: Path) -> None:
    # "fixing the ceiling yet again would be pointless": most of its words are not the
    # article's, but two are ("Maria Okafor") and its quote answers. "Okafor's favourite food"
    # has one known word, the name the article gives, and nothing of what is asked.
    with one_article(tmp_path, ARTICLE) as service:
        answer = asyncio.run(service.ask("Why does Maria Okafor think fixing the ceiling yet again would be pointless?"))
        assert not answer.not_found
        assert "patching it again would only waste money" in answer.citations[0].quote
        for question in ("What is Okafor's favourite food?", "What is Okafor's favourite colour?"):
            declined = asyncio.run(service.ask(question))
            assert declined.not_found and declined.citations == (), question


def test_an_age_is_answered_by_an_age_not_by_any_figure(tmp_path: Path) -> None:
    # "How old is Okafor?": the article gives her no age, and "About 40,000 books" is no answer
    with one_article(tmp_path, ARTICLE) as service:
        declined = asyncio.run(service.ask("How old is Okafor?"))
    assert declined.not_found and declined.citations == ()
    # "the jailing of 11 people" gives a count, not anyone's age
    jailed = "Apology for wrongful jailings\n\nThe minister apologised for the wrongful jailing of 11 people in 1975.\n"
    (tmp_path / "jailed").mkdir()
    with one_article(tmp_path / "jailed", jailed) as service:
        no_age = asyncio.run(service.ask("How old was the minister?"))
    assert no_age.not_found and no_age.citations == ()
    # the age of a thing is said the same way: "e-mails more than three months old"
    purge = (
        "Council told staff to delete old e-mails\n\nStaff were told to delete e-mails more than three "
        "months old, the council's 12 managers said.\n\nThe rule ends in April.\n"
    )
    (tmp_path / "purge").mkdir()
    with one_article(tmp_path / "purge", purge) as service:
        answer = asyncio.run(service.ask("How old did e-mails have to be before staff deleted them?"))
    assert not answer.not_found
    assert "more than three months old" in answer.citations[0].quote


@pytest.mark.parametrize(
    ("successor_named", "question"),
    [(False, "Who replaced Tom Reid as port chairman?"), (False, "who took over from tom reid"),
     (True, "who took over from tom reid")],
)
def test_who_followed_someone_is_answered_only_where_a_successor_is_named(
    tmp_path: Path, successor_named: bool, question: str
) -> None:
    # "Tom Reid stepped down" names who left, not who came after him
    article = (
        "Port chairman leaves\n\nPort chairman Tom Reid stepped down in May after ten years, the board said.\n\n"
        "Dock workers thanked Mr Reid for his work on the new ferry terminal.\n"
    )
    added = "Ann Patel, the board's deputy, took over from Mr Reid in June."
    assert_answered_only_where_added(tmp_path, article, added if successor_named else "", question, "Ann Patel")


@pytest.mark.parametrize(
    ("penalty_given", "question"),
    [(False, "What penalty can someone face for destroying council records?"),
     (False, "whats the max penalty for deleting emails"),
     (True, "What penalty can someone face for destroying council records?"),
     (True, "whats the max penalty for deleting emails")],
)
def test_a_penalty_is_answered_only_where_one_is_given(tmp_path: Path, penalty_given: bool, question: str) -> None:
    # "becomes a criminal offence" says it is against the law, not what it costs anyone
    article = (
        "Council records rules tightened\n\nDestroying council records or deleting e-mails to stop the public "
        "seeing them becomes a criminal offence in April, the council said.\n\n"
        "Staff will be trained on the new rules in March.\n"
    )
    added = "Anyone found destroying records or deleting e-mails faces a fine of up to £5,000."
    assert_answered_only_where_added(tmp_path, article, added if penalty_given else "", question, "a fine of up to £5,000")


def assert_answered_only_where_added(tmp_path: Path, article: str, added: str, question: str, quoted: str) -> None:
    """With the added paragraph, the question is answered from it; without, it is declined."""
    with one_article(tmp_path, f"{article}\n{added}\n" if added else article) as service:
        answer = asyncio.run(service.ask(question))
    if added:
        assert not answer.not_found and quoted in answer.citations[0].quote
    else:
        assert answer.not_found and answer.citations == ()


def test_a_value_asked_for_is_a_sum_the_article_gives(tmp_path: Path) -> None:
    # "the value of the books": the article counts them, it does not price them
    with one_article(tmp_path, ARTICLE) as service:
        for question in (
            "What is the annual value of the children's reading club to the council?",
            "What is the value of the books moved to the post office?",
        ):
            answer = asyncio.run(service.ask(question))
            assert answer.not_found and answer.citations == (), question
        priced = asyncio.run(service.ask("What is the value of the reading society's appeal?"))
    assert not priced.not_found and "raised £30,000" in priced.citations[0].quote


PORT = """Port talks resume after strike

The harbour master, Ana Silva, met the dockers' union leader Tom Reid on Monday, the first time the two have met since the strike began.

Ms Silva and the transport minister discussed the cost of dredging the channel when they met in Lisbon last week.

The storm that closed the port in January killed seven people and left the ferry terminal without power for a week.

The new ferry terminal was opened in 2009, and the company says it now costs £3m a year to run.

Ms Silva is likely to meet the Spanish port chief, Luis Garcia, next month, and the two may sign a deal on shared pilots at that summit.

Some 40 MPs have signed a letter backing the dockers' claim.
"""


port = article_fixture("port", PORT)


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        # what was talked about, where the article tells it
        ("What did Ms Silva and the transport minister discuss?", "discussed the cost of dredging"),
        # a count told by what happened: "killed seven people" answers "how many deaths"
        ("How many deaths did the January storm at the port cause?", "killed seven people"),
        # what it costs to run, asked as such
        ("How much does the ferry terminal cost to run?", "costs £3m a year to run"),
        # MPs are parliamentarians, as people are: a count of them needs no other word for them
        ("How many parliamentarians are backing the dockers in their letter?", "Some 40 MPs"),
        # "OK" is written with capitals, but names no one the article could lack
        ("Is the ferry terminal OK after the storm?", "left the ferry terminal without power"),
        # chat's short words for news's ("mtg", "confs", "pressers") are those words
        ("wen was the mtg", "when they met in Lisbon last week"),
    ],
)
def test_what_the_port_article_tells_is_quoted(port: Service, question: str, quoted: str) -> None:
    assert PORT.count(first_quote(port, question, quoted)) == 1  # verbatim


@pytest.mark.parametrize(
    "question",
    [
        # they met, but the article does not say what they talked about
        "What did Ana Silva and Tom Reid talk about when they met?",
        "what did silva and reid discuss when they met",
        # what it cost to run is not what it cost to build
        "How much did the ferry terminal originally cost to build?",
        "how much did the ferry terminal cost to build in the first place",
        # a summit still to come has signed nothing
        "Did Silva and Garcia sign any agreement at their summit?",
        # what a figure measures must be what the article speaks of: it never mentions trade
        "What is the annual trade volume between the port and Spain?",
    ],
)
def test_what_the_port_article_does_not_tell_is_declined(port: Service, question: str) -> None:
    assert_declined(port, question)


@pytest.mark.parametrize(
    ("article", "declined", "answered", "quoted"),
    [
        # a "why" is not answered by an opening that only dates the event: the place and the
        # time set off by commas belong to it, so "end" in "at the end of March" is no reason
        ("Ferry firm looks abroad\n\nSince the collapse of the ferry talks in Dover, Kent, at the end of March, "
         "the company has turned to French ports for new routes.\n\nThe union says it is still ready to talk.\n",
         "Why did the Dover ferry talks end without an agreement?",
         "Where has the ferry company turned for new routes?", "turned to French ports"),
        # Garcia is named only as whom Silva will meet: the article reports nothing he said
        ("Port chiefs to meet\n\nThere are reports that Ana Silva, the harbour master, is likely to meet Port "
         "Chief Luis Garcia next month.\n\nMs Silva said the talks on shared pilots would be hard.\n",
         "What did Luis Garcia say about meeting Silva?",
         "What did Ms Silva say about the talks?", "would be hard"),
        # "the Silva-Garcia meeting" names two people, and no sentence dates a meeting of theirs
        ("Port chiefs to meet\n\nAna Silva, the harbour master, is likely to meet Luis Garcia, though no date "
         "has been set.\n\nOn 3 May, port officials held a meeting with the dockers' union about pay.\n",
         "On what date is the Silva-Garcia meeting scheduled?",
         "When did port officials meet the union?", "On 3 May"),
    ],
)
def test_declined_where_the_article_does_not_tell_and_its_neighbour_answered(
    tmp_path: Path, article: str, declined: str, answered: str, quoted: str
) -> None:
    with one_article(tmp_path, article) as service:
        refused = asyncio.run(service.ask(declined))
        answer = asyncio.run(service.ask(answered))
    assert refused.not_found and refused.citations == (), declined
    assert not answer.not_found and quoted in answer.citations[0].quote


NORTH = """Harbour town turns to the north

The harbour town has kept to itself since the ferry talks collapsed in March. Its mayor has yet to visit the capital.

Instead, the town has looked north, and trade with the northern ports has grown over the winter. Senior officials in Nordhavn have already praised the mayor.

Last year the town ordered the demolition of its old ferry terminal site, and it announced a freeze on new permits.

The mayor has yet to meet the northern premier and, while he did meet Trade Minister Jonas Berg, a full summit would let the town show it has other partners.

Decades ago, Norway was a major benefactor for the mayor's grandfather.

The council wants the ferry operators to offer "corresponding measures" — read: lower fares — before any new deal.
"""


north = article_fixture("north", NORTH)


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        # an official is asked for: the one given with a title of office leads
        ("Which senior northern official has the mayor already met?", "Trade Minister Jonas Berg"),
        # "what site": the one the article describes, though it has no name
        ("What site did the town clear last year?", "its old ferry terminal site"),
        # a patron may be a country, not only a person
        ("Who was the chief patron of the mayor's grandfather?", "Norway was a major benefactor"),
        # "the author", "the phrase", "really mean" frame the question; its subject is in the article
        ("According to the author, what does the phrase corresponding measures really mean?", "read: lower fares"),
    ],
)
def test_a_question_asking_in_its_own_frame_is_answered(north: Service, question: str, quoted: str) -> None:
    first_quote(north, question, quoted)


FARES = """Ferry operators given until June

The harbour town's mayor has kept the ferry operators waiting since the fare talks with the premier's office failed in March.

The mayor met the premier at a dinner in May, where he described the premier as a good friend of the town and the operators as stubborn.

The premier has yet to visit the harbour, but the mayor has invited him twice this year.

Last week, the mayor said time was not yet up. He has set a timeline until the end of June for the operators to come around and make a bold decision on their approach.

Personal ties between him and the premier remain good, the mayor's office said.
"""


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        # "rapport" and "relationship" are the article's "ties", a "deadline" its "timeline"
        ("How does the mayor describe his rapport with the premier?", "Personal ties between him and the premier"),
        ("How would the mayor characterise his relationship with the premier?", "Personal ties between him"),
        ("What deadline has the mayor given the operators?", "a timeline until the end of June"),
        # the time given next to the deadline, though far from the question's other words
        ("What deadline has the mayor given the operators to change their approach?", "until the end of June"),
    ],
)
def test_a_question_may_use_another_word_for_the_same_thing(tmp_path: Path, question: str, quoted: str) -> None:
    with one_article(tmp_path, FARES) as service:
        first_quote(service, question, quoted)


POSTERS = """Campaign posters spark row

The posters, including one of a flying bus and another that critics say showed the mayor as a clown, were withdrawn after complaints from Councillor Dan Rees.

The agency's boss, Kate Lyle, later sent a second e-mail to the paper. "Posters done to our brief. I dreamt up the flying bus. The clown was theirs."
"""


def test_who_did_it_is_answered_by_the_one_who_says_i_did(tmp_path: Path) -> None:
    """"I dreamt up the flying bus", in the words of the one quoted, answers "who came up with
    it" better than a sentence that names the bus and someone else."""
    with one_article(tmp_path, POSTERS) as service:
        first_quote(service, "Who came up with the flying bus poster idea?", "I dreamt up the flying bus")
        first_quote(service, "Who complained about the posters?", "Councillor Dan Rees")


TALKS = """Ferry talks: what next for the harbour?

The harbour town has kept to itself since March, when the meeting in Oslo ended without a deal.

The earlier talks in Bergen failed because the operators would not cut fares.

The mayor has set a timeline until the end of June for the operators to come around. Should that happen, the mayor would be willing to meet the operators for a third round of talks, he said.
"""


def test_why_an_event_held_somewhere_failed_is_told_only_where_that_place_is_named(tmp_path: Path) -> None:
    """"Why did the Oslo talks break down?": a sentence about a third round of talks, which
    never names Oslo, gives no reason for them; the Bergen talks' reason is given."""
    with one_article(tmp_path, TALKS) as service:
        assert_declined(service, "Why did the Oslo talks between the mayor and the operators break down?")
        first_quote(service, "Why did the talks in Bergen fail?", "because the operators would not cut fares")


DELEGATION = """Harbour town courts the north

By the third week of March, local papers had reported a reception hosted by the town's mayor and the arrival of a Nordhavn Council delegation in the harbour.

Trade with the northern ports has grown over the winter, the harbour master said.
"""


def test_who_led_it_wants_someone_named_not_a_post(tmp_path: Path) -> None:
    """"Who led the delegation?" is not answered by a sentence whose only person is "the
    town's mayor", who hosted something else; "who hosted the reception" is."""
    with one_article(tmp_path, DELEGATION) as service:
        assert_declined(service, "Who led the Nordhavn Council delegation that visited the harbour?")
        first_quote(service, "Who hosted the reception?", "a reception hosted by the town's mayor")


LISBON = """Ferry talks collapse again

The second round of ferry talks, in Lisbon, Portugal, collapsed at the end of March.

In his New Year's Day address, the mayor warned that fares would rise if the talks failed.
"""


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        # "Southwest European" describes the answer: it names nothing the article must use
        ("In what Southwest European nation did the failed second round of ferry talks take place?", "Lisbon, Portugal"),
        # a date is no name or figure the article must write as the question does
        ("What did the mayor warn in his January 1 speech?", "the mayor warned that fares would rise"),
    ],
)
def test_a_region_or_a_date_in_a_question_is_not_a_name_the_article_must_use(
    tmp_path: Path, question: str, quoted: str
) -> None:
    with one_article(tmp_path, LISBON) as service:
        first_quote(service, question, quoted)


TEXT_ROW = """Harbour chief's text sent to the wrong phone

Former harbour press chief Tom Avery is at the centre of a new row over a text message full of insults aimed at local journalists.

Mr Avery sent the message by mistake to the town paper after it asked about his part in the ferry campaign. He later said it had all been a silly fuss.

The message was meant for a council officer. It was sent by mistake to Gazette reporter Priya Nair, who published it.

By the spring, the town had welcomed a reception hosted by the Danish ambassador at the harbour.
"""


def test_which_journalist_wants_the_one_named_or_a_post_of_that_kind(tmp_path: Path) -> None:
    """"Which journalist got the message?" asks for one person: the reporter named further
    down, not the opening sentence's press chief and journalists; "which diplomat" is
    answered by "the Danish ambassador", a diplomat though never called one."""
    with one_article(tmp_path, TEXT_ROW) as service:
        first_quote(service, "Which journalist actually received Tom Avery's misdirected text message?", "Gazette reporter Priya Nair")
        first_quote(service, "Which diplomat hosted a reception at the harbour?", "hosted by the Danish ambassador")


JAILINGS = """Minister apologises over wrongful jailings

The minister was commenting on the wrongful jailing of nine people for bomb attacks on two bars in Dunmore and Kilbeg in 1981.

The families had hoped for an apology in parliament. The move followed a long campaign for a public apology after nine people were wrongly convicted of planting the bombs which killed five people.
"""


@pytest.mark.parametrize(
    "question",
    [
        "How many people died in the bar bombings in Dunmore and Kilbeg?",
        "How many people were killed by the Dunmore and Kilbeg bar bombs?",
    ],
)
def test_how_many_died_is_told_by_the_figure_next_to_killed(tmp_path: Path, question: str) -> None:
    """"How many died": the figure the article gives for those killed, further down, not the
    number jailed in the sentence that names both towns and the bombings."""
    with one_article(tmp_path, JAILINGS) as service:
        first_quote(service, question, "the bombs which killed five people")


ORAL_HISTORY = """Harbour voices recorded for history

Some 40 fishermen gave their answers in 60 hours of recorded interviews for the study "Voices of the Quay".

Even after the great storm of 1987 and the new quay at Kilbeg, the fishermen interviewed often say they feel their work is forgotten.

The tapes are to be placed in the Dunmore Library as a historical record.
"""


def test_where_a_thing_will_be_kept_is_where_it_is_placed(tmp_path: Path) -> None:
    """"Where will the interviews be kept?": "placed in the Dunmore Library", not a sentence
    about the fishermen interviewed that names a place for something else."""
    with one_article(tmp_path, ORAL_HISTORY) as service:
        quote = first_quote(service, "Where will the recorded interviews with the fishermen be kept?", "placed in the Dunmore Library")
        assert quote.startswith("The tapes are to be placed")  # cited at its own paragraph


CONFERENCE = """Ferry union takes its 2026 autumn conference to Dunmore

The ferry union will hold its 2026 autumn conference in Dunmore and not Kilbeg, it has been confirmed.

For years the union has rotated its conferences between Kilbeg, Ardmore and Bellport. The news that the autumn conference will not come to Kilbeg will be seen as a blow to the town.

Kilbeg will get the much smaller February spring meeting instead, in what will be seen as a placatory move.
"""


def test_what_the_question_sets_aside_is_not_the_answer(tmp_path: Path) -> None:
    """"What does Kilbeg get instead of the autumn conference?": the words after "instead of"
    say what the answer is not, so the sentence repeating them does not lead."""
    with one_article(tmp_path, CONFERENCE) as service:
        first_quote(service, "What will Kilbeg get instead of the 2026 autumn conference?", "February spring meeting")


BRIEFINGS = """Mayor's wife to join the ferry campaign

The mayor's wife, Ann Rees, is to play a leading role in the ferry campaign.

During an interview on the Morning News she said she often criticised Mr Rees at news conferences for not showing the side of him that she knows during the campaign.

Mr Rees will host a news conference at the town hall every morning, his campaign chief said.
"""


def test_how_often_is_a_question_word_not_a_word_to_find(tmp_path: Path) -> None:
    """"How often will the mayor hold news conferences?": "every morning", not the sentence
    that happens to say "often" (which says no more than the question does)."""
    with one_article(tmp_path, BRIEFINGS) as service:
        quote = first_quote(service, "How often is Mr Rees doing news conferences during the campaign?", "every morning")
        assert quote.startswith("Mr Rees will host")  # cited at its own paragraph


WIND_VOTE = """Island council to decide on wind farms

A decision on whether to allow the mainland to build wind farms is set to be made by the Island Council.

The vote on the wind farms is due to be taken on Thursday and is expected to be close.

The Green Party says the mainland should not decide.
"""


def test_when_is_answered_by_the_time_in_a_close_runner_up(tmp_path: Path) -> None:
    """"When is the council vote?": the sentence giving its day, close behind the one that
    repeats the question's words but gives no time."""
    with one_article(tmp_path, WIND_VOTE) as service:
        quote = first_quote(service, "When is the Island Council vote on the wind farms?", "on Thursday")
        assert quote.startswith("The vote on the wind farms")  # cited at its own paragraph


@pytest.mark.parametrize(
    "question",
    [
        "What was the result of the Island Council vote on wind farms?",
        "what was the final vote count on the wind farms",
        "what was the margin in the island council wind farm vote",
    ],
)
def test_a_vote_still_to_come_has_no_result_yet(tmp_path: Path, question: str) -> None:
    """Every sentence about the vote has it still to come ("due to be taken on Thursday"): its
    result, count or margin is not in the article; once it says how the vote went, it is."""
    with one_article(tmp_path, WIND_VOTE) as service:
        assert_declined(service, question)
    held = WIND_VOTE.replace("is due to be taken on Thursday and is expected to be close", "was won 30 to 12 by the wind farms' backers").replace("is set to be made", "was made")
    (tmp_path / "held").mkdir()
    with one_article(tmp_path / "held", held) as service:
        first_quote(service, question, "30 to 12")


FERRY_CREW = """Families of the ferry crew win an apology

The council has apologised to the families of three ferry crew wrongly jailed for the 1988 harbour fire.

Most of those jailed were members of two families. All were arrested because of a family link to Tom Reilly.

Mr Reilly's father Sean was arrested when sailing to Kilbeg from Ardmore to help his son. He died while serving his sentence. Also arrested was his cousin Mary Reilly, who was freed in 1991.

Some 40 fishermen gave their answers in 60 hours of taped interviews with the families for a study of the case.

The interviews are to be placed in the Dunmore Library as a historical record.
"""
ferry_crew = article_fixture("ferry_crew", FERRY_CREW)


@pytest.mark.parametrize(
    ("question", "quoted", "opening"),
    [
        ("What happened to Tom Reilly's father after he was arrested?", "He died while serving his sentence", "Mr Reilly's father Sean"),
        ("What became of Tom Reilly's father?", "He died while serving his sentence", "Mr Reilly's father Sean"),
        ("what's going to happen to the interviews", "placed in the Dunmore Library", "The interviews are to be placed"),
    ],
)
def test_what_happened_to_someone_is_told_where_they_are_the_subject(
    ferry_crew: Service, question: str, quoted: str, opening: str
) -> None:
    """"What happened to X": the sentence with X, or a pronoun for X, as its subject ("He died
    while serving his sentence"), not one that names X in passing ("All were arrested because
    of a family link to Tom Reilly")."""
    assert first_quote(ferry_crew, question, quoted).startswith(opening)


def _told(text: str, score: float, start: int, doc: str = "a") -> Hit:
    return Hit(Passage(doc, "T", f"{doc}.txt", 1 + start // 100, start, start + len(text), text, score), score, f"{doc}-{start}")


@pytest.mark.parametrize(
    ("runner_up", "leads"),
    [
        (_told("She would not discuss reports the club repaid £80,000 to Mr Hale.", 0.9, 100), True),
        # the same sum, ending a sentence ("... the extra £80,000.")
        (_told("She would not discuss reports of the extra £80,000.", 0.9, 100), True),
        # another figure is another fact
        (_told("She would not discuss reports the club repaid £60,000 to Mr Hale.", 0.9, 100), False),
        # not close enough
        (_told("She would not discuss reports the club repaid £80,000 to Mr Hale.", 0.7, 100), False),
        # told after the best, not before it
        (_told("She would not discuss reports the club repaid £80,000 to Mr Hale.", 0.9, 900), False),
        # in another article
        (_told("She would not discuss reports the club repaid £80,000 to Mr Hale.", 0.9, 100, "b"), False),
    ],
)
def test_a_figure_the_article_gave_before_is_quoted_where_it_first_gave_it(
    library: Service, runner_up: Hit, leads: bool
) -> None:
    """News states a fact, then repeats it with detail: the first telling leads, when close."""
    question = "How much did the club reportedly repay Mr Hale?"
    best = _told("Ms Lowe refused to discuss weekend newspaper reports that the club had repaid £80,000 to former chairman Mr Hale.", 1.0, 500)
    result = SearchResult(question, (), (), False, question_type(question), False, {}, [best, runner_up])
    first = library.answerer.first_told(result).hits[0]
    assert first is (runner_up if leads else best)


LOAN_ROW = """Club row over chairman's loan

Rovers manager Dan Price says the club's critics have no idea how to run a football team.

Club secretary Ann Lowe was speaking after Mr Price told fans the board had lost its way. She would not discuss reports the club repaid £80,000 to Mr Hale after he predicted relegation.

Ms Lowe said the board had done nothing wrong. She refused to discuss weekend newspaper reports that the club had repaid £80,000 to former chairman Mr Hale after he said the team could not stay up. "We repay loans when they are due but do not comment on private matters," she said, insisting she had a "warm" relationship with Mr Hale.
"""


def test_an_irregular_past_with_a_prefix_is_its_verb(tmp_path: Path) -> None:
    """"How much did the club repay?": "repaid £80,000", not "We repay loans when they are
    due", which gives no figure (and so had the question declined)."""
    with one_article(tmp_path, LOAN_ROW) as service:
        first_quote(service, "How much did the club repay to Mr Hale?", "repaid £80,000")


TOWN_BUDGET = """Council leader rules out a Budget spree

The council leader has denied that there will be a giveaway in the town's Budget on 16 March.

Mr Hale said he was sure the Budget would not put the town's finances at risk. "I don't think we'll see a Budget spending spree," he said.

Business leaders said the Budget should put any spare cash into skills, and the Budget should stay prudent.

The mayor has yet to name the date of the local election, but most councillors expect 5 May.
"""


def test_what_date_asks_when_and_is_no_word_to_find(tmp_path: Path) -> None:
    """"What date is the Budget?": the Budget's date, not the sentence that says "the date of
    the local election" (with another article in the store, so "Budget" alone does not decide)."""
    with articles(tmp_path, TOWN_BUDGET, ARTICLE) as service:
        quote = first_quote(service, "What date is the Budget?", "on 16 March")
        assert quote.startswith("The council leader has denied")


DIRTY_CAMPAIGN = """Rival says the mayor will fight a dirty campaign

Mayor Tom Reilly lied about the harbour so has no qualms about lying in the election campaign, say his rivals.

Councillor Ann Lowe was speaking at her campaign launch after Mr Reilly told party members his rivals offered a "hard right agenda".

Ms Lowe accused the mayor of telling lies about his opponents' plans. "What we learned at the weekend is what the mayor's tactics are going to be and it's going to be fear and smear," she told the Dunmore Gazette.

The mayor toured the town's schools at the weekend and spoke at his party's spring dinner.
"""


def test_she_told_is_said_by_the_one_named_before(tmp_path: Path) -> None:
    """"According to Ann Lowe, what will the tactics be?": the quote "she told" the Gazette is
    hers (she is named in the sentence before), not the sentence that names her and says
    nothing of tactics."""
    with articles(tmp_path, DIRTY_CAMPAIGN, ARTICLE) as service:
        first_quote(service, "According to Ann Lowe, what will the mayor's tactics be in the campaign?", "fear and smear")


FILM = """Ferry crew case to be retold

The case of the three ferry crew was highlighted in the award-winning film The Long Quay, starring Ann Lowe.

The families say the council has never explained why the case took so long.
"""
SECOND_FILM = """Ferry crew case to be retold again

A second film about the ferry crew, directed by Tom Reilly, will tell the story of the families.
"""


@pytest.mark.parametrize(
    ("text", "question", "quoted"),
    [
        (FILM, "Who starred in the film The Long Quay?", "starring Ann Lowe"),
        (SECOND_FILM, "Who directed the second film about the ferry crew?", "directed by Tom Reilly"),
    ],
)
def test_who_made_a_work_is_answered_where_the_making_is_told(
    tmp_path: Path, text: str, question: str, quoted: str
) -> None:
    with one_article(tmp_path, text) as service:
        first_quote(service, question, quoted)


def test_who_directed_it_is_declined_where_only_its_star_is_named(tmp_path: Path) -> None:
    """"Who directed The Long Quay?": the article names its star, not its director."""
    with one_article(tmp_path, FILM) as service:
        answer = asyncio.run(service.ask("Who directed the film The Long Quay?"))
        assert answer.not_found and not answer.citations
