"""Cleaning a question before it is searched, and the simple follow-up rule."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from bot.errors import InputError
from bot.models import Turn
from retrieval.lexical import STOPWORDS, words

_FOLLOW_UP_OPENER = re.compile(
    r"^\s*(and|but|also|so|what about|how about|and what about|what of|then|why|how come)\b",
    re.IGNORECASE,
)
# Chat addressing, not content: Slack's <!channel> <!here> <!subteam^…> <@U…>, Discord's <@…>
# <@!…> <@&role>, and a bare @everyone / @here / @channel. Dropped so they are never searched
# for (they made answerable questions look off-topic) nor echoed back where they could ping.
_MENTION = re.compile(r"<[@!][^<>]{0,120}>|(?<![\w@])@(?:everyone|here|channel)\b", re.IGNORECASE)
_PRONOUN = frozenset(["he", "she", "him", "her", "his", "hers", "it", "its", "they", "them", "their", "this", "that", "these", "those"])


def clean_question(raw: str, max_chars: int) -> str:
    """Printable text on one line: control and bidi-override characters and mention markup
    dropped, spaces folded."""
    if len(raw) > max_chars * 4:
        raise InputError(too_long(len(raw), max_chars))
    question = _plain(raw)
    if not question:
        raise InputError("Ask me a question about the article, e.g. “What did Kim say about a new way?”")
    if len(question) > max_chars:
        raise InputError(too_long(len(question), max_chars))
    return question


# Terminal escape sequences, whole: "\x1b]0;title\x07" sets a window title, "\x1b[31m" a
# colour. Dropping only their control characters would leave "]0;title" in the question.
_ESCAPE = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b\[[0-9;?]*[ -/]*[@-~]|\x9b[0-9;?]*[ -/]*[@-~]")


def _plain(raw: str) -> str:
    """One line of printable text with no mention markup."""
    kept = []
    for ch in _ESCAPE.sub("", raw):
        category = unicodedata.category(ch)
        if ch in "\t\n\r" or category in ("Zl", "Zp"):
            kept.append(" ")
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue  # control, format (incl. RTL overrides, zero-width), surrogates, unassigned
        else:
            kept.append(ch)
    return " ".join(_MENTION.sub(" ", "".join(kept)).split())


def too_long(n: int, limit: int) -> str:
    return f"That question is {n:,} characters long; the limit is {limit:,}. Please shorten it."


def with_context(question: str, history: Sequence[Turn]) -> str:
    """A follow-up ("and what about China?") searched together with the question before it."""
    # earlier turns come back from chat history as typed: clean them like the question (a lone
    # surrogate from a mis-encoded line made the tokenizer raise)
    previous = next((_plain(t.text) for t in reversed(history) if t.role == "user" and _plain(t.text)), "")
    if not previous or previous.strip() == question.strip():
        return question
    ws = words(question)
    content = [w for w in ws if w not in STOPWORDS]
    follows = bool(_FOLLOW_UP_OPENER.match(question)) or any(w in _PRONOUN for w in ws)
    if follows or len(content) <= 2:
        return f"{question} {previous}"
    return question
