"""Citation checks for a model's reply: pure functions, so nothing unverified reaches a user.

A reply is split into claims (sentences, or bullets). A claim survives only when every `[n]` it
carries names a passage that was given, every span it puts in quotation marks is verbatim in one
of the passages it cites (after quotation marks and whitespace are normalised), and, when it
quotes nothing, the passage it cites shares enough of its words. Each surviving citation is the
exact stored text of the sentence(s) holding the evidence, with absolute offsets and paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.models import Citation
from retrieval.chunking import sentence_spans
from retrieval.lexical import terms
from retrieval.types import Passage

# Every quotation mark and apostrophe a model or an article might use; dropped before matching.
QUOTE_MARKS = "\"“”„‟«»″‘’‚‛′`'"
_DROP_QUOTES = str.maketrans("", "", QUOTE_MARKS)
_MARKER = re.compile(r"\[(\d+(?:\s*(?:[,;]|–|-|and)\s*\d+)*)\]")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*")
_BULLET = re.compile(r"^\s*(?:[-*•–]|\d+[.)])\s+")
_EDGE_PUNCT = " ,.;:!?"
MIN_SUPPORT = 0.25  # share of an unquoted claim's content words its cited sentence must hold

# Why a claim was removed, in a few words a user can read.
BAD_NUMBER = "model cited passages it was not given"
BAD_QUOTE = "model quoted words that are not in the article"
UNSUPPORTED = "model's claims were not in the passages it cited"
UNCITED = "model gave no citations"
_PRIORITY = (BAD_NUMBER, BAD_QUOTE, UNSUPPORTED, UNCITED)


@dataclass(frozen=True, slots=True)
class Claim:
    """One sentence or bullet of a reply, as the model wrote it."""

    text: str
    new_line: bool = False  # it began a new line (a bullet, a paragraph)


@dataclass(frozen=True, slots=True)
class Checked:
    """A claim that passed, with its markers renumbered to the citations it earned."""

    text: str
    citations: tuple[Citation, ...]
    new_line: bool = False


@dataclass(frozen=True, slots=True)
class Verdict:
    """What survives of a reply: the claims kept and the reasons the others were dropped."""

    kept: tuple[Checked, ...]
    dropped: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = field(default=())

    @property
    def text(self) -> str:
        out = ""
        for claim in self.kept:
            sep = "" if not out else ("\n" if claim.new_line else " ")
            out += sep + claim.text
        return out

    @property
    def reason(self) -> str:
        """The main reason claims were dropped (for a fallback's note)."""
        for reason in _PRIORITY:
            if reason in self.dropped:
                return reason
        return self.dropped[0] if self.dropped else UNCITED

    @property
    def note(self) -> str:
        """A few words on what was removed, for an answer that survived in part."""
        n = len(self.dropped)
        if not n:
            return ""
        return f"removed {n} unverified claim{'s' if n > 1 else ''}"


# -- normalising and locating quotes ---------------------------------------------------------


def normalise(text: str) -> tuple[str, list[int]]:
    """Text with quotation marks dropped and whitespace runs folded to one space, and for each
    character kept, its offset in `text` (to map a match back to the stored characters)."""
    out: list[str] = []
    where: list[int] = []
    space_at = -1  # where a run of whitespace began, while one is pending
    for i, ch in enumerate(text):
        if ch in QUOTE_MARKS:
            continue
        if ch.isspace():
            if out and space_at < 0:
                space_at = i
            continue
        if space_at >= 0:
            out.append(" ")
            where.append(space_at)
            space_at = -1
        out.append(ch)
        where.append(i)
    return "".join(out), where


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """Where `quote` sits verbatim in `text` (offsets into `text`), allowing for normalised
    quotation marks and whitespace, edge punctuation, a capitalised first letter, and an
    ellipsis standing for words left out; None when it does not."""
    parts = [p.strip(_EDGE_PUNCT) for p in _ELLIPSIS.split(quote)]
    parts = [normalise(p)[0].strip(_EDGE_PUNCT) for p in parts]
    parts = [p for p in parts if p]
    if not parts:
        return None
    hay, where = normalise(text)
    cursor = 0
    first: int | None = None
    last = 0
    for part in parts:
        at = _find(hay, part, cursor)
        if at is None:
            return None
        first = at if first is None else first
        last = at + len(part)
        cursor = last
    assert first is not None
    return where[first], where[last - 1] + 1


def _find(hay: str, needle: str, start: int) -> int | None:
    at = hay.find(needle, start)
    if at < 0 and needle[:1].isalpha():
        at = hay.find(needle[0].swapcase() + needle[1:], start)
    return at if at >= 0 else None


# -- reading a reply -------------------------------------------------------------------------


def split_claims(reply: str) -> list[Claim]:
    """Sentences (and bullets or lines) of a reply, each with the markers that follow it."""
    claims: list[Claim] = []
    for line in reply.splitlines():
        line = _BULLET.sub("", line).strip()
        if not line:
            continue
        pieces = _sentences(line)
        for i, piece in enumerate(pieces):
            claims.append(Claim(piece, new_line=(i == 0)))
    return claims


def _sentences(line: str) -> list[str]:
    """A line cut at sentence ends outside quotation marks; a marker opening a sentence goes
    back to the sentence before it ("… new way. [1] He …")."""
    spans = sentence_spans(line)
    merged: list[str] = []
    for s, e in spans:
        piece = line[s:e]
        if merged and _open_quote(merged[-1]):
            merged[-1] = f"{merged[-1]} {piece}"
            continue
        lead = re.match(r"^(?:\s*\[[^\]]*\d[^\]]*\])+", piece)
        if lead and merged:
            merged[-1] = f"{merged[-1]} {lead.group(0).strip()}"
            piece = piece[lead.end() :].strip()
            if not piece:
                continue
        merged.append(piece)
    return merged


def _open_quote(text: str) -> bool:
    return bool(quotes(text)) and quotes(text)[-1][1]


def quotes(text: str) -> list[tuple[str, bool]]:
    """The outermost spans a claim puts in double quotation marks, each with whether it was
    left open. Curly marks nest; a straight mark closes an open straight one."""
    found: list[tuple[str, bool]] = []
    stack: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in "“«„":
            if not stack:
                start = i + 1
            stack.append(ch)
        elif ch in "”»" and stack and stack[-1] in "“«„":
            stack.pop()
            if not stack:
                found.append((text[start:i], False))
        elif ch == '"':
            if stack and stack[-1] == '"':
                stack.pop()
                if not stack:
                    found.append((text[start:i], False))
            else:
                if not stack:
                    start = i + 1
                stack.append(ch)
    if stack:
        found.append((text[start:], True))
    return [(q, open_) for q, open_ in found if q.strip(_EDGE_PUNCT + QUOTE_MARKS)]


def markers(text: str) -> list[int]:
    """The passage numbers a claim cites, in order: [2], [1, 3], [2][4], [1-3]."""
    out: list[int] = []
    for match in _MARKER.finditer(text):
        body = match.group(1)
        for piece in re.split(r"\s*(?:[,;]|and)\s*", body):
            bounds = [int(x) for x in re.split(r"\s*[–-]\s*", piece) if x]
            if len(bounds) == 2 and 0 < bounds[1] - bounds[0] < 20:
                out.extend(range(bounds[0], bounds[1] + 1))
            else:
                out.extend(bounds)
    return list(dict.fromkeys(out))


def strip_markers(text: str) -> str:
    """A claim without its [n] markers."""
    return " ".join(_MARKER.sub("", text).split()).replace(" .", ".").replace(" ,", ",")


# -- checking claims --------------------------------------------------------------------------


class _Numbering:
    """Citations in order of first use; the same stored span always gets the same number."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._index: dict[tuple[str, int, int], int] = {}

    def number(self, passage: Passage, start: int, end: int) -> int:
        key = (passage.doc_id, passage.start + start, passage.start + end)
        found = self._index.get(key)
        if found is None:
            found = len(self.citations) + 1
            self._index[key] = found
            self.citations.append(
                Citation(
                    n=found, doc_id=passage.doc_id, title=passage.title,
                    paragraph=passage.paragraph, quote=passage.text[start:end],
                    start=passage.start + start, end=passage.start + end, source=passage.source,
                )
            )
        return found


def verify(reply: str, passages: Sequence[Passage], claims: Sequence[Claim] | None = None) -> Verdict:
    """The claims of `reply` that hold up against the numbered `passages` ([1] is passages[0])."""
    numbering = _Numbering()
    kept: list[Checked] = []
    dropped: list[str] = []
    for claim in split_claims(reply) if claims is None else claims:
        outcome = _check(claim, passages, numbering)
        if isinstance(outcome, str):
            dropped.append(outcome)
        else:
            kept.append(outcome)
    used = {c.n for k in kept for c in k.citations}
    citations = tuple(c for c in numbering.citations if c.n in used)
    return _renumbered(tuple(kept), tuple(dropped), citations)


def _check(claim: Claim, passages: Sequence[Passage], numbering: _Numbering) -> Checked | str:
    refs = markers(claim.text)
    spans = [q for q, _ in quotes(claim.text)]
    if not refs:
        return UNCITED
    if any(not 1 <= n <= len(passages) for n in refs):
        return BAD_NUMBER
    cited = [passages[n - 1] for n in refs]
    evidence: dict[int, list[tuple[int, int]]] = {}  # passage number -> quote spans in it
    for quote in spans:
        home = next(
            ((n, at) for n, p in zip(refs, cited, strict=True) if (at := locate(quote, p.text))),
            None,
        )
        if home is None:
            return BAD_QUOTE
        evidence.setdefault(home[0], []).append(home[1])
    new_numbers: dict[int, list[int]] = {}
    for n, passage in zip(refs, cited, strict=True):
        if n in evidence:
            s, e = _enclosing_sentences(passage.text, evidence[n])
        else:  # no quote of the claim is here: the passage must still share its words
            best = _best_support(strip_markers(claim.text), passage.text)
            if best is None:
                continue
            s, e = best
        new_numbers.setdefault(n, []).append(numbering.number(passage, s, e))
    if not new_numbers:
        return UNSUPPORTED

    def renumber(match: re.Match[str]) -> str:
        got = [m for n in markers(match.group(0)) for m in new_numbers.get(n, [])]
        return "".join(f"[{m}]" for m in dict.fromkeys(got))

    text = _tidy(_MARKER.sub(renumber, claim.text))
    citations = tuple(numbering.citations[m - 1] for ms in new_numbers.values() for m in ms)
    return Checked(text, citations, claim.new_line)


def _tidy(text: str) -> str:
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return " ".join(text.split())


def _enclosing_sentences(text: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The sentences of `text` that hold every span: a quote that reads on its own."""
    lo = min(s for s, _ in spans)
    hi = max(e for _, e in spans)
    sentences = sentence_spans(text) or [(0, len(text))]
    first = next((s for s, e in sentences if s <= lo < e), lo)
    last = next((e for s, e in reversed(sentences) if s < hi <= e), hi)
    return min(first, lo), max(last, hi)


def _best_support(claim: str, text: str) -> tuple[int, int] | None:
    """The sentence of `text` sharing most of the claim's content words, when enough do."""
    wanted = set(terms(claim))
    if not wanted:
        return None
    best: tuple[float, tuple[int, int]] | None = None
    for s, e in sentence_spans(text):
        share = len(wanted & set(terms(text[s:e]))) / len(wanted)
        if best is None or share > best[0]:
            best = (share, (s, e))
    if best is None or best[0] < MIN_SUPPORT:
        return None
    return best[1]


def _renumbered(
    kept: tuple[Checked, ...], dropped: tuple[str, ...], citations: tuple[Citation, ...]
) -> Verdict:
    """Citations numbered 1..k in the order the kept text uses them (dropped claims leave gaps)."""
    order = {c.n: i for i, c in enumerate(citations, start=1)}
    if all(n == i for n, i in order.items()):
        return Verdict(kept, dropped, citations)
    new_kept = []
    for k in kept:
        text = re.sub(r"\[(\d+)\]", lambda m: f"[{order.get(int(m.group(1)), m.group(1))}]", k.text)
        cites = tuple(_with_n(c, order[c.n]) for c in k.citations)
        new_kept.append(Checked(text, cites, k.new_line))
    return Verdict(tuple(new_kept), dropped, tuple(_with_n(c, order[c.n]) for c in citations))


def _with_n(c: Citation, n: int) -> Citation:
    return Citation(n, c.doc_id, c.title, c.paragraph, c.quote, c.start, c.end, c.source, c.paragraph_end)


def split_points(reply: str) -> list[Claim]:
    """Each bullet or line of a reply as one claim (a summary's points); a heading is skipped."""
    out = []
    for line in reply.splitlines():
        line = _BULLET.sub("", line).strip()
        if line and not (line.endswith(":") and not markers(line)):
            out.append(Claim(line, new_line=True))
    return out
