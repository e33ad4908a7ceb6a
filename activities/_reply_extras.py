"""What an assistant reply gains from the run's built-in tool calls: file_search citations,
`file_path` annotations for files code_interpreter wrote, and the images it produced."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core import code_interpreter, file_search
from core.code_interpreter import files_key
from core.objects.code_interpreter_tool_call import CodeInterpreterToolCall
from core.objects.message_content import (
    ImageFile,
    ImageFileContentBlock,
    MessageContent,
    Text,
    TextContentBlock,
)
from core.objects.run_step import RunStep, ToolCallsStepDetails


def code_interpreter_calls(steps: Sequence[RunStep]) -> list[CodeInterpreterToolCall]:
    calls: list[CodeInterpreterToolCall] = []
    for step in steps:
        if isinstance(step.step_details, ToolCallsStepDetails):
            calls += [
                c for c in step.step_details.tool_calls if isinstance(c, CodeInterpreterToolCall)
            ]
    return calls


@dataclass(frozen=True)
class ReplyExtras:
    citations: file_search.CitationSources = field(
        default_factory=lambda: file_search.CitationSources({})
    )
    sandbox_files: Mapping[str, str] = field(default_factory=dict)
    """`/mnt/data/...` path -> file_id of every file the run's code wrote."""
    images: Sequence[str] = ()
    """File ids of the images the run's code produced."""

    @classmethod
    def of(cls, tool_steps: Sequence[RunStep], arguments: Mapping[str, str]) -> ReplyExtras:
        """From the run's completed tool steps and the side records of their calls."""
        searches = file_search.file_search_calls(tool_steps)
        code_calls = code_interpreter_calls(tool_steps)
        files: dict[str, str] = {}
        for call in code_calls:
            files.update(json.loads(arguments.get(files_key(call.id), "{}")))
        images = [
            output.image.file_id
            for call in code_calls
            for output in call.code_interpreter.outputs
            if output.type == "image"
        ]
        return cls(file_search.CitationSources.of(searches), files, images)

    def annotations(self, text: str) -> list[Any]:
        """Citations and file links in `text`, in order of position."""
        found: list[Any] = [
            *self.citations.annotations(text),
            *code_interpreter.file_path_annotations(text, self.sandbox_files),
        ]
        return sorted(found, key=lambda annotation: annotation.start_index)

    def content(self, text: str, annotations: list[Any]) -> list[MessageContent]:
        """The reply's content: the text, then each image (as OpenAI's replies show charts)."""
        blocks: list[MessageContent] = [
            TextContentBlock(text=Text(value=text, annotations=annotations))
        ]
        blocks += [ImageFileContentBlock(image_file=ImageFile(file_id=i)) for i in self.images]
        return blocks

    def delta(self, annotations: list[Any]) -> dict[str, Any] | None:
        """One message delta with the annotations and image blocks, or None if none."""
        content: list[dict[str, Any]] = []
        if annotations:
            dumped = [{"index": i, **a.model_dump(mode="json")} for i, a in enumerate(annotations)]
            content.append({"index": 0, "type": "text", "text": {"annotations": dumped}})
        content += [
            {"index": 1 + i, "type": "image_file", "image_file": {"file_id": file_id}}
            for i, file_id in enumerate(self.images)
        ]
        return {"content": content} if content else None
