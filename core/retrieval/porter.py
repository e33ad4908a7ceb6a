"""The Porter stemmer as SQLite FTS5's `porter` tokenizer applies it, in pure Python.

M. F. Porter, "An algorithm for suffix stripping" (1980), in the form of its reference C
implementation, which FTS5 follows (`fts5_tokenize.c`): step 2 has `bli -> ble` and
`logi -> log` instead of the paper's `abli -> able`, and tokens shorter than 3 or longer than 64
characters are left as they are. Within a step the longest matching suffix is the only
candidate: if its condition fails, the step changes nothing.

Used by the reranker's proximity feature (`proximity.py`) to reduce the query's and a chunk's
words to the same stems the SQLite keyword index matches (`tests/retrieval/test_proximity.py`
checks it against FTS5 itself). PostgreSQL's `english` configuration stems with Snowball's
Porter2, which differs on a few words; the proximity feature stems in Python on both backends,
so it ranks alike on both.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["stem"]

_MIN_LENGTH, _MAX_LENGTH = 3, 64
_VOWELS = frozenset("aeiou")


def _consonants(word: str) -> list[bool]:
    """Per letter: consonant? (`y` is a vowel after a consonant, a consonant otherwise)."""
    flags: list[bool] = []
    previous_consonant = False
    for letter in word:
        vowel = letter in _VOWELS or (letter == "y" and previous_consonant)
        previous_consonant = not vowel
        flags.append(previous_consonant)
    return flags


def _measure(stem: str) -> int:
    """Porter's m: the number of vowel-consonant sequences in `[C](VC)^m[V]`."""
    m, previous = 0, True
    for consonant in _consonants(stem):
        if consonant and not previous:
            m += 1
        previous = consonant
    return m


def _has_vowel(stem: str) -> bool:
    return not all(_consonants(stem))


def _ends_cvc(stem: str) -> bool:
    """Porter's *o: consonant-vowel-consonant at the end, the last not w, x or y."""
    if len(stem) < 3 or stem[-1] in "wxy":
        return False
    a, b, c = _consonants(stem)[-3:]
    return a and not b and c


def _m_above_0(stem: str) -> bool:
    return _measure(stem) > 0


def _m_above_1(stem: str) -> bool:
    return _measure(stem) > 1


def _m_above_1_after_s_or_t(stem: str) -> bool:
    return stem[-1:] in ("s", "t") and _measure(stem) > 1


# (suffix, replacement), longest suffixes first where one ends another.
_STEP2 = [
    ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
    ("logi", "log"), ("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"),
    ("ousli", "ous"), ("ization", "ize"), ("ation", "ate"), ("ator", "ate"), ("alism", "al"),
    ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"),
    ("biliti", "ble"),
]  # fmt: skip
_STEP3 = [
    ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""),
    ("ness", ""),
]  # fmt: skip
_STEP4 = [
    "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou",
    "ism", "ate", "iti", "ous", "ive", "ize",
]  # fmt: skip


def _replace(word: str, rules: list[tuple[str, str]]) -> str:
    """The longest matching rule of a step applied if its stem has m > 0."""
    best = max(
        (rule for rule in rules if word.endswith(rule[0])), key=lambda r: len(r[0]), default=None
    )
    if best is None:
        return word
    stem = word[: len(word) - len(best[0])]
    return stem + best[1] if stem and _m_above_0(stem) else word


def _step1ab(word: str) -> str:
    if (word.endswith("sses") and len(word) > 4) or (word.endswith("ies") and len(word) > 3):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if word.endswith("eed") and len(word) > 3:
        stem = word[:-3]
        return word[:-1] if stem and _m_above_0(stem) else word
    for suffix in ("ed", "ing"):
        if word.endswith(suffix) and len(word) > len(suffix):
            stem = word[: -len(suffix)]
            if not _has_vowel(stem):
                return word
            if stem.endswith(("at", "bl", "iz")) and len(stem) > 2:
                return stem + "e"
            last = stem[-1]
            if len(stem) > 1 and last == stem[-2] and last not in _VOWELS and last not in "lsz":
                return stem[:-1]
            if _measure(stem) == 1 and _ends_cvc(stem):
                return stem + "e"
            return stem
    return word


def _step4(word: str) -> str:
    suffix = max((s for s in _STEP4 if word.endswith(s)), key=len, default=None)
    if suffix is None:
        return word
    stem = word[: -len(suffix)]
    check = _m_above_1_after_s_or_t if suffix == "ion" else _m_above_1
    return stem if stem and check(stem) else word


def _step5(word: str) -> str:
    if word.endswith("e"):
        stem = word[:-1]
        m = _measure(stem)
        if m > 1 or (m == 1 and not _ends_cvc(stem)):
            word = stem
    if word.endswith("ll") and _measure(word[:-1]) > 1:
        word = word[:-1]
    return word


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The Porter stem of a lower-case word (cached: a search stems the same words again)."""
    if not _MIN_LENGTH <= len(word) <= _MAX_LENGTH:
        return word
    word = _step1ab(word)
    if word.endswith("y") and _has_vowel(word[:-1]):
        word = word[:-1] + "i"
    word = _replace(word, _STEP2)
    word = _replace(word, _STEP3)
    word = _step4(word)
    return _step5(word)
