"""The retrieval corpus itself: files extract, quotes are unique and survive chunking, the
generator reproduces the checked-in binaries, and the scoring helpers count hits correctly."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from functools import cache
from pathlib import Path, PurePath

import pytest

from core.ingest import InvalidFileError, chunk_text, extract_text
from tests.corpus import (
    CORPUS_DIR,
    CORPUS_FILES,
    CORRUPT_FILE,
    Question,
    chunk_hit,
    collapse_whitespace,
    load_questions,
    recall_at_k,
)
from tests.corpus.make_corpus import CORRUPT_NAME, DOCX_NAME, PDF_NAME, write_corpus

QUESTIONS = load_questions()


@cache
def extracted(filename: str) -> str:
    """The text `extract_text` gives for a corpus file, read once per test session."""
    return extract_text(filename, (CORPUS_DIR / filename).read_bytes())


def test_there_is_one_file_per_format() -> None:
    suffixes = sorted(PurePath(name).suffix for name in CORPUS_FILES)
    assert suffixes == [".csv", ".docx", ".html", ".json", ".md", ".pdf", ".txt"]


@pytest.mark.parametrize("filename", CORPUS_FILES)
def test_each_file_extracts_to_enough_text_for_several_chunks(filename: str) -> None:
    text = extracted(filename)
    assert len(text.split()) >= 1_000
    assert len(chunk_text(text)) >= 3


def test_questions_cover_every_file_at_least_twice() -> None:
    assert len(QUESTIONS) == 20
    per_file = Counter(question.file for question in QUESTIONS)
    assert set(per_file) == set(CORPUS_FILES)
    assert min(per_file.values()) >= 2


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.answer_quote[:30])
def test_answer_quote_is_short_and_occurs_once_in_the_corpus(question: Question) -> None:
    quote = collapse_whitespace(question.answer_quote)
    assert 5 <= len(quote.split()) <= 15
    counts = {name: collapse_whitespace(extracted(name)).count(quote) for name in CORPUS_FILES}
    assert counts[question.file] == 1
    assert sum(counts.values()) == 1


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.answer_quote[:30])
def test_answer_quote_lies_whole_in_a_default_chunk(question: Question) -> None:
    chunks = chunk_text(extracted(question.file))
    assert any(chunk_hit(question, question.file, chunk.text) for chunk in chunks)


def test_corrupt_pdf_is_an_invalid_file() -> None:
    data = (CORPUS_DIR / CORRUPT_FILE).read_bytes()
    assert data.startswith(b"%PDF-1.4")
    with pytest.raises(InvalidFileError):
        extract_text(CORRUPT_FILE, data)


def test_make_corpus_regenerates_the_checked_in_binaries(tmp_path: Path) -> None:
    write_corpus(tmp_path)
    for name in (PDF_NAME, CORRUPT_NAME):
        assert (tmp_path / name).read_bytes() == (CORPUS_DIR / name).read_bytes()
    # Compared entry by entry: deflate output may differ between zlib builds.
    assert zip_entries((tmp_path / DOCX_NAME).read_bytes()) == zip_entries(
        (CORPUS_DIR / DOCX_NAME).read_bytes()
    )


def zip_entries(data: bytes) -> list[tuple[str, tuple[int, ...], bytes]]:
    """Name, date and uncompressed content of each entry of the zip `data`, in order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, info.date_time, archive.read(info)) for info in archive.infolist()]


def test_chunk_hit_needs_the_right_file_and_the_whole_quote() -> None:
    question = Question("Where?", "a.txt", "the quick brown fox jumps")
    assert chunk_hit(question, "a.txt", "so the quick\nbrown   fox jumps over")
    assert not chunk_hit(question, "b.txt", "the quick brown fox jumps")
    assert not chunk_hit(question, "a.txt", "the quick brown fox")


def test_recall_at_k_counts_hits_in_the_first_k_results() -> None:
    questions = [Question("q1", "a.txt", "alpha beta"), Question("q2", "b.txt", "gamma delta")]
    ranked = [
        [("b.txt", "alpha beta"), ("a.txt", "x alpha beta y")],
        [("b.txt", "nothing"), ("b.txt", "other"), ("b.txt", "gamma delta")],
    ]
    assert recall_at_k(ranked, questions, k=2) == 0.5
    assert recall_at_k(ranked, questions, k=3) == 1.0
    with pytest.raises(ValueError):
        recall_at_k(ranked[:1], questions)
