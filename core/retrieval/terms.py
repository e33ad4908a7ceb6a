"""Query text to search terms, and the terms as a safe FTS5 MATCH or PostgreSQL tsquery text.

A natural-language question matches a chunk sharing ANY of its significant words (OR), and BM25
ranks chunks sharing more, and rarer, words higher. Words are runs of letters and digits, so no
character of the user's text (quotes, `*`, `-`, parentheses, `:`) reaches a query parser as
syntax, and each FTS5 term is double-quoted, so `NEAR`, `AND`, `OR` and `NOT` are plain words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = [
    "MAX_TERMS",
    "STOP_WORDS",
    "WORD",
    "fts5_match",
    "query_terms",
    "significant_words",
    "tsquery_text",
]

MAX_TERMS = 32
"""Distinct terms per query kept (the first ones): each one costs a posting-list read."""

WORD = re.compile(r"[^\W_]+")
"""A word: a run of letters and digits."""

# PostgreSQL's `english` stop list (snowball english.stop), used on both backends so a question
# is reduced to the same terms on SQLite (whose FTS5 index keeps stop words) and PostgreSQL.
_STOP_LIST = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
    her hers herself it its itself they them their theirs themselves what which who whom this that
    these those am is are was were be been being have has had having do does did doing a an the
    and but if or because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don should now
"""
STOP_WORDS = frozenset(_STOP_LIST.split())


def significant_words(text: str) -> Iterator[str]:
    """Every word of `text` that is no stop word, lower-cased, in order, repeats included."""
    return (word for word in WORD.findall(text.lower()) if word not in STOP_WORDS)


def query_terms(text: str) -> list[str]:
    """The distinct significant words of `text`, lower-cased, in order (at most `MAX_TERMS`)."""
    terms: list[str] = []
    for word in significant_words(text):
        if word not in terms:
            terms.append(word)
            if len(terms) == MAX_TERMS:
                break
    return terms


def fts5_match(terms: list[str]) -> str:
    """An FTS5 MATCH expression for any of `terms`: `"lighthouse" OR "lamp"`."""
    # `WORD` never yields a double quote; doubling any would be the FTS5 escape.
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


def tsquery_text(terms: list[str]) -> str:
    """`to_tsquery` input for any of `terms`: `lighthouse | lamp` (terms hold no operators)."""
    return " | ".join(terms)
