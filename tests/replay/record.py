"""Record the histories `test_replay.py` replays: `python -m tests.replay.record`.

Runs one scenario per lifecycle shape on a local dev server with the scripted model and writes
each run's history as JSON. Rerun only when a workflow change is meant to change histories.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from core.ingestion_client import TemporalIngestion
from core.store import open_store
from core.temporal_client import bundled_binary
from tests.fakes.model_server import Fail, Reply, ScriptedModelServer, ToolCall, ToolCalls
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.workflows.harness import PROJECT, RunStack, run_stack, stack_settings
from workflows import search_attributes
from workflows.ingest_types import ingest_workflow_id
from workflows.types import ToolOutput

OUT = Path(__file__).parent / "histories"
Scenario = Callable[[RunStack], Awaitable[str]]


async def completed(stack: RunStack) -> str:
    stack.model.script(Reply("Hello!"))
    run = await stack.start(await stack.assistant(), await stack.thread("hi"))
    return (await stack.wait(run)).id


async def server_tool_loop(stack: RunStack) -> str:
    stack.tools.register("noop", lambda: "ok", description="noop", parameters={})
    stack.model.script(
        ToolCalls([ToolCall("noop", "{}")]), ToolCalls([ToolCall("noop", "{}")]), Reply("done")
    )
    assistant = await stack.assistant(tools=[{"type": "function", "function": {"name": "noop"}}])
    return (await stack.wait(await stack.start(assistant, await stack.thread("loop")))).id


async def requires_action_submit(stack: RunStack) -> str:
    stack.model.script(ToolCalls([ToolCall("f", "{}"), ToolCall("f", '{"a": 1}')]), Reply("thanks"))
    assistant = await stack.assistant(tools=[{"type": "function", "function": {"name": "f"}}])
    run = await stack.wait(await stack.start(assistant, await stack.thread("call f")))
    calls = run.required_action.submit_tool_outputs.tool_calls  # type: ignore[union-attr]
    outputs = [ToolOutput(tool_call_id=c.id, output="1") for c in calls]
    await stack.runs.submit_tool_outputs(PROJECT, run.thread_id, run.id, outputs)
    return (await stack.wait(run)).id


async def cancelled(stack: RunStack) -> str:
    stack.model.script(ToolCalls([ToolCall("f", "{}")]))
    assistant = await stack.assistant(tools=[{"type": "function", "function": {"name": "f"}}])
    run = await stack.wait(await stack.start(assistant, await stack.thread("call f")))
    await stack.runs.cancel(PROJECT, run.thread_id, run.id)
    return (await stack.wait(run, "cancelled")).id


async def failed(stack: RunStack) -> str:
    stack.model.script(Fail(500), Fail(500), Fail(500))
    run = await stack.start(await stack.assistant(), await stack.thread("hi"))
    return (await stack.wait(run)).id


KESTREL = (
    b"In March 1991 the keeper replaced the north lamp with a brass Fresnel lens. "
    + b"Gulls nested on the gallery rail every spring. " * 80
)


async def file_search(stack: RunStack) -> str:
    store_id, _ = await stack.ingest("kestrel.txt", KESTREL)
    stack.model.script(
        ToolCalls([ToolCall("file_search", '{"queries": ["north lamp"]}')]),
        Reply("In 1991 【0:0†kestrel.txt】."),
    )
    assistant = await stack.assistant(
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store_id]}},
    )
    return (await stack.wait(await stack.start(assistant, await stack.thread("lamp?")))).id


async def ingest_completed(stack: RunStack) -> str:
    store_id, file_id = await stack.ingest("kestrel.txt", KESTREL)
    return ingest_workflow_id(store_id, file_id)


async def ingest_failed(stack: RunStack) -> str:
    store_id, file_id = await stack.ingest("broken.pdf", b"%PDF-1.4\ngarbage")
    return ingest_workflow_id(store_id, file_id)


async def ingest_cancelled(stack: RunStack) -> str:
    store_id, file_id = await stack.ingest("big.txt", KESTREL * 400, wait=False)
    await asyncio.sleep(0.2)
    await TemporalIngestion(stack.client, stack.settings.task_queue).cancel(store_id, file_id)
    workflow_id = ingest_workflow_id(store_id, file_id)
    await stack.client.get_workflow_handle(workflow_id).result()
    return workflow_id


async def code_interpreter(stack: RunStack) -> str:
    stack.model.script(
        ToolCalls([ToolCall("code_interpreter", '{"code": "print(6 * 7)"}')]), Reply("42.")
    )
    assistant = await stack.assistant(tools=[{"type": "code_interpreter"}])
    return (await stack.wait(await stack.start(assistant, await stack.thread("6*7?")))).id


async def webhooks(stack: RunStack) -> str:
    stack.model.script(Reply("Hi!"))
    run = await stack.start(await stack.assistant(), await stack.thread("hi"))
    return (await stack.wait(run)).id


SCENARIOS: dict[str, Scenario] = {
    "completed": completed,
    "server_tool_loop": server_tool_loop,
    "requires_action_submit": requires_action_submit,
    "cancelled": cancelled,
    "failed": failed,
    "file_search": file_search,
    "ingest_completed": ingest_completed,
    "ingest_failed": ingest_failed,
    "ingest_cancelled": ingest_cancelled,
    "webhooks": webhooks,
    "code_interpreter": code_interpreter,
}
NEEDS_RECEIVER = {"webhooks"}


async def main(only: list[str]) -> None:
    """Record every scenario, or only those named on the command line."""
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=str(bundled_binary("temporal")),
        search_attributes=search_attributes.ALL,
    )
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        ScriptedModelServer() as model,
        WebhookReceiver() as receiver,
    ):
        store = await open_store(f"sqlite+aiosqlite:///{tmp}/replay.db", blob_dir=Path(tmp))
        for name, scenario in SCENARIOS.items():
            if only and name not in only:
                continue
            model.reset()
            hooks = {"webhook_url": receiver.url} if name in NEEDS_RECEIVER else {}
            settings = stack_settings(Path(tmp), f"record-{name}", **hooks)
            async with run_stack(env.client, store, model, settings) as stack:
                run_id = await scenario(stack)
                history = await env.client.get_workflow_handle(run_id).fetch_history()
            (OUT / f"{name}.json").write_text(json.dumps(json.loads(history.to_json()), indent=1))
            print(f"recorded {name}: {len(history.events)} events")
        await store.close()
    await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
