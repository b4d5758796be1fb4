"""Sentences and chunks keep exact offsets into the document text."""

from __future__ import annotations

from retrieval.chunking import CHUNK_MAX_WORDS, chunk_document, sentence_spans
from retrieval.documents import load_file, parse_text
from tests.conftest import CORPUS, SEED


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    text = "Mr. Smith met U.S. President Donald J. Trump in Washington. They talked for an hour."
    assert sentences(text) == [
        "Mr. Smith met U.S. President Donald J. Trump in Washington.",
        "They talked for an hour.",
    ]


def test_closing_quotes_stay_with_their_sentence() -> None:
    text = "He said: “We will win.” Then he left. “Really?” she asked."
    assert sentences(text) == ["He said: “We will win.”", "Then he left.", "“Really?” she asked."]


def test_offsets_within_a_range() -> None:
    text = "Intro. First one here. Second one here."
    spans = sentence_spans(text, 7, len(text))
    assert [text[s:e] for s, e in spans] == ["First one here.", "Second one here."]


def test_chunks_cover_every_paragraph_verbatim() -> None:
    for path in [SEED, *sorted(CORPUS.glob("*.txt"))]:
        doc = load_file(path)
        chunks = chunk_document(doc)
        covered = [p for c in chunks for p in c.paragraphs]
        assert {p.n for p in covered} == {p.n for p in doc.paragraphs}
        for chunk in chunks:
            assert chunk.text == doc.text[chunk.start : chunk.end]
            for p in chunk.paragraphs:
                assert chunk.start <= p.start < p.end <= chunk.end


def test_long_paragraph_is_cut_at_sentence_ends_keeping_its_number() -> None:
    sentence = "This sentence has exactly nine words in it today. "
    doc = parse_text("Long one\n\n" + sentence * 60, "mem://long")
    chunks = chunk_document(doc)
    assert len(chunks) >= 3
    for chunk in chunks:
        assert len(chunk.text.split()) <= CHUNK_MAX_WORDS
        assert chunk.text.endswith("today.")
        assert all(p.n == 1 for p in chunk.paragraphs)
