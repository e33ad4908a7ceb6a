"""file_search through the run endpoints, with the official SDK: files attached to a run's
messages land in the thread's vector store, and the run's search waits for them to ingest."""

from __future__ import annotations

import io
import json

from tests.api.conftest import ApiServer
from tests.fakes.model_server import Reply, ToolCall, ToolCalls

INCLUDE_CONTENT = "step_details.tool_calls[*].file_search.results[*].content"
NOTE = (
    b"The Marrowby bakery proofs its rye sourdough for fourteen hours at eleven degrees. "
    + b"Flour arrives from the Ossel mill on Mondays. " * 40
)


def _search_then_answer() -> tuple[ToolCalls, Reply]:
    call = ToolCall("file_search", json.dumps({"queries": ["rye sourdough proof hours"]}))
    return ToolCalls([call]), Reply("Fourteen hours 【0:0†bakery.txt】.")


async def _upload(api: ApiServer) -> str:
    uploaded = await api.client.files.create(
        file=("bakery.txt", io.BytesIO(NOTE)), purpose="assistants"
    )
    return uploaded.id


async def test_attachments_of_a_new_thread_are_searched_by_its_first_run(api: ApiServer) -> None:
    file_id = await _upload(api)
    api.model.script(*_search_then_answer())
    assistant = await api.client.beta.assistants.create(
        model="gpt-4o", tools=[{"type": "file_search"}]
    )

    run = await api.client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id,
        thread={
            "messages": [
                {
                    "role": "user",
                    "content": "How long does the rye proof?",
                    "attachments": [{"file_id": file_id, "tools": [{"type": "file_search"}]}],
                }
            ]
        },
        poll_interval_ms=50,
    )

    assert run.status == "completed", run.last_error
    thread = await api.client.beta.threads.retrieve(run.thread_id)
    assert thread.tool_resources is not None and thread.tool_resources.file_search is not None
    (store_id,) = thread.tool_resources.file_search.vector_store_ids or []
    store = await api.client.vector_stores.retrieve(store_id)
    assert store.expires_after is not None and store.expires_after.days == 7
    # The run waited for the attachment's ingestion: the search found it.
    results = await _results(api, run.thread_id, run.id)
    assert results and results[0].file_id == file_id
    messages = await api.client.beta.threads.messages.list(run.thread_id, order="desc", limit=1)
    block = messages.data[0].content[0]
    assert block.type == "text"
    (citation,) = block.text.annotations
    assert citation.type == "file_citation" and citation.file_citation.file_id == file_id


async def test_additional_message_attachments_join_the_thread_store(api: ApiServer) -> None:
    file_id = await _upload(api)
    api.model.script(*_search_then_answer())
    assistant = await api.client.beta.assistants.create(
        model="gpt-4o", tools=[{"type": "file_search"}]
    )
    thread = await api.client.beta.threads.create()

    run = await api.client.beta.threads.runs.create_and_poll(
        thread_id=thread.id,
        assistant_id=assistant.id,
        additional_messages=[
            {
                "role": "user",
                "content": "How long does the rye proof?",
                "attachments": [{"file_id": file_id, "tools": [{"type": "file_search"}]}],
            }
        ],
        poll_interval_ms=50,
    )

    assert run.status == "completed", run.last_error
    updated = await api.client.beta.threads.retrieve(thread.id)
    assert updated.tool_resources is not None and updated.tool_resources.file_search is not None
    assert len(updated.tool_resources.file_search.vector_store_ids or []) == 1
    results = await _results(api, thread.id, run.id)
    assert results and results[0].file_id == file_id


async def _results(api: ApiServer, thread_id: str, run_id: str) -> list:  # type: ignore[type-arg]
    steps = await api.client.beta.threads.runs.steps.list(
        run_id, thread_id=thread_id, include=[INCLUDE_CONTENT]
    )
    calls = [c for s in steps.data if s.type == "tool_calls" for c in s.step_details.tool_calls]  # type: ignore[union-attr]
    (call,) = calls
    assert call.type == "file_search"
    results = call.file_search.results or []
    assert all(r.content for r in results)
    return results
