"""Ingestion into real Chroma (on disk and a real server): idempotent, replacing, shared."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bot.service import Service
from tests.conftest import CORPUS, SEED


def test_ingesting_twice_changes_nothing(make_service: Callable[..., Service]) -> None:
    service = make_service()
    first = service.ingest([str(SEED), str(CORPUS / "001.txt")])
    assert (first.added, first.updated, first.unchanged) == (2, 0, 0)
    count = service.searcher.store.count()
    assert count > 0
    listed = service.documents()
    second = service.ingest([str(SEED), str(CORPUS / "001.txt")])
    assert (second.added, second.updated, second.unchanged) == (0, 0, 2)
    assert service.searcher.store.count() == count
    assert [(d.id, d.content_hash, d.ingested_at) for d in service.documents()] == [
        (d.id, d.content_hash, d.ingested_at) for d in listed
    ]


def test_changed_article_replaces_its_passages_and_leaves_others(
    make_service: Callable[..., Service], tmp_path: Path
) -> None:
    service = make_service()
    article = tmp_path / "harbour.txt"
    article.write_text(
        "Harbour news\n\nThe harbour will reopen on Monday after a month of repairs to the old sea wall.\n\n"
        "Fishing boats are expected to return first, officials said on Friday morning.\n",
        encoding="utf-8",
    )
    service.ingest([str(SEED), str(article)])
    seed_before = next(d for d in service.documents() if d.source == str(SEED.resolve()))
    article.write_text(
        "Harbour news\n\nThe harbour reopening has been delayed until Thursday because of storm damage.\n",
        encoding="utf-8",
    )
    report = service.ingest([str(article)])
    assert (report.added, report.updated) == (0, 1)
    docs = {d.source: d for d in service.documents()}
    assert docs[str(article.resolve())].passages == 1
    assert docs[str(SEED.resolve())] == seed_before
    texts = [c.text for c in service.searcher.store.iter_chunks() if c.source == str(article.resolve())]
    assert texts == ["The harbour reopening has been delayed until Thursday because of storm damage."]
    answer = service.ask_now("When will the harbour reopen?")
    assert "Thursday" in answer.citations[0].quote
    assert all("Monday" not in c.quote for c in answer.citations)


def test_a_second_process_sees_what_the_first_ingested(
    make_service: Callable[..., Service], tmp_path: Path
) -> None:
    writer = make_service()
    reader = make_service()
    writer.ingest([str(SEED)])
    assert reader.ask_now("Who is the Russian foreign minister?").citations[0].quote.count("Lavrov") == 1
    assert reader.ask_now("How much will maternity pay rise?").not_found
    writer.ingest([str(CORPUS / "001.txt")])
    time.sleep(1.1)  # readers look for a new store revision at most once a second
    answer = reader.ask_now("How much will maternity pay for new mothers rise?")
    assert "£1,400" in answer.citations[0].quote


def test_each_document_record_keeps_the_direction_its_chunks_share(
    make_service: Callable[..., Service],
) -> None:
    # ranking measures a sentence's similarity beyond what its article is about, from this
    service = make_service()
    service.ingest([str(SEED), str(CORPUS / "001.txt")])
    store = service.searcher.store
    directions = store.document_vectors()
    assert set(directions) == {d.id for d in service.documents()}
    for doc in service.documents():
        texts = [c.text for c in store.iter_chunks() if c.doc_id == doc.id]
        mean = store.embedder.embed(texts).mean(axis=0)
        direction = directions[doc.id]
        assert abs(float(np.linalg.norm(direction)) - 1.0) < 1e-4
        assert float(direction @ mean) / float(np.linalg.norm(mean)) > 0.9999
