"""Dependencies of the routes, as `Annotated` aliases (the FastAPI template's pattern).

Dependencies here and elsewhere in api/ are `async def` even when they do not await: FastAPI runs
a plain `def` one in a worker thread, one thread hop per dependency per request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from temporalio.client import Client

from api.auth import project_of
from core.retrieval import Retriever
from core.runs_client import RunsClient
from core.settings import Settings
from core.store import Store
from core.vector_stores import VectorStoreService


async def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def _temporal(request: Request) -> Client:
    client: Client = request.app.state.temporal
    return client


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _runs(request: Request) -> RunsClient:
    runs: RunsClient = request.app.state.runs
    return runs


async def _vector_stores(request: Request) -> VectorStoreService:
    service: VectorStoreService = request.app.state.vector_stores
    return service


async def _retriever(request: Request) -> Retriever:
    retriever: Retriever = request.app.state.retriever
    return retriever


StoreDep = Annotated[Store, Depends(_store)]
TemporalDep = Annotated[Client, Depends(_temporal)]
SettingsDep = Annotated[Settings, Depends(_settings)]
RunsDep = Annotated[RunsClient, Depends(_runs)]
VectorStoresDep = Annotated[VectorStoreService, Depends(_vector_stores)]
RetrieverDep = Annotated[Retriever, Depends(_retriever)]
ProjectDep = Annotated[str, Depends(project_of)]
"""The caller's project, from its API key (401 if the key is missing or unknown)."""
