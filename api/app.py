"""The HTTP process: `create_app(settings)` returns the FastAPI app serving `/v1`, `/health`
and `/metrics`.

The lifespan opens the store and the Temporal client once and keeps them on `app.state`.
`runwright dev` passes in the ones it already opened (API and worker share a process there).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from temporalio.client import Client

from api.auth import ApiKeys
from api.body_limit import BodyLimitMiddleware
from api.errors import install_error_handlers
from api.middleware import RequestContextMiddleware, RouteTemplates
from api.openapi_doc import install_openapi
from api.routes import (
    assistants,
    file_batches,
    files,
    messages,
    run_context,
    run_ops,
    run_steps,
    runs,
    threads,
    vector_stores,
    vector_stores_files,
)
from core.ingestion_client import TemporalIngestion
from core.observability import api_metrics
from core.observability.metrics import EXPIRING_WITHIN_S
from core.providers.embeddings import embedder_from_settings
from core.retrieval import Retriever
from core.runs_client import RunsClient
from core.settings import Settings
from core.store import Store, open_store
from core.store.runs import RunsOverview
from core.temporal_client import connect_temporal
from core.vector_stores import VectorStoreService
from workflows.types import RunLimits

log = structlog.get_logger()

STORE_METRICS_TIMEOUT_S = 2.0
"""A scrape answers without the store gauges rather than hang on a slow database."""


def _lifespan(
    settings: Settings, store: Store | None, client: Client | None, limits: RunLimits | None
) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_store = store is None
        app.state.settings = settings
        app.state.store = store or await open_store(
            settings.resolved_database_url, blob_dir=settings.blob_dir
        )
        app.state.temporal = client or await connect_temporal(settings)
        app.state.runs = RunsClient(app.state.store, app.state.temporal, settings, limits)
        ingestion = TemporalIngestion(app.state.temporal, settings.task_queue)
        app.state.vector_stores = VectorStoreService(app.state.store, ingestion)
        embedder = embedder_from_settings(settings)
        app.state.retriever = Retriever(app.state.store, embedder)
        app.state.api_keys = ApiKeys(settings.api_key_projects())
        if app.state.api_keys.open:
            log.warning(
                "auth_open",
                detail="RUNWRIGHT_API_KEYS is not set: any API key is accepted, for the single "
                "project 'default'. Set keys before exposing this server to a network.",
            )
        try:
            yield
        finally:
            await app.state.retriever.close()
            if embedder is not None:
                await embedder.close()
            if own_store:
                await app.state.store.close()

    return lifespan


async def _health(app: FastAPI) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        await app.state.store.ping()
        checks["store"] = "ok"
    except Exception as exc:  # a health check reports failures, it does not raise them
        checks["store"] = f"error: {type(exc).__name__}"
    try:
        await app.state.temporal.service_client.check_health()
        checks["temporal"] = "ok"
    except Exception as exc:
        checks["temporal"] = f"error: {type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "degraded", **checks}
    return JSONResponse(body, status_code=200 if healthy else 503)


async def _metrics(app: FastAPI) -> Response:
    # prometheus_client collectors are synchronous: read the store first, then render.
    now = time.time()
    overview: RunsOverview | None = None
    try:
        overview = await asyncio.wait_for(
            app.state.store.runs.overview(expiring_by=int(now) + EXPIRING_WITHIN_S),
            STORE_METRICS_TIMEOUT_S,
        )
    except Exception as exc:  # a scrape reports what it can; the gap shows in the gauges
        log.warning("metrics_store_unavailable", error_type=type(exc).__name__)
    return Response(api_metrics.render(overview, now), media_type=CONTENT_TYPE_LATEST)


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    client: Client | None = None,
    limits: RunLimits | None = None,
) -> FastAPI:
    """Build the app; `store`/`client` are injected by `runwright dev` and by tests, `limits`
    (run timeouts and retry policies) by tests."""
    settings = settings or Settings()
    app = FastAPI(
        title="Runwright",
        description="A self-hosted, durable OpenAI Assistants API v2.",
        lifespan=_lifespan(settings, store, client, limits),
    )
    install_error_handlers(app)
    install_openapi(app)
    templates = RouteTemplates()
    # Added first, so it runs inside the request context (its 413s carry x-request-id).
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_request_bytes,
        max_upload_bytes=files.MAX_FILE_BYTES,
    )
    app.add_middleware(RequestContextMiddleware, templates=templates)
    routers = (assistants, threads, messages, runs, run_ops, run_steps, run_context, files)
    for module in (*routers, vector_stores, vector_stores_files, file_batches):
        app.include_router(module.router, prefix="/v1")
        templates.add(module.router.routes, prefix="/v1")

    @app.get("/health", include_in_schema=False)
    async def health() -> JSONResponse:
        return await _health(app)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return await _metrics(app)

    return app
