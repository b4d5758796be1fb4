"""Hybrid search: Chroma's nearest chunks fused with BM25, then the sentences that answer."""

from __future__ import annotations

import gc
import logging
import math
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from retrieval.aliases import COMMON_INITIALS
from retrieval.answer_types import CAPITAL_RUN, AnswerType, asks_where, holds, question_type
from retrieval.chunking import sentence_spans
from retrieval.embeddings import Embedder, Vectors
from retrieval.lexical import STOPWORDS, LexicalIndex, stem, term_of, term_words, terms, words
from retrieval.parts import Part, referenced_part
from retrieval.question_parts import question_names, spelled_out
from retrieval.spellings import Spellings
from retrieval.store import ChunkStore
from retrieval.types import STANDFIRST, Passage, StoredChunk

log = logging.getLogger(__name__)

# Words that shape a question but say nothing about its topic.
QUESTION_WORDS = frozenset(
    ["what", "whats", "who", "whom", "whose", "which", "when", "where", "why", "how", "does", "did", "do", "doe", "say", "said", "says", "tell", "told", "mention", "mentioned", "mentions", "article", "piece", "story", "text", "author", "writer", "report", "reported", "according", "describe", "described", "explain", "explains", "give", "given", "happen", "happened", "many", "much", "kind", "type", "sort", "thing", "things", "anything", "something", "anyone", "someone", "name", "named"]
)
# chat's short forms of words that say nothing about a question's topic ("where r the tapes
# gonna be kept", "what did u think abt")
_CHAT_STOP = frozenset(["like", "r", "u", "ur", "abt", "shd", "shld", "wld", "cld", "gonna", "wanna", "bc", "cuz", "coz"])
_QUESTION_STOP = STOPWORDS | QUESTION_WORDS | _CHAT_STOP
# A question about what someone said favours sentences that report speech.
_SPEECH_ASKED = frozenset(["say", "said", "says", "tell", "told", "warn", "warned", "claim", "claimed", "promise", "promised", "react", "reacted", "respond", "responded", "reaction", "response"])
_WHY = re.compile(r"^why\b|\bwhy (did|does|do|is|was|are|were|has|have|had|would|will|should|could|might)\b|\bfor what reason\b|\bwhat (was|is|were|are) the (\w+ )?(reason|cause)s?\b|\bwhat (\w+ ){0,2}caused\b", re.I)
_CAUSAL = re.compile(r"\b(because|since|as a result|due to|so that|in order to|reason|means|meant|led to|leading to|after|following|so)\b", re.I)
_REPORTING = frozenset(
    stem(w) for w in ["said", "says", "say", "warned", "warn", "warns", "told", "tell", "tells", "suggested", "argued", "stated", "announced", "emphasized", "emphasised", "insisted", "added", "claimed", "noted", "stressed", "explained", "according", "address", "speech", "statement", "remarks", "interview", "declared", "promised", "vowed", "pledged", "urged"]
)
# where a thing is put away, however it is said: "where will the tapes be kept": "placed in
# the British Library"
_PUT_AWAY = frozenset(terms("kept stored housed held deposited archived placed put"))
_HOW_OFTEN = re.compile(r"\bhow often\b", re.I)
# "what date", "which year", "what time of day": asks when, so the word says nothing of the topic
_WHAT_TIME = re.compile(r"\b(?:what|which)\s+(?:date|day|year|month|time)\b", re.I)
_TIME_FRAME = frozenset(["date", "day", "year", "month", "time"])
# "instead of X", "rather than X": what the answer is not, so X's words count for less
_CONTRAST = re.compile(r"\b(?:instead of|rather than)\s+([^,;?!.]+)", re.I)
CONTRAST_WEIGHT = 0.5
# "what happened to X", "what will become of X", "the fate of X": the answer is a sentence
# with X, or a pronoun for it, as its subject ("The interviews are to be placed in the British
# Library"; "He died while serving his sentence"), not one naming X in passing ("Some 83 MPs
# gave their answers in 100 hours of taped interviews"). Such a sentence gains FATE_WEIGHT;
# any other counts FATE_ELSE as much. Chosen on every tests/eval set.
_FATE = re.compile(
    r"\b(?:happen(?:ed|s|ing)?|become|became|befall|befell)\s+(?:to|of)\s+([^,;?!.]+)|\bfate of\s+([^,;?!.]+)", re.I
)
_FATE_FRAME = frozenset(["become", "became", "befall", "befell", "fate"])
# where what is asked about ends: "the taped interviews | with women MPs"
_FATE_END = frozenset(
    ["after", "once", "when", "while", "before", "during", "since", "following", "until", "in", "behind", "from", "with", "at", "by", "for", "about", "on", "under", "of", "over", "into"]
)
# a sentence's main clause follows an opening clause of time or place ("After its collapse,")
_OPENING = frozenset(["after", "when", "since", "once", "while", "before", "following", "as", "although", "though", "if", "in", "on", "at", "by", "during", "under", "despite"])
_PRONOUN = frozenset(["he", "she", "it", "they", "his", "her", "its", "their", "this", "these"])
_SUBJECT_WORDS = 6  # how many words of the main clause stand for its subject
FATE_WEIGHT = 0.3
FATE_ELSE = 0.6


def _contrasted(question: str) -> set[str]:
    """Terms only in a question's "instead of ..." or "rather than ..." clause."""
    m = _CONTRAST.search(question)
    if not m:
        return set()
    rest = question[: m.start()] + question[m.end() :]
    return set(terms(m.group(1), _QUESTION_STOP)) - set(terms(rest, _QUESTION_STOP))


def _fated(question: str) -> frozenset[str]:
    """The terms of what a "what happened to X" question asks about: X's words after any
    owner and up to its first preposition ("Gerry Conlon's father after he was arrested":
    father; "the taped interviews with women MPs": tape, interview)."""
    m = _FATE.search(question)
    if not m:
        return frozenset()
    said: list[str] = []
    for w in WORD.findall(m.group(1) or m.group(2)):
        if said and w.casefold() in _FATE_END:
            break
        if w.casefold().endswith(("'s", "’s")):
            said.clear()
        else:
            said.append(w)
    return frozenset(terms(" ".join(said), _QUESTION_STOP))


def _subject(text: str) -> list[str]:
    """The first words of a sentence's main clause: its subject, roughly."""
    found = WORD.findall(text)
    if found and found[0].casefold() in _OPENING:
        comma = text.find(",")
        if 0 < comma < len(text) // 2:
            found = WORD.findall(text, comma + 1)
    return found[:_SUBJECT_WORDS]


def _about(fated: frozenset[str], sentence: Sentence, before: Sentence | None) -> bool:
    """Whether a sentence has what a fate question asks about as its subject, or a pronoun
    for it when the sentence before names it ("He died while serving his sentence")."""
    opening = _subject(sentence.text)
    if not opening:
        return False
    if not fated.isdisjoint(terms(" ".join(opening))):
        return True
    return opening[0].casefold() in _PRONOUN and before is not None and not fated.isdisjoint(before.terms)


# a quote told by a pronoun ("..., he told BBC News."): the one named in the sentence before
_PRONOUN_SAID = re.compile(r"\b(?:he|she)\s+(?:said|told|added|says|insisted|argued|warned|explained|stressed)\b", re.I)


def _named(text: str) -> frozenset[str]:
    """Stems of the capitalized words of a sentence past its first word: who it names."""
    return frozenset(t for w in WORD.findall(text)[1:] if w[0].isupper() for t in terms(w))


_RRF_K = 60
# How a sentence is scored: the weighted share of the question's terms in the sentence, in it
# and the sentence before, in its paragraph; WordLlama cosine, centred on the article; the
# chunk's fused rank; shared word pairs; reported speech when asked what someone said;
# near-synonyms; the kind of answer; a reason given ("because", "due to") when asked why; the
# article's own cosine with the question (what centring took out, given back once for the
# whole article, so it still counts when choosing between articles).
# Chosen on tests/eval/*_dev.jsonl and checked on *_holdout.jsonl; the last on every set.
WEIGHTS = (0.40, 0.15, 0.10, 0.20, 0.10, 0.10, 0.12, 0.10, 0.05, 0.05, 0.30)
# A "where" is answered only by a sentence that says where, and few sentences do (most name
# someone, and many give a figure or a time): whether one does counts this many times more.
# Chosen on every tests/eval set.
WHERE_EMPHASIS = 3.0
# A standfirst sums the story up in general words ("a meeting with the Russian leader"); a body
# sentence saying as much gives the detail ("he did meet Russian Foreign Minister Sergei
# Lavrov"), so the standfirst's score counts this much. Chosen on every tests/eval set.
STANDFIRST_WEIGHT = 0.9
# A question that points at a part of the article ("according to the subtitle", "in the closing
# line") is answered from it: that part's sentences count this much more. Chosen on every
# tests/eval set.
PART_WEIGHT = 1.5
NAME_WEIGHT = 0.7  # a name's weight in sentence scores when the store holds several articles
# How far a word that runs through the whole article counts less when choosing among its
# sentences: "maternity" in the maternity article tells its sentences apart less than "small
# firms". 0 ignores it; 1 gives such a word no weight. Chosen on every tests/eval set.
SPREAD_DISCOUNT = 0.8
SOFT_FLOOR = 0.3  # word similarity below this is noise for WordLlama


def _typed(query: SearchResult, sentence: str, emphasis: float) -> float:
    """+emphasis when the sentence holds the kind of answer asked for, -emphasis when not, 0 if
    none asked."""
    if query.kind is None:
        return 0.0
    return emphasis if holds(query.kind, sentence, query.question) else -emphasis


@dataclass(frozen=True, slots=True)
class _Share:
    """The weighted share of a question's terms that a set of stems holds."""

    terms: Sequence[str]
    weights: dict[str, float]
    total: float
    alternates: dict[str, frozenset[str]] = field(default_factory=dict)

    def __call__(self, present: frozenset[str]) -> float:
        if not self.alternates:  # the usual case, scored for every candidate sentence
            return sum(self.weights[t] for t in self.terms if t in present) / self.total
        return sum(
            self.weights[t] for t in self.terms
            if t in present or not self.alternates.get(t, frozenset()).isdisjoint(present)
        ) / self.total


def _soft_coverage(
    qterms: Sequence[str], weights: dict[str, float], sentence_terms: frozenset[str],
    vectors: dict[str, Vectors],
) -> float:
    """Weighted question terms matched exactly (1) or by the nearest similar word (its cosine)."""
    score = 0.0
    others = [vectors[t] for t in sentence_terms]
    matrix = np.stack(others) if others else None
    for t in qterms:
        if t in sentence_terms:
            score += weights[t]
        elif matrix is not None:
            best = float((matrix @ vectors[t]).max())
            if best >= SOFT_FLOOR:
                score += weights[t] * best
    return score


# "What does the article say about X?" asks what the text says, not what someone said.
_ABOUT_THE_TEXT = re.compile(
    r"\b(article|piece|story|report|text|author|writer|passage|paragraph|journalist)\b|"
    # what a document or a thing says: its words, not someone's ("what did the 2018 declaration
    # say", "what did the march 2018 thing say")
    r"\bdid (the |that |this |its |their )(\S+ ){0,3}?(statement|declaration|agreement|accord|emphasis|letter|"
    r"document|guidance|memo|e-?mail|message|manifesto|poster|survey|study|poll|law|act|bill|order|rules|"
    r"thing|deal|pact|treaty|communique|communiqué) say\b",
    re.I,
)
# words quoted after "said:" or a comma, or a sentence that opens with a quotation mark (news
# sets a speaker's words as their own paragraph: "\"If in doubt retain,\" ...")
_QUOTATION = re.compile(r"[:,]\s*[“\"]|(^|[.!?]\s+|\n\s*)[“\"](?=[A-Z])")


# "telling" as an adjective ("is particularly telling") reports nobody's words
# ("he was telling reporters" does)
_TELLING = re.compile(
    r"\b(particularly|very|more|most|quite|highly|especially|deeply|rather)\s+telling\b|"
    r"\b(is|was|are|were|be|been)\s+telling(?=\s*([.,;:!?]|given\b))", re.I,
)


# a word as written, from its first letter ("Kim’s", "e-mail")
WORD = re.compile(r"[^\W\d_][\w’'-]*")
# a small figure a chat question writes in digits, as articles write it
_SMALL_NUMBERS = dict(
    zip(map(str, range(2, 13)), terms("two three four five six seven eight nine ten eleven twelve"), strict=True)
)


def reports_speech(text: str) -> bool:
    """Whether a text reports someone saying, warning, claiming... something."""
    return bool(set(terms(_TELLING.sub(" ", text))) & _REPORTING) or bool(_QUOTATION.search(text))


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a stored chunk, with its paragraph and stems."""

    chunk: StoredChunk
    paragraph: int
    start: int
    end: int
    terms: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    # a quote told by a pronoun ("..., he told BBC News"): the stems of whom the sentence before,
    # in its paragraph, names; scored as the sentence's own words
    speaker: frozenset[str] = frozenset()

    @property
    def text(self) -> str:
        return self.chunk.text[self.start - self.chunk.start : self.end - self.chunk.start]


@dataclass(frozen=True, slots=True)
class Hit:
    """A candidate answer sentence with the evidence for it."""

    passage: Passage
    score: float
    chunk_id: str
    similarity: float = 0.0  # WordLlama cosine between the question and this sentence
    # (sentence, window, paragraph, centred cosine, chunk, bigram, speech, soft, answer type,
    # reason, article cosine): the evidence the score weighs, kept for evaluation and tuning
    features: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchResult:
    question: str
    terms: tuple[str, ...]
    bigrams: tuple[tuple[str, str], ...]
    speech: bool  # the question asks what someone said
    kind: AnswerType | None
    why: bool  # the question asks for a reason
    weights: dict[str, float]
    hits: list[Hit] = field(default_factory=list)
    paragraphs: list[Passage] = field(default_factory=list)
    part: Part | None = None  # the part of the article the question points at
    # a question's term -> other terms a sentence may say it by ("be kept": "placed in")
    alternates: dict[str, frozenset[str]] = field(default_factory=dict)
    fated: frozenset[str] = frozenset()  # what a "what happened to X" question asks about

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


@dataclass(frozen=True, slots=True)
class _Profile:
    """What a document's passages share: the stems they use, and its direction (the
    normalised mean of its chunk vectors, stored at ingest; None for an unknown one)."""

    chunks: int
    counts: dict[str, int]  # stem -> the number of the document's chunks using it
    direction: Vectors | None

    def spread_weights(self, weights: dict[str, float]) -> dict[str, float]:
        """Question-term weights, less for the terms most of the document's chunks use: a BM25
        idf over its chunks, divided by log(n + 1.5) (so about 1 for a word one chunk uses, near
        0 for one in every chunk, a little over 1 for one it never uses), mixed in by
        SPREAD_DISCOUNT."""
        n = self.chunks
        top = math.log(n + 1.5)
        return {
            t: w * (1 - SPREAD_DISCOUNT + SPREAD_DISCOUNT * math.log(
                (n - self.counts.get(t, 0) + 0.5) / (self.counts.get(t, 0) + 0.5) + 1) / top)
            for t, w in weights.items()
        }

    def cosine(self, question: Vectors) -> float:
        """The question's cosine with the article's direction (0 for an unknown one)."""
        return 0.0 if self.direction is None else float(self.direction @ question)

    def centred(self, vectors: Vectors, question: Vectors) -> npt.NDArray[np.float32]:
        """Cosines of the passage's sentences with the question once what the article is
        about (its direction, at the length these sentences reach along it) is taken from
        both sides: how much a sentence says of the question beyond the article's topic."""
        cosines: npt.NDArray[np.float32] = vectors @ question
        if self.direction is None or not len(vectors):
            return cosines
        mean = self.direction * float(np.mean(vectors @ self.direction))
        s = vectors - mean
        q = question - mean
        norms = np.linalg.norm(s, axis=1) * float(np.linalg.norm(q))
        out: npt.NDArray[np.float32] = (s @ q) / np.maximum(norms, 1e-9)
        return out


class _Snapshot:
    """The chunks, lexical index and per-chunk sentences of one store revision."""

    def __init__(
        self, revision: str, chunks: list[StoredChunk], previous: _Snapshot | None = None,
        directions: dict[str, Vectors] | None = None,
    ) -> None:
        self.revision = revision
        self.chunks = chunks
        self.directions = directions or {}
        self.position = {c.id: i for i, c in enumerate(chunks)}
        # chunk ids follow from content, so terms tokenized for an earlier snapshot still hold
        known_terms: dict[str, list[str]] = previous.terms_by_id if previous else {}
        self.spellings: Spellings = previous.spellings.copy() if previous else Spellings()
        if previous:
            for c in previous.chunks:
                if c.id not in self.position:
                    self.spellings.remove(term_words(c.text))
        term_lists = []
        for c in chunks:
            found = known_terms.get(c.id)
            if found is None:
                pairs = term_words(c.text)
                self.spellings.add(pairs)
                found = [st for st, _ in pairs]
            term_lists.append(found)
        # stem -> the word its vector is made from (see retrieval/spellings.py)
        self.surface = self.spellings.surface()
        self.terms_by_id: dict[str, list[str]] = dict(zip((c.id for c in chunks), term_lists, strict=True))
        self.index = LexicalIndex(term_lists)
        self.doc_terms: dict[str, set[str]] = {}
        self.doc_chunks: dict[str, list[StoredChunk]] = {}
        # the chunk that continues each chunk's text (a quote may run on into it)
        self.following: dict[str, StoredChunk] = {}
        before: StoredChunk | None = None
        for chunk, chunk_terms in zip(chunks, term_lists, strict=True):
            self.doc_terms.setdefault(chunk.doc_id, set()).update(chunk_terms)
            self.doc_chunks.setdefault(chunk.doc_id, []).append(chunk)
            if before and before.doc_id == chunk.doc_id and chunk.start == before.end + len(before.tail):
                self.following[before.id] = chunk
            before = chunk
        self._doc_names: dict[str, frozenset[str]] = {}
        self._proper: dict[str, frozenset[str]] = {}
        self._sentences: dict[str, list[Sentence]] = {}
        self._vectors: dict[str, Vectors] = {}
        self._word_vectors: dict[str, Vectors] = {}
        self._profiles: dict[str, _Profile] = {}
        self._parts: dict[str, dict[Part, int]] = {}
        # the names the articles write out in full, by their initials as a question may give
        # them ("kcna": Korean Central News Agency; "foi": Freedom of Information), as stems
        # ("pm": the prime minister, not the Peter Mandelson an article names)
        self.spelled_out: dict[str, tuple[str, ...]] = {
            stem(form): tuple(terms(title))
            for initials, title in COMMON_INITIALS.items() for form in (initials, initials + "s")
        }
        for doc_chunks in self.doc_chunks.values():
            for initials, name in _initials("\n".join(c.text for c in doc_chunks)):
                if initials not in self.spelled_out:
                    self.spelled_out[initials] = tuple(terms(" ".join(name)))

    def as_written(self, term: str) -> tuple[str, ...]:
        """The stems a question's term is searched as: a small figure as digits and as a word
        ("2", "two"), whichever passages use; a term itself if a passage uses it, else the year
        two digits stand for ("97": 1997) or the words initials stand for ("kcna": Korean Central
        News Agency), else itself."""
        if term in _SMALL_NUMBERS:  # "the 2 countries": "the two countries", or "2"
            return tuple(t for t in (term, _SMALL_NUMBERS[term]) if self.index.known(t)) or (term,)
        if self.index.known(term):
            return (term,)
        if len(term) == 2 and term.isdigit():  # "the debate in 97": 1997
            return next(((y,) for y in (f"19{term}", f"20{term}") if self.index.known(y)), (term,))
        return self.spelled_out.get(term, ()) or (term,)

    def part_paragraph(self, doc_id: str, part: Part) -> int | None:
        """The paragraph number of a part of a document: its standfirst, its first or its last
        body paragraph (None when it has none)."""
        found = self._parts.get(doc_id)
        if found is None:
            numbers = sorted({p.n for chunk in self.doc_chunks.get(doc_id, []) for p in chunk.paragraphs})
            body = [n for n in numbers if n != STANDFIRST]
            found = self._parts[doc_id] = {Part.STANDFIRST: STANDFIRST} if STANDFIRST in numbers else {}
            if body:
                found.update({Part.FIRST: body[0], Part.LAST: body[-1]})
        return found.get(part)

    def profile(self, doc_id: str) -> _Profile:
        """What a document's passages share, from what the snapshot already holds."""
        found = self._profiles.get(doc_id)
        if found is None:
            chunks = self.doc_chunks.get(doc_id, [])
            counts: dict[str, int] = {}
            for chunk in chunks:
                for t in set(self.terms_by_id[chunk.id]):
                    counts[t] = counts.get(t, 0) + 1
            found = _Profile(len(chunks), counts, self.directions.get(doc_id))
            self._profiles[doc_id] = found
        return found

    def sentences(self, chunk: StoredChunk) -> list[Sentence]:
        found = self._sentences.get(chunk.id)
        if found is None:
            found = []
            for para in chunk.paragraphs:
                before: tuple[int, int] | None = None
                for s, e in sentence_spans(chunk.text, para.start - chunk.start, para.end - chunk.start):
                    seq = terms(chunk.text[s:e])
                    speaker: frozenset[str] = (
                        _named(chunk.text[before[0] : before[1]])
                        if before is not None and _PRONOUN_SAID.search(chunk.text, s, e) else frozenset()
                    )
                    found.append(
                        Sentence(chunk, para.n, chunk.start + s, chunk.start + e,
                                 frozenset(seq), frozenset(pairwise(seq)), speaker)
                    )
                    before = (s, e)
            self._sentences[chunk.id] = found
        return found

    def names(self, doc_id: str) -> frozenset[str]:
        """Initialisms of the document's capitalized names ("Scottish National Party" gives
        "snp", "Department for Trade and Industry" gives "dti", "Freedom of Information" gives
        "fi" and "foi": an "of" may count or not), as stems."""
        found = self._doc_names.get(doc_id)
        if found is None:
            text = "\n".join(c.text for c in self.doc_chunks.get(doc_id, []))
            found = frozenset(initials for initials, _ in _initials(text))
            self._doc_names[doc_id] = found
        return found

    def proper_names(self, doc_id: str) -> frozenset[str]:
        """Stems of the words a document writes with a capital, past a sentence's first word, and
        never without one ("Kim", "Putin"; not "Budget" where it also writes "budget")."""
        found = self._proper.get(doc_id)
        if found is None:
            capital: set[str] = set()
            lower: set[str] = set()
            for chunk in self.doc_chunks.get(doc_id, []):
                for para in chunk.paragraphs:
                    for s, e in sentence_spans(chunk.text, para.start - chunk.start, para.end - chunk.start):
                        for word in WORD.findall(chunk.text, s, e)[1:]:
                            (capital if word[0].isupper() else lower).add(word.casefold())
            # each distinct word stemmed once (a long document repeats most of its words)
            stems = {word: terms(word) for word in capital | lower}
            found = frozenset(t for w in capital for t in stems[w]) - {t for w in lower for t in stems[w]}
            self._proper[doc_id] = found
        return found

    def term_vectors(
        self, stems: Sequence[str], embedder: Embedder, asked: dict[str, str]
    ) -> dict[str, Vectors]:
        """A vector for each stem, from the word the articles write it with, or else the
        question's (`asked`: stem -> word); cached by word for the snapshot."""
        by_stem = {t: self.surface.get(t) or asked.get(t, t) for t in dict.fromkeys(stems)}
        todo = [w for w in dict.fromkeys(by_stem.values()) if w not in self._word_vectors]
        if todo:
            self._word_vectors.update(zip(todo, embedder.embed(todo), strict=True))
        return {t: self._word_vectors[w] for t, w in by_stem.items()}

    def vectors(self, chunk: StoredChunk, embedder: Embedder) -> Vectors:
        found = self._vectors.get(chunk.id)
        if found is None:
            found = embedder.embed([s.text for s in self.sentences(chunk)])
            self._vectors[chunk.id] = found
        return found


class HybridSearcher:
    """Finds the sentences that answer a question. Thread-safe; follows the store's revision."""

    def __init__(
        self, store: ChunkStore, embedder: Embedder, *, candidates: int = 8,
        recheck_seconds: float = 1.0,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self.recheck_seconds = recheck_seconds
        self._snapshot: _Snapshot | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def snapshot(self) -> _Snapshot:
        """The current snapshot, rebuilt when another writer changed the store. While one
        thread rebuilds, the others keep answering from the previous snapshot."""
        now = time.monotonic()
        snap = self._snapshot
        if snap is not None and (now - self._checked_at < self.recheck_seconds or self._lock.locked()):
            return snap
        with self._lock:
            if self._snapshot is not None and time.monotonic() - self._checked_at < self.recheck_seconds:
                return self._snapshot
            revision = self.store.revision()
            self._checked_at = time.monotonic()
            if self._snapshot is None or self._snapshot.revision != revision:
                started = time.perf_counter()
                chunks = sorted(self.store.iter_chunks(), key=lambda c: (c.ingested_at, c.doc_id, c.start))
                self._snapshot = _Snapshot(revision, chunks, self._snapshot, self.store.document_vectors())
                # Its objects live until the next rebuild: keep them out of the cyclic collector's
                # full passes, which otherwise hold the GIL, and so the doors' event loops, for
                # ~150 ms at 19k chunks. Reference counting still frees them when replaced.
                gc.freeze()
                log.info(
                    "lexical index rebuilt: %d chunks in %.0f ms",
                    len(self._snapshot.chunks), (time.perf_counter() - started) * 1000,
                )
            return self._snapshot

    def invalidate(self) -> None:
        """Force a revision check on the next search (after this process wrote)."""
        self._checked_at = 0.0

    def is_empty(self) -> bool:
        return not self.snapshot().chunks

    def search(self, question: str, doc_id: str | None = None) -> SearchResult:
        """The sentences that answer. A qualifier naming the article ("according to the Ed
        Balls article", "in the story on Hewitt's maternity plans") helps find the article but
        is not what the answer must say: sentences are scored on the rest of the question."""
        snap = self.snapshot()
        question = spelled_out(question)
        part, pointed = referenced_part(question)
        focus = without_qualifier(pointed)
        all_words = words(focus)
        qwords = [w for w in all_words if w not in _QUESTION_STOP]
        if _HOW_OFTEN.search(focus):  # "how often": a question word, as "many" is in "how many"
            qwords = [w for w in qwords if w != "often"]
        if _WHAT_TIME.search(focus):  # "what date is the Budget": a question word, as "when" is
            qwords = [w for w in qwords if w not in _TIME_FRAME]
        fated = _fated(focus)
        if fated:  # "what became of": the question's frame, as "happened" is
            qwords = [w for w in qwords if w not in _FATE_FRAME]
        index = snap.index
        # initials no article uses, for a name one writes out ("KCNA"), stand for its words
        qterms = tuple(dict.fromkeys(t for st in map(term_of, qwords) for t in snap.as_written(st)))
        seq = terms(focus, _QUESTION_STOP)
        bigrams = tuple(dict.fromkeys(pairwise(seq)))
        # "what does the subtitle say": the text's words, not someone's
        speech = any(w in _SPEECH_ASKED for w in all_words) and not _ABOUT_THE_TEXT.search(focus) and part is None
        top_idf = index.idf("\0never")
        weights = {t: (index.idf(t) if index.known(t) else top_idf * 1.5) for t in qterms}
        for t in _contrasted(focus):  # "what does Blackpool get instead of the autumn
            if t in weights:  # conference": the answer is not the autumn conference
                weights[t] *= CONTRAST_WEIGHT
        result = SearchResult(
            question, qterms, bigrams, speech, question_type(focus), bool(_WHY.search(focus)),
            weights, part=part, fated=fated,
        )
        if result.kind is AnswerType.PLACE and asks_where(focus):
            result.alternates.update((t, _PUT_AWAY) for t in qterms if t in _PUT_AWAY)
        if not snap.chunks or not qterms:
            return result
        qvec = self.embedder.embed_one(focus)
        if focus == question:
            ranked = self._fuse(snap, qterms, qvec, doc_id)
        else:
            every = tuple(dict.fromkeys(terms(question, _QUESTION_STOP)))
            ranked = self._fuse(snap, every, self.embedder.embed_one(question), doc_id)
        asked: dict[str, str] = {}
        for w in qwords:
            asked.setdefault(term_of(w), w)
        hits = self._rank_sentences(snap, ranked, result, qvec, asked)
        result.hits.extend(hits)
        result.paragraphs.extend(_paragraphs(ranked))
        return result

    def _fuse(
        self, snap: _Snapshot, qterms: tuple[str, ...], qvec: Vectors, doc_id: str | None
    ) -> list[tuple[StoredChunk, float]]:
        """Reciprocal-rank fusion of dense and BM25 rankings; the best `candidates` chunks."""
        depth = max(20, self.candidates * 3)
        scores: dict[int, float] = {}
        dense = [
            (snap.position[cid], sim) for cid, sim in self.store.query(qvec, depth)
            if cid in snap.position
        ]
        lexical = snap.index.top(qterms, depth)
        for ranking in (dense, lexical):
            for rank, (pos, _) in enumerate(ranking):
                if doc_id and snap.chunks[pos].doc_id != doc_id:
                    continue
                scores[pos] = scores.get(pos, 0.0) + 1.0 / (_RRF_K + rank)
        best = sorted(scores.items(), key=lambda p: -p[1])[: self.candidates]
        if not best:
            return []
        top = best[0][1]
        return [(snap.chunks[pos], score / top) for pos, score in best]

    def _rank_sentences(
        self, snap: _Snapshot, ranked: list[tuple[StoredChunk, float]], query: SearchResult,
        qvec: Vectors, asked: dict[str, str],
    ) -> list[Hit]:
        qterms = query.terms
        # Among several articles, the names a question gives ("Sir Digby Jones", "Gerry
        # Conlon") mostly say which article it means; the sentence that answers is the one
        # holding the rest of it. Chosen on tests/eval/corpus_*.jsonl.
        # With one article the names are all there is to tell its sentences apart.
        names = set(question_names(query.question)) if len(snap.doc_terms) > 1 else set()
        named = {t: w * (NAME_WEIGHT if t in names else 1.0) for t, w in query.weights.items()}
        hits: list[Hit] = []
        # once a question, not once a sentence
        emphasis = WHERE_EMPHASIS if query.kind is AnswerType.PLACE and asks_where(query.question) else 1.0
        per_doc: dict[str, tuple[_Profile, _Share, float]] = {}
        all_stems = {t for chunk, _ in ranked for s in snap.sentences(chunk) for t in s.terms}
        term_vecs = snap.term_vectors([*qterms, *all_stems], self.embedder, asked)
        for chunk, chunk_score in ranked:
            sentences = snap.sentences(chunk)
            if not sentences:
                continue
            found = per_doc.get(chunk.doc_id)
            if found is None:  # once per article, not per chunk: several chunks share one
                profile = snap.profile(chunk.doc_id)
                weights = profile.spread_weights(named)
                share = _Share(qterms, weights, sum(weights.values()) or 1.0, query.alternates)
                found = per_doc[chunk.doc_id] = (profile, share, profile.cosine(qvec))
            profile, share, article = found
            vectors = snap.vectors(chunk, self.embedder)
            cosines = vectors @ qvec
            centred = profile.centred(vectors, qvec)
            para_terms: dict[int, frozenset[str]] = {}
            for s in sentences:
                para_terms[s.paragraph] = para_terms.get(s.paragraph, frozenset()) | s.terms
            # the paragraph of the part the question points at, if any ("the subtitle")
            pointed = None if query.part is None else snap.part_paragraph(chunk.doc_id, query.part)
            for i, s in enumerate(sentences):
                window = s.terms
                if i > 0 and sentences[i - 1].paragraph == s.paragraph:
                    window = window | sentences[i - 1].terms  # "its collapse": who is "it"?
                features = (
                    share(s.terms | s.speaker if s.speaker else s.terms),  # "he told": who is "he"?
                    share(window),
                    share(para_terms[s.paragraph]),
                    float(centred[i]),
                    chunk_score,
                    sum(1 for b in query.bigrams if b in s.bigrams) / max(1, len(query.bigrams)),
                    1.0 if query.speech and s.terms & _REPORTING else 0.0,
                    _soft_coverage(qterms, share.weights, s.terms, term_vecs) / share.total,
                    _typed(query, s.text, emphasis),
                    1.0 if query.why and _CAUSAL.search(s.text) else 0.0,
                    article,
                )
                score = sum(w * f for w, f in zip(WEIGHTS, features, strict=True))
                if query.fated:
                    before = sentences[i - 1] if i > 0 and sentences[i - 1].paragraph == s.paragraph else None
                    score = score + FATE_WEIGHT if _about(query.fated, s, before) else score * FATE_ELSE
                if s.paragraph == pointed:
                    score *= PART_WEIGHT
                elif s.paragraph == STANDFIRST:
                    score *= STANDFIRST_WEIGHT
                passage = Passage(
                    doc_id=chunk.doc_id, title=chunk.title, source=chunk.source,
                    paragraph=s.paragraph, start=s.start, end=s.end, text=s.text, score=score,
                )
                hits.append(Hit(passage, score, chunk.id, float(cosines[i]), features))
        hits.sort(key=lambda h: -h.score)
        return article_first(hits)

    def chunk_sentences(self, hit: Hit) -> list[Sentence]:
        """Every sentence of the hit's chunk (its paragraph and the ones stored with it), in order."""
        snap = self.snapshot()
        pos = snap.position.get(hit.chunk_id)
        return [] if pos is None else snap.sentences(snap.chunks[pos])

    def next_sentence(self, sentence: Sentence) -> tuple[Sentence, str] | None:
        """The sentence after this one in its document, with the text between them; None at
        the end, or where the store does not hold the text between two chunks."""
        snap = self.snapshot()
        chunk = sentence.chunk
        sentences = snap.sentences(chunk)
        at = next((i for i, s in enumerate(sentences) if s.start == sentence.start), None)
        if at is None:
            return None
        if at + 1 < len(sentences):
            after = sentences[at + 1]
            return after, chunk.text[sentence.end - chunk.start : after.start - chunk.start]
        nxt = snap.following.get(chunk.id)
        if sentence.end != chunk.end or nxt is None:
            return None
        first = snap.sentences(nxt)
        if not first:
            return None
        return first[0], chunk.tail + nxt.text[: first[0].start - nxt.start]

    def document_sentences(self, doc_id: str) -> list[tuple[Sentence, Vectors]]:
        """Every sentence of a document's body in reading order, with its vector (for summaries,
        which are made of the body: a standfirst is a summary already)."""
        snap = self.snapshot()
        out: list[tuple[Sentence, Vectors]] = []
        for chunk in snap.doc_chunks.get(doc_id, []):
            vecs = snap.vectors(chunk, self.embedder)
            out.extend(p for p in zip(snap.sentences(chunk), vecs, strict=True) if p[0].paragraph != STANDFIRST)
        return sorted(out, key=lambda p: p[0].start)

    def sentences_naming(self, doc_id: str, groups: Sequence[Sequence[str]]) -> list[str]:
        """The texts of a document's sentences that name every one of these, each a group of
        stems any of which names it ("Vladimir Putin": "Putin" will do)."""
        snap = self.snapshot()
        return [
            x.text
            for chunk in snap.doc_chunks.get(doc_id, [])
            for x in snap.sentences(chunk)
            if all(x.terms.intersection(group) for group in groups)
        ]

    def proper_names(self, doc_id: str) -> frozenset[str]:
        """Stems of the words a document writes only with a capital ("Kim", "Putin")."""
        return self.snapshot().proper_names(doc_id)

    def document_terms(self, doc_id: str) -> set[str]:
        """Every stem the document uses."""
        return self.snapshot().doc_terms.get(doc_id, set())

    def knows_name(self, name: str, doc_id: str) -> bool:
        """Whether a document names this (a stem from a question's capitalized word): as a word,
        as the start of one ("Lib Dems" for "Liberal Democrats"), as initials ("SNP") or in the
        words initials stand for ("PM": "the prime minister")."""
        snap = self.snapshot()
        vocabulary = snap.doc_terms.get(doc_id, set())
        if name in vocabulary or name in snap.names(doc_id):
            return True
        spelled = snap.spelled_out.get(name)  # "PM": "the prime minister"
        if spelled and all(t in vocabulary for t in spelled):
            return True
        return len(name) >= 3 and any(t.startswith(name) for t in vocabulary)

    def as_written(self, term: str) -> tuple[str, ...]:
        """The stems the store writes a question's term as ("kcna": its name's words)."""
        return self.snapshot().as_written(term)

    def context_terms(self, hit: Hit, radius: int = 1) -> set[str]:
        """Stems of the hit's paragraph and the `radius` paragraphs either side of it (where a
        "he said" or "the co-chairman" finds its name)."""
        snap = self.snapshot()
        low, high = hit.passage.paragraph - radius, hit.passage.paragraph + radius
        out: set[str] = set()
        for chunk in snap.doc_chunks.get(hit.passage.doc_id, []):
            if any(low <= para.n <= high for para in chunk.paragraphs):
                out.update(t for x in snap.sentences(chunk) if low <= x.paragraph <= high for t in x.terms)
        return out

    def store_knows(self, term: str) -> bool:
        """Whether any stored passage uses this stem."""
        return self.snapshot().index.known(term)


# ... an article leads only when its best sentence scores this share of the best overall: two
# weak sentences sharing "really" and "mean" do not outweigh the one that quotes "corresponding
# measures" (0.75 to 0.85 alike over every set; 0.6 gains less, 0.95 loses corpus hit@1)
_LEAD_FLOOR = 0.8


def article_first(hits: list[Hit]) -> list[Hit]:
    """Hits best first, but led by the best sentence of the article whose two best sentences
    score highest together: among several articles, one that answers in two places outweighs
    one sentence elsewhere that happens to share the question's words (unless that one
    scores far above both, `_LEAD_FLOOR`)."""
    pair: dict[str, list[float]] = {}
    for hit in hits:  # best first, so each article's first two are its best two
        found = pair.setdefault(hit.passage.doc_id, [])
        if len(found) < 2:
            found.append(hit.score)
    if len(pair) < 2:
        return hits
    article = max(pair, key=lambda d: sum(pair[d]))
    if article == hits[0].passage.doc_id:
        return hits
    lead = next(i for i, h in enumerate(hits) if h.passage.doc_id == article)
    if hits[lead].score < _LEAD_FLOOR * hits[0].score:
        return hits
    return [hits[lead], *hits[:lead], *hits[lead + 1 :]]


def _initials(text: str) -> Iterator[tuple[str, list[str]]]:
    """(initials as a stem, the words they stand for) for every run of two to eight words of
    each capitalized name in a text, an "of" counted or not ("The Department for Trade and
    Industry": "dti", "tdt"...; "Freedom of Information": "fi" and "foi")."""
    for m in CAPITAL_RUN.finditer(text):
        run = m.group(0).split()
        for with_of in (False, True):
            used = [w for w in run if w[0].isupper() or (with_of and w == "of")]
            for i in range(len(used) - 1):
                for j in range(i + 2, min(len(used), i + 8) + 1):
                    yield stem("".join(w[0] for w in used[i:j]).casefold()), used[i:j]


_QUALIFIER = re.compile(
    r"[,;]?\s*\b(?:according to|as reported in|per|in|from)\s+(?:the|this|that)\s+"
    r"(?:[\w’'£$.,-]+\s+){0,6}?(?:story|article|piece|report|item)\b"
    r"(?:\s+(?:on|about|regarding|concerning|covering|where|in which|that|of)\s+[^,?;]*)?",
    re.IGNORECASE,
)


# chat names the article before asking: "north korea piece: who ...", "the dome story - what ..."
_LEAD_QUALIFIER = re.compile(
    r"^\s*(?!(?:who|whom|whose|what|when|where|why|how|which|did|does|do|is|was|are|can|could|will|would)\b)"
    r"(?:in |from |re:? )?(?:the |that |this )?(?:[\w’'£$.,-]+\s+){0,6}?(?:story|article|piece|report|item)\s*[:—–-]\s+",
    re.IGNORECASE,
)


def without_qualifier(question: str) -> str:
    """The question without a clause that only says which article it means."""
    question_only = _LEAD_QUALIFIER.sub("", question)
    focus = re.sub(r"\s+([?.!])", r"\1", " ".join(_QUALIFIER.sub(" ", question_only).split())).strip(" ,;")
    focus = focus[:1].upper() + focus[1:]
    return focus if len(terms(focus, _QUESTION_STOP)) >= 1 else question


def _paragraphs(ranked: list[tuple[StoredChunk, float]]) -> list[Passage]:
    """Whole paragraphs of the ranked chunks, best chunk first: the context an LLM is given."""
    out: list[Passage] = []
    for chunk, score in ranked:
        for p in chunk.paragraphs:
            out.append(
                Passage(
                    doc_id=chunk.doc_id, title=chunk.title, source=chunk.source, paragraph=p.n,
                    start=p.start, end=p.end, text=chunk.text[p.start - chunk.start : p.end - chunk.start],
                    score=score,
                )
            )
    return out

