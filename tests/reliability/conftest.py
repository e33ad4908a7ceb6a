"""tests/reliability: faults, bad input, isolation and load, each audited.

The fault table is collected by tests/reliability/ledger.py (a plugin of tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.fakes.model_server import ScriptedModelServer
from tests.reliability.fuzz_stack import FuzzTarget, serve_target


@pytest.fixture(scope="module")
async def fuzz_target(
    temporal_env: WorkflowEnvironment,
    model_server_session: ScriptedModelServer,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> AsyncIterator[FuzzTarget]:
    """The API on loopback with its own store, for one bad-input module's cases."""
    directory = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    async with serve_target(temporal_env, model_server_session, directory) as served:
        yield served
