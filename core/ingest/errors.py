"""Ingestion failures, each carrying the vector-store file `last_error.code` it maps to."""

from __future__ import annotations

from typing import ClassVar, Literal


class IngestError(Exception):
    """A file that cannot be ingested; `code` is the `last_error.code` the file reports."""

    code: ClassVar[Literal["unsupported_file", "invalid_file"]]

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsupportedFileError(IngestError):
    """A file type or text encoding that file_search does not accept (SPEC §7)."""

    code = "unsupported_file"


class InvalidFileError(IngestError):
    """A supported file that is corrupt, unreadable or over the size/token limits."""

    code = "invalid_file"
