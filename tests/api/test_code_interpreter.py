"""code_interpreter end to end with the official SDK (issue 8 acceptance): the Assistants
documentation's data-visualisation example with a scripted model — a CSV in, code that reads
it and saves a chart, a `file_path` annotation, and the chart downloads as a valid PNG. Real
Temporal, store and bubblewrap sandbox; in-process (the scripted model drives the code)."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openai
import pytest
from openai.types.beta.threads import Run

from tests.api.conftest import ApiServer, in_process
from tests.fakes.model_server import Reply, ScriptedModelServer, ToolCall, ToolCalls

REPO = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SALES = b"month,revenue\nJan,120\nFeb,135\nMar,160\nApr,155\nMay,190\n"
CODE = """import pandas as pd
import matplotlib.pyplot as plt
df = pd.read_csv('/mnt/data/sales.csv')
df.plot(x='month', y='revenue', kind='bar', legend=False)
plt.title('Revenue by month')
plt.savefig('/mnt/data/revenue.png')
print(f"total {df.revenue.sum()}, best {df.loc[df.revenue.idxmax(), 'month']}")
"""
ANSWER = "Revenue peaked in May. [Download the chart](sandbox:/mnt/data/revenue.png)"


def _code_call(code: str) -> ToolCalls:
    return ToolCalls([ToolCall("code_interpreter", json.dumps({"code": code}))])


async def _run(api: ApiServer, assistant_id: str, text: str, **message: Any) -> Run:
    """A new thread with one user message, run to its end."""
    return await api.client.beta.threads.create_and_run_poll(
        assistant_id=assistant_id,
        thread={"messages": [{"role": "user", "content": text, **message}]},
        poll_interval_ms=50,
    )


async def _code_calls(api: ApiServer, run: Run) -> list[Any]:
    """The run's code_interpreter calls, oldest first."""
    steps = await api.client.beta.threads.runs.steps.list(
        run.id, thread_id=run.thread_id, order="asc"
    )
    return [c for s in steps.data if s.type == "tool_calls" for c in s.step_details.tool_calls]  # type: ignore[union-attr]


async def _assistant_with_csv(api: ApiServer) -> str:
    csv = await api.client.files.create(file=("sales.csv", io.BytesIO(SALES)), purpose="assistants")
    assistant = await api.client.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "code_interpreter"}],
        tool_resources={"code_interpreter": {"file_ids": [csv.id]}},
    )
    return assistant.id


async def test_a_csv_becomes_a_chart_linked_from_the_answer(local_api: ApiServer) -> None:
    api = local_api
    api.model.script(_code_call(CODE), Reply(ANSWER))
    assistant_id = await _assistant_with_csv(api)

    run = await _run(api, assistant_id, "Chart revenue by month.")

    assert run.status == "completed", run.last_error
    (call,) = await _code_calls(api, run)
    assert call.type == "code_interpreter"
    assert call.code_interpreter.input == CODE
    (logs,) = [o for o in call.code_interpreter.outputs if o.type == "logs"]
    assert "total 760, best May" in logs.logs
    messages = await api.client.beta.threads.messages.list(run.thread_id, order="desc", limit=1)
    block = messages.data[0].content[0]
    assert block.type == "text" and block.text.value == ANSWER
    (link,) = block.text.annotations
    assert link.type == "file_path" and link.text == "sandbox:/mnt/data/revenue.png"
    assert ANSWER[link.start_index : link.end_index] == link.text
    chart = await api.client.files.retrieve(link.file_path.file_id)
    assert chart.purpose == "assistants_output" and chart.filename == "revenue.png"
    content = await api.client.files.content(chart.id)
    assert content.read().startswith(PNG_SIGNATURE)
    # The model saw the code's output and the file it wrote.
    tool_message = next(m for m in api.model.chat_requests[-1]["messages"] if m["role"] == "tool")
    assert "total 760" in tool_message["content"]
    assert "sandbox:/mnt/data/revenue.png" in tool_message["content"]


async def test_variables_persist_between_calls_of_a_thread(local_api: ApiServer) -> None:
    api = local_api
    api.model.script(_code_call("x = 21"), _code_call("print(x * 2)"), Reply("It is 42."))
    assistant_id = await _assistant_with_csv(api)

    run = await _run(api, assistant_id, "Compute.")

    assert run.status == "completed", run.last_error
    calls = await _code_calls(api, run)
    assert [c.code_interpreter.input for c in calls] == ["x = 21", "print(x * 2)"]
    assert calls[1].code_interpreter.outputs[0].logs.strip() == "42"


ESCAPES = {
    "network": (
        "import socket; socket.create_connection(('127.0.0.1', 22), timeout=2)",
        ("OSError", "Network is unreachable", "Connection refused"),
    ),
    "shadow": ("print(open('/etc/shadow').read())", ("FileNotFoundError", "PermissionError")),
    "project": (f"print(open({str(REPO / 'pyproject.toml')!r}).read())", ("FileNotFoundError",)),
    "outside": ("open('/usr/evil.txt', 'w').write('x')", ("OSError", "Read-only", "Permission")),
    "fork bomb": (
        "import os\nwhile True:\n    os.fork()",
        ("BlockingIOError", "Resource temporarily unavailable", "process"),
    ),
    "memory bomb": ("x = bytearray(10 * 1024 ** 3)", ("MemoryError", "Memory limit")),
    "infinite loop": ("while True:\n    pass", ("timed out", "CPU time")),
    "100 MB of stdout": ("print('x' * (100 * 1024 * 1024))", ("output truncated",)),
}


@pytest.fixture
async def boxed(
    local_api_backend: dict[str, Any], model_server: ScriptedModelServer
) -> AsyncIterator[ApiServer]:
    """The API with a 3-second code_interpreter wall time, to keep the loop test short."""
    async with in_process(
        model_server=model_server, **local_api_backend, sandbox_wall_time_seconds=3.0
    ) as api:
        yield api


async def test_escapes_are_contained_with_a_clear_error_in_the_outputs(boxed: ApiServer) -> None:
    api = boxed
    api.model.script(*(_code_call(code) for code, _ in ESCAPES.values()), Reply("Done."))
    assistant_id = await _assistant_with_csv(api)

    run = await _run(api, assistant_id, "Try things.")

    assert run.status == "completed", run.last_error
    calls = await _code_calls(api, run)
    assert len(calls) == len(ESCAPES)
    for (name, (_, expected)), call in zip(ESCAPES.items(), calls, strict=True):
        logs = call.code_interpreter.outputs[0].logs
        assert any(word in logs for word in expected), f"{name}: {logs[-300:]!r}"
        assert len(logs) < 200_000, f"{name}: {len(logs)} bytes of logs"


async def test_without_a_sandbox_the_run_fails_with_the_reason(
    local_api_backend: dict[str, Any], model_server: ScriptedModelServer
) -> None:
    async with in_process(model_server=model_server, **local_api_backend, sandbox="none") as api:
        api.model.script(_code_call("print(1)"))
        assistant_id = await _assistant_with_csv(api)

        run = await api.client.beta.threads.create_and_run_poll(
            assistant_id=assistant_id,
            thread={"messages": [{"role": "user", "content": "Run it."}]},
            poll_interval_ms=50,
        )

    assert run.status == "failed"
    assert run.last_error is not None and run.last_error.code == "server_error"
    assert "code_interpreter is not available on this server" in run.last_error.message


async def test_code_and_outputs_stream_as_step_deltas(local_api: ApiServer) -> None:
    """The SDK's stream helper sees the code arrive as `code_interpreter.input` deltas and
    the logs as an `outputs` delta; its accumulated tool call equals the stored one."""
    api = local_api
    code = "total = sum(range(10))\nprint(f'total={total}')"
    api.model.script(_code_call(code), Reply("The total is 45."))
    assistant_id = await _assistant_with_csv(api)
    inputs: list[str] = []
    outputs: list[str] = []

    class Handler(openai.AsyncAssistantEventHandler):
        async def on_tool_call_delta(self, delta: Any, snapshot: Any) -> None:
            if delta.type == "code_interpreter" and delta.code_interpreter is not None:
                inputs.append(delta.code_interpreter.input or "")
                outputs.extend(o.logs or "" for o in delta.code_interpreter.outputs or [])

    async with api.client.beta.threads.create_and_run_stream(
        assistant_id=assistant_id,
        thread={"messages": [{"role": "user", "content": "Add up 0..9."}]},
        event_handler=Handler(),
    ) as stream:
        await stream.until_done()
        run = await stream.get_final_run()

    assert run.status == "completed"
    assert "".join(inputs) == code
    assert len([fragment for fragment in inputs if fragment]) > 1  # streamed, not in one piece
    assert outputs == ["total=45"]


async def test_an_open_figure_comes_back_as_an_image(local_api: ApiServer) -> None:
    api = local_api
    api.model.script(
        _code_call("import matplotlib.pyplot as plt\nplt.plot([1, 4, 9])"), Reply("Plotted.")
    )
    assistant_id = await _assistant_with_csv(api)

    run = await _run(api, assistant_id, "Plot squares.")

    assert run.status == "completed", run.last_error
    (call,) = await _code_calls(api, run)
    (image,) = [o for o in call.code_interpreter.outputs if o.type == "image"]
    messages = await api.client.beta.threads.messages.list(run.thread_id, order="desc", limit=1)
    text, picture = messages.data[0].content
    assert text.type == "text" and text.text.value == "Plotted."
    assert picture.type == "image_file" and picture.image_file.file_id == image.image.file_id
    content = await api.client.files.content(image.image.file_id)
    assert content.read().startswith(PNG_SIGNATURE)


async def test_message_attachments_are_placed_in_the_working_directory(
    local_api: ApiServer,
) -> None:
    api = local_api
    notes = await api.client.files.create(
        file=("notes.txt", io.BytesIO(b"attached and readable")), purpose="assistants"
    )
    api.model.script(_code_call("print(open('/mnt/data/notes.txt').read())"), Reply("Read it."))
    assistant = await api.client.beta.assistants.create(
        model="gpt-4o", tools=[{"type": "code_interpreter"}]
    )

    run = await api.client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id,
        thread={
            "messages": [
                {
                    "role": "user",
                    "content": "Read my notes.",
                    "attachments": [{"file_id": notes.id, "tools": [{"type": "code_interpreter"}]}],
                }
            ]
        },
        poll_interval_ms=50,
    )

    assert run.status == "completed", run.last_error
    (call,) = await _code_calls(api, run)
    assert call.code_interpreter.outputs[0].logs.strip() == "attached and readable"
