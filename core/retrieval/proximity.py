"""Query-term proximity: the reranker's bonus for chunks that keep the query's words together.

BM25 (the keyword half) scores a chunk by which of the query's words it holds, wherever they
stand: for "when was the north lamp replaced", a chunk saying "the north lamp was replaced"
and one mentioning a lamp, the north cove and a replaced pane in three separate sentences can
score alike. The rankers that rerank (every ranker but `none`) add what BM25 cannot see.

Following the sequential dependence model (D. Metzler and W. B. Croft, "A Markov random field
model for term dependencies", SIGIR 2005), every pair of consecutive significant words of the
query is looked for in the chunk, in two ways:

- as a phrase: the two words adjacent, in the query's order;
- in a window: both within `WINDOW` consecutive words, in either order (a phrase is one too).

Words on both sides are reduced as the keyword half reduces them: stop words dropped
(`terms.STOP_WORDS`, so "lamp was replaced" keeps "lamp" and "replaced" adjacent) and Porter
stems (`porter.py`, FTS5's stemmer, so "touched down" matches "touching down"). The bonus is

    PHRASE_WEIGHT * (share of the pairs found as phrases)
    + WINDOW_WEIGHT * (share of the pairs found in a window)

from 0 to 0.15, and it raises the chunk's keyword score k (0..1, `bm25.py`) to
`k + bonus * (1 - k)`: never lower, never above 1, and k = 0 stays 0. The two weights and the
window are SDM's published defaults (0.10 for ordered phrases, 0.05 for unordered windows of 8
words, against 0.85 for the words alone), which its authors found to hold across collections;
here they bound a bonus instead of weighting SDM's log-linear mix, with the same intent:
proximity reorders chunks whose words score about alike, and cannot outweigh a clearly better
match of the words themselves. A query with fewer than two significant words has no pairs and
no bonus.

Computed in Python on the candidates' text (at most a few hundred chunks per query), so it is
the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise

from core.retrieval.porter import stem
from core.retrieval.terms import MAX_TERMS, STOP_WORDS, WORD, significant_words

__all__ = [
    "PHRASE_WEIGHT",
    "WINDOW",
    "WINDOW_WEIGHT",
    "proximity_bonus",
    "query_pairs",
    "with_proximity",
]

PHRASE_WEIGHT = 0.10
"""Bonus for a chunk holding every consecutive pair of the query's words as a phrase."""

WINDOW_WEIGHT = 0.05
"""Bonus for a chunk holding every such pair within `WINDOW` words."""

WINDOW = 8
"""Words (stop words aside) a window spans: the two words at most 7 apart."""

Pair = tuple[str, str]


def query_pairs(text: str) -> list[Pair]:
    """The distinct pairs of consecutive significant words of `text`, stemmed, in order.

    Pairs of a word with itself are left out. Like `query_terms`, only the first `MAX_TERMS`
    distinct words count, and at most `MAX_TERMS` pairs are kept.
    """
    stems: list[str] = []
    distinct: set[str] = set()
    for word in significant_words(text):
        if word not in distinct:
            if len(distinct) == MAX_TERMS:
                break
            distinct.add(word)
        stems.append(stem(word))
    pairs = dict.fromkeys((a, b) for a, b in pairwise(stems) if a != b)
    return list(pairs)[:MAX_TERMS]


def proximity_bonus(pairs: list[Pair], text: str) -> float:
    """The chunk `text`'s bonus for the query's `pairs`: 0..PHRASE_WEIGHT + WINDOW_WEIGHT."""
    return _Reader(pairs).bonus(text) if pairs else 0.0


def with_proximity(
    keyword: Mapping[int, float], texts: Mapping[int, str], pairs: list[Pair]
) -> dict[int, float]:
    """Keyword scores raised by each chunk's bonus (a chunk without text keeps its score)."""
    scores = dict(keyword)
    if not pairs:
        return scores
    reader = _Reader(pairs)
    for pk, score in keyword.items():
        text = texts.get(pk)
        if text is not None and score > 0:
            scores[pk] = min(1.0, score + reader.bonus(text) * (1.0 - score))
    return scores


class _Reader:
    """Finds one query's pairs in chunks, without splitting whole chunks into words.

    Porter rewrites only a word's end, never more than its stem's last letter (`porter.py`), so
    every word stemming to `s` starts with `s[:-1]`: `str.find` of those prefixes locates the
    few candidate words, each checked by stemming it (once per distinct word). Between two
    found words only the significant words up to `WINDOW` are counted, which is all the
    phrase and window tests need: a gap of `WINDOW` or more words fails both either way.
    """

    def __init__(self, pairs: list[Pair]) -> None:
        numbers = {s: n for n, s in enumerate(dict.fromkeys(w for p in pairs for w in p), 1)}
        self._numbers = numbers
        self._pairs = [(numbers[first], numbers[second]) for first, second in pairs]
        self._prefixes = sorted({s[:-1] or s for s in numbers})
        self._found: dict[str, int] = {}
        """Word -> the number (1..) of the pairs' stem it reduces to; 0: none, or a stop word."""

    def bonus(self, text: str) -> float:
        positions = self._positions(text.lower())
        phrases = windows = 0
        for first, second in self._pairs:
            before, after = positions.get(first), positions.get(second)
            if before is None or after is None or _nearest(before, after) >= WINDOW:
                continue
            windows += 1
            following = set(after)
            if any(index + 1 in following for index in before):
                phrases += 1
        return (PHRASE_WEIGHT * phrases + WINDOW_WEIGHT * windows) / len(self._pairs)

    def _positions(self, text: str) -> dict[int, list[int]]:
        """Each found stem's positions among the significant words of `text` (lower-cased),
        exact up to `WINDOW` apart, further apart beyond."""
        words: dict[int, tuple[int, int]] = {}  # start -> (end, stem number)
        for prefix in self._prefixes:
            start = text.find(prefix)
            while start >= 0:
                if start and WORD.match(text, start - 1):  # inside a word
                    start = text.find(prefix, start + 1)
                    continue
                word = WORD.match(text, start)
                if word is None:  # never: the prefix is a word's beginning
                    break
                if number := self._number(word.group()):
                    words[start] = (word.end(), number)
                start = text.find(prefix, word.end())
        positions: dict[int, list[int]] = {}
        position, end = 0, None
        for start in sorted(words):
            if end is not None:
                position += 1 + self._significant(text, end, start)
            end, number = words[start]
            positions.setdefault(number, []).append(position)
        return positions

    def _number(self, word: str) -> int:
        number = self._found.get(word)
        if number is None:
            number = 0 if word in STOP_WORDS else self._numbers.get(stem(word), 0)
            self._found[word] = number
        return number

    @staticmethod
    def _significant(text: str, start: int, end: int) -> int:
        """The significant words of `text[start:end]`, counted up to `WINDOW`."""
        count = 0
        for word in WORD.finditer(text, start, end):
            if word.group() not in STOP_WORDS:
                count += 1
                if count == WINDOW:
                    break
        return count


def _nearest(before: list[int], after: list[int]) -> int:
    """The smallest distance between a position of one list and one of the other (both sorted,
    and disjoint: they hold different words)."""
    i = j = 0
    nearest = abs(before[0] - after[0])
    while i < len(before) and j < len(after):
        gap = before[i] - after[j]
        nearest = min(nearest, abs(gap))
        if gap < 0:
            i += 1
        else:
            j += 1
    return nearest
