"""Issue 6 acceptance, end to end with the official SDK: a corpus of one file per format is
uploaded and ingested, then 20 runs whose (scripted) model calls file_search with a question
and cites the passage that answers it. Run once keyword-only and once hybrid (embeddings from
the scripted provider); recall@5 and top-1 of the step's results are printed and asserted.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import openai
import pytest

from tests.api.conftest import ApiServer, in_process
from tests.corpus import (
    CORPUS_DIR,
    CORPUS_FILES,
    CORRUPT_FILE,
    Question,
    chunk_hit,
    collapse_whitespace,
    load_questions,
    recall_at_k,
)
from tests.fakes.model_server import Reply, ScriptedModelServer, ToolCall, ToolCalls

INCLUDE_CONTENT = "step_details.tool_calls[*].file_search.results[*].content"
EMBEDDING_MODEL = "text-embedding-3-small"
MARKER = re.compile(r"【\d+:\d+†[^】]*】")
MIN_RECALL_AT_5 = {"keyword": 0.9, "hybrid": 0.9}


@dataclass
class Served:
    mode: str
    api: ApiServer


@pytest.fixture(params=["keyword", "hybrid"])
async def served(
    request: pytest.FixtureRequest,
    local_api_backend: dict[str, Any],
    model_server: ScriptedModelServer,
) -> AsyncIterator[Served]:
    overrides: dict[str, Any] = {}
    if request.param == "hybrid":
        overrides = {"model_base_url": model_server.base_url, "embedding_model": EMBEDDING_MODEL}
    async with in_process(model_server=model_server, **local_api_backend, **overrides) as api:
        yield Served(request.param, api)


class ReadingModel:
    """A scripted model that behaves like a careful one: it searches for the user's question,
    then answers citing the marker of the passage that contains the answer."""

    def __init__(self, questions: list[Question]) -> None:
        self._quotes = {q.question: collapse_whitespace(q.answer_quote) for q in questions}

    def __call__(self, body: dict[str, Any]) -> ToolCalls | Reply:
        messages = body["messages"]
        tool_outputs = [m["content"] for m in messages if m["role"] == "tool"]
        question = next(m["content"] for m in reversed(messages) if m["role"] == "user")
        if not tool_outputs:
            return ToolCalls([ToolCall("file_search", json.dumps({"queries": [question]}))])
        for passage in tool_outputs[-1].split("\n\n【"):
            marker = MARKER.search("【" + passage.lstrip("【"))
            if marker and self._quotes[question] in collapse_whitespace(passage):
                return Reply(f"Here is what the files say {marker.group(0)}.")
        return Reply("The files do not say.")


async def _upload_corpus(client: openai.AsyncOpenAI) -> tuple[str, dict[str, str]]:
    """A vector store holding the corpus: `(vector_store_id, filename -> file_id)`."""
    store = await client.vector_stores.create(name="corpus")
    files = [(CORPUS_DIR / name).open("rb") for name in CORPUS_FILES]
    try:
        batch = await client.vector_stores.file_batches.upload_and_poll(
            vector_store_id=store.id, files=files, poll_interval_ms=50
        )
    finally:
        for handle in files:
            handle.close()
    assert batch.status == "completed"
    assert batch.file_counts.completed == len(CORPUS_FILES) == batch.file_counts.total
    ids = {}
    async for entry in client.vector_stores.files.list(store.id):
        file = await client.files.retrieve(entry.id)
        ids[file.filename] = entry.id
    return store.id, ids


async def test_file_search_finds_and_cites_the_answers(served: Served) -> None:
    client, model = served.api.client, served.api.model
    questions = load_questions()
    store_id, file_ids = await _upload_corpus(client)
    model.responder = ReadingModel(questions)
    assistant = await client.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store_id]}},
    )
    ranked: list[list[tuple[str, str]]] = []
    cited = 0
    for question in questions:
        run = await client.beta.threads.create_and_run_poll(
            assistant_id=assistant.id,
            thread={"messages": [{"role": "user", "content": question.question}]},
            poll_interval_ms=50,
        )
        assert run.status == "completed", run.last_error
        ranked.append(await _results(client, run.thread_id, run.id))
        cited += await _cites(client, run.thread_id, file_ids[question.file], question)

    top1 = sum(1 for q, r in zip(questions, ranked, strict=True)
               if r and chunk_hit(q, *r[0])) / len(questions)  # fmt: skip
    recall = recall_at_k(ranked, questions, k=5)
    print(f"\nfile_search {served.mode}: recall@5 {recall:.2f}, top-1 {top1:.2f}, "
          f"cited correctly {cited}/{len(questions)}")  # fmt: skip
    assert recall >= MIN_RECALL_AT_5[served.mode]
    assert cited == sum(1 for q, r in zip(questions, ranked, strict=True)
                        if any(chunk_hit(q, *hit) for hit in r))  # fmt: skip


async def _results(
    client: openai.AsyncOpenAI, thread_id: str, run_id: str
) -> list[tuple[str, str]]:
    """The run's file_search results as (filename, chunk text); checks `include[]` adds the text
    and that without it there is none."""
    plain = await client.beta.threads.runs.steps.list(run_id, thread_id=thread_id)
    included = await client.beta.threads.runs.steps.list(
        run_id, thread_id=thread_id, include=[INCLUDE_CONTENT]
    )
    plain_calls = [
        c for s in plain.data if s.type == "tool_calls" for c in s.step_details.tool_calls
    ]  # type: ignore[union-attr]
    assert all(r.content is None for c in plain_calls for r in c.file_search.results or [])  # type: ignore[union-attr]
    (call,) = [
        c for s in included.data if s.type == "tool_calls" for c in s.step_details.tool_calls
    ]  # type: ignore[union-attr]
    assert call.type == "file_search"
    assert call.file_search.ranking_options is not None
    results = call.file_search.results or []
    assert all(0.0 <= r.score <= 1.0 for r in results)
    return [(r.file_name, "".join(part.text or "" for part in r.content or [])) for r in results]


async def _cites(
    client: openai.AsyncOpenAI, thread_id: str, file_id: str, question: Question
) -> int:
    """1 if the answer carries one citation, of the right file, at the marker's offsets."""
    messages = await client.beta.threads.messages.list(thread_id, order="desc", limit=1)
    (block,) = messages.data[0].content
    assert block.type == "text"
    annotations = block.text.annotations
    if not annotations:
        return 0
    (annotation,) = annotations
    assert annotation.type == "file_citation"
    value = block.text.value
    assert value[annotation.start_index : annotation.end_index] == annotation.text
    assert MARKER.fullmatch(annotation.text)
    return int(annotation.file_citation.file_id == file_id)


async def test_a_corrupt_pdf_fails_only_itself(served: Served) -> None:
    client = served.api.client
    store = await client.vector_stores.create(name="mixed")
    good = (CORPUS_DIR / CORPUS_FILES[0]).open("rb")
    bad = (CORPUS_DIR / CORRUPT_FILE).open("rb")
    try:
        batch = await client.vector_stores.file_batches.upload_and_poll(
            vector_store_id=store.id, files=[good, bad], poll_interval_ms=50
        )
    finally:
        good.close()
        bad.close()

    assert (batch.file_counts.completed, batch.file_counts.failed) == (1, 1)
    entries = [entry async for entry in client.vector_stores.files.list(store.id)]
    by_status = {entry.status: entry for entry in entries}
    failed = by_status["failed"]
    assert failed.last_error is not None
    assert failed.last_error.code == "invalid_file"
    assert "corrupt.pdf" in failed.last_error.message
    assert by_status["completed"].last_error is None
    retrieved = await client.vector_stores.retrieve(store.id)
    assert retrieved.status == "completed"
    assert retrieved.file_counts.failed == 1 and retrieved.file_counts.completed == 1
