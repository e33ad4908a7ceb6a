"""`POST /v1/threads/{thread_id}/runs/{run_id}/retry` (extension) through the SDK's raw
`post`: reset continues a failed run, rerun starts a linked one, anything else is a 400.

In-process (`local_api`) whatever --api-target says: failing a run takes the test's short
retry policy (a `runwright dev` process retries a 500 five times, with backoff)."""

from __future__ import annotations

import openai
import pytest
from openai.types.beta.threads import Run

from tests.api.conftest import ApiServer
from tests.fakes.model_server import Fail, Reply


async def _failed(local_api: ApiServer) -> Run:
    local_api.model.script(Fail(500), Fail(500), Fail(500))
    assistant = await local_api.client.beta.assistants.create(model="gpt-4o")
    run = await local_api.client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id,
        thread={"messages": [{"role": "user", "content": "Hi"}]},
        poll_interval_ms=50,
    )
    assert run.status == "failed"
    return run


def _retry_path(run: Run) -> str:
    return f"/threads/{run.thread_id}/runs/{run.id}/retry"


async def test_retry_resets_a_failed_run_which_then_completes(local_api: ApiServer) -> None:
    api = local_api
    run = await _failed(local_api)
    api.model.script(Reply("Recovered."))

    reset = await api.client.post(_retry_path(run), cast_to=Run, body={})

    assert reset.id == run.id and reset.status == "in_progress"
    done = await api.client.beta.threads.runs.poll(
        run.id, thread_id=run.thread_id, poll_interval_ms=50
    )
    assert done.status == "completed"


async def test_retry_rerun_starts_a_linked_run(local_api: ApiServer) -> None:
    api = local_api
    run = await _failed(local_api)
    api.model.script(Reply("Again."))

    created = await api.client.post(_retry_path(run), cast_to=Run, body={"mode": "rerun"})

    assert created.id != run.id and created.metadata == {"rerun_of": run.id}
    done = await api.client.beta.threads.runs.poll(
        created.id, thread_id=run.thread_id, poll_interval_ms=50
    )
    assert done.status == "completed"


async def test_retry_refuses_runs_that_did_not_fail_and_bad_bodies(local_api: ApiServer) -> None:
    api = local_api
    api.model.script(Reply("Fine."))
    assistant = await api.client.beta.assistants.create(model="gpt-4o")
    run = await api.client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id,
        thread={"messages": [{"role": "user", "content": "Hi"}]},
        poll_interval_ms=50,
    )

    with pytest.raises(openai.BadRequestError, match="Only failed runs can be reset"):
        await api.client.post(_retry_path(run), cast_to=Run, body={})
    with pytest.raises(openai.BadRequestError):
        await api.client.post(_retry_path(run), cast_to=Run, body={"mode": "sideways"})
    with pytest.raises(openai.NotFoundError):
        await api.other.post(_retry_path(run), cast_to=Run, body={})
