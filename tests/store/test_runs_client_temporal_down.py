"""A run update while Temporal cannot be reached is a server error, not the client's fault."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from core.errors import ServerError
from core.runs_client import RunsClient
from core.settings import Settings
from core.store import Store
from core.temporal_client import bundled_binary
from tests.store import factories as f
from workflows.types import ToolOutput

P = "proj"


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
async def test_submit_while_temporal_is_down_is_a_server_error(
    store: Store, tmp_path: Path
) -> None:
    thread = await store.threads.upsert(P, f.thread())
    run = await store.runs.upsert(P, f.run(thread.id, status="requires_action"))
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=str(bundled_binary("temporal")),
    )
    client = env.client
    await env.shutdown()  # the client stays, its server is gone
    runs = RunsClient(store, client, Settings(data_dir=tmp_path))
    outputs = [ToolOutput(tool_call_id="call_1", output="x")]
    with pytest.raises(ServerError, match="could not be updated"):
        await runs.submit_tool_outputs(P, thread.id, run.id, outputs)
    assert (await store.runs.get(P, run.id)).status == "requires_action"
