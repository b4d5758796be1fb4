"""Offline summaries: central, non-redundant sentences in article order, each cited."""

from __future__ import annotations

import numpy as np

from bot.models import Citation, Length, Summary, SummaryPoint
from retrieval.search import HybridSearcher
from retrieval.types import DocumentInfo, Passage

POINTS: dict[str, int] = {"short": 3, "medium": 5, "long": 8}
_MIN_WORDS = 6


class ExtractiveSummarizer:
    """Picks sentences near the document's centre of meaning, skipping near-repeats (MMR)."""

    def __init__(self, searcher: HybridSearcher, diversity: float = 0.35) -> None:
        self.searcher = searcher
        self.diversity = diversity

    def passages(self, doc: DocumentInfo, length: Length) -> list[Passage]:
        """The chosen sentences, in article order."""
        sentences = self.searcher.document_sentences(doc.id)
        usable = [(s, v) for s, v in sentences if len(s.text.split()) >= _MIN_WORDS] or sentences
        if not usable:
            return []
        vectors = np.stack([v for _, v in usable])
        centroid = vectors.mean(axis=0)
        centroid /= np.linalg.norm(centroid) or 1.0
        # Centrality, with a gentle lead bias: news puts its point first.
        position = np.arange(len(usable), dtype=np.float32) / max(1, len(usable) - 1)
        relevance = vectors @ centroid + 0.15 * (1.0 - position)
        chosen: list[int] = []
        want = min(POINTS[length], len(usable))
        while len(chosen) < want:
            if chosen:
                redundancy = (vectors @ vectors[chosen].T).max(axis=1)
            else:
                redundancy = np.zeros(len(usable), dtype=np.float32)
            score = (1 - self.diversity) * relevance - self.diversity * redundancy
            score[chosen] = -np.inf
            chosen.append(int(np.argmax(score)))
        out = []
        for i in sorted(chosen):
            s = usable[i][0]
            out.append(Passage(doc.id, doc.title, doc.source, s.paragraph, s.start, s.end, s.text))
        return out

    def summarize(self, doc: DocumentInfo, length: Length) -> Summary:
        points = tuple(
            SummaryPoint(" ".join(p.text.split()), (Citation.of(n, p),))
            for n, p in enumerate(self.passages(doc, length), start=1)
        )
        return Summary(doc.id, doc.title, "extractive", points, source=doc.source, length=length)
