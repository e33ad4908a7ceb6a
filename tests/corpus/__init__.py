"""The checked-in corpus for file_search retrieval tests: seven files, one per format, and 20
questions whose answers are verbatim quotes of one file each.

The binary files (the PDF, the docx and corrupt.pdf) are written by `make_corpus.py`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

CORPUS_DIR: Path = Path(__file__).resolve().parent
"""The directory holding the corpus files."""

CORPUS_FILES: list[str] = [
    "kestrel_point_lighthouse.txt",
    "marrowby_bakery_recipes.md",
    "quillfeather_garden_catalogue.html",
    "halcyon_drift_mission.json",
    "vennick_valley_railway.csv",
    "river_ossel_survey.pdf",
    "brambleford_chess_rules.docx",
]
"""The seven readable corpus files, one per format (corrupt.pdf is not among them)."""

CORRUPT_FILE = "corrupt.pdf"
"""A file with a PDF header that no PDF reader can open."""


@dataclass(frozen=True, slots=True)
class Question:
    """A question whose answer is `answer_quote`, verbatim text of the corpus file `file`."""

    question: str
    file: str
    answer_quote: str


def load_questions() -> list[Question]:
    """The questions of `questions.json`, in file order."""
    entries = json.loads((CORPUS_DIR / "questions.json").read_text(encoding="utf-8"))
    return [Question(**entry) for entry in entries]


def collapse_whitespace(text: str) -> str:
    """`text` with every run of whitespace as one space and none at the ends."""
    return " ".join(text.split())


def chunk_hit(question: Question, filename: str, chunk_text: str) -> bool:
    """Whether a chunk of `filename` answers `question`: it holds the whole answer quote.

    Whitespace is collapsed on both sides, since extraction and chunking may break lines
    differently from the quote.
    """
    if filename != question.file:
        return False
    return collapse_whitespace(question.answer_quote) in collapse_whitespace(chunk_text)


def recall_at_k(
    ranked: list[list[tuple[str, str]]], questions: list[Question], k: int = 5
) -> float:
    """The fraction of questions with a hit among their first `k` results.

    `ranked[i]` is the ranked (filename, chunk text) result list for `questions[i]`.
    """
    if len(ranked) != len(questions):
        raise ValueError(f"{len(ranked)} result lists for {len(questions)} questions")
    if not questions:
        return 0.0
    hits = sum(
        any(chunk_hit(question, filename, text) for filename, text in results[:k])
        for question, results in zip(questions, ranked, strict=True)
    )
    return hits / len(questions)
