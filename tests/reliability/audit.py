"""What a fault left behind: one audit per run, read from the store and Temporal.

Every fault test ends by auditing its runs. A run is *correct* when it reached the expected
terminal status, its workflow is closed, and it has no duplicates and no losses:

- duplicates: assistant messages beyond one per `message_creation` step, messages no step points
  at, a step or tool call id written twice, more than one terminal event in the run's log;
- losses: a step pointing at a message that is not there, a completed tool call without its output
  (a function output or an expected code_interpreter / file_search result), a run still
  non-terminal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from temporalio.client import Client, WorkflowExecutionStatus

from core.objects.run_step import MessageCreationStepDetails, RunStep, ToolCallsStepDetails
from core.store import Store
from core.store.pagination import ListParams

TERMINAL = {"completed", "failed", "cancelled", "expired", "incomplete"}
TERMINAL_EVENTS = {f"thread.run.{status}" for status in TERMINAL}


@dataclass
class RunAudit:
    """The verdict on one run."""

    run_id: str
    status: str
    expected: str
    duplicates: int = 0
    losses: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def correct(self) -> bool:
        return self.status == self.expected and not self.problems

    def dup(self, problem: str) -> None:
        self.duplicates += 1
        self.problems.append(f"duplicate: {problem}")

    def lost(self, problem: str) -> None:
        self.losses += 1
        self.problems.append(f"loss: {problem}")

    def wrong(self, problem: str) -> None:
        self.problems.append(problem)


async def audit_run(
    store: Store,
    project: str,
    run_id: str,
    *,
    expected: str = "completed",
    client: Client | None = None,
    tool_outputs: Mapping[str, str] | None = None,
) -> RunAudit:
    """Audit one run; `tool_outputs` maps a tool call's function name or type (`code_interpreter`,
    `file_search`) to text its output must contain. With `client`, the workflow must be closed."""
    run = await store.runs.get(project, run_id)
    audit = RunAudit(run_id, run.status, expected)
    if run.status != expected:
        audit.wrong(f"status {run.status!r}, expected {expected!r} (last_error {run.last_error})")
    if run.status not in TERMINAL:
        audit.lost(f"run left non-terminal in {run.status!r}")
    steps = await store.run_steps.for_run(project, run_id)
    await _audit_messages(store, project, run.thread_id, steps, audit)
    _audit_tool_calls(steps, tool_outputs or {}, audit)
    await _audit_events(store, run_id, audit)
    if client is not None:
        described = await client.get_workflow_handle(run_id).describe()
        if described.status == WorkflowExecutionStatus.RUNNING:
            audit.lost("workflow still running")
    return audit


async def _audit_messages(
    store: Store, project: str, thread_id: str, steps: list[RunStep], audit: RunAudit
) -> None:
    page = await store.messages.list_for_thread(
        project, thread_id, ListParams(limit=100, order="asc"), run_id=audit.run_id
    )
    messages = {m.id: m for m in page.data if m.role == "assistant"}
    pointed = [
        s.step_details.message_creation.message_id
        for s in steps
        if isinstance(s.step_details, MessageCreationStepDetails)
    ]
    for message_id, count in Counter(pointed).items():
        if count > 1:
            audit.dup(f"{count} steps create message {message_id}")
        if message_id not in messages:
            audit.lost(f"step's message {message_id} missing")
    for message_id in messages.keys() - set(pointed):
        audit.dup(f"message {message_id} created by no step")
    for step_id, count in Counter(s.id for s in steps).items():
        if count > 1:
            audit.dup(f"step {step_id} stored {count} times")


def _audit_tool_calls(steps: list[RunStep], expected: Mapping[str, str], audit: RunAudit) -> None:
    calls = [
        call
        for step in steps
        if isinstance(step.step_details, ToolCallsStepDetails) and step.status == "completed"
        for call in step.step_details.tool_calls
    ]
    for call_id, count in Counter(call.id for call in calls).items():
        if count > 1:
            audit.dup(f"tool call {call_id} stored {count} times")
    for call in calls:
        name, output = _name_and_output(call)
        if call.type == "function" and output is None:
            audit.lost(f"function call {call.id} ({name}) has no output")
        wanted = expected.get(name)
        if wanted is not None and wanted not in (output or ""):
            audit.lost(f"{name} call {call.id} output {output!r} lacks {wanted!r}")


def _name_and_output(call: object) -> tuple[str, str | None]:
    kind = getattr(call, "type", "")
    if kind == "function":
        function = call.function  # type: ignore[attr-defined]
        return function.name, function.output
    if kind == "code_interpreter":
        outputs = call.code_interpreter.outputs  # type: ignore[attr-defined]
        logs = [getattr(o, "logs", "") for o in outputs]
        return "code_interpreter", "\n".join(logs) if outputs else None
    results = getattr(call.file_search, "results", None)  # type: ignore[attr-defined]
    return "file_search", repr(results) if results else None


async def _audit_events(store: Store, run_id: str, audit: RunAudit) -> None:
    events = await store.run_events.read(run_id, 0, limit=100_000)
    terminal = [e.event for e in events if e.event in TERMINAL_EVENTS]
    if len(terminal) > 1:
        audit.dup(f"{len(terminal)} terminal events: {terminal}")
    created = Counter(
        e.data.get("id") for e in events if e.event == "thread.message.created" and e.data
    )
    for message_id, count in created.items():
        if count > 1:
            audit.dup(f"thread.message.created sent {count} times for {message_id}")
