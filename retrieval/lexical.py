"""Tokens, stems and a BM25 index (bm25s) over the same chunks the vector store holds."""

from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from retrieval.aliases import IRREGULAR, tokens_with_places
from retrieval.uk_us import one_spelling

STOPWORDS = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "aren't", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "cannot", "could", "couldn't", "did", "didn't", "do", "does", "doesn't", "doing", "don't", "down", "during", "each", "few", "for", "from", "further", "had", "hadn't", "has", "hasn't", "have", "haven't", "having", "he", "he'd", "he'll", "he's", "her", "here", "here's", "hers", "herself", "him", "himself", "his", "how", "how's", "i", "i'd", "i'll", "i'm", "i've", "if", "in", "into", "is", "isn't", "it", "it's", "its", "itself", "let's", "me", "more", "most", "mustn't", "my", "myself", "no", "nor", "not", "of", "off", "on", "once", "only", "or", "other", "ought", "our", "ours", "ourselves", "out", "over", "own", "same", "shan't", "she", "she'd", "she'll", "she's", "should", "shouldn't", "so", "some", "such", "than", "that", "that's", "the", "their", "theirs", "them", "themselves", "then", "there", "there's", "these", "they", "they'd", "they'll", "they're", "they've", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "wasn't", "we", "we'd", "we'll", "we're", "we've", "were", "weren't", "what", "what's", "when", "when's", "where", "where's", "which", "while", "who", "who's", "whom", "why", "why's", "will", "with", "won't", "would", "wouldn't", "you", "you'd", "you'll", "you're", "you've", "your", "yours", "yourself", "yourselves", "s", "t", "just", "now"]
)

_stem_lock = threading.Lock()


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball stem of a lower-case word, British and American spellings made one
    ("neighbour" and "neighbor"); cached: the vocabulary of news is small."""
    word = one_spelling(word)
    with _stem_lock:  # PyStemmer objects are not thread-safe
        return str(_stemmer().stemWord(word))  # type: ignore[attr-defined]


# "e-mail" and "email" are one word; so are "x-ray" and "xray"
_ONE_LETTER_HYPHEN = re.compile(r"\b([A-Za-z])-(?=[A-Za-z]{2,})")


# "Of course, the Soviet Union...", "It is, in fact, ...": a phrase that only frames a sentence
# says nothing about its subject, so "course" there is no match for "change course". Only where
# it opens a sentence or clause: "a change of course" keeps its word.
_DISCOURSE = re.compile(
    r"(?:^|(?<=[.,;:!?—–(\"“])|(?<=[.,;:!?—–(\"“]\s))\s*(?:of course|in fact|for example|for instance|"
    r"after all|in turn|by the way|in particular)\b(?=\s*[,—–]|\s)",
    re.IGNORECASE,
)


def words(text: str) -> list[str]:
    """Lower-case word tokens, possessives folded ("Kim’s" -> "kim"), places made one token;
    a framing phrase ("Of course, ...") left out."""
    out = []
    text = _ONE_LETTER_HYPHEN.sub(r"\1", unicodedata.normalize("NFKC", text))
    text = _DISCOURSE.sub(" ", text)
    for token in tokens_with_places(text):
        token = token.casefold().replace("’", "'")
        if token.endswith("'s"):
            token = token[:-2]
        out.append(token.replace(".", ""))
    return out


def term_of(word: str) -> str:
    """The term a lower-case word is indexed under: "met" is "meet", "talks" is "talk"."""
    return stem(IRREGULAR.get(word, word))


def terms(text: str, stopwords: frozenset[str] = STOPWORDS) -> list[str]:
    """Stemmed content terms of a text, in order (repeats kept); "took" is "take"."""
    return [term_of(w) for w in words(text) if w not in stopwords and w.replace("'", "") not in stopwords]


def term_words(text: str, stopwords: frozenset[str] = STOPWORDS) -> list[tuple[str, str]]:
    """(stem, word) for each content word of a text, in order."""
    return [
        (term_of(w), w) for w in words(text)
        if w not in stopwords and w.replace("'", "") not in stopwords
    ]


class LexicalIndex:
    """BM25 over chunk texts, and the document frequencies that weigh question terms."""

    def __init__(self, term_lists: Sequence[Sequence[str]]) -> None:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on import
        tokenized = [list(t) or [""] for t in term_lists]
        self.n = len(tokenized)
        self.df: Counter[str] = Counter()
        for toks in tokenized:
            self.df.update(set(toks))
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        if self.n:
            self._bm25.index(tokenized, show_progress=False)
        self._vocab: dict[str, int] = dict(getattr(self._bm25, "vocab_dict", {}) or {})

    def idf(self, term: str) -> float:
        """Inverse document frequency; a term no chunk holds gets the largest weight."""
        return math.log(1.0 + (self.n - self.df.get(term, 0) + 0.5) / (self.df.get(term, 0) + 0.5))

    def known(self, term: str) -> bool:
        return term in self.df

    def scores(self, query_terms: Iterable[str]) -> npt.NDArray[np.float32]:
        """BM25 score of every chunk, in the order they were given."""
        known = [t for t in query_terms if t in self._vocab]
        if not known or not self.n:
            return np.zeros(self.n, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def top(self, query_terms: Iterable[str], k: int) -> list[tuple[int, float]]:
        """(position, score) of the k best chunks with a positive score."""
        scores = self.scores(query_terms)
        if not len(scores):
            return []
        k = min(k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        ranked = sorted(((int(i), float(scores[i])) for i in best), key=lambda p: -p[1])
        return [(i, s) for i, s in ranked if s > 0]
