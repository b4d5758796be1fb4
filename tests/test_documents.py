"""Loading articles: titles, boilerplate, paragraph numbers and offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.documents import Unreadable, load_file, parse_html, parse_text
from tests.conftest import CORPUS, SEED


def body(doc_text: str, doc: object) -> list[str]:
    return [doc_text[p.start : p.end] for p in doc.paragraphs]  # type: ignore[attr-defined]


def test_seed_title_and_boilerplate_are_not_paragraphs() -> None:
    doc = load_file(SEED)
    assert doc.title == "With Hanoi in the Rearview, Will Kim Jong Un Turn to Russia?"
    paragraphs = body(doc.text, doc)
    joined = "\n".join(paragraphs)
    assert "Recent Features" not in joined
    assert "Credit:" not in joined
    assert doc.title not in joined
    assert [p.n for p in doc.paragraphs] == list(range(10))  # the standfirst, then 9 body paragraphs
    assert paragraphs[1].startswith("Since the collapse of the second U.S.-North Korea summit")


def test_seed_new_way_passage_is_paragraph_three_with_exact_offsets() -> None:
    doc = load_file(SEED)
    raw = SEED.read_text(encoding="utf-8")
    third = next(p for p in doc.paragraphs if p.n == 3)
    assert "pursue a “new way”" in raw[third.start : third.end]
    assert raw[third.start : third.end] == doc.text[third.start : third.end]


def test_standfirst_is_the_description_and_paragraph_zero_not_body() -> None:
    """The line under the headline is the article's own words: it may be quoted (as the
    subtitle, paragraph 0), and the body keeps a reader's count from 1."""
    doc = load_file(SEED)
    assert doc.description.startswith("A meeting with the Russian leader")
    standfirst = doc.paragraphs[0]
    assert standfirst.n == 0
    assert doc.text[standfirst.start : standfirst.end] == (
        "A meeting with the Russian leader would underscore Kim’s options aside from the United States."
    )
    assert all("would underscore Kim’s options" not in body(doc.text, doc)[i] for i in range(1, 10))


def test_bbc_headline_is_title_and_first_sentence_is_paragraph_one() -> None:
    doc = load_file(CORPUS / "001.txt")
    assert doc.title == "Labour plans maternity pay rise"
    assert body(doc.text, doc)[0].startswith("Maternity pay for new mothers is to rise by £1,400")


def test_scraped_one_line_paragraphs_and_repeated_lines() -> None:
    text = (
        "Storm hits coast\n"
        "Advertisement\n"
        "By Jane Doe\n"
        "Storm hits coast\n"
        + "The storm made landfall on Tuesday night after days of warnings from forecasters, "
        "who said the winds would be the strongest in a decade along this stretch of coast.\n"
        + "Residents were told to leave their homes, and most of them did so before dark, "
        "according to officials who spoke to reporters at the emergency centre on Wednesday.\n"
        "Share this article\n"
    )
    doc = parse_text(text, "mem://storm")
    assert doc.title == "Storm hits coast"
    assert doc.author == "Jane Doe"
    paragraphs = body(doc.text, doc)
    assert len(paragraphs) == 2
    assert paragraphs[1].startswith("Residents were told")


def test_markdown_heading_title_and_hard_wrapped_paragraph() -> None:
    text = "# Budget row\n\nThe chancellor said the plan\nwould be paid for by taxes.\n\n## Reaction\n\nCritics disagreed. They said so loudly.\n"
    doc = parse_text(text, "mem://md")
    assert doc.title == "Budget row"
    paragraphs = body(doc.text, doc)
    assert paragraphs == ["The chancellor said the plan\nwould be paid for by taxes.", "Critics disagreed. They said so loudly."]


def test_html_keeps_metadata_and_paragraphs() -> None:
    html = """<html><head><title>Harbour reopens | Example News</title>
    <meta name="author" content="Ann Writer"><meta property="article:published_time" content="2024-05-01">
    </head><body><nav>Home | World | Sport</nav><article><h1>Harbour reopens</h1>
    <p>The harbour reopened on Monday after a month of repairs to the sea wall, officials said.</p>
    <p>Fishing boats were the first to return, and the port authority expects ferries next week.</p>
    </article><footer>Copyright Example News</footer></body></html>"""
    doc = parse_html(html, "https://example.com/harbour")
    assert "Harbour reopens" in doc.title
    assert doc.author == "Ann Writer"
    assert doc.date.startswith("2024-05-01")
    paragraphs = body(doc.text, doc)
    assert paragraphs[0].startswith("The harbour reopened on Monday")
    assert not any("Copyright" in p or "Home | World" in p for p in paragraphs)
    assert doc.url == "https://example.com/harbour"


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty file"), (b"\x00\x01\x02binary", "binary file"), (b"\xff\xfe\xfa bad", "not UTF-8 text"),
     (b"   \n\n  ", "no text in file")],
)
def test_unusable_files_give_a_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(Unreadable, match=reason):
        load_file(path)


def test_broken_html_gives_a_reason_not_a_crash() -> None:
    with pytest.raises(Unreadable):
        parse_html("<html><body><div><<<>>></div", "mem://broken")


def test_same_text_same_hash_and_changed_text_new_hash() -> None:
    a = parse_text("Title\n\nOne sentence here that is long enough to count.", "mem://x")
    b = parse_text("Title\n\nOne sentence here that is long enough to count.", "mem://x")
    c = parse_text("Title\n\nA different sentence that is long enough to count.", "mem://x")
    assert a.content_hash == b.content_hash != c.content_hash
    assert a.id == c.id


def test_paragraphs_before_a_photo_credit_are_the_story_not_a_header() -> None:
    text = (
        "Bridge to reopen after repairs\n\n"
        "The old bridge will reopen to traffic on Friday.\n\n"
        "Engineers finished the work two weeks early.\n\n"
        "Photo: City Images/Staff\n\n"
        "Cyclists will get a separate lane for the first time.\n"
    )
    doc = parse_text(text, "bridge.txt")
    body = [text[p.start : p.end] for p in doc.paragraphs]
    assert body == [
        "The old bridge will reopen to traffic on Friday.",
        "Engineers finished the work two weeks early.",
        "Cyclists will get a separate lane for the first time.",
    ]
