"""The Temporal worker process: `python worker.py` (or `runwright worker`).

main(): Settings -> configure_logging -> Runtime(Prometheus) -> Client(pydantic) -> Worker.
"""

from __future__ import annotations

import asyncio
import math
import signal
from collections.abc import Callable, Sequence
from typing import Any

import structlog
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.code_interpreter import CodeInterpreterActivities
from activities.file_search import INGEST_WAIT_S, FileSearchActivities
from activities.ingest import IngestActivities
from activities.model import ModelActivities
from activities.runs import RunActivities
from activities.tools import ToolActivities
from activities.webhooks import WebhookActivities
from core.context_windows import ContextWindows
from core.dev_server import SEARCH_ATTRIBUTES
from core.observability.logging import configure_logging
from core.observability.metrics import histogram_buckets
from core.providers.base import ModelProvider
from core.providers.embeddings import Embedder, embedder_from_settings
from core.providers.factory import provider_from_settings
from core.retrieval import Retriever
from core.sandbox import Sandbox, SandboxLimits, sandbox_from_settings
from core.settings import Settings
from core.store import Store, open_store
from core.temporal_client import connect_temporal, ensure_search_attributes
from core.tools import ToolRegistry, load_registry
from workflows.ingest import IngestFileWorkflow
from workflows.run import RunWorkflow
from workflows.webhook import DeliverWebhookWorkflow

log = structlog.get_logger()


def build_runtime(settings: Settings) -> Runtime:
    """A Temporal runtime exporting the SDK's metrics (and ours, `core.observability.metrics`)
    on the worker metrics port."""
    prometheus = PrometheusConfig(
        bind_address=f"{settings.api_host}:{settings.worker_metrics_port}",
        counters_total_suffix=True,
        durations_as_seconds=True,
        histogram_bucket_overrides=histogram_buckets(),
    )
    return Runtime(telemetry=TelemetryConfig(metrics=prometheus))


def worker_components(
    settings: Settings,
    store: Store,
    *,
    provider: ModelProvider | None = None,
    tools: ToolRegistry | None = None,
    embedder: Embedder | None = None,
    file_search_ingest_wait_s: float = INGEST_WAIT_S,
    sandbox: Sandbox | None = None,
) -> tuple[list[type], list[Callable[..., Any]]]:
    """The workflows and activities this worker registers, with their dependencies injected."""
    provider = provider if provider is not None else provider_from_settings(settings)
    embedder = embedder if embedder is not None else embedder_from_settings(settings)
    tools = tools if tools is not None else load_registry(settings.tools_module)
    runs = RunActivities(store)
    windows = ContextWindows(settings.context_window_overrides())
    model = ModelActivities(store, provider, tools, windows)
    tool_activities = ToolActivities(store, tools)
    ingest = IngestActivities(store, embedder)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    webhooks = WebhookActivities(store, settings.webhook_url, secret)
    limits = SandboxLimits(
        wall_time_s=settings.sandbox_wall_time_seconds,
        cpu_time_s=max(1, math.ceil(settings.sandbox_wall_time_seconds)),
        memory_mb=settings.sandbox_memory_mb,
    )
    code = CodeInterpreterActivities(store, sandbox or sandbox_for(settings), limits)
    searches = FileSearchActivities(store, Retriever(store, embedder), file_search_ingest_wait_s)
    activities: list[Callable[..., Any]] = [
        runs.record_run_status,
        model.generate,
        tool_activities.dispatch_function_tool,
        tool_activities.complete_tool_step,
        ingest.chunk_file,
        ingest.embed_file,
        ingest.finish_ingest,
        searches.run_file_search,
        webhooks.deliver_webhook,
        code.run_code,
    ]
    return [RunWorkflow, IngestFileWorkflow, DeliverWebhookWorkflow], activities


def sandbox_for(settings: Settings) -> Sandbox:
    """The code_interpreter sandbox the settings name (`none`: code_interpreter refused)."""
    return sandbox_from_settings(settings.sandbox, root_dir=settings.sandbox_dir)


def sandbox_runner() -> SandboxedWorkflowRunner:
    # openai loads submodules lazily and pydantic models are imported by every payload: pass
    # them through so the sandbox does not re-import them per workflow run (DESIGN, Known traps).
    restrictions = SandboxRestrictions.default.with_passthrough_modules(
        "openai", "core", "bpe_openai"
    )
    return SandboxedWorkflowRunner(restrictions=restrictions)


def build_worker(
    client: Client,
    settings: Settings,
    store: Store,
    *,
    provider: ModelProvider | None = None,
    tools: ToolRegistry | None = None,
    file_search_ingest_wait_s: float = INGEST_WAIT_S,
    sandbox: Sandbox | None = None,
    **options: Any,
) -> Worker:
    """The worker for `settings.task_queue`; tests and `runwright dev` reuse this."""
    workflows, activities = worker_components(
        settings,
        store,
        provider=provider,
        tools=tools,
        file_search_ingest_wait_s=file_search_ingest_wait_s,
        sandbox=sandbox,
    )
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=workflows,
        activities=activities,
        workflow_runner=sandbox_runner(),
        **options,
    )


def quiet_temporal_loggers() -> None:
    """Ids arrive as structured fields instead of being baked into every message."""
    workflow.logger.workflow_info_on_message = False
    activity.logger.activity_info_on_message = False


async def run_worker(settings: Settings, stop: asyncio.Event) -> None:
    """Run until `stop` is set, then drain in-flight tasks and close the store."""
    client = await connect_temporal(settings, runtime=build_runtime(settings), wait_seconds=30)
    await ensure_search_attributes(client, SEARCH_ATTRIBUTES)
    store = await open_store(settings.resolved_database_url, blob_dir=settings.blob_dir)
    sandbox = sandbox_for(settings)
    await report_sandbox(sandbox)
    sweeper = asyncio.create_task(sweep_sandbox_sessions(sandbox, settings.sandbox_idle_seconds))
    try:
        async with build_worker(client, settings, store, sandbox=sandbox):
            log.info(
                "worker_started",
                task_queue=settings.task_queue,
                temporal=settings.temporal_address,
                metrics_port=settings.worker_metrics_port,
            )
            await stop.wait()
    finally:
        sweeper.cancel()
        await sandbox.aclose()
        await store.close()
        log.info("worker_stopped")


async def report_sandbox(sandbox: Sandbox) -> None:
    """Say at start-up whether code_interpreter can run here, and if not, why."""
    availability = await sandbox.available()
    if availability.ok:
        log.info("code_interpreter_available")
    else:
        log.warning("code_interpreter_unavailable", reason=availability.reason)


async def sweep_sandbox_sessions(sandbox: Sandbox, idle_seconds: float) -> None:
    """Tear down sessions idle longer than `idle_seconds`, checking once a minute."""
    while True:
        await asyncio.sleep(min(60.0, idle_seconds))
        closed = await sandbox.sweep_idle(idle_seconds)
        if closed:
            log.info("sandbox_sessions_closed", count=len(closed))


def install_stop_signals(
    stop: asyncio.Event, signals: Sequence[int] = (signal.SIGINT, signal.SIGTERM)
) -> None:
    """SIGINT/SIGTERM set `stop` so entrypoints shut down in order."""
    loop = asyncio.get_running_loop()
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)


def main() -> None:
    """Entrypoint of `python worker.py`."""
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    quiet_temporal_loggers()

    async def _main() -> None:
        stop = asyncio.Event()
        install_stop_signals(stop)
        await run_worker(settings, stop)

    asyncio.run(_main())


if __name__ == "__main__":
    main()
