"""A stand-in for the citebot service (our seam) that answers with real seed passages."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.models import Answer, Citation, Length, Sources, Summary, SummaryPoint, Turn
from bot.service import TextSink
from retrieval.types import DocumentInfo, Passage

SEED = Path(__file__).resolve().parents[2] / "seeds" / "kim-jong-un-russia.txt"
TITLE = "With Hanoi in the Rearview, Will Kim Jong Un Turn to Russia?"
URL = "https://thediplomat.com/2019/04/with-hanoi-in-the-rearview-will-kim-jong-un-turn-to-russia/"


def seed_paragraphs() -> list[str]:
    """The seed article's body paragraphs (the long ones), in order: ¶1 is the first."""
    return [p.strip() for p in SEED.read_text(encoding="utf-8").split("\n\n") if len(p.split()) > 40]


def passage(n: int) -> Passage:
    """Body paragraph n of the seed article, as the store would return it."""
    text = seed_paragraphs()[n - 1]
    raw = SEED.read_text(encoding="utf-8")
    start = raw.index(text)
    return Passage("kim-russia", TITLE, URL, n, start, start + len(text), text)


def answer(question: str, text: str, paragraphs: Sequence[int] = (), **kw: object) -> Answer:
    cites = tuple(Citation.of(i + 1, passage(p)) for i, p in enumerate(paragraphs))
    return Answer(question, text, cites, not paragraphs, "extractive", **kw)  # type: ignore[arg-type]


@dataclass
class FakeService:
    """Answers from a table of (word in question -> answer maker); records what it was asked."""

    answers: dict[str, Answer] = field(default_factory=dict)
    delay: float = 0.0
    error: Exception | None = None
    stream: Sequence[str] = ()
    asked: list[tuple[str, tuple[Turn, ...]]] = field(default_factory=list)
    summarized: list[tuple[str | None, Length]] = field(default_factory=list)

    async def ask(
        self, question: str, history: Sequence[Turn] = (), on_text: TextSink | None = None
    ) -> Answer:
        self.asked.append((question, tuple(history)))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.error:
            raise self.error
        for piece in self.stream:
            if on_text:
                await on_text(piece)
            await asyncio.sleep(0.01)
        for word, found in self.answers.items():
            if word.lower() in question.lower():
                return Answer(question, found.text, found.citations, found.not_found, found.mode)
        return Answer(question, "The article doesn't say.", (), True, "extractive")

    async def summarize(self, doc: str | None = None, length: Length = "medium") -> Summary:
        self.summarized.append((doc, length))
        if self.error:
            raise self.error
        points = tuple(SummaryPoint(passage(n).text, (Citation.of(1, passage(n)),)) for n in (1, 3, 8))
        return Summary(
            "kim-russia",
            TITLE,
            "extractive",
            points[: {"short": 1, "medium": 2, "long": 3}[length]],
            source=URL,
            length=length,
        )

    async def sources(self) -> Sources:
        return Sources((DocumentInfo("kim-russia", TITLE, URL, 12, 850, "2024-05-01T10:00:00+00:00"),))
