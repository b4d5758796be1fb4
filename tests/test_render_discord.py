"""Rendering answers, summaries and sources for Discord: what users see, and Discord's limits."""

from __future__ import annotations

import re

import pytest

from bot.models import NOT_FOUND_TEXT, Answer, Citation, Sources, Summary, SummaryPoint
from bot.render_discord import (
    MAX_CONTENT,
    MAX_DESCRIPTION,
    MAX_EMBED_TOTAL,
    MAX_EMBEDS,
    Outgoing,
    embed_units,
    inert,
    limit_problems,
    render_answer,
    render_notice,
    render_partial,
    render_sources,
    render_summary,
    split_text,
    units,
    visible,
)
from retrieval.types import DocumentInfo

TITLE = "With Hanoi in the Rearview, Will Kim Jong Un Turn to Russia?"
NEW_WAY = "Kim Jong Un warned that he would be forced to pursue a “new way” should the US fail."
URL = "https://thediplomat.com/2019/04/with-hanoi-in-the-rearview"


def cite(n: int = 1, paragraph: int = 3, quote: str = NEW_WAY, source: str = URL) -> Citation:
    return Citation(n, "kim", TITLE, paragraph, quote, 0, len(quote), source)


def answer(text: str, citations: tuple[Citation, ...] = (), not_found: bool = False) -> Answer:
    return Answer("q", text, citations, not_found, "extractive")


def shown(outs: list[Outgoing]) -> str:
    """All a user sees across the messages, as Discord displays it."""
    parts: list[str] = []
    for out in outs:
        parts.append(out.content)
        for e in out.embeds:
            parts += [e.title or "", e.description or "", e.footer.text or ""]
    return visible("\n".join(parts))


def assert_fits(outs: list[Outgoing]) -> None:
    assert outs
    for out in outs:
        assert limit_problems(out) == []
        assert units(out.content) <= MAX_CONTENT and len(out.embeds) <= MAX_EMBEDS
        assert sum(embed_units(e) for e in out.embeds) <= MAX_EMBED_TOTAL
        for e in out.embeds:
            assert units(e.description or "") <= MAX_DESCRIPTION


def test_answer_with_a_citation_quotes_it_with_title_paragraph_and_link() -> None:
    [out] = render_answer(answer("Kim warned of a “new way” [1].", (cite(),)))
    prose, quote = out.embeds
    assert visible(prose.description or "") == "Kim warned of a “new way” [1]."
    assert quote.title == f"[1] ¶3 · {TITLE}"
    assert quote.url == URL
    assert quote.description == "> " + NEW_WAY
    assert prose.footer.text == "quoted from the articles"


def test_a_quote_across_two_paragraphs_is_titled_with_both_numbers() -> None:
    two = Citation(1, "kim", TITLE, 7, "One. Two.", 0, 10, URL, paragraph_end=8)
    [out] = render_answer(answer("x [1]", (two,)))
    assert out.embeds[-1].title == f"[1] ¶7–8 · {TITLE}"


def test_citation_from_a_local_file_has_no_link() -> None:
    [out] = render_answer(answer("x [1]", (cite(source="seeds/kim.txt"),)))
    assert out.embeds[1].url is None


def test_not_found_answer_says_so() -> None:
    [out] = render_answer(answer("", not_found=True))
    assert visible(out.embeds[0].description or "") == NOT_FOUND_TEXT
    assert len(out.embeds) == 1


def test_citations_come_in_number_order_once_each() -> None:
    outs = render_answer(
        answer("a [2] b [1]", (cite(2, 5, "Second."), cite(1, 3, "First."), cite(2, 5, "Second.")))
    )
    titles = [e.title for o in outs for e in o.embeds if e.title]
    assert titles == [f"[1] ¶3 · {TITLE}", f"[2] ¶5 · {TITLE}"]


def test_long_answer_splits_within_limits_and_never_drops_a_citation() -> None:
    paragraph = "Kim spoke about sanctions, summits and the deadline he set for Washington. " * 40
    prose = "\n\n".join(f"Part {i}. {paragraph}" for i in range(8))
    citations = tuple(
        cite(n, n, f"Quote {n} begins. " + "The article goes on. " * 180) for n in range(1, 26)
    )
    outs = render_answer(answer(prose, citations))
    assert_fits(outs)
    assert len(outs) > 1
    text = shown(outs)
    for i in range(8):
        assert f"Part {i}. Kim spoke" in text
    positions = [text.index(f"[{n}] ¶{n} · ") for n in range(1, 26)]
    assert positions == sorted(positions) and positions[0] > text.rindex(
        "Part 7."
    )  # citations last
    for n in range(1, 26):
        assert f"Quote {n} begins." in text
    # The prose survives splitting word for word.
    prose_shown = " ".join(
        visible(e.description or "")
        for o in outs
        for e in o.embeds
        if not (e.description or "").startswith(">")
    )
    assert prose_shown.split() == prose.split()


def test_a_quote_longer_than_an_embed_is_split_into_complete_quotes() -> None:
    quote = " ".join(f"Sentence {i} of a very long paragraph." for i in range(400))
    assert len(quote) > MAX_DESCRIPTION
    outs = render_answer(answer("See [1].", (cite(quote=quote),)))
    assert_fits(outs)
    pieces = [e for o in outs for e in o.embeds][1:]
    assert len(pieces) >= 2
    assert pieces[0].title == f"[1] ¶3 · {TITLE}" and pieces[1].title == "[1] (continued)"
    for piece in pieces:
        assert all(line.startswith("> ") for line in (piece.description or "").splitlines())
    rejoined = " ".join(visible((p.description or "")[2:]) for p in pieces)
    assert rejoined == quote


def test_a_word_longer_than_an_embed_is_cut_without_a_dangling_escape() -> None:
    blob = "*_" * 9000  # escapes double its length; no space to split at
    outs = render_answer(answer(blob))
    assert_fits(outs)
    for e in (e for o in outs for e in o.embeds):
        trailing = len(e.description or "") - len((e.description or "").rstrip("\\"))
        assert trailing % 2 == 0
    assert "".join(visible(e.description or "") for o in outs for e in o.embeds) == blob


def test_limits_are_counted_in_utf16_units_for_emoji() -> None:
    text = "🇰🇵" * 3000  # 4 UTF-16 units each: 12,000 units in 6,000 code points
    outs = render_answer(answer(text, (cite(),)))
    assert_fits(outs)
    assert (
        "".join(visible(e.description or "") for o in outs for e in o.embeds if e.title is None)
        == text
    )


@pytest.mark.parametrize(
    "markup",
    ["@everyone", "@here", "<@123>", "<@!123>", "<@&456>", "<#789>", "</ask:1>", "<!channel>"],
)
def test_mention_markup_is_made_inert(markup: str) -> None:
    escaped = inert(f"Hi {markup} there")
    assert not re.search(r"(?<!\\)[@<]", escaped)  # every @ and < is escaped: no mention parses
    assert visible(escaped) == f"Hi {markup} there"


@pytest.mark.parametrize(
    "text",
    [
        "**bold**",
        "__under__",
        "~~strike~~",
        "||spoiler||",
        "`code`",
        "```block```",
        "[link](https://x.y)",
    ],
)
def test_markdown_in_article_text_shows_literally(text: str) -> None:
    escaped = inert(text)
    assert not re.search(r"(?<!\\)[*_~|`\[\]]", escaped)
    assert visible(escaped) == text


def test_line_start_markup_is_escaped() -> None:
    escaped = inert("# Heading\n- item\n> quote\n1. first\n-# small")
    assert escaped.splitlines() == [
        "\\# Heading",
        "\\- item",
        "\\> quote",
        "\\1. first",
        "\\-# small",
    ]


def test_control_and_bidi_characters_are_removed() -> None:
    assert inert("abc\u202edcba\u0007\u2066x\u2069") == "abcdcbax"
    assert inert("line one\nline\ttwo") == "line one\nline\ttwo"


def test_split_keeps_paragraphs_whole_when_they_fit() -> None:
    paragraphs = ["A" * 900, "B" * 900, "C" * 900]
    assert split_text("\n\n".join(paragraphs), 2000) == ["A" * 900 + "\n\n" + "B" * 900, "C" * 900]


def test_split_prefers_sentence_boundaries() -> None:
    text = " ".join(f"Sentence number {i} ends here." for i in range(100))
    pieces = split_text(text, 500)
    assert all(units(p) <= 500 for p in pieces)
    assert all(p.endswith("ends here.") for p in pieces)
    assert " ".join(pieces) == text


def test_summary_lists_points_with_markers_then_quotes() -> None:
    summary = Summary(
        "kim",
        TITLE,
        "extractive",
        (
            SummaryPoint(
                "Kim may turn to Russia [1].", (cite(1, 6, "Is Russia the potential “new way”?"),)
            ),
            SummaryPoint("A deadline was set.", (cite(2, 4, "He has set in place a timeline."),)),
        ),
        source=URL,
        length="short",
    )
    [out] = render_summary(summary)
    head = out.embeds[0]
    assert head.title == TITLE and head.url == URL
    assert visible(head.description or "").splitlines() == [
        "• Kim may turn to Russia [1].",
        "• A deadline was set. [2]",
    ]
    assert head.footer.text == "short summary · quoted from the articles"
    assert [e.title for e in out.embeds[1:]] == [f"[1] ¶6 · {TITLE}", f"[2] ¶4 · {TITLE}"]


def test_sources_link_titles_and_fit_however_many_there_are() -> None:
    docs = tuple(
        DocumentInfo(
            f"d{i}",
            f"Article number {i} about **Kim**",
            f"https://news.example/{i}",
            12,
            900,
            "2024",
        )
        for i in range(300)
    )
    outs = render_sources(Sources(docs))
    assert_fits(outs)
    text = shown(outs)
    assert "300 stored articles" in text
    for i in range(300):
        assert f"Article number {i} about **Kim**" in text
    first = outs[0].embeds[0].description or ""
    assert first.startswith(
        "**1.** [Article number 0 about \\*\\*Kim\\*\\*](https://news.example/0)"
    )


def test_no_sources_says_how_to_add_some() -> None:
    [out] = render_sources(Sources())
    assert "citebot ingest" in out.content


def test_partial_and_notice_fit_in_content() -> None:
    partial = render_partial("word " * 1000)
    assert units(partial.content) <= MAX_CONTENT and partial.content.endswith("…")
    notice = render_notice("@everyone " * 500)
    assert units(notice.content) <= MAX_CONTENT
    assert not re.search(r"(?<!\\)@everyone", notice.content)


def test_a_quote_already_in_the_prose_is_not_repeated() -> None:
    prose = f"“{NEW_WAY}” [1] See also [2]."
    [out] = render_answer(
        answer(prose, (cite(1, 3), cite(2, 5, "Is Russia the potential “new way”?")))
    )
    first, second = out.embeds[1:]
    assert first.title == f"[1] ¶3 · {TITLE}" and first.url == URL and first.description is None
    assert (
        second.title == f"[2] ¶5 · {TITLE}"
        and second.description == "> Is Russia the potential “new way”?"
    )
    assert shown([out]).count("forced to pursue") == 1
