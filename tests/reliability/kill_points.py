"""The points of a run (or a file ingestion) where test_worker_kill.py SIGKILLs the worker.

Each point names a scenario (what the run does: kill_scenarios.py) and where in it the worker
dies: `before` an activity's body, `after` it (its writes done, Temporal unaware: the most
dangerous moment), or inside it at its nth `heartbeat` (mid-stream, mid-execution, mid-ingest).
A point without an activity is killed by the test itself, from observed state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tests.reliability.crash_plan import CrashPoint, When

Scenario = Literal[
    "plain",
    "slow",
    "function",
    "client",
    "client_wait",
    "search",
    "code",
    "ingest",
    "ingest_big",
    "webhook",
]


@dataclass(frozen=True)
class KillPoint:
    """One place to kill the worker at, in one scenario."""

    name: str
    scenario: Scenario
    activity: str | None = None
    when: When = "before"
    nth: int = 1
    status: str | None = None
    heartbeat: int = 1

    def crash_point(self, point_id: str, scope: str) -> CrashPoint | None:
        """The plan entry for one run of this point (None: the test kills)."""
        if self.activity is None:
            return None
        return CrashPoint(
            id=point_id, activity=self.activity, when=self.when, scope=scope,
            nth=self.nth, status=self.status, heartbeat=self.heartbeat,
        )  # fmt: skip


# fmt: off
POINTS: tuple[KillPoint, ...] = (
    # The model call.
    KillPoint("model call: before", "plain", "generate", "before"),
    KillPoint("model call: mid-stream", "slow", "generate", "heartbeat", heartbeat=6),
    KillPoint("model call: done, before report", "plain", "generate", "after"),
    # A server-registered function tool and its step.
    KillPoint("function tool: before dispatch", "function", "dispatch_function_tool", "before"),
    KillPoint("function tool: output written, before report", "function",
              "dispatch_function_tool", "after"),
    KillPoint("complete_tool_step: before", "function", "complete_tool_step", "before"),
    KillPoint("complete_tool_step: done, before report", "function", "complete_tool_step",
              "after"),
    KillPoint("tool loop 2nd model call: before", "function", "generate", "before", nth=2),
    KillPoint("tool loop 2nd model call: done, before report", "function", "generate", "after",
              nth=2),
    # requires_action (client-side function tool).
    KillPoint("requires_action: while waiting", "client_wait"),
    KillPoint("requires_action: recorded, before report", "client", "record_run_status", "after",
              status="requires_action"),
    # The run's row, events and final message.
    KillPoint("status in_progress: before", "plain", "record_run_status", "before",
              status="in_progress"),
    KillPoint("final message + completed: before", "plain", "record_run_status", "before",
              status="completed"),
    KillPoint("final message + completed: done, before report", "plain", "record_run_status",
              "after", status="completed"),
    # Built-in tools.
    KillPoint("file_search: before", "search", "run_file_search", "before"),
    KillPoint("file_search: results written, before report", "search", "run_file_search",
              "after"),
    KillPoint("code_interpreter: mid-execution", "code", "run_code", "heartbeat", heartbeat=1),
    KillPoint("code_interpreter: outputs written, before report", "code", "run_code", "after"),
    # Ingestion of a vector-store file.
    KillPoint("ingest chunk_file: before", "ingest", "chunk_file", "before"),
    KillPoint("ingest chunk_file: done, before report", "ingest", "chunk_file", "after"),
    KillPoint("ingest embed_file: mid (1st batch heartbeat)", "ingest_big", "embed_file",
              "heartbeat", heartbeat=1),
    KillPoint("ingest embed_file: done, before report", "ingest", "embed_file", "after"),
    KillPoint("ingest finish_ingest: before", "ingest", "finish_ingest", "before"),
    KillPoint("ingest finish_ingest: done, before report", "ingest", "finish_ingest", "after"),
    # A run status webhook (delivered again on retry, under the same webhook-id).
    KillPoint("webhook: delivered, before report", "webhook", "deliver_webhook", "after"),
)
# fmt: on
