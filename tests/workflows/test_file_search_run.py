"""file_search inside runs: the model's call is searched, results go back under markers, and
the answer's markers become file_citation annotations (real Temporal, store and ingestion)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from core.objects.assistant_tool import FileSearchTool
from core.objects.file_search_tool_call import FileSearchToolCall
from core.objects.message_content import FileCitationAnnotation, TextContentBlock
from core.objects.run_step import ToolCallsStepDetails
from core.objects.tool_resources import ToolResources, ToolResourcesFileSearch
from core.objects.vector_store import ExpiresAfter
from core.store import Store
from tests.fakes.model_server import Reply, ScriptedModelServer, ToolCall, ToolCalls
from tests.store import factories as f
from tests.workflows.harness import PROJECT, RunStack, run_stack, stack_settings

LOG = (
    "Kestrel Point lighthouse log. In March 1991 the keeper replaced the north lamp with a "
    "brass Fresnel lens made in Cherbourg. "
    + "Gulls nested on the gallery rail every spring and the fog horn sounded often. " * 60
    + "The supply boat Maren Lee arrived every second Tuesday with paraffin and flour. "
)


@pytest.fixture
async def stack(
    temporal_env: WorkflowEnvironment,
    sqlite_store: Store,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    task_queue: str,
) -> AsyncIterator[RunStack]:
    settings = stack_settings(
        tmp_path,
        task_queue,
        model_base_url=model_server.base_url,
        embedding_model="text-embedding-3-small",
    )
    async with run_stack(
        temporal_env.client, sqlite_store, model_server, settings, file_search_ingest_wait_s=5
    ) as built:
        yield built


async def _ingested_store(stack: RunStack, filename: str, text: str) -> tuple[str, str]:
    """A vector store holding one ingested file: `(vector_store_id, file_id)`."""
    store_id, file_id = await stack.ingest(
        filename, text.encode(), max_chunk_size_tokens=100, chunk_overlap_tokens=20
    )
    row = await stack.store.vector_store_files.get(PROJECT, file_id, vector_store_id=store_id)
    assert row.status == "completed", row.last_error
    return store_id, file_id


def _search_call(queries: list[str]) -> ToolCalls:
    return ToolCalls([ToolCall("file_search", json.dumps({"queries": queries}))])


async def test_a_search_call_cites_the_right_file(stack: RunStack) -> None:
    store_id, file_id = await _ingested_store(stack, "kestrel.txt", LOG)
    answer = "The north lamp was replaced in March 1991 【0:0†kestrel.txt】."
    stack.model.script(_search_call(["when was the north lamp replaced"]), Reply(answer))
    assistant = await stack.assistant(
        tools=[FileSearchTool()],
        tool_resources=ToolResources(
            file_search=ToolResourcesFileSearch(vector_store_ids=[store_id])
        ),
    )
    thread = await stack.thread("When was the north lamp replaced?")

    done = await stack.wait(await stack.start(assistant, thread))

    assert done.status == "completed", done.last_error
    # The step: a file_search call with its ranking options and results (content kept).
    steps = await stack.steps(done)
    tool_step = next(s for s in steps if isinstance(s.step_details, ToolCallsStepDetails))
    assert isinstance(tool_step.step_details, ToolCallsStepDetails)
    (call,) = tool_step.step_details.tool_calls
    assert isinstance(call, FileSearchToolCall)
    results = call.file_search.results or []
    assert results and results[0].file_id == file_id and results[0].file_name == "kestrel.txt"
    assert "north lamp" in (results[0].content or [])[0].text
    assert call.file_search.ranking_options is not None
    assert call.file_search.ranking_options.ranker == "auto"
    # The model was offered the tool and shown the passage under its marker.
    first, second = stack.model.chat_requests[-2:]
    assert "file_search" in [t["function"]["name"] for t in first["tools"]]
    tool_message = next(m for m in second["messages"] if m["role"] == "tool")
    assert tool_message["content"].startswith("【0:0†kestrel.txt】\n")
    assert "north lamp" in tool_message["content"].split("\n\n")[0]
    # The answer's marker became a citation with exact offsets.
    (message,) = [m for m in await stack.messages(thread) if m.role == "assistant"]
    block = message.content[0]
    assert isinstance(block, TextContentBlock)
    (annotation,) = block.text.annotations
    assert isinstance(annotation, FileCitationAnnotation)
    assert annotation.file_citation.file_id == file_id
    value = block.text.value
    assert value[annotation.start_index : annotation.end_index] == "【0:0†kestrel.txt】"
    assert annotation.text == "【0:0†kestrel.txt】"
    # Using the store made it active.
    used = await stack.store.vector_stores.get(PROJECT, store_id)
    assert used.last_active_at is not None and used.last_active_at > f.NOW


async def test_an_invented_marker_is_not_a_citation(stack: RunStack) -> None:
    store_id, _ = await _ingested_store(stack, "kestrel.txt", LOG)
    stack.model.script(
        _search_call(["supply boat"]), Reply("Every second Tuesday 【3:7†nothing.txt】.")
    )
    assistant = await stack.assistant(
        tools=[FileSearchTool()],
        tool_resources=ToolResources(
            file_search=ToolResourcesFileSearch(vector_store_ids=[store_id])
        ),
    )
    thread = await stack.thread("When does the supply boat come?")

    done = await stack.wait(await stack.start(assistant, thread))

    assert done.status == "completed"
    (message,) = [m for m in await stack.messages(thread) if m.role == "assistant"]
    block = message.content[0]
    assert isinstance(block, TextContentBlock)
    assert block.text.annotations == []


async def test_a_search_without_stores_tells_the_model_nothing_was_found(stack: RunStack) -> None:
    stack.model.script(_search_call(["anything"]), Reply("I found nothing."))
    assistant = await stack.assistant(tools=[FileSearchTool()])
    thread = await stack.thread("Search please.")

    done = await stack.wait(await stack.start(assistant, thread))

    assert done.status == "completed"
    tool_message = next(m for m in stack.model.chat_requests[-1]["messages"] if m["role"] == "tool")
    assert tool_message["content"] == "No results found in the attached files."


async def test_an_expired_thread_store_fails_the_run(stack: RunStack) -> None:
    store_id, _ = await _ingested_store(stack, "kestrel.txt", LOG)
    await stack.store.vector_stores.modify(
        PROJECT,
        store_id,
        lambda vs: vs.model_copy(
            update={"last_active_at": 1_000_000, "expires_after": ExpiresAfter(days=1)}
        ),
    )
    stack.model.script(_search_call(["lamp"]), Reply("unused"))
    assistant = await stack.assistant(tools=[FileSearchTool()])
    thread = f.thread(
        tool_resources=ToolResources(
            file_search=ToolResourcesFileSearch(vector_store_ids=[store_id])
        )
    )
    await stack.store.threads.upsert(PROJECT, thread)
    await stack.store.messages.upsert(PROJECT, f.message(thread.id, role="user"))

    done = await stack.wait(await stack.start(assistant, thread))

    assert done.status == "failed"
    assert done.last_error is not None and store_id in done.last_error.message
    assert "expired" in done.last_error.message
