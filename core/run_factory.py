"""What a new run looks like: the assistant's settings overridden by the request (SPEC §2.4).

Pure code: the runs client fetches, this decides, the runs client writes.
"""

from __future__ import annotations

from core.objects.assistant import Assistant
from core.objects.message import Message
from core.objects.message_content import (
    ImageFile,
    ImageFileContentBlock,
    ImageURL,
    ImageURLContentBlock,
    Text,
    TextContentBlock,
)
from core.objects.params import (
    ImageFilePart,
    ImageURLPart,
    MessageCreateParams,
    RunCreateParams,
    TextPart,
)
from core.objects.run import Run, TruncationStrategy


def effective_instructions(assistant: Assistant, params: RunCreateParams) -> str:
    """`instructions` replaces the assistant's; `additional_instructions` is appended after."""
    base = params.instructions if params.instructions is not None else assistant.instructions
    parts = [part for part in (base, params.additional_instructions) if part]
    return "\n\n".join(parts)


def new_run(
    run_id: str, thread_id: str, assistant: Assistant, params: RunCreateParams, *, now: int,
    expires_after_s: int,
) -> Run:  # fmt: skip
    """The `queued` run, with every effective value echoed (SPEC §3.1)."""
    return Run(
        id=run_id,
        created_at=now,
        thread_id=thread_id,
        assistant_id=assistant.id,
        status="queued",
        expires_at=now + expires_after_s,
        model=params.model or assistant.model,
        instructions=effective_instructions(assistant, params),
        tools=params.tools if params.tools is not None else assistant.tools,
        metadata=params.metadata or {},
        temperature=_first(params.temperature, assistant.temperature, 1.0),
        top_p=_first(params.top_p, assistant.top_p, 1.0),
        max_prompt_tokens=params.max_prompt_tokens,
        max_completion_tokens=params.max_completion_tokens,
        truncation_strategy=(
            params.truncation_strategy.to_wire()
            if params.truncation_strategy
            else TruncationStrategy()
        ),
        tool_choice=params.tool_choice or "auto",
        parallel_tool_calls=True
        if params.parallel_tool_calls is None
        else params.parallel_tool_calls,
        response_format=params.response_format or assistant.response_format or "auto",
    )


def _first(*values: float | None) -> float | None:
    return next((value for value in values if value is not None), None)


def new_message(
    message_id: str, thread_id: str, params: MessageCreateParams, *, now: int
) -> Message:
    """A user- or client-authored message (`run_id` and `assistant_id` null, SPEC §5)."""
    return Message(
        id=message_id,
        created_at=now,
        thread_id=thread_id,
        status="completed",
        completed_at=now,
        role=params.role,
        content=_content(params),
        attachments=params.attachments or [],
        metadata=params.metadata or {},
    )


def _content(
    params: MessageCreateParams,
) -> list[TextContentBlock | ImageFileContentBlock | ImageURLContentBlock]:
    if isinstance(params.content, str):
        return [TextContentBlock(text=Text(value=params.content, annotations=[]))]
    blocks: list[TextContentBlock | ImageFileContentBlock | ImageURLContentBlock] = []
    for part in params.content:
        if isinstance(part, TextPart):
            blocks.append(TextContentBlock(text=Text(value=part.text, annotations=[])))
        elif isinstance(part, ImageFilePart):
            ref = part.image_file
            blocks.append(
                ImageFileContentBlock(image_file=ImageFile(file_id=ref.file_id, detail=ref.detail))
            )
        elif isinstance(part, ImageURLPart):
            ref2 = part.image_url
            blocks.append(
                ImageURLContentBlock(image_url=ImageURL(url=ref2.url, detail=ref2.detail))
            )
    return blocks
