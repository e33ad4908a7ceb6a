"""Fixtures for lifecycle tests: a RunStack on the session's Temporal server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from core.store import Store
from tests.fakes.model_server import ScriptedModelServer
from tests.workflows.harness import RunStack, run_stack, stack_settings


@pytest.fixture
async def stack(
    temporal_env: WorkflowEnvironment,
    sqlite_store: Store,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    task_queue: str,
) -> AsyncIterator[RunStack]:
    """A worker on a fresh task queue with a fresh store; the model is scripted per test."""
    settings = stack_settings(tmp_path, task_queue)
    async with run_stack(temporal_env.client, sqlite_store, model_server, settings) as built:
        yield built
