"""Plain records shared by ingestion, storage and search."""

from __future__ import annotations

from dataclasses import dataclass, field

# The paragraph number of a standfirst, the one-sentence summary under a headline ("A meeting
# with the Russian leader would underscore Kim's options"): the article's own words, so it may be
# quoted, while the body keeps the count a reader gives it (from 1).
STANDFIRST = 0


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph: its number as a reader counts it (0 for a standfirst), and offsets into the
    raw text."""

    n: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Document:
    """One article: its raw text, where its body paragraphs sit in it, and its metadata."""

    id: str
    source: str
    title: str
    text: str
    paragraphs: tuple[Paragraph, ...]
    content_hash: str
    description: str = ""
    author: str = ""
    date: str = ""

    @property
    def url(self) -> str | None:
        return self.source if self.source.startswith(("http://", "https://")) else None

    @property
    def words(self) -> int:
        return sum(len(self.text[p.start : p.end].split()) for p in self.paragraphs)


@dataclass(frozen=True, slots=True)
class Chunk:
    """The unit stored with one vector: one or more whole paragraphs, or a piece of a long one."""

    doc_id: str
    index: int
    start: int
    end: int
    text: str
    paragraphs: tuple[Paragraph, ...]  # clipped to [start, end)
    tail: str = ""  # the document's text between this chunk and the next (paragraph breaks)


@dataclass(frozen=True, slots=True)
class StoredChunk:
    """A chunk as read back from the store, with its document's metadata."""

    id: str
    doc_id: str
    title: str
    source: str
    start: int
    end: int
    text: str
    paragraphs: tuple[Paragraph, ...]
    content_hash: str = ""
    ingested_at: str = ""
    tail: str = ""  # the text between this chunk and the next ("" in stores written before it)


@dataclass(frozen=True, slots=True)
class Passage:
    """A verbatim span of a stored document: what answers quote and cite."""

    doc_id: str
    title: str
    source: str
    paragraph: int
    start: int
    end: int
    text: str
    score: float = 0.0
    paragraph_end: int = 0  # the last paragraph the span reaches into (0: only `paragraph`)

    @property
    def url(self) -> str | None:
        return self.source if self.source.startswith(("http://", "https://")) else None


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What `sources` lists about one stored document."""

    id: str
    title: str
    source: str
    passages: int
    words: int
    ingested_at: str
    content_hash: str = ""
    extra: dict[str, str] = field(default_factory=dict)
