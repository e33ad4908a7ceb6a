"""FileSearchActivities: one file_search call of a run, searched and written into its step.

The stores searched are the assistant's and the thread's (at most one each, SPEC §7). The
thread's store may still be ingesting files a message just attached: the call waits up to
`ingest_wait_s` (60 s, SPEC §10) for them. A thread store that has expired fails the run.
Results keep their chunk text in the step (the model is shown it again on later calls); the API
leaves it out unless `include[]` asks for it.
"""

from __future__ import annotations

import asyncio
import time

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import _metrics
from activities.types import DispatchToolInput
from core import file_search
from core.objects.assistant_tool import FileSearchTool
from core.objects.file_search_tool_call import (
    FileSearchResult,
    FileSearchResultContent,
    FileSearchToolCall,
    FileSearchToolCallFileSearch,
    FileSearchToolCallRankingOptions,
)
from core.objects.run import Run
from core.objects.run_step import RunStep, ToolCallsStepDetails
from core.objects.tool_resources import ToolResources
from core.objects.vector_store import VectorStore
from core.retrieval import RankingOptions, Retriever, SearchHit
from core.store import Store
from core.vector_stores.rules import expires_at

INGEST_WAIT_S = 60.0
POLL_S = 0.25


def _store_ids(resources: ToolResources | None) -> list[str]:
    if resources is None or resources.file_search is None:
        return []
    return list(resources.file_search.vector_store_ids or [])


def _ranking(tool: FileSearchTool | None) -> FileSearchToolCallRankingOptions:
    options = tool.file_search.ranking_options if tool and tool.file_search else None
    if options is None:
        return FileSearchToolCallRankingOptions(ranker="auto", score_threshold=0.0)
    return FileSearchToolCallRankingOptions(
        ranker=options.ranker or "auto", score_threshold=options.score_threshold
    )


def _max_results(tool: FileSearchTool | None, model: str) -> int:
    chosen = tool.file_search.max_num_results if tool and tool.file_search else None
    return chosen or file_search.default_max_num_results(model)


def _within_budget(hits: list[SearchHit], budget: int) -> list[SearchHit]:
    """The best hits whose chunks fit the model's result token budget (at least one)."""
    kept: list[SearchHit] = []
    spent = 0
    for hit in hits:
        spent += hit.chunk.tokens
        if kept and spent > budget:
            break
        kept.append(hit)
    return kept


def _result(hit: SearchHit) -> FileSearchResult:
    return FileSearchResult(
        file_id=hit.file_id,
        file_name=hit.filename,
        score=round(min(max(hit.score, 0.0), 1.0), 6),
        content=[FileSearchResultContent(text=hit.chunk.text)],
    )


def _with_call(step: RunStep, call: FileSearchToolCall) -> RunStep:
    details = step.step_details
    assert isinstance(details, ToolCallsStepDetails)
    calls = [call if c.id == call.id else c for c in details.tool_calls]
    return step.model_copy(update={"step_details": ToolCallsStepDetails(tool_calls=calls)})


class FileSearchActivities:
    """Runs file_search calls against the run's vector stores."""

    def __init__(
        self, store: Store, retriever: Retriever, ingest_wait_s: float = INGEST_WAIT_S
    ) -> None:
        self._store = store
        self._retriever = retriever
        self._ingest_wait_s = ingest_wait_s

    @activity.defn(name="run_file_search")
    async def run_file_search(self, request: DispatchToolInput) -> None:
        """Search, then write the ranking options and results into the call."""
        try:
            searched = await self._search(request)
        except Exception:
            _metrics.tool_called("file_search", "error")
            raise
        if searched:
            _metrics.tool_called("file_search", "ok")

    async def _search(self, request: DispatchToolInput) -> bool:
        """Whether a search ran (False: a retry found the results already written)."""
        project = request.run.project_id
        step = await self._store.run_steps.get(project, request.step_id)
        call = next(
            c
            for c in getattr(step.step_details, "tool_calls", [])
            if isinstance(c, FileSearchToolCall) and c.id == request.call_id
        )
        if call.file_search.results is not None:
            return False  # a retry after the results were written
        run = await self._store.runs.get(project, request.run.run_id)
        store_ids = await self._usable_stores(project, run)
        arguments = await self._store.tool_call_arguments.get_many(project, [call.id])
        queries = file_search.parse_queries(arguments.get(call.id, ""))
        tool = file_search.options_of(run.tools)
        ranking = _ranking(tool)
        hits: list[SearchHit] = []
        if queries and store_ids:
            hits = await self._retriever.search(
                project,
                store_ids,
                queries,
                max_num_results=_max_results(tool, run.model),
                ranking=RankingOptions(ranking.ranker, ranking.score_threshold),
            )
        hits = _within_budget(hits, file_search.result_token_budget(run.model))
        done = FileSearchToolCall(
            id=call.id,
            file_search=FileSearchToolCallFileSearch(
                ranking_options=ranking, results=[_result(hit) for hit in hits]
            ),
        )
        await self._store.run_steps.upsert(project, _with_call(step, done))
        await self._touch(project, store_ids)
        return True

    async def _usable_stores(self, project: str, run: Run) -> list[str]:
        """The assistant's and thread's store ids, once the thread's has ingested (or 60 s)."""
        assistant = await self._store.assistants.find(project, run.assistant_id)
        thread = await self._store.threads.find(project, run.thread_id)
        assistant_ids = _store_ids(assistant.tool_resources if assistant else None)
        thread_ids = _store_ids(thread.tool_resources if thread else None)
        for store_id in thread_ids:
            await self._wait_for_ingestion(project, store_id)
        return list(dict.fromkeys([*assistant_ids, *thread_ids]))

    async def _wait_for_ingestion(self, project: str, store_id: str) -> None:
        vector_store = await self._store.vector_stores.find(project, store_id)
        if vector_store is None:
            return
        self._refuse_expired(vector_store)
        deadline = time.monotonic() + self._ingest_wait_s
        while time.monotonic() < deadline:
            counts = await self._store.vector_store_files.count_by_status(project, store_id)
            if not counts.get("in_progress"):
                return
            activity.heartbeat()
            await asyncio.sleep(POLL_S)

    @staticmethod
    def _refuse_expired(vector_store: VectorStore) -> None:
        expiry = expires_at(vector_store.last_active_at, vector_store.expires_after)
        if expiry is not None and expiry <= time.time():
            raise ApplicationError(
                f"The thread's vector store {vector_store.id} has expired.",
                type="VectorStoreExpired",
                non_retryable=True,
            )

    async def _touch(self, project: str, store_ids: list[str]) -> None:
        """Using a store makes it active: its expiry moves with `last_active_at`."""
        now = int(time.time())
        for store_id in store_ids:
            if await self._store.vector_stores.find(project, store_id) is None:
                continue
            await self._store.vector_stores.modify(
                project,
                store_id,
                lambda vs: vs.model_copy(
                    update={
                        "last_active_at": now,
                        "expires_at": expires_at(now, vs.expires_after),
                    }
                ),
            )
