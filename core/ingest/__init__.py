"""File ingestion for file_search: text extraction, token chunking and file limits (SPEC §7).

Pure and offline: no Temporal, store or network; the ingestion workflow builds on these.
"""

from core.ingest.chunking import (
    MAX_FILE_BYTES,
    MAX_FILE_TOKENS,
    Chunk,
    ChunkingStrategy,
    check_limits,
    chunk_text,
    count_text_tokens,
    encode_text,
)
from core.ingest.errors import IngestError, InvalidFileError, UnsupportedFileError
from core.ingest.extract import SUPPORTED_EXTENSIONS, extract_text

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_FILE_TOKENS",
    "SUPPORTED_EXTENSIONS",
    "Chunk",
    "ChunkingStrategy",
    "IngestError",
    "InvalidFileError",
    "UnsupportedFileError",
    "check_limits",
    "chunk_text",
    "count_text_tokens",
    "encode_text",
    "extract_text",
]
