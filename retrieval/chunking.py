"""Sentences and chunks with character offsets into a document's text. Pure functions."""

from __future__ import annotations

import re
from dataclasses import replace

from retrieval.types import Chunk, Document, Paragraph

CHUNK_MAX_WORDS = 180  # a long paragraph is cut at sentence ends into pieces about this long
CHUNK_MERGE_WORDS = 100  # short paragraphs share a chunk (one vector) up to this many words

_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    ["mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "sen", "rep", "gov", "gen", "lt", "col", "capt", "sgt", "cmdr", "adm", "pres", "supt", "det", "insp", "rev", "hon", "inc", "ltd", "co", "corp", "bros", "vs", "etc", "approx", "dept", "univ", "assn", "est", "fig", "no", "nos", "vol", "pp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "e.g", "i.e", "cf", "al"]
)


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets within text[start:end], trimmed of whitespace."""
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, stop):
        if _is_abbreviation(text, cursor, match.start()):
            continue
        spans.append((cursor, match.end()))
        cursor = match.end()
    spans.append((cursor, stop))
    return [t for t in (_trim(text, s, e) for s, e in spans) if t[1] > t[0]]


def _is_abbreviation(text: str, floor: int, dot: int) -> bool:
    """True when the period at `dot` ends an abbreviation or an initial, not a sentence."""
    if text[dot] != ".":
        return False
    word_start = dot
    while word_start > floor and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:dot].lstrip("\"'“‘([")
    if word.lower() in _ABBREVIATIONS:
        return True
    # initials and dotted acronyms: "J." "U.S." "D.C." (but not a sentence ending in "US.")
    return bool(re.fullmatch(r"(?:[A-Z]\.)*[A-Z]", word))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _words(text: str, start: int, end: int) -> int:
    return len(text[start:end].split())


def chunk_document(doc: Document) -> list[Chunk]:
    """Chunks in reading order: a paragraph, several short ones, or a piece of a long one."""
    pieces: list[Paragraph] = []
    for para in doc.paragraphs:
        pieces.extend(_split_long(doc.text, para))
    chunks: list[Chunk] = []
    group: list[Paragraph] = []
    for piece in pieces:
        size = sum(_words(doc.text, p.start, p.end) for p in group)
        if group and size + _words(doc.text, piece.start, piece.end) > CHUNK_MERGE_WORDS:
            chunks.append(_make_chunk(doc, len(chunks), group))
            group = []
        group.append(piece)
    if group:
        chunks.append(_make_chunk(doc, len(chunks), group))
    # what lies between one chunk and the next (a quote may run on into the next paragraph)
    return [
        replace(c, tail=doc.text[c.end : chunks[i + 1].start]) if i + 1 < len(chunks) else c
        for i, c in enumerate(chunks)
    ]


def _split_long(text: str, para: Paragraph) -> list[Paragraph]:
    """A paragraph over CHUNK_MAX_WORDS as consecutive runs of whole sentences."""
    if _words(text, para.start, para.end) <= CHUNK_MAX_WORDS:
        return [para]
    out: list[Paragraph] = []
    run_start: int | None = None
    run_end = para.start
    count = 0
    for s, e in sentence_spans(text, para.start, para.end):
        n = _words(text, s, e)
        if run_start is not None and count + n > CHUNK_MAX_WORDS:
            out.append(Paragraph(para.n, run_start, run_end))
            run_start, count = None, 0
        run_start = s if run_start is None else run_start
        run_end, count = e, count + n
    if run_start is not None:
        out.append(Paragraph(para.n, run_start, run_end))
    return out


def _make_chunk(doc: Document, index: int, group: list[Paragraph]) -> Chunk:
    start, end = group[0].start, group[-1].end
    return Chunk(
        doc_id=doc.id, index=index, start=start, end=end,
        text=doc.text[start:end], paragraphs=tuple(group),
    )
