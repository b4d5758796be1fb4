"""Answers, summaries and sources as Slack Block Kit: what a reader sees, within limits."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.models.blocks import Block as SdkBlock

from bot.models import Answer, Citation, Sources, Summary, SummaryPoint
from bot.render_slack import (
    CONTINUED,
    MAX_BLOCKS,
    MESSAGE_CHARS,
    SECTION_CHARS,
    SHARE,
    VOTE_DOWN,
    VOTE_UP,
    SlackMessage,
    escape,
    link,
    notice,
    render_answer,
    render_partial,
    render_sources,
    render_summary,
    split_text,
)
from tests.fakes.slack_service import TITLE, URL, answer, passage

PINGS = ("<!channel>", "<!here>", "<!everyone>", "<@U", "<#C", "<!subteam")


def texts(message: SlackMessage) -> str:
    """All the mrkdwn a reader sees in a message, in order."""
    out: list[str] = []
    for block in message.blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        for el in block.get("elements", []):
            out.append(el.get("text") if isinstance(el.get("text"), str) else el["text"]["text"])
    return "\n".join(out)


def assert_valid(messages: list[SlackMessage]) -> None:
    """Every message passes slack-sdk's own validation and Slack's size limits."""
    for m in messages:
        assert 0 < len(m.blocks) <= MAX_BLOCKS
        assert len(json.dumps(list(m.blocks), ensure_ascii=False)) <= MESSAGE_CHARS
        for block in m.blocks:
            parsed = SdkBlock.parse(block)
            assert parsed is not None
            parsed.validate_json()
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= SECTION_CHARS
                assert block["text"]["verbatim"] is True


def test_answer_shows_the_quote_its_title_link_and_paragraph() -> None:
    a = answer("What did Kim say about a new way?", 'Kim warned he would pursue a "new way" [1].', [3])
    [message] = render_answer(a, answer_id="abc123")
    shown = texts(message)
    assert 'Kim warned he would pursue a "new way" [1].' in shown
    assert f"*[1]* <{URL}|{TITLE}> · ¶3" in shown
    assert ">We should bear in mind too that in his New Year\u2019s Day address" in shown
    assert "forced to pursue a “new way” should the United States fail" in shown
    assert message.text.startswith('Kim warned he would pursue a "new way" [1].')
    assert_valid([message])


def test_feedback_buttons_carry_the_answer_id_and_share_is_optional() -> None:
    a = answer("q", "text [1]", [3])
    [private] = render_answer(a, answer_id="id42", share=True)
    actions = private.blocks[-1]
    assert actions["type"] == "actions"
    ids = [(e["action_id"], e["value"]) for e in actions["elements"]]
    assert ids == [(VOTE_UP, "id42"), (VOTE_DOWN, "id42"), (SHARE, "id42")]
    [public] = render_answer(a, answer_id="id42", share=False)
    assert [e["action_id"] for e in public.blocks[-1]["elements"]] == [VOTE_UP, VOTE_DOWN]
    [bare] = render_answer(a)
    assert all(b["type"] != "actions" for b in bare.blocks)


def test_a_citation_without_a_url_is_not_linked() -> None:
    cite = Citation(1, "notes", "Notes <b> & co", 2, "a quote", 0, 7, "notes.txt")
    [m] = render_answer(Answer("q", "x [1]", (cite,), False, "extractive"))
    assert "*[1]* Notes &lt;b&gt; &amp; co · ¶2\n>a quote" in texts(m)


def test_a_quote_across_two_paragraphs_shows_both_numbers() -> None:
    cite = Citation(1, "notes", "Notes", 7, "One. Two.", 0, 10, "notes.txt", paragraph_end=8)
    [m] = render_answer(Answer("q", "x [1]", (cite,), False, "extractive"))
    assert "*[1]* Notes · ¶7–8\n>One. Two." in texts(m)


@pytest.mark.parametrize(
    "hostile",
    [
        "<!channel> read this",
        "<!here>",
        "<!everyone>",
        "<@U024BE7LH> look",
        "<@U024BE7LH|bob>",
        "<#C024BE7LB|general>",
        "<!subteam^S123|@team>",
        "<https://evil.example|click me>",
        "a & b < c > d",
    ],
)
def test_user_and_article_text_is_escaped_everywhere(hostile: str) -> None:
    cite = Citation(1, "d", hostile, 1, f"quoted {hostile}", 0, 1, "https://x.test/?a=1&b=<2>")
    a = Answer(hostile, f"answer {hostile} [1]", (cite,), False, "llm", note=f"note {hostile}")
    messages = render_answer(a, answer_id="id", show_question=True)
    summary = Summary("d", hostile, "extractive", (SummaryPoint(hostile, (cite,)),), note=hostile)
    messages += [*render_summary(summary), notice(hostile), render_partial(hostile)]
    blob = json.dumps([[m.text, list(m.blocks)] for m in messages], ensure_ascii=False)
    for ping in PINGS:
        assert ping not in blob
    assert "<https://evil.example" not in blob
    assert "&lt;" in blob and "&amp;" in blob
    assert "<https://x.test/?a=1&amp;b=%3C2%3E|" in blob  # our own link stays a link, made safe
    assert_valid(messages)


def test_escape_drops_control_and_bidi_characters() -> None:
    assert escape("a\u202ebc\x00d\x1b[31m\te\nf") == "abcd[31m\te\nf"
    assert escape("🙂 日本語 Ünïcode") == "🙂 日本語 Ünïcode"


def test_link_refuses_non_http_urls() -> None:
    assert link("javascript:alert(1)", "t") == "t"
    assert link("file:///etc/passwd", "t<") == "t&lt;"


def test_split_text_prefers_paragraphs_then_sentences_and_keeps_everything() -> None:
    text = ("First sentence here. " * 60).strip() + "\n\n" + ("Second part. " * 60).strip()
    pieces = split_text(text, 1000)
    assert all(len(p) <= 1000 for p in pieces)
    assert all(p.endswith(".") for p in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_split_text_never_cuts_an_entity() -> None:
    text = escape("&" * 5000)
    pieces = split_text(text, 3000)
    assert "".join(pieces) == text
    assert all(p.startswith("&amp;") and p.endswith("&amp;") for p in pieces)


def test_long_answer_continues_in_more_messages_with_every_citation_whole() -> None:
    long_text = " ".join(f"Sentence number {i} says something about Kim and Russia [1]." for i in range(700))
    quotes = [passage(n) for n in range(1, 9)]
    cites = tuple(Citation.of(i + 1, p) for i, p in enumerate(quotes))
    huge = Citation(9, "big", "Big", 42, "word " * 3000, 0, 15000, "big.txt")  # one 15,000-char quote
    a = Answer("q", long_text, (*cites, huge), False, "llm")
    messages = render_answer(a, answer_id="id9", share=True)
    assert len(messages) > 2
    assert_valid(messages)
    assert messages[0].text.startswith("Sentence number 0 says")
    assert all(m.text == CONTINUED for m in messages[1:])
    everything = "\n".join(texts(m) for m in messages)
    for n, p in enumerate(quotes, 1):
        assert f"*[{n}]*" in everything
        assert f"\n>{escape(p.text)}" in everything
    # the huge quote is split across blocks but not a single word is dropped
    assert everything.count("word") == 3000
    # a citation's heading and the start of its quote are never in different messages
    for m in messages:
        for block in m.blocks:
            if block["type"] == "section" and block["text"]["text"].startswith("*["):
                assert "\n>" in block["text"]["text"]
    # the prose comes first, complete, and the buttons are under the last message
    prose = "".join(texts(m) for m in messages).replace("\n", " ")
    assert "Sentence number 699 says something about Kim and Russia [1]." in prose
    assert messages[-1].blocks[-1]["type"] == "actions"


def test_each_citation_stays_in_one_message_when_it_can() -> None:
    # each quote needs two sections; a message holds two such citations at most
    cites = tuple(Citation(i, "d", f"T{i}", i, "q " * 2500, 0, 1, "d") for i in range(1, 9))
    messages = render_answer(Answer("q", "short", cites, False, "extractive"))
    assert_valid(messages)
    assert len(messages) >= 4
    for m in messages[1:]:  # a continuation starts with a citation's heading, never mid-quote
        assert m.blocks[0]["text"]["text"].startswith("*[")
    for m in messages:
        for head, body in zip(m.blocks, m.blocks[1:], strict=False):
            if head["text"]["text"].startswith("*["):
                assert body["text"]["text"].startswith(">q q")  # its second half follows it


def test_not_found_answer_renders_its_text() -> None:
    a = Answer("Who won the 2030 World Cup?", "The article doesn't say.", (), True, "extractive")
    [m] = render_answer(a, answer_id="nf")
    assert "The article doesn't say." in texts(m)
    assert m.blocks[-1]["type"] == "actions"


def test_question_echo_is_shown_for_commands() -> None:
    [m] = render_answer(answer("What did <@U1> say?", "x", [3]), show_question=True)
    assert m.blocks[0]["type"] == "context"
    assert "*Q:* What did &lt;@U1&gt; say?" in texts(m)


def test_summary_lists_points_with_paragraphs_and_link() -> None:
    points = (
        SummaryPoint("Kim may meet Putin next.", (Citation.of(1, passage(8)),)),
        SummaryPoint(passage(3).text, (Citation.of(2, passage(3)),)),
    )
    [m] = render_summary(Summary("kim", TITLE, "extractive", points, source=URL, length="short"))
    shown = texts(m)
    assert f"*Summary of <{URL}|{TITLE}>* (short)" in shown
    assert "• Kim may meet Putin next.  _(¶8)_" in shown
    assert ">Unsurprisingly, we now have reports that Kim is likely to meet Russian President" in shown
    # a point that is itself the quote is not quoted twice
    assert shown.count("We should bear in mind too") == 1
    assert_valid([m])


def test_sources_lists_documents_and_says_when_empty() -> None:
    from retrieval.types import DocumentInfo

    docs = tuple(
        DocumentInfo(f"d{i}", f"Title {i} <x>", f"https://e.test/{i}", i, 1000 * i, "2024-05-01T00:00:00")
        for i in range(1, 200)
    )
    messages = render_sources(Sources(docs))
    assert_valid(messages)
    shown = "\n".join(texts(m) for m in messages)
    assert "*Stored articles* (199)" in shown
    assert "• <https://e.test/7|Title 7 &lt;x&gt;> · 7 passages · 7,000 words · added 2024-05-01" in shown
    assert shown.count("• ") == 199
    [empty] = render_sources(Sources())
    assert "No articles are stored yet" in texts(empty)


def test_partial_text_keeps_the_latest_words_within_a_section() -> None:
    m = render_partial("x" * 10_000 + " the end")
    body: Any = m.blocks[0]["text"]["text"]
    assert len(body) <= SECTION_CHARS and body.endswith("the end") and body.startswith("…")
    assert "writing" in texts(m)


def test_a_quote_already_in_the_prose_is_not_repeated() -> None:
    """Extractive answers quote passages in their text: the citation then only says where."""
    p8, p5 = passage(8), passage(5)
    text = f"\u201c{p8.text}\u201d [1] See also [2]."
    cites = (
        Citation.of(1, p8),
        Citation(2, p5.doc_id, p5.title, 5, "Is Russia the potential", 0, 1, URL),
    )
    [m] = render_answer(Answer("Who is Kim expected to meet next?", text, cites, False, "extractive"))
    shown = texts(m)
    assert shown.count("Vladimir Putin") == 1
    assert f"*[1]* <{URL}|{TITLE}> · ¶8" in shown
    assert f"*[2]* <{URL}|{TITLE}> · ¶5\n>Is Russia the potential" in shown


def test_a_quote_differing_from_the_prose_only_in_spacing_counts_as_shown() -> None:
    p3 = passage(3)  # the seed has non-breaking spaces around its dashes
    assert "\xa0" in p3.text
    text = "\u201c" + " ".join(p3.text.split()) + "\u201d [1]"
    [m] = render_answer(Answer("q", text, (Citation.of(1, p3),), False, "extractive"))
    assert texts(m).count("We should bear in mind") == 1
