"""A real run stack for lifecycle tests: Temporal server, SQLite store, worker, runs client and
the scripted model server. Only the model is fake."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from temporalio.client import Client

from core import ids
from core.ingestion_client import TemporalIngestion
from core.objects.assistant import Assistant
from core.objects.file_object import FileObject
from core.objects.message import Message
from core.objects.params import MessageCreateParams, RunCreateParams
from core.objects.run import Run
from core.objects.run_step import RunStep
from core.objects.thread import Thread
from core.objects.vector_store import VectorStore
from core.objects.vector_store_file import VectorStoreFile
from core.providers.openai_chat import OpenAIChatProvider
from core.run_factory import new_message
from core.runs_client import RunsClient
from core.settings import Settings
from core.store import Store
from core.tools import ToolRegistry
from tests.fakes.model_server import ScriptedModelServer
from worker import build_worker
from workflows.ingest_types import IngestFileInput, ingest_workflow_id
from workflows.types import RetrySettings, RunLimits

PROJECT = "proj_test"

FAST_LIMITS = RunLimits(
    model_call_timeout_s=30,
    model_heartbeat_timeout_s=5,
    model_retry=RetrySettings(initial_interval_s=0.05, maximum_interval_s=0.2, maximum_attempts=3),
    tool_retry=RetrySettings(initial_interval_s=0.05, maximum_interval_s=0.2, maximum_attempts=3),
    store_retry=RetrySettings(initial_interval_s=0.05, maximum_interval_s=0.5, maximum_attempts=0),
    webhook_retry=RetrySettings(initial_interval_s=0.1, maximum_interval_s=0.5, maximum_attempts=0),
)


@dataclass
class RunStack:
    """Everything a lifecycle test drives; helpers seed assistants and threads."""

    store: Store
    client: Client
    runs: RunsClient
    model: ScriptedModelServer
    settings: Settings
    tools: ToolRegistry = field(default_factory=ToolRegistry)

    async def assistant(self, **fields: Any) -> Assistant:
        assistant = Assistant(
            id=ids.new_id("assistant"), created_at=int(time.time()),
            model=fields.pop("model", "gpt-4o"), **fields,
        )  # fmt: skip
        await self.store.assistants.upsert(PROJECT, assistant)
        return assistant

    async def thread(self, *texts: str) -> Thread:
        thread = Thread(id=ids.new_id("thread"), created_at=int(time.time()))
        await self.store.threads.upsert(PROJECT, thread)
        for text in texts:
            params = MessageCreateParams(role="user", content=text)
            message = new_message(ids.new_id("message"), thread.id, params, now=int(time.time()))
            await self.store.messages.upsert(PROJECT, message)
        return thread

    async def start(self, assistant: Assistant, thread: Thread, **params: Any) -> Run:
        body = RunCreateParams(assistant_id=assistant.id, **params)
        return await self.runs.create(PROJECT, thread.id, body)

    async def wait(self, run: Run, *statuses: str, timeout_s: float = 30) -> Run:
        until = frozenset(statuses) if statuses else None
        if until is None:
            return await self.runs.wait(PROJECT, run.thread_id, run.id, timeout_s=timeout_s)
        return await self.runs.wait(
            PROJECT, run.thread_id, run.id, until=until, timeout_s=timeout_s
        )

    async def messages(self, thread: Thread) -> list[Message]:
        return await self.store.messages.latest(PROJECT, thread.id, 1000)

    async def steps(self, run: Run) -> list[RunStep]:
        return await self.store.run_steps.for_run(PROJECT, run.id)

    async def ingest(
        self, filename: str, data: bytes, *, wait: bool = True, **chunking: int
    ) -> tuple[str, str]:
        """A new vector store with one file, ingested by IngestFileWorkflow (awaited unless
        `wait=False`): `(vector_store_id, file_id)`."""
        file = FileObject(id=ids.new_id("file"), created_at=int(time.time()), bytes=len(data),
                          filename=filename, purpose="assistants", status="processed")  # fmt: skip
        await self.store.blobs.put(file.id, data)
        await self.store.files.upsert(PROJECT, file)
        now = int(time.time())
        store = VectorStore(id=ids.new_id("vector_store"), created_at=now, name="docs",
                            status="completed", last_active_at=now)  # fmt: skip
        await self.store.vector_stores.upsert(PROJECT, store)
        row = VectorStoreFile(id=file.id, created_at=now, vector_store_id=store.id,
                              status="in_progress")  # fmt: skip
        await self.store.vector_store_files.upsert(PROJECT, row)
        request = IngestFileInput(
            project_id=PROJECT, vector_store_id=store.id, file_id=file.id, **chunking
        )
        await TemporalIngestion(self.client, self.settings.task_queue).start(request)
        if wait:
            handle = self.client.get_workflow_handle(ingest_workflow_id(store.id, file.id))
            await handle.result()
        return store.id, file.id

    async def events(self, run: Run) -> list[str]:
        return [event.event for event in await self.store.run_events.read(run.id)]


def stack_settings(tmp_path: Path, task_queue: str, **overrides: Any) -> Settings:
    return Settings(data_dir=tmp_path, task_queue=task_queue, **overrides)


@asynccontextmanager
async def run_stack(
    client: Client,
    store: Store,
    model: ScriptedModelServer,
    settings: Settings,
    *,
    tools: ToolRegistry | None = None,
    limits: RunLimits = FAST_LIMITS,
    with_worker: bool = True,
    **worker_options: Any,
) -> AsyncIterator[RunStack]:
    """A RunStack whose worker (unless `with_worker=False`) runs for the block's duration."""
    registry = tools if tools is not None else ToolRegistry()
    stack = RunStack(
        store, client, RunsClient(store, client, settings, limits), model, settings, registry
    )
    if not with_worker:
        yield stack
        return
    provider = OpenAIChatProvider(base_url=model.base_url, api_key="test-key", timeout_s=30)
    worker = build_worker(
        client, settings, store, provider=provider, tools=registry, **worker_options
    )
    async with worker:
        yield stack
    await provider.close()
