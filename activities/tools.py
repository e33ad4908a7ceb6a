"""ToolActivities: server-registered function tools, and completing a tool_calls step."""

from __future__ import annotations

import json

from temporalio import activity

from activities import _metrics
from activities._run_patch import wire_usage
from activities.types import CompleteToolStepInput, DispatchToolInput
from core.objects.run_step import FunctionToolCall, RunStep, ToolCallsStepDetails
from core.store import Store
from core.tools import ToolError, ToolRegistry


def _with_outputs(step: RunStep, outputs: dict[str, str]) -> RunStep:
    details = step.step_details
    assert isinstance(details, ToolCallsStepDetails)
    calls = [
        call.model_copy(
            update={"function": call.function.model_copy(update={"output": outputs[call.id]})}
        )
        if isinstance(call, FunctionToolCall) and call.id in outputs
        else call
        for call in details.tool_calls
    ]
    return step.model_copy(update={"step_details": ToolCallsStepDetails(tool_calls=calls)})


class ToolActivities:
    """Dispatches server-side tools (retried by Temporal) and records tool outputs."""

    def __init__(self, store: Store, tools: ToolRegistry) -> None:
        self._store = store
        self._tools = tools

    @activity.defn(name="dispatch_function_tool")
    async def dispatch_function_tool(self, request: DispatchToolInput) -> None:
        """Run the registered callable; its output (or its error) goes into the step."""
        step = await self._store.run_steps.get(request.run.project_id, request.step_id)
        call = next(
            c
            for c in getattr(step.step_details, "tool_calls", [])
            if isinstance(c, FunctionToolCall) and c.id == request.call_id
        )
        if call.function.output is not None:
            return  # a retry after the output was written
        try:
            output = await self._tools.call(call.function.name, call.function.arguments)
        except ToolError as exc:
            # The model sees the error and may try again; the run goes on.
            _metrics.tool_called("function", "error")
            output = json.dumps({"error": str(exc)})
        except Exception:
            _metrics.tool_called("function", "error")
            raise
        else:
            _metrics.tool_called("function", "ok")
        await self._store.run_steps.upsert(
            request.run.project_id, _with_outputs(step, {call.id: output})
        )

    @activity.defn(name="complete_tool_step")
    async def complete_tool_step(self, request: CompleteToolStepInput) -> None:
        """Write submitted outputs, complete the step and append `thread.run.step.completed`."""
        ref = request.run
        step = await self._store.run_steps.get(ref.project_id, request.step_id)
        outputs = {o.tool_call_id: o.output for o in request.outputs}
        done = _with_outputs(step, outputs).model_copy(
            update={
                "status": "completed",
                "completed_at": request.at,
                "usage": wire_usage(request.usage),
            }
        )
        await self._store.run_steps.upsert(ref.project_id, done)
        await self._store.run_events.append(
            ref.run_id,
            "thread.run.step.completed",
            done.model_dump(mode="json"),
            dedupe_key=f"step.{done.id}.completed",
        )
