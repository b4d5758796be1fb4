"""The records every door shares: questions, answers, citations and summaries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from retrieval.types import STANDFIRST, DocumentInfo, Passage

Mode = Literal["extractive", "llm", "fallback"]
Length = Literal["short", "medium", "long"]
Role = Literal["user", "assistant"]


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of a conversation so far (a thread, a reply chain, a chat session)."""

    role: Role
    text: str


@dataclass(frozen=True, slots=True)
class Citation:
    """A verbatim quote from a stored document, with where it sits."""

    n: int
    doc_id: str
    title: str
    paragraph: int
    quote: str
    start: int
    end: int
    source: str
    # the last paragraph the quote reaches into: a quote of two one-sentence paragraphs
    # ("¶7–8") is the paragraph number and this one; for most quotes it equals `paragraph`
    paragraph_end: int = 0

    def __post_init__(self) -> None:
        if self.paragraph_end < self.paragraph:
            object.__setattr__(self, "paragraph_end", self.paragraph)

    @property
    def url(self) -> str | None:
        return self.source if self.source.startswith(("http://", "https://")) else None

    @property
    def where(self) -> str:
        """"¶7", "¶7–8" for a quote across two paragraphs, "subtitle" for the standfirst."""
        if self.paragraph == STANDFIRST:
            return "subtitle" if self.paragraph_end == STANDFIRST else f"subtitle–¶{self.paragraph_end}"
        if self.paragraph_end > self.paragraph:
            return f"¶{self.paragraph}–{self.paragraph_end}"
        return f"¶{self.paragraph}"

    @classmethod
    def of(cls, n: int, passage: Passage) -> Citation:
        return cls(
            n=n,
            doc_id=passage.doc_id,
            title=passage.title,
            paragraph=passage.paragraph,
            quote=passage.text,
            start=passage.start,
            end=passage.end,
            source=passage.source,
            paragraph_end=passage.paragraph_end,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


NOT_FOUND_TEXT = "The article doesn't say."


@dataclass(frozen=True, slots=True)
class Answer:
    """What every door renders: prose with [n] markers, and the verified citations."""

    question: str
    text: str
    citations: tuple[Citation, ...]
    not_found: bool
    mode: Mode
    latency_ms: float = 0.0
    note: str = ""  # why a fallback happened, in a few words

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "text": self.text,
            "not_found": self.not_found,
            "mode": self.mode,
            "citations": [c.to_dict() for c in self.citations],
            "latency_ms": round(self.latency_ms, 2),
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class SummaryPoint:
    text: str
    citations: tuple[Citation, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "citations": [c.to_dict() for c in self.citations]}


@dataclass(frozen=True, slots=True)
class Summary:
    """Cited points about one document."""

    doc_id: str
    title: str
    mode: Mode
    points: tuple[SummaryPoint, ...]
    source: str = ""
    note: str = ""
    length: Length = "medium"

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "source": self.source,
            "mode": self.mode,
            "length": self.length,
            "points": [p.to_dict() for p in self.points],
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Sources:
    documents: tuple[DocumentInfo, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": [
                {
                    "id": d.id,
                    "title": d.title,
                    "source": d.source,
                    "passages": d.passages,
                    "words": d.words,
                    "ingested_at": d.ingested_at,
                }
                for d in self.documents
            ]
        }
