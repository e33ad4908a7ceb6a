"""Chunking strategies, token windows and the per-file limits."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from core.ingest import (
    MAX_FILE_BYTES,
    MAX_FILE_TOKENS,
    Chunk,
    ChunkingStrategy,
    InvalidFileError,
    check_limits,
    chunk_text,
    chunking,
    count_text_tokens,
    encode_text,
)
from core.tokens import encode


def test_auto_is_static_800_400() -> None:
    for strategy in (ChunkingStrategy(), ChunkingStrategy.model_validate({"type": "auto"})):
        assert (strategy.max_chunk_size_tokens, strategy.chunk_overlap_tokens) == (800, 400)
        assert strategy.as_static_object() == {
            "type": "static",
            "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
        }


def test_static_from_the_wire_form() -> None:
    strategy = ChunkingStrategy.model_validate(
        {"type": "static", "static": {"max_chunk_size_tokens": 300, "chunk_overlap_tokens": 0}}
    )
    assert (strategy.max_chunk_size_tokens, strategy.chunk_overlap_tokens) == (300, 0)


@pytest.mark.parametrize("size", [100, 101, 4096])
def test_static_sizes_at_the_edges_are_accepted(size: int) -> None:
    assert ChunkingStrategy.of(size, size // 2).chunk_overlap_tokens == size // 2


@pytest.mark.parametrize("size", [99, 4097, 0, -1])
def test_static_sizes_outside_100_4096_are_refused(size: int) -> None:
    with pytest.raises(ValidationError, match="max_chunk_size_tokens"):
        ChunkingStrategy.of(size, 0)


@pytest.mark.parametrize("size", [100, 101, 800, 4096])
def test_overlap_over_half_the_size_is_refused(size: int) -> None:
    with pytest.raises(ValidationError, match=r"must not exceed half of max_chunk_size_tokens"):
        ChunkingStrategy.of(size, size // 2 + 1)


def test_negative_overlap_is_refused() -> None:
    with pytest.raises(ValidationError, match="chunk_overlap_tokens"):
        ChunkingStrategy.of(800, -1)


@pytest.mark.parametrize(
    "data",
    [
        {"type": "static"},
        {"type": "static", "static": None},
        {"type": "auto", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 0}},
        {"type": "semantic"},
        {"type": "static", "static": {"max_chunk_size_tokens": 800, "extra": 1}},
    ],
)
def test_malformed_strategies_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ChunkingStrategy.model_validate(data)


def test_empty_text_has_no_chunks() -> None:
    assert chunk_text("", ChunkingStrategy()) == []


def test_short_text_is_one_chunk() -> None:
    assert chunk_text("Hello, world.") == [
        Chunk(
            index=0, text="Hello, world.", token_count=4, start_token=0, start_char=0, end_char=13
        )
    ]


def test_windows_advance_by_size_minus_overlap() -> None:
    text = " ".join(f"word{i}" for i in range(2000))
    tokens = encode(text, "gpt-4o")
    chunks = chunk_text(text, ChunkingStrategy.of(500, 100))
    assert [c.start_token for c in chunks] == list(range(0, len(tokens) - 100, 400))
    assert all(c.token_count == 500 for c in chunks[:-1])
    assert chunks[-1].start_token + chunks[-1].token_count == len(tokens)
    assert chunks[0].text == text[: chunks[0].end_char]


def test_default_strategy_uses_the_model_encoding() -> None:
    text = "tokenization differs between encodings " * 400
    for model in ("gpt-4o", "gpt-4", "gpt-3.5-turbo"):
        last = chunk_text(text, model=model)[-1]
        assert last.start_token + last.token_count == len(encode(text, model))


def assert_chunks_cover(text: str, chunks: list[Chunk], size: int, overlap: int) -> None:
    """The invariants every chunking must keep."""
    tokens = encode_text(text)
    if not tokens:
        assert chunks == []
        return
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert chunks[0].start_token == 0 and chunks[0].start_char == 0
    assert chunks[-1].start_token + chunks[-1].token_count == len(tokens)
    assert chunks[-1].end_char == len(text)
    for chunk in chunks:
        assert 0 < chunk.token_count <= size
        assert chunk.text == text[chunk.start_char : chunk.end_char]
    for previous, following in itertools.pairwise(chunks):
        # Exactly `overlap` shared tokens, and no gap or reordering in the text either.
        assert previous.start_token + previous.token_count - following.start_token == overlap
        assert previous.start_char <= following.start_char <= previous.end_char
        assert previous.end_char <= following.end_char
    # The union of the windows, de-overlapped through the offsets, is the text again.
    rebuilt = chunks[0].text
    for previous, following in itertools.pairwise(chunks):
        rebuilt += text[previous.end_char : following.end_char]
    assert rebuilt == text


# Alphabet mixing ascii words, whitespace, multi-token characters and rare emoji, so that window
# edges regularly fall inside a character's bytes.
_TEXT = st.text(
    alphabet=st.sampled_from([*list("abc xyz\n\t.,"), "é", "世", "😀", "🫠"]),
    max_size=3000,
)


@settings(max_examples=60, deadline=None)
@given(
    text=_TEXT,
    size=st.integers(min_value=100, max_value=300),
    overlap_fraction=st.floats(min_value=0, max_value=0.5),
)
def test_chunks_cover_the_text_in_order_with_exact_overlap(
    text: str, size: int, overlap_fraction: float
) -> None:
    overlap = min(int(size * overlap_fraction), size // 2)
    chunks = chunk_text(text, ChunkingStrategy.of(size, overlap))
    assert_chunks_cover(text, chunks, size, overlap)


def test_emoji_split_across_windows_is_kept_whole() -> None:
    # Rare emoji take several tokens each, so some window edge falls inside one.
    text = "\U0001fae0\U0001fab8\U0001f9ec" * 200
    chunks = chunk_text(text, ChunkingStrategy.of(100, 33))
    assert len(chunks) > 3
    assert all("\ufffd" not in chunk.text for chunk in chunks)
    assert_chunks_cover(text, chunks, 100, 33)


def test_lone_surrogates_are_replaced_not_fatal() -> None:
    chunks = chunk_text("a\ud800b")
    assert [c.text for c in chunks] == ["a\ufffdb"]


def test_texts_over_the_encoder_cap_are_encoded_in_matching_pieces() -> None:
    # bpe_openai refuses 200,000+ tokens at once; pieces must give the whole-text ids.
    paragraph = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n"
    text = paragraph * 25_000  # 250,000 tokens
    tokens = encode_text(text)
    assert len(tokens) > 200_000
    assert tokens == encode(paragraph, "gpt-4o") * 25_000
    assert count_text_tokens(text) == len(tokens)
    chunks = chunk_text(text)
    assert chunks[-1].start_token + chunks[-1].token_count == len(tokens)
    assert chunks[-1].end_char == len(text)


def test_piece_seams_without_newlines_match_whole_encoding() -> None:
    text = " ".join(f"w{i}" for i in range(30_000))  # ~150,000 characters, one line
    assert encode_text(text) == encode(text, "gpt-4o")


def test_limits_constants_follow_the_spec() -> None:
    assert MAX_FILE_BYTES == 512 * 1024 * 1024
    assert MAX_FILE_TOKENS == 5_000_000


def test_check_limits_at_the_edges(monkeypatch: pytest.MonkeyPatch) -> None:
    check_limits(b"x" * 10, MAX_FILE_TOKENS)
    with pytest.raises(InvalidFileError, match=r"big\.txt: 5,000,001 tokens") as caught:
        check_limits(b"x", MAX_FILE_TOKENS + 1, filename="big.txt")
    assert caught.value.code == "invalid_file"
    # The byte limit, scaled down so that the test does not allocate 512 MB.
    monkeypatch.setattr(chunking, "MAX_FILE_BYTES", 10)
    check_limits(b"x" * 10, 0)
    with pytest.raises(InvalidFileError, match=r"huge\.pdf: 11 bytes is over"):
        check_limits(b"x" * 11, 0, filename="huge.pdf")
