"""Which word each stem's vector is made from: the first in sort order of the words the stored
articles write it with, so an answer never depends on the questions asked before it.

Kept as counts of the chunks using each spelling, carried from one snapshot of the store to the
next: a document removed takes its spellings with it, so a process that has run for weeks reads
the same words as one started a minute ago, and the two answer alike."""

from __future__ import annotations

from collections.abc import Iterable


class Spellings:
    def __init__(self, counts: dict[str, dict[str, int]] | None = None) -> None:
        # stem -> word -> the number of chunks that write the stem so
        self._counts: dict[str, dict[str, int]] = {st: dict(ws) for st, ws in (counts or {}).items()}

    def copy(self) -> Spellings:
        return Spellings(self._counts)

    def add(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Count one chunk's (stem, word) pairs."""
        for st, word in set(pairs):
            words = self._counts.setdefault(st, {})
            words[word] = words.get(word, 0) + 1

    def remove(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Uncount a chunk that left the store."""
        for st, word in set(pairs):
            words = self._counts.get(st)
            if words is None or word not in words:
                continue
            if words[word] > 1:
                words[word] -= 1
            else:
                del words[word]
                if not words:
                    del self._counts[st]

    def surface(self) -> dict[str, str]:
        """stem -> the word its vector is made from."""
        return {st: min(words) for st, words in self._counts.items()}
