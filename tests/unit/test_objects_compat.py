"""Our wire objects against the installed openai SDK's own types (STYLE §8, "Compatibility test").

The SDK's models accept unknown keys silently, so validating is not enough: every case also walks
the validated SDK object and asserts nothing landed in `model_extra`, that every field the SDK knows
was sent (nullable ones as null), and that the SDK dumps back exactly what we sent.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from collections.abc import Iterator
from typing import Any, get_args

import openai.types as sdk
import openai.types.beta.threads as sdk_threads
import openai.types.beta.threads.runs as sdk_runs
import openai.types.vector_stores as sdk_vs
import pydantic
import pytest
from openai.pagination import SyncCursorPage
from openai.types.beta.assistant_stream_event import AssistantStreamEvent

import core.objects
from core.errors import InvalidRequestError, NotFoundError
from core.objects import assistant_tool as at
from core.objects import message as msg
from core.objects import message_delta as md
from core.objects import response_format as rf
from core.objects import run_step_delta as sd
from core.objects.assistant import Assistant, AssistantDeleted
from core.objects.assistant_tool_choice import (
    AssistantToolChoice,
    AssistantToolChoiceFunction,
    AssistantToolChoiceOption,
)
from core.objects.error import ErrorObject, ErrorResponse
from core.objects.file_object import FileDeleted, FileObject, FileObjectPurpose
from core.objects.list import ListResponse
from core.objects.run import (
    IncompleteDetails,
    LastError,
    RequiredAction,
    RequiredActionFunction,
    RequiredActionFunctionToolCall,
    RequiredActionSubmitToolOutputs,
    Run,
    RunStatus,
    TruncationStrategy,
)
from core.objects.run_step import (
    CodeInterpreter,
    CodeInterpreterOutputImage,
    CodeInterpreterOutputImageImage,
    CodeInterpreterOutputLogs,
    CodeInterpreterToolCall,
    FileSearchResult,
    FileSearchResultContent,
    FileSearchToolCall,
    FileSearchToolCallFileSearch,
    FileSearchToolCallRankingOptions,
    FunctionToolCall,
    FunctionToolCallFunction,
    MessageCreation,
    MessageCreationStepDetails,
    RunStep,
    RunStepLastError,
    StepDetails,
    ToolCallsStepDetails,
)
from core.objects.shared import DeltaModel, Usage, WireModel
from core.objects.thread import Thread, ThreadDeleted
from core.objects.tool_resources import (
    ToolResources,
    ToolResourcesCodeInterpreter,
    ToolResourcesFileSearch,
)
from core.objects.vector_store import ExpiresAfter, FileCounts, VectorStore, VectorStoreDeleted
from core.objects.vector_store_file import (
    OtherFileChunkingStrategyObject,
    StaticFileChunkingStrategy,
    StaticFileChunkingStrategyObject,
    VectorStoreFile,
    VectorStoreFileDeleted,
    VectorStoreFileLastError,
)
from core.objects.vector_store_file_batch import VectorStoreFileBatch

T0 = 1_735_689_600
# SDK fields we deliberately never send: `ErrorObject.misalignment` belongs to other APIs.
NOT_SENT: dict[str, set[str]] = {"ErrorObject": {"misalignment"}}

# --- builders: one realistic value per variant ----------------------------------------------------

FN = at.FunctionDefinition(
    name="get_weather",
    description="Current weather for a city.",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}},
    strict=True,
)
FS_FULL = at.FileSearch(
    max_num_results=8,
    ranking_options=at.FileSearchRankingOptions(ranker="default_2024_08_21", score_threshold=0.4),
)
FS_RANKER_NULL = at.FileSearch(ranking_options=at.FileSearchRankingOptions(score_threshold=0))
ALL_TOOLS: list[at.AssistantTool] = [
    at.CodeInterpreterTool(),
    at.FileSearchTool(),
    at.FileSearchTool(file_search=FS_FULL),
    at.FileSearchTool(file_search=FS_RANKER_NULL),
    at.FunctionTool(function=FN),
    at.FunctionTool(function=at.FunctionDefinition(name="no_args")),
]
RESOURCES = ToolResources(
    code_interpreter=ToolResourcesCodeInterpreter(file_ids=["file-abc", "file-def"]),
    file_search=ToolResourcesFileSearch(vector_store_ids=["vs_123"]),
)
SCHEMA = rf.JSONSchema(
    name="answer", description="A reply.", schema_={"type": "object"}, strict=True
)
RESPONSE_FORMATS: dict[str, rf.AssistantResponseFormatOption | None] = {
    "auto": "auto",
    "null": None,
    "text": rf.ResponseFormatText(),
    "json_object": rf.ResponseFormatJSONObject(),
    "json_schema": rf.ResponseFormatJSONSchema(json_schema=SCHEMA),
    "json_schema-minimal": rf.ResponseFormatJSONSchema(json_schema=rf.JSONSchema(name="answer")),
}
FORCE_FN = AssistantToolChoiceFunction(name="get_weather")
TOOL_CHOICES: dict[str, AssistantToolChoiceOption | None] = {
    "none": "none",
    "auto": "auto",
    "required": "required",
    "null": None,
    "function": AssistantToolChoice(type="function", function=FORCE_FN),
    "file_search": AssistantToolChoice(type="file_search"),
    "code_interpreter": AssistantToolChoice(type="code_interpreter"),
}
USAGE = Usage(prompt_tokens=120, completion_tokens=30, total_tokens=150)
CITE = msg.FileCitationAnnotation(
    text="【4:0†source】",
    start_index=6,
    end_index=18,
    file_citation=msg.FileCitation(file_id="f-1"),
)
LINK = msg.FilePathAnnotation(
    text="sandbox:/mnt/data/o.csv",
    start_index=22,
    end_index=45,
    file_path=msg.FilePath(file_id="f"),
)
ALL_CONTENT: list[msg.MessageContent] = [
    msg.TextContentBlock(
        text=msg.Text(value="Hello 【4:0†source】 see…", annotations=[CITE, LINK])
    ),
    msg.TextContentBlock(text=msg.Text(value="plain")),
    msg.ImageFileContentBlock(image_file=msg.ImageFile(file_id="file-img", detail="high")),
    msg.ImageFileContentBlock(image_file=msg.ImageFile(file_id="file-img2")),
    msg.ImageURLContentBlock(image_url=msg.ImageURL(url="https://x.test/a.png", detail="low")),
    msg.ImageURLContentBlock(image_url=msg.ImageURL(url="https://x.test/b.webp")),
    msg.RefusalContentBlock(refusal="I can't help with that."),
]
ATTACHMENTS = [
    msg.Attachment(
        file_id="file-a", tools=[at.CodeInterpreterTool(), msg.AttachmentToolFileSearch()]
    ),
    msg.Attachment(file_id="file-b", tools=[msg.AttachmentToolFileSearch()]),
]
CALL = RequiredActionFunctionToolCall(
    id="call_1", function=RequiredActionFunction(name="get_weather", arguments='{"city":"Oslo"}')
)
ACTION = RequiredAction(submit_tool_outputs=RequiredActionSubmitToolOutputs(tool_calls=[CALL]))
FN_CALL = FunctionToolCall(
    id="call_1", function=FunctionToolCallFunction(name="get_weather", arguments='{"city":"Oslo"}')
)
FN_DONE = FunctionToolCall(
    id="call_1", function=FunctionToolCallFunction(name="f", arguments="{}", output="42")
)
PNG = CodeInterpreterOutputImage(image=CodeInterpreterOutputImageImage(file_id="file-png"))
CODE_CALL = CodeInterpreterToolCall(
    id="call_ci",
    code_interpreter=CodeInterpreter(
        input="print(1)", outputs=[CodeInterpreterOutputLogs(logs="1"), PNG]
    ),
)
CODE_BARE = CodeInterpreterToolCall(id="call_ci", code_interpreter=CodeInterpreter(input="x = 1"))
RESULT = FileSearchResult(file_id="file-a", file_name="a.md", score=0.82)
CHUNKS = RESULT.model_copy(update={"content": [FileSearchResultContent(text="chunk")]})
RANKED = FileSearchToolCallRankingOptions(ranker="default_2024_08_21", score_threshold=0.5)
SEARCH = FileSearchToolCallFileSearch(
    ranking_options=FileSearchToolCallRankingOptions(ranker="auto", score_threshold=0),
    results=[RESULT],
)
SEARCH_CALL = FileSearchToolCall(id="call_fs", file_search=SEARCH)
SEARCH_CONTENT = FileSearchToolCall(
    id="call_fs", file_search=FileSearchToolCallFileSearch(ranking_options=RANKED, results=[CHUNKS])
)
MADE = MessageCreationStepDetails(message_creation=MessageCreation(message_id="msg_1"))
STATIC_1200 = StaticFileChunkingStrategy(max_chunk_size_tokens=1200, chunk_overlap_tokens=600)


def _asst(**kw: Any) -> Assistant:
    return Assistant(**({"id": "asst_1", "created_at": T0, "model": "gpt-4o"} | kw))


def _run(status: RunStatus = "queued", **kw: Any) -> Run:
    base = {"id": "run_1", "created_at": T0, "thread_id": "thread_1", "assistant_id": "asst_1"}
    base |= {"model": "gpt-4o", "instructions": "Be brief.", "expires_at": T0 + 600}
    return Run(status=status, **(base | kw))


def _step(details: StepDetails | None = None, /, *calls: Any, **kw: Any) -> RunStep:
    details = details or ToolCallsStepDetails(tool_calls=list(calls))
    base = {"id": "step_1", "created_at": T0, "assistant_id": "asst_1", "thread_id": "thread_1"}
    base |= {"run_id": "run_1", "status": "completed", "completed_at": T0 + 2, "usage": USAGE}
    return RunStep(type=details.type, step_details=details, **(base | kw))


def _open_step(*calls: Any, **kw: Any) -> RunStep:
    return _step(None, *calls, **({"completed_at": None, "usage": None} | kw))


def _msg(**kw: Any) -> msg.Message:
    base = {"id": "msg_1", "created_at": T0, "thread_id": "thread_1", "role": "user"}
    return msg.Message(**(base | {"status": "completed"} | kw))


def _file(**kw: Any) -> FileObject:
    base = {"id": "file-abc", "bytes": 1024, "created_at": T0, "filename": "a.pdf"}
    return FileObject(**(base | {"purpose": "assistants"} | kw))


def _vs(**kw: Any) -> VectorStore:
    return VectorStore(
        **({"id": "vs_1", "created_at": T0, "name": "docs", "status": "completed"} | kw)
    )


def _vsf(**kw: Any) -> VectorStoreFile:
    base = {"id": "file-a", "created_at": T0, "vector_store_id": "vs_1", "status": "completed"}
    return VectorStoreFile(**(base | kw))


def _batch(status: str) -> VectorStoreFileBatch:
    counts = FileCounts(completed=1, total=1)
    return VectorStoreFileBatch.model_validate(
        {
            "id": "vsfb_1",
            "created_at": T0,
            "vector_store_id": "vs_1",
            "status": status,
            "file_counts": counts,
        }
    )


RUNS: dict[str, Run] = {
    "queued": _run("queued"),
    "in_progress": _run("in_progress", started_at=T0 + 1),
    "requires_action": _run("requires_action", tools=[ALL_TOOLS[4]], required_action=ACTION),
    "cancelling": _run("cancelling", started_at=T0 + 1),
    "cancelled": _run("cancelled", cancelled_at=T0 + 5, expires_at=None),
    "failed": _run(
        "failed",
        failed_at=T0 + 3,
        expires_at=None,
        last_error=LastError(code="server_error", message="x"),
    ),
    "completed": _run("completed", completed_at=T0 + 9, expires_at=None, usage=USAGE),
    "incomplete": _run(
        "incomplete", usage=USAGE, incomplete_details=IncompleteDetails(reason="max_prompt_tokens")
    ),
    "expired": _run("expired"),
}
RUN_FULL = _run(
    "completed",
    tools=ALL_TOOLS,
    metadata={"k": "v"},
    usage=USAGE,
    temperature=0.5,
    top_p=0.7,
    max_prompt_tokens=20_000,
    max_completion_tokens=1_000,
    parallel_tool_calls=False,
    truncation_strategy=TruncationStrategy(type="last_messages", last_messages=10),
)
RUN_NULLS = _run(
    temperature=None, top_p=None, truncation_strategy=None, tool_choice=None, response_format=None
)


def _cases(sdk_type: type[pydantic.BaseModel], cases: dict[str, WireModel]) -> list[Any]:
    return [pytest.param(ours, sdk_type, id=case_id) for case_id, ours in cases.items()]


# --- cases: every object, every union member ------------------------------------------------------

FULL: list[Any] = [
    *_cases(sdk.beta.Assistant, {
        "assistant-all-null": _asst(temperature=None, top_p=None, response_format=None),
        "assistant-full": _asst(
            name="Helper", description="Helps.", instructions="Be brief.", tools=ALL_TOOLS,
            tool_resources=RESOURCES, metadata={"team": "a"}, temperature=0.2, top_p=0.9,
            response_format=RESPONSE_FORMATS["json_schema"],
        ),
        "assistant-tool_resources-empty": _asst(tool_resources=ToolResources()),
    }),
    *_cases(sdk.beta.AssistantDeleted, {"assistant-deleted": AssistantDeleted(id="asst_1")}),
    *_cases(sdk.beta.Thread, {
        "thread-minimal": Thread(id="thread_1", created_at=T0),
        "thread-full": Thread(
            id="thread_1", created_at=T0, tool_resources=RESOURCES, metadata={"k": "v"}
        ),
    }),
    *_cases(sdk.beta.ThreadDeleted, {"thread-deleted": ThreadDeleted(id="thread_1")}),
    *_cases(sdk_threads.Message, {
        "message-user-minimal": _msg(content=[ALL_CONTENT[1]], attachments=None),
        "message-all-content": _msg(
            role="assistant", content=ALL_CONTENT, assistant_id="asst_1", run_id="run_1",
            completed_at=T0 + 5, metadata={"k": "v"},
        ),
        "message-in_progress": _msg(role="assistant", status="in_progress", run_id="run_1"),
        "message-attachments": _msg(attachments=ATTACHMENTS),
        **{
            f"message-incomplete-{reason}": _msg(
                status="incomplete", incomplete_at=T0, incomplete_details={"reason": reason}
            )
            for reason in get_args(msg.MessageIncompleteDetails.model_fields["reason"].annotation)
        },
    }),
    *_cases(sdk_threads.MessageDeleted, {"message-deleted": msg.MessageDeleted(id="msg_1")}),
    *_cases(sdk_threads.Run, {
        **{f"run-status-{status}": run for status, run in RUNS.items()},
        **{f"run-tool_choice-{name}": _run(tool_choice=tc) for name, tc in TOOL_CHOICES.items()},
        **{f"run-format-{n}": _run(response_format=f) for n, f in RESPONSE_FORMATS.items()},
        "run-full": RUN_FULL,
        "run-all-null": RUN_NULLS,
    }),
    *_cases(sdk_runs.RunStep, {
        "step-message_creation-in_progress": _step(MADE, status="in_progress", usage=None),
        "step-message_creation-completed": _step(MADE, metadata={"k": "v"}),
        "step-tool_calls-empty": _open_step(status="in_progress"),
        "step-function-pending": _open_step(FN_CALL, status="in_progress"),
        "step-function-submitted": _step(None, FN_DONE),
        "step-code_interpreter-logs-and-image": _step(None, CODE_CALL),
        "step-code_interpreter-no-outputs": _step(None, CODE_BARE),
        "step-file_search-empty": _step(None, FileSearchToolCall(id="call_fs")),
        "step-file_search-results": _step(None, SEARCH_CALL),
        "step-file_search-results-with-content": _step(None, SEARCH_CONTENT),
        "step-tool_calls-mixed": _step(None, CODE_CALL, SEARCH_CALL, FN_CALL),
        **{
            f"step-failed-{code}": _open_step(
                FN_CALL, status="failed", failed_at=T0,
                last_error=RunStepLastError(code=code, message="x"),
            )
            for code in ("server_error", "rate_limit_exceeded")
        },
        "step-cancelled": _open_step(FN_CALL, status="cancelled", cancelled_at=T0 + 3),
        "step-expired": _open_step(FN_CALL, status="expired", expired_at=T0 + 600),
    }),
    *_cases(sdk.FileObject, {
        **{f"file-purpose-{p}": _file(purpose=p) for p in get_args(FileObjectPurpose)},
        "file-error-expiring": _file(status="error", status_details="bad", expires_at=T0 + 3600),
    }),
    *_cases(sdk.FileDeleted, {"file-deleted": FileDeleted(id="file-abc")}),
    *_cases(sdk.VectorStore, {
        "vector_store-in_progress": _vs(
            status="in_progress", file_counts=FileCounts(in_progress=2, total=2)
        ),
        "vector_store-full": _vs(
            usage_bytes=4096, file_counts=FileCounts(completed=3, failed=1, cancelled=1, total=5),
            expires_after=ExpiresAfter(days=7), expires_at=T0 + 7 * 86_400, last_active_at=T0,
            metadata={"k": "v"},
        ),
        "vector_store-expired": _vs(name="", status="expired", expires_at=T0),
    }),
    *_cases(sdk.VectorStoreDeleted, {"vector_store-deleted": VectorStoreDeleted(id="vs_1")}),
    *_cases(sdk_vs.VectorStoreFile, {
        "vector_store_file-all-null": _vsf(),
        "vector_store_file-static-attributes": _vsf(
            usage_bytes=10, chunking_strategy=StaticFileChunkingStrategyObject(),
            attributes={"s": "x", "n": 1.5, "b": True},
        ),
        "vector_store_file-static-custom": _vsf(
            chunking_strategy=StaticFileChunkingStrategyObject(static=STATIC_1200)
        ),
        "vector_store_file-other": _vsf(chunking_strategy=OtherFileChunkingStrategyObject()),
        **{
            f"vector_store_file-failed-{code}": _vsf(
                status="failed", last_error=VectorStoreFileLastError(code=code, message="x")
            )
            for code in ("server_error", "unsupported_file", "invalid_file")
        },
    }),
    *_cases(sdk_vs.VectorStoreFileDeleted, {
        "vector_store_file-deleted": VectorStoreFileDeleted(id="file-a"),
    }),
    *_cases(sdk_vs.VectorStoreFileBatch, {
        f"file_batch-{s}": _batch(s) for s in ("in_progress", "completed", "cancelled", "failed")
    }),
    *_cases(sdk.shared.ErrorObject, {
        "error-minimal": ErrorObject(message="No thread found.", type="invalid_request_error"),
        "error-full": ErrorObject(
            message="Invalid 'metadata'.", type="invalid_request_error", param="metadata",
            code="object_above_max_properties",
        ),
    }),
]  # fmt: skip


def _mdelta(*content: md.MessageContentDelta, role: Any = None) -> md.MessageDeltaEvent:
    return md.MessageDeltaEvent(
        id="msg_1", delta=md.MessageDelta(role=role, content=content or None)
    )


def _sdelta(*calls: sd.ToolCallDelta) -> sd.RunStepDeltaEvent:
    details = sd.ToolCallDeltaObject(tool_calls=list(calls))
    return sd.RunStepDeltaEvent(id="step_1", delta=sd.RunStepDelta(step_details=details))


CITE_DELTA = md.FileCitationDeltaAnnotation(
    index=0, text="【4:0†source】", start_index=6, end_index=18,
    file_citation=md.FileCitationDelta(file_id="file-a", quote="q"),
)  # fmt: skip
LINK_DELTA = md.FilePathDeltaAnnotation(
    index=1, text="sandbox:/mnt/data/a.csv", start_index=20, end_index=43,
    file_path=md.FilePathDelta(file_id="file-b"),
)  # fmt: skip
CI_DELTA = sd.CodeInterpreterDelta(
    input="print(1)",
    outputs=[
        sd.CodeInterpreterLogs(index=0, logs="1\n"),
        sd.CodeInterpreterOutputImageDelta(
            index=1, image=sd.CodeInterpreterOutputImageDeltaImage(file_id="f")
        ),
    ],
)
MADE_DELTA = sd.RunStepDeltaMessageDelta(
    message_creation=sd.RunStepDeltaMessageCreation(message_id="m")
)

DELTAS: list[Any] = [
    *_cases(sdk_threads.MessageDeltaEvent, {
        "message_delta-role": _mdelta(role="assistant"),
        "message_delta-text-first": _mdelta(
            md.TextDeltaBlock(index=0, text=md.TextDelta(value="Hi", annotations=[]))
        ),
        "message_delta-text-fragment": _mdelta(
            md.TextDeltaBlock(index=0, text=md.TextDelta(value=" there"))
        ),
        "message_delta-annotations": _mdelta(
            md.TextDeltaBlock(index=0, text=md.TextDelta(annotations=[CITE_DELTA, LINK_DELTA]))
        ),
        "message_delta-image_file": _mdelta(
            md.ImageFileDeltaBlock(index=1, image_file=md.ImageFileDelta(file_id="f", detail="low"))
        ),
        "message_delta-image_url": _mdelta(
            md.ImageURLDeltaBlock(index=2, image_url=md.ImageURLDelta(url="https://x.test/a.png"))
        ),
        "message_delta-refusal": _mdelta(md.RefusalDeltaBlock(index=0, refusal="No.")),
    }),
    *_cases(sdk_runs.RunStepDeltaEvent, {
        "step_delta-message_creation": sd.RunStepDeltaEvent(
            id="step_1", delta=sd.RunStepDelta(step_details=MADE_DELTA)
        ),
        "step_delta-function-first": _sdelta(
            sd.FunctionToolCallDelta(
                index=0, id="call_1",
                function=sd.FunctionToolCallDeltaFunction(name="f", arguments=""),
            )
        ),
        "step_delta-function-fragment": _sdelta(
            sd.FunctionToolCallDelta(
                index=0, function=sd.FunctionToolCallDeltaFunction(arguments='{"')
            )
        ),
        "step_delta-code_interpreter": _sdelta(
            sd.CodeInterpreterToolCallDelta(index=0, id="call_ci", code_interpreter=CI_DELTA)
        ),
        "step_delta-file_search": _sdelta(sd.FileSearchToolCallDelta(index=0, id="call_fs")),
        "step_delta-empty": sd.RunStepDeltaEvent(id="step_1", delta=sd.RunStepDelta()),
    }),
]  # fmt: skip

# --- the SDK-side walk ---------------------------------------------------------------------------


def _sdk_nodes(node: object, path: str = "$") -> Iterator[tuple[str, pydantic.BaseModel]]:
    """Every pydantic model inside a validated SDK object, with a JSON-path-ish location."""
    if isinstance(node, pydantic.BaseModel):
        yield path, node
        for name in type(node).model_fields:
            yield from _sdk_nodes(getattr(node, name), f"{path}.{name}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _sdk_nodes(item, f"{path}[{i}]")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _sdk_nodes(value, f"{path}.{key}")


def _check_against_sdk(
    ours: WireModel, sdk_type: type[pydantic.BaseModel], *, complete: bool
) -> None:
    payload = ours.model_dump(mode="json")
    sdk_obj = sdk_type.model_validate(payload)
    for path, node in _sdk_nodes(sdk_obj):
        assert not node.model_extra, f"{path}: fields unknown to the SDK: {node.model_extra}"
        if complete:
            missing = set(type(node).model_fields) - node.model_fields_set
            missing -= NOT_SENT.get(type(node).__name__, set())
            assert not missing, f"{path} ({type(node).__name__}): SDK fields never sent: {missing}"
    assert sdk_obj.model_dump(mode="json", by_alias=True, exclude_unset=True) == payload
    assert type(ours).model_validate(payload) == ours


@pytest.mark.parametrize(("ours", "sdk_type"), FULL)
def test_full_object_matches_sdk(ours: WireModel, sdk_type: type[pydantic.BaseModel]) -> None:
    """The SDK validates our dump with no extras, every SDK field present, and dumps it back."""
    _check_against_sdk(ours, sdk_type, complete=True)


@pytest.mark.parametrize(("ours", "sdk_type"), DELTAS)
def test_delta_matches_sdk(ours: DeltaModel, sdk_type: type[pydantic.BaseModel]) -> None:
    """Deltas validate with no extras (they omit unset fields, so no completeness check)."""
    _check_against_sdk(ours, sdk_type, complete=False)


def test_list_response_validates_as_sdk_cursor_page() -> None:
    page = ListResponse[Run](data=[RUNS["queued"]], first_id="run_1", last_id="run_1")
    payload = page.model_dump(mode="json")
    assert payload == {
        "object": "list",
        "data": [RUNS["queued"].model_dump(mode="json")],
        "first_id": "run_1",
        "last_id": "run_1",
        "has_more": False,
    }
    sdk_page = SyncCursorPage[sdk_threads.Run].model_validate(payload)
    assert sdk_page.has_more is False
    for path, node in _sdk_nodes(sdk_page.data):
        assert not node.model_extra, path
    assert ListResponse[Run].model_validate(payload) == page


def test_empty_list_response_keeps_null_cursors() -> None:
    assert ListResponse[Thread]().model_dump(mode="json") == {
        "object": "list",
        "data": [],
        "first_id": None,
        "last_id": None,
        "has_more": False,
    }


@pytest.mark.parametrize(
    "error",
    [
        NotFoundError("No thread found with id 'thread_x'.", param="thread_id"),
        InvalidRequestError("bad", code="invalid_type"),
    ],
    ids=["not_found", "invalid_request"],
)
def test_domain_error_envelope_is_an_error_response(error: InvalidRequestError) -> None:
    """`core.errors` envelopes parse as `ErrorResponse`, whose `error` the SDK reads as its own."""
    response = ErrorResponse.model_validate(error.to_envelope())
    _check_against_sdk(response.error, sdk.shared.ErrorObject, complete=True)


STREAM_EVENTS = [
    ("thread.created", Thread(id="thread_1", created_at=T0)),
    *((f"thread.run.{status}", run) for status, run in RUNS.items() if status != "queued"),
    ("thread.run.created", RUNS["queued"]),
    ("thread.run.step.created", _step(None, CODE_CALL, SEARCH_CALL, FN_CALL)),
    ("thread.message.completed", _msg(role="assistant", content=ALL_CONTENT)),
    ("error", ErrorObject(message="internal", type="server_error")),
    *(("thread.message.delta", p.values[0]) for p in DELTAS if p.id.startswith("message_delta")),
    *(("thread.run.step.delta", p.values[0]) for p in DELTAS if p.id.startswith("step_delta")),
]


@pytest.mark.parametrize(("event", "data"), STREAM_EVENTS, ids=[e for e, _ in STREAM_EVENTS])
def test_stream_event_validates_as_assistant_stream_event(event: str, data: WireModel) -> None:
    """What the SSE layer will send parses as the SDK's `AssistantStreamEvent` for that event."""
    parsed = pydantic.TypeAdapter(AssistantStreamEvent).validate_python(
        {"event": event, "data": data.model_dump(mode="json")}
    )
    assert parsed.event == event
    for path, node in _sdk_nodes(parsed):
        assert not node.model_extra, f"{path}: {node.model_extra}"


# --- our own rules -------------------------------------------------------------------------------


def _wire_models() -> Iterator[type[WireModel]]:
    """Every response model in `core.objects` (request params there have their own base)."""
    for info in pkgutil.iter_modules(core.objects.__path__, "core.objects."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, WireModel) and cls.__module__ == info.name:
                yield cls


def test_every_wire_model_forbids_extra_and_documents_every_field() -> None:
    models = list(_wire_models())
    assert len(models) > 60
    for cls in models:
        assert cls.model_config.get("extra") == "forbid", cls.__name__
        for name, field in cls.model_fields.items():
            assert field.description, f"{cls.__name__}.{name} has no docstring"


def test_typo_in_field_name_fails_loudly() -> None:
    payload = RUNS["queued"].model_dump(mode="json") | {"statuss": "queued"}
    with pytest.raises(pydantic.ValidationError, match="extra_forbidden"):
        Run.model_validate(payload)


def test_nullable_fields_are_serialised_as_null() -> None:
    """Full objects never omit a nullable field (SPEC §1), in dicts and in JSON text."""
    run = _run("queued", expires_at=None)
    for dumped in (run.model_dump(mode="json"), json.loads(run.model_dump_json())):
        for key in (
            "required_action",
            "last_error",
            "expires_at",
            "started_at",
            "cancelled_at",
            "failed_at",
            "completed_at",
            "incomplete_details",
            "usage",
            "max_prompt_tokens",
            "max_completion_tokens",
        ):
            assert key in dumped and dumped[key] is None, key
        assert dumped["metadata"] == {}
        assert dumped["truncation_strategy"] == {"type": "auto", "last_messages": None}
    message = _msg(content=[ALL_CONTENT[2]]).model_dump(mode="json")
    assert message["assistant_id"] is None and message["run_id"] is None
    assert message["incomplete_details"] is None and message["completed_at"] is None
    assert FileSearchToolCall(id="c").model_dump(mode="json")["file_search"] == {
        "ranking_options": None,
        "results": None,
    }


def test_deltas_omit_unset_fields() -> None:
    """Deltas carry only what changed: a null would be merged into the SDK's snapshot."""
    delta = sd.FunctionToolCallDelta(
        index=0, id="call_1", function=sd.FunctionToolCallDeltaFunction(name="f", arguments="")
    )
    expected = {
        "index": 0,
        "type": "function",
        "id": "call_1",
        "function": {"name": "f", "arguments": ""},
    }
    assert delta.model_dump(mode="json") == expected
    assert json.loads(delta.model_dump_json()) == expected


def test_json_schema_field_is_called_schema_on_the_wire() -> None:
    fmt = rf.JSONSchema.model_validate({"name": "a", "schema": {"type": "object"}})
    assert fmt.schema_ == {"type": "object"}
    assert fmt.model_dump()["schema"] == {"type": "object"}


def test_run_step_type_must_match_step_details() -> None:
    details = MessageCreationStepDetails(message_creation=MessageCreation(message_id="msg_1"))
    with pytest.raises(pydantic.ValidationError, match="does not match"):
        RunStep(
            id="step_1",
            created_at=T0,
            assistant_id="a",
            thread_id="t",
            run_id="r",
            type="tool_calls",
            status="completed",
            step_details=details,
        )


@pytest.mark.parametrize(
    "fields",
    [{"type": "function"}, {"type": "file_search", "function": {"name": "f"}}],
    ids=["function-without-name", "named-function-on-file_search"],
)
def test_tool_choice_function_iff_function_type(fields: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError, match="function"):
        AssistantToolChoice.model_validate(fields)
