"""Token chunking with the SPEC §7 strategies, and the per-file size and token limits.

Chunks are windows over the token ids of the whole text: `max_chunk_size_tokens` long, each
starting `max_chunk_size_tokens - chunk_overlap_tokens` tokens after the previous one, so
consecutive chunks share exactly `chunk_overlap_tokens` tokens.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.ingest.errors import InvalidFileError
from core.tokens import encode, encoding_for_model

DEFAULT_MAX_CHUNK_SIZE_TOKENS = 800
DEFAULT_CHUNK_OVERLAP_TOKENS = 400
MIN_CHUNK_SIZE_TOKENS = 100
MAX_CHUNK_SIZE_TOKENS = 4096

MAX_FILE_BYTES = 512 * 1024 * 1024
"""512 MB per file (SPEC §7), read as MiB: the stricter reading would refuse files OpenAI takes."""

# bpe_openai refuses to encode more than 200,000 tokens at once; a character is at most 4 tokens.
_PIECE_CHARS = 40_000

MAX_FILE_TOKENS = 5_000_000
"""Tokens per file (SPEC §7 follows the guides' 5M over the SDK docstring's 2M)."""


class StaticChunking(BaseModel):
    """Fixed-size windows: 100..4096 tokens, overlapping by at most half a window."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_chunk_size_tokens: int = Field(
        DEFAULT_MAX_CHUNK_SIZE_TOKENS, ge=MIN_CHUNK_SIZE_TOKENS, le=MAX_CHUNK_SIZE_TOKENS
    )
    chunk_overlap_tokens: int = Field(DEFAULT_CHUNK_OVERLAP_TOKENS, ge=0)

    @model_validator(mode="after")
    def _overlap_at_most_half(self) -> StaticChunking:
        # Compared doubled so that an odd size allows floor(size / 2), as OpenAI does.
        if self.chunk_overlap_tokens * 2 > self.max_chunk_size_tokens:
            raise ValueError(
                f"chunk_overlap_tokens ({self.chunk_overlap_tokens}) must not exceed half of "
                f"max_chunk_size_tokens ({self.max_chunk_size_tokens})"
            )
        return self


class ChunkingStrategy(BaseModel):
    """A request's `chunking_strategy`: `{"type": "auto"}` or `{"type": "static", "static": ...}`.

    `static` is always set after validation: `auto` resolves to static 800/400, which is also how
    vector-store file objects report it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["auto", "static"] = "auto"
    static: StaticChunking = Field(default_factory=StaticChunking)

    @model_validator(mode="before")
    @classmethod
    def _static_only_for_static(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        if data.get("type", "auto") == "auto" and data.get("static") is not None:
            raise ValueError("chunking_strategy of type 'auto' takes no 'static' parameters")
        if data.get("type") == "static" and data.get("static") is None:
            raise ValueError("chunking_strategy of type 'static' requires 'static' parameters")
        return data

    @classmethod
    def of(cls, max_chunk_size_tokens: int, chunk_overlap_tokens: int) -> ChunkingStrategy:
        """A validated static strategy."""
        return cls.model_validate(
            {
                "type": "static",
                "static": {
                    "max_chunk_size_tokens": max_chunk_size_tokens,
                    "chunk_overlap_tokens": chunk_overlap_tokens,
                },
            }
        )

    @property
    def max_chunk_size_tokens(self) -> int:
        """Tokens per chunk at most."""
        return self.static.max_chunk_size_tokens

    @property
    def chunk_overlap_tokens(self) -> int:
        """Tokens consecutive chunks share."""
        return self.static.chunk_overlap_tokens

    def as_static_object(self) -> dict[str, Any]:
        """The wire form a vector-store file reports (`auto` shows as static)."""
        return {"type": "static", "static": self.static.model_dump()}


@dataclass(frozen=True, slots=True)
class Chunk:
    """One window of a text's tokens.

    `text` is `source[start_char:end_char]`. When a window edge splits a character across tokens
    (emoji, CJK), the text widens to the whole character, so it never holds a broken one.
    """

    index: int
    text: str
    token_count: int
    start_token: int
    start_char: int
    end_char: int


def chunk_text(
    text: str, strategy: ChunkingStrategy | None = None, model: str = "gpt-4o"
) -> list[Chunk]:
    """`text` cut into overlapping token windows (`auto` when no strategy); [] for no tokens."""
    strategy = strategy or ChunkingStrategy()
    size, overlap = strategy.max_chunk_size_tokens, strategy.chunk_overlap_tokens
    text = _without_lone_surrogates(text)
    raw = text.encode("utf-8")
    tokens = encode_text(text, model)
    if not tokens:
        return []
    # Byte offset of each token boundary: offsets[i] is where token i starts.
    offsets = [0]
    for token_bytes in encoding_for_model(model).decode_tokens_bytes(tokens):
        offsets.append(offsets[-1] + len(token_bytes))
    # Window starts and window ends each only move forward; one counter for each.
    start_chars, end_chars = _CharOffsets(raw), _CharOffsets(raw)
    chunks: list[Chunk] = []
    start = 0
    while True:
        end = min(start + size, len(tokens))
        first_byte = _char_start(raw, offsets[start])
        last_byte = _char_end(raw, offsets[end])
        start_char, end_char = start_chars.at(first_byte), end_chars.at(last_byte)
        chunks.append(
            Chunk(
                index=len(chunks),
                text=text[start_char:end_char],
                token_count=end - start,
                start_token=start,
                start_char=start_char,
                end_char=end_char,
            )
        )
        if end == len(tokens):
            return chunks
        start += size - overlap


def encode_text(text: str, model: str = "gpt-4o") -> list[int]:
    """Token ids of `text` of any length (`core.tokens.encode` stops at 200,000 tokens).

    Long texts are encoded in pieces cut where the BPE pre-tokenizer would split anyway (after a
    newline, else before a space, before the next word), so the ids match a whole-text encoding.
    """
    text = _without_lone_surrogates(text)
    tokens: list[int] = []
    start = 0
    while start < len(text):
        end = _piece_end(text, start)
        tokens += encode(text[start:end], model)
        start = end
    return tokens


def count_text_tokens(text: str, model: str = "gpt-4o") -> int:
    """Tokens of `text` of any length, for `check_limits`."""
    return len(encode_text(text, model))


def check_limits(data: bytes, token_count: int, *, filename: str = "file") -> None:
    """Refuse a file over 512 MB or 5,000,000 tokens with `InvalidFileError`.

    Call it with `token_count=0` before extracting to refuse oversized uploads early.
    """
    if len(data) > MAX_FILE_BYTES:
        raise InvalidFileError(
            f"{filename}: {len(data):,} bytes is over the {MAX_FILE_BYTES:,}-byte (512 MB) limit"
        )
    if token_count > MAX_FILE_TOKENS:
        raise InvalidFileError(
            f"{filename}: {token_count:,} tokens is over the {MAX_FILE_TOKENS:,}-token limit"
        )


def _without_lone_surrogates(text: str) -> str:
    """`text` with lone surrogates (from JSON "\\ud800" escapes) as U+FFFD, as bpe_openai does."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _piece_end(text: str, start: int) -> int:
    """Where the piece of `text` starting at `start` ends, at most `_PIECE_CHARS` later."""
    limit = start + _PIECE_CHARS
    if limit >= len(text):
        return len(text)
    # After a newline followed by a non-space: a pre-token boundary in o200k and cl100k alike.
    for position in _seams(text, start, limit, "\n"):
        return position
    # Before a single space that starts a word, as in "word word".
    for position in _seams(text, start, limit, " "):
        if position - 1 > start and not text[position - 2].isspace():
            return position - 1
    return limit  # no seam in 40,000 characters: ids may differ around this one cut


def _seams(text: str, start: int, limit: int, separator: str) -> Iterator[int]:
    """Positions just after `separator`, last first, that a non-space character follows."""
    position = text.rfind(separator, start + 1, limit)
    while position > start:
        if not text[position + 1].isspace():
            yield position + 1
        position = text.rfind(separator, start + 1, position)


def _is_char_boundary(raw: bytes, position: int) -> bool:
    # utf-8 continuation bytes are 0b10xxxxxx; any other byte starts a character.
    return position >= len(raw) or raw[position] & 0xC0 != 0x80


def _char_start(raw: bytes, position: int) -> int:
    """`position` moved back to the start of the character it falls in."""
    while not _is_char_boundary(raw, position):
        position -= 1
    return position


def _char_end(raw: bytes, position: int) -> int:
    """`position` moved forward to the end of the character it falls in."""
    while not _is_char_boundary(raw, position):
        position += 1
    return position


class _CharOffsets:
    """Byte offset to character offset, for offsets asked in increasing order.

    Decoding only the bytes between two asks keeps the conversion linear in the text length,
    where decoding each prefix would be quadratic for a file of millions of tokens.
    """

    def __init__(self, raw: bytes) -> None:
        self._raw = raw
        self._byte = 0
        self._char = 0

    def at(self, byte: int) -> int:
        """The character offset of `byte`, a character boundary at or after the last one."""
        self._char += len(self._raw[self._byte : byte].decode("utf-8"))
        self._byte = byte
        return self._char
