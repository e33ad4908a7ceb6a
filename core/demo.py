"""`runwright demo`: the whole run lifecycle, seen through the official `openai` SDK.

Against a running stack (`make run`), it creates an assistant with a function tool and a thread,
streams a run to `requires_action`, submits the tool's output, streams the run to completion and
prints the messages and steps. With no model configured the stack answers with the offline demo
model, which says so in every reply.
"""

from __future__ import annotations

import json
from typing import Any

import openai
from openai.lib.streaming import AssistantEventHandler
from openai.types.beta import FunctionToolParam
from openai.types.beta.threads.run_submit_tool_outputs_params import ToolOutput
from typing_extensions import override

WEATHER_TOOL: FunctionToolParam = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


class PrintingHandler(AssistantEventHandler):
    """Prints each event as it arrives, and the reply's text as it streams."""

    @override
    def on_event(self, event: Any) -> None:
        if event.event not in {"thread.message.delta", "thread.run.step.delta"}:
            print(f"  event: {event.event}")

    @override
    def on_text_delta(self, delta: Any, snapshot: Any) -> None:
        print(f"  delta: {delta.value!r}")


def _weather(arguments: str) -> str:
    city = json.loads(arguments or "{}").get("city", "somewhere")
    return json.dumps({"city": city, "forecast": "sunny", "temperature_c": 21})


def run_demo(base_url: str, api_key: str) -> int:
    """The lifecycle end to end; returns a process exit code."""
    client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=2)
    assistant = client.beta.assistants.create(
        model="gpt-4o", name="Runwright demo", instructions="Answer briefly.", tools=[WEATHER_TOOL]
    )
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": "What is the weather in Oslo?"}]
    )
    print(f"assistant {assistant.id}, thread {thread.id}\n\nrun, first leg:")
    with client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant.id, event_handler=PrintingHandler()
    ) as stream:
        stream.until_done()
        run = stream.get_final_run()
    if run.status != "requires_action" or run.required_action is None:
        print(f"\nthe run ended {run.status} without asking for the tool")
        return 1
    calls = run.required_action.submit_tool_outputs.tool_calls
    outputs: list[ToolOutput] = [
        {"tool_call_id": c.id, "output": _weather(c.function.arguments)} for c in calls
    ]
    print(f"\nrequires_action: {[c.function.name for c in calls]}; submitting {outputs}\n")
    with client.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=thread.id, run_id=run.id, tool_outputs=outputs, event_handler=PrintingHandler()
    ) as stream:
        stream.until_done()
        run = stream.get_final_run()
    _print_result(client, thread.id, run.id)
    return 0 if run.status == "completed" else 1


def _print_result(client: openai.OpenAI, thread_id: str, run_id: str) -> None:
    run = client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
    print(f"\nrun {run.id}: {run.status}, usage {run.usage}")
    print("\nsteps:")
    for step in client.beta.threads.runs.steps.list(run_id, thread_id=thread_id, order="asc"):
        print(f"  {step.id} {step.type} {step.status}")
    print("\nmessages:")
    for message in client.beta.threads.messages.list(thread_id, order="asc"):
        text = " ".join(b.text.value for b in message.content if b.type == "text")
        print(f"  {message.role}: {text}")
