"""A question that points at a part of the article ("according to the subtitle", "in the
closing line") is answered from that part; the words that point are not what it asks about."""

from __future__ import annotations

import re
from enum import Enum


class Part(Enum):
    STANDFIRST = "standfirst"  # the line under the headline
    FIRST = "first"  # the opening paragraph
    LAST = "last"  # the closing paragraph


_NOUN = r"(?:line|sentence|paragraph|para|passage|words?|section|lines)"
_PARTS: tuple[tuple[Part, str], ...] = (
    (
        Part.STANDFIRST,
        r"sub[- ]?(?:head(?:line|ing|er)?|title)s?|standfirst|strap-?line|tag-?line|"
        r"(?:line|sentence|summary|blurb|text)\s+(?:just\s+)?(?:beneath|below|under(?:neath)?)\s+the\s+"
        r"(?:headline|title|heading)",
    ),
    (Part.FIRST, rf"(?:opening|first|lead|introductory)\s+{_NOUN}|intro|lede"),
    (Part.LAST, rf"(?:closing|final|last|concluding|ending)\s+{_NOUN}|conclusion|ending"),
)
# "the", "its" or "the article's" before the part: "ending" alone is no part of an article
_OWNER = r"(?:(?:the|its|this|that)\s+(?:(?:article|piece|story|report)(?:['’]s)?\s+)?|(?:article|piece|story)['’]s\s+)"
_PATTERNS = tuple(
    (
        part,
        re.compile(
            rf"[,;]?\s*\b(?:(?:according\s+to|as\s+(?:stated|said|put|written)\s+in|per|in|from|based\s+on|"
            rf"going\s+by|judging\s+by)\s+)?{_OWNER}(?:{pattern})\b(?:\s+of\s+(?:the\s+)?(?:article|piece|story))?[,;:]?",
            re.IGNORECASE,
        ),
    )
    for part, pattern in _PARTS
)


def referenced_part(question: str) -> tuple[Part | None, str]:
    """The part of the article a question points at, if any, and the question without the
    words that point ("According to the subtitle, what would a meeting highlight?" ->
    STANDFIRST, "What would a meeting highlight?")."""
    for part, pattern in _PATTERNS:
        m = pattern.search(question)
        if m is None:
            continue
        rest = " ".join((question[: m.start()] + " " + question[m.end() :]).split())
        rest = re.sub(r"\s+([?.!,])", r"\1", rest).strip(" ,;:")
        return part, rest[:1].upper() + rest[1:]
    return None, question
