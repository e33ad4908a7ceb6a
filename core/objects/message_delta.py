"""Streaming message deltas (openai `types/beta/threads/message_delta*.py`, `*_delta_block.py`).

Every element of a delta list carries an `index`: the SDK merges list entries by it (SPEC §6.4).
"""

from __future__ import annotations

from typing import Annotated, Literal, TypeAlias

from pydantic import Field

from core.objects.message import ImageDetail, MessageRole
from core.objects.shared import DeltaModel

__all__ = [
    "AnnotationDelta",
    "FileCitationDelta",
    "FileCitationDeltaAnnotation",
    "FilePathDelta",
    "FilePathDeltaAnnotation",
    "ImageFileDelta",
    "ImageFileDeltaBlock",
    "ImageURLDelta",
    "ImageURLDeltaBlock",
    "MessageContentDelta",
    "MessageDelta",
    "MessageDeltaEvent",
    "RefusalDeltaBlock",
    "TextDelta",
    "TextDeltaBlock",
]


class FileCitationDelta(DeltaModel):
    """The cited file, in a delta."""

    file_id: str | None = None
    """The id of the cited file."""

    quote: str | None = None
    """The quoted text of the file."""


class FileCitationDeltaAnnotation(DeltaModel):
    """A file citation, sent once and complete (a repeat would sum its offsets)."""

    index: int
    """The index of the annotation in the text block."""

    type: Literal["file_citation"] = "file_citation"
    """Always `file_citation`."""

    text: str | None = None
    """The marker substring of `value`."""

    start_index: int | None = None
    """Character offset of the marker in `value`."""

    end_index: int | None = None
    """Character offset just past the marker in `value` (exclusive)."""

    file_citation: FileCitationDelta | None = None
    """The cited file."""


class FilePathDelta(DeltaModel):
    """The generated file, in a delta."""

    file_id: str | None = None
    """The id of the generated file."""


class FilePathDeltaAnnotation(DeltaModel):
    """A file path link, sent once and complete."""

    index: int
    """The index of the annotation in the text block."""

    type: Literal["file_path"] = "file_path"
    """Always `file_path`."""

    text: str | None = None
    """The link substring of `value`."""

    start_index: int | None = None
    """Character offset of the link in `value`."""

    end_index: int | None = None
    """Character offset just past the link in `value` (exclusive)."""

    file_path: FilePathDelta | None = None
    """The generated file."""


AnnotationDelta: TypeAlias = Annotated[
    FileCitationDeltaAnnotation | FilePathDeltaAnnotation, Field(discriminator="type")
]
"""An annotation in a text delta, discriminated on `type`."""


class TextDelta(DeltaModel):
    """A fragment of text; fragments concatenate."""

    value: str | None = None
    """The text fragment."""

    annotations: list[AnnotationDelta] | None = None
    """New annotations; the first delta of a block sends `[]`."""


class TextDeltaBlock(DeltaModel):
    """A delta of a text block; the first one for an index creates the block."""

    index: int
    """The index of the content block in the message."""

    type: Literal["text"] = "text"
    """Always `text`."""

    text: TextDelta | None = None
    """The text fragment and annotations."""


class ImageFileDelta(DeltaModel):
    """An image File, in a delta."""

    file_id: str | None = None
    """The id of the image File."""

    detail: ImageDetail | None = None
    """Detail level."""


class ImageFileDeltaBlock(DeltaModel):
    """A delta of an image File block."""

    index: int
    """The index of the content block in the message."""

    type: Literal["image_file"] = "image_file"
    """Always `image_file`."""

    image_file: ImageFileDelta | None = None
    """The image File."""


class ImageURLDelta(DeltaModel):
    """An image URL, in a delta."""

    url: str | None = None
    """The image URL."""

    detail: ImageDetail | None = None
    """Detail level."""


class ImageURLDeltaBlock(DeltaModel):
    """A delta of an image URL block."""

    index: int
    """The index of the content block in the message."""

    type: Literal["image_url"] = "image_url"
    """Always `image_url`."""

    image_url: ImageURLDelta | None = None
    """The image URL."""


class RefusalDeltaBlock(DeltaModel):
    """A delta of a refusal block."""

    index: int
    """The index of the content block in the message."""

    type: Literal["refusal"] = "refusal"
    """Always `refusal`."""

    refusal: str | None = None
    """The refusal fragment."""


MessageContentDelta: TypeAlias = Annotated[
    ImageFileDeltaBlock | TextDeltaBlock | RefusalDeltaBlock | ImageURLDeltaBlock,
    Field(discriminator="type"),
]
"""One content-block delta, discriminated on `type`."""


class MessageDelta(DeltaModel):
    """The fields of a message that changed."""

    role: MessageRole | None = None
    """`user` or `assistant`."""

    content: list[MessageContentDelta] | None = None
    """Content-block deltas, merged by `index`."""


class MessageDeltaEvent(DeltaModel):
    """The data of a `thread.message.delta` event; applied to the latest message snapshot."""

    id: str
    """The id of the message."""

    object: Literal["thread.message.delta"] = "thread.message.delta"
    """Always `thread.message.delta`."""

    delta: MessageDelta
    """The fields that changed."""
