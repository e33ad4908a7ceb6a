"""The Python Porter stemmer against SQLite FTS5's `porter` tokenizer, which it must match."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.retrieval.porter import stem
from core.retrieval.terms import WORD
from tests.corpus import CORPUS_DIR

# Porter's own examples, step by step, and words at the edges of each rule.
CLASSIC = """
    caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled
    sized hopping tanned falling hissing fizzed failing filing happy sky relational conditional
    rational valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli
    vietnamization predication operator feudalism decisiveness hopefulness callousness formaliti
    sensitiviti sensibiliti triplicate formative formalize electriciti electrical hopeful goodness
    revival allowance inference airliner gyroscopic adjustable defensible irritant replacement
    adjustment dependent adoption homologou communism activate angulariti homologous effective
    bowdlerize probate rate cease controll roll generalization oscillators mobility archaeology
    possibly sses ies eed aing dying lying skies news xyzzy a ab abc touching touched landers
    replaced replacing lamps lighthouse kilohertz 1990s
"""


def _fts5_stems(words: list[str]) -> dict[str, str]:
    """Each word's term in an FTS5 `porter unicode61` index (one word per row)."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61')")
        conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
        conn.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", list(enumerate(words)))
        return {words[doc]: term for term, doc in conn.execute("SELECT term, doc FROM v")}
    finally:
        conn.close()


def _corpus_words() -> list[str]:
    words: set[str] = set(CLASSIC.split())
    for path in CORPUS_DIR.iterdir():
        if path.suffix in {".txt", ".md", ".html", ".json", ".csv"}:
            words.update(WORD.findall(path.read_text(encoding="utf-8").lower()))
    # ASCII only: FTS5's unicode61 also strips diacritics, which the stemmer is not about.
    return sorted(word for word in words if word.isascii())


def test_stems_match_fts5_on_the_corpus_and_porters_examples() -> None:
    words = _corpus_words()
    assert len(words) > 2_000
    expected = _fts5_stems(words)
    assert {word: stem(word) for word in words} == expected


@given(st.lists(st.text(alphabet="abcdeilnorstuyz", min_size=1, max_size=14), max_size=60))
def test_stems_match_fts5_on_arbitrary_words(words: list[str]) -> None:
    words = sorted(set(words))
    assert {word: stem(word) for word in words} == _fts5_stems(words)


@pytest.mark.parametrize("word", ["ab", "x", "12", "a" * 65])
def test_words_shorter_than_three_or_longer_than_64_are_left_alone(word: str) -> None:
    assert stem(word) == word


@given(st.text(alphabet="abcdeilnorstuyz", min_size=1, max_size=20))
def test_a_stem_less_its_last_letter_begins_the_word(word: str) -> None:
    """What the proximity reader relies on to find words by prefix."""
    assert word.startswith(stem(word)[:-1])
