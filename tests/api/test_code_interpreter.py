"""code_interpreter end to end with the official SDK (issue 8 acceptance): the Assistants
documentation's data-visualisation example with a scripted model — a CSV in, code that reads
it and saves a chart, a `file_path` annotation, and the chart downloads as a valid PNG. Real
Temporal, store and bubblewrap sandbox; in-process (the scripted model drives the code)."""

from __future__ import annotations

import io
import json

from tests.api.conftest import ApiServer
from tests.fakes.model_server import Reply, ToolCall, ToolCalls

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

    run = await api.client.beta.threads.create_and_run_poll(
        assistant_id=assistant_id,
        thread={"messages": [{"role": "user", "content": "Chart revenue by month."}]},
        poll_interval_ms=50,
    )

    assert run.status == "completed", run.last_error
    steps = await api.client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id)
    (call,) = [c for s in steps.data if s.type == "tool_calls" for c in s.step_details.tool_calls]  # type: ignore[union-attr]
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

    run = await api.client.beta.threads.create_and_run_poll(
        assistant_id=assistant_id,
        thread={"messages": [{"role": "user", "content": "Compute."}]},
        poll_interval_ms=50,
    )

    assert run.status == "completed", run.last_error
    steps = await api.client.beta.threads.runs.steps.list(
        run.id, thread_id=run.thread_id, order="asc"
    )
    calls = [c for s in steps.data if s.type == "tool_calls" for c in s.step_details.tool_calls]  # type: ignore[union-attr]
    assert [c.code_interpreter.input for c in calls] == ["x = 21", "print(x * 2)"]  # type: ignore[union-attr]
    assert calls[1].code_interpreter.outputs[0].logs.strip() == "42"  # type: ignore[union-attr]


async def test_escapes_are_contained_with_a_clear_error_in_the_outputs(
    local_api: ApiServer,
) -> None:
    api = local_api
    probes = {
        "shadow": "print(open('/etc/shadow').read())",
        "network": "import socket; socket.create_connection(('127.0.0.1', 22), timeout=2)",
        "outside": "open('/usr/evil.txt', 'w').write('x')",
    }
    api.model.script(*(_code_call(code) for code in probes.values()), Reply("Done."))
    assistant_id = await _assistant_with_csv(api)

    run = await api.client.beta.threads.create_and_run_poll(
        assistant_id=assistant_id,
        thread={"messages": [{"role": "user", "content": "Try things."}]},
        poll_interval_ms=50,
    )

    assert run.status == "completed", run.last_error
    steps = await api.client.beta.threads.runs.steps.list(
        run.id, thread_id=run.thread_id, order="asc"
    )
    calls = [c for s in steps.data if s.type == "tool_calls" for c in s.step_details.tool_calls]  # type: ignore[union-attr]
    logs = [c.code_interpreter.outputs[0].logs for c in calls]  # type: ignore[union-attr]
    assert "FileNotFoundError" in logs[0] or "PermissionError" in logs[0]
    assert "Error" in logs[1]  # unreachable: no network in the sandbox
    assert "Error" in logs[2]  # read-only outside /mnt/data
