"""The `file` object (openai `types/file_object.py`, `file_deleted.py`, `file_purpose.py`)."""

from __future__ import annotations

from typing import Literal, TypeAlias

from core.objects.shared import WireModel

__all__ = ["FileDeleted", "FileObject", "FileObjectPurpose", "FilePurpose", "FileStatus"]

FilePurpose: TypeAlias = Literal["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]
"""Purposes a client may upload a file with (`POST /files`)."""

FileObjectPurpose: TypeAlias = Literal[
    "assistants",
    "assistants_output",
    "batch",
    "batch_output",
    "fine-tune",
    "fine-tune-results",
    "vision",
    "user_data",
]
"""Purposes a File may carry on responses; `assistants_output` marks code_interpreter output.

Note the SDK's response type has no `evals`, although uploads may use it.
"""

FileStatus: TypeAlias = Literal["uploaded", "processed", "error"]
"""Deprecated processing status of a File."""


class FileObject(WireModel):
    """An uploaded (or tool-generated) file."""

    id: str
    """The identifier (`file-...`, with a hyphen)."""

    object: Literal["file"] = "file"
    """Always `file`."""

    bytes: int
    """The size of the file, in bytes."""

    created_at: int
    """Unix timestamp (seconds) of creation."""

    expires_at: int | None = None
    """Unix timestamp (seconds) when the file expires."""

    filename: str
    """The name of the file."""

    purpose: FileObjectPurpose
    """The intended purpose of the file."""

    status: FileStatus = "processed"
    """Deprecated: `uploaded`, `processed` or `error`."""

    status_details: str | None = None
    """Deprecated: why processing failed."""


class FileDeleted(WireModel):
    """Response of `DELETE /files/{file_id}` (note: `object` is `file`, not `file.deleted`)."""

    id: str
    """The id of the deleted file."""

    object: Literal["file"] = "file"
    """Always `file`."""

    deleted: bool = True
    """Whether the file was deleted."""
