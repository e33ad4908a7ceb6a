"""Runwright's metric catalogue: names, label sets, buckets, and the closed `model` label.

Two processes export these, each through one exporter (STYLE §7):

- The worker records through Temporal's meters (`workflow.metric_meter()` in workflow code, which
  records nothing while replaying, and `activity.metric_meter()`), so its metrics come out of the
  Temporal Runtime's Prometheus exporter next to the SDK's own. That exporter appends `_total` to
  counters (`counters_total_suffix=True`), so counter instrument names here leave it off;
  `exported` is the name scraped. Temporal adds `namespace`, `task_queue` and
  `workflow_type` / `activity_type` labels (and `service_name`) to every series.
- The API uses prometheus_client (`core/observability/api_metrics.py`).

This module holds data only, no metric objects: workflow code imports it (through the sandbox's
`core` passthrough) and must never touch prometheus_client. Every label value comes from a closed
set; in particular `model` is the context-window table key a model name matches (built-in table
plus `RUNWRIGHT_CONTEXT_WINDOWS`), or `other`, never the raw name a request carried.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from core.context_windows import ContextWindows

OTHER_MODEL: Final = "other"

RequiresActionOutcome = Literal["submitted", "cancelled", "expired"]
CallOutcome = Literal["ok", "error"]
ErrorClass = Literal[
    "rate_limited", "server_error", "invalid_prompt", "timeout", "connection", "malformed", "other"
]
TokenKind = Literal["prompt", "completion"]
ToolType = Literal["function", "file_search", "code_interpreter"]
IngestOutcome = Literal["completed", "failed", "cancelled"]
IngestStage = Literal["chunk", "embed"]
BudgetReason = Literal["max_prompt_tokens", "max_completion_tokens"]
ActiveRunStatus = Literal["queued", "in_progress", "requires_action", "cancelling"]

ACTIVE_STATUSES: Final[tuple[ActiveRunStatus, ...]] = (
    "queued",
    "in_progress",
    "requires_action",
    "cancelling",
)
ALL_STATUSES: Final = (
    *ACTIVE_STATUSES,
    "completed",
    "failed",
    "incomplete",
    "cancelled",
    "expired",
)
"""Every run status (SPEC §3): the `runwright_runs{status}` gauge always has all of them."""
EXPIRING_WITHIN_S: Final = 120
"""`runwright_requires_action_expiring_runs` counts runs whose deadline is this close."""


def model_label(model: str, windows: ContextWindows | None = None) -> str:
    """The closed-set `model` label: the longest context-window key `model` matches, else
    `other`. Pass the deployment's table (overrides included); None means the built-in one."""
    return (windows or ContextWindows()).key_for(model) or OTHER_MODEL


@dataclass(frozen=True)
class Instrument:
    """One worker metric, recorded through a Temporal meter."""

    name: str
    """The instrument's name, as created on the meter."""
    kind: Literal["counter", "histogram"]
    description: str
    buckets: tuple[float, ...] = ()
    """Histogram bucket bounds (seconds), passed to the Runtime as overrides."""

    @property
    def exported(self) -> str:
        """The name Prometheus scrapes (the exporter suffixes counters with `_total`)."""
        return f"{self.name}_total" if self.kind == "counter" else self.name


_FAST: Final = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_MODEL: Final = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0)
_RUN: Final = (0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
_WAIT: Final = (1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)
_INGEST: Final = (0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)

# Workflow side (RunWorkflow, workflows/_metrics.py).
RUNS_STARTED: Final = Instrument(
    "runwright_runs_started", "counter", "Runs whose workflow started (not continue-as-new)."
)
RUNS_FINISHED: Final = Instrument(
    "runwright_runs_finished", "counter", "Runs that reached a terminal status."
)
RUN_DURATION: Final = Instrument(
    "runwright_run_duration_seconds",
    "histogram",
    "Run start (its workflow's, just after creation) to terminal status.",
    _RUN,
)
RUN_QUEUE_LATENCY: Final = Instrument(
    "runwright_run_queue_latency_seconds",
    "histogram",
    "Run start (its workflow's, just after creation) to its first in_progress.",
    _FAST,
)
REQUIRES_ACTION_WAIT: Final = Instrument(
    "runwright_requires_action_wait_seconds",
    "histogram",
    "Time a run waited in requires_action, by how the wait ended.",
    _WAIT,
)
BUDGET_EXHAUSTED: Final = Instrument(
    "runwright_budget_exhausted",
    "counter",
    "Runs ended incomplete because a token budget ran out.",
)
# Activity side (activities/_metrics.py).
MODEL_CALL_DURATION: Final = Instrument(
    "runwright_model_call_duration_seconds",
    "histogram",
    "One provider call (attempt), from request to the end of its stream.",
    _MODEL,
)
MODEL_CALL_ERRORS: Final = Instrument(
    "runwright_model_call_errors", "counter", "Failed provider calls (attempts), by class."
)
TOKENS: Final = Instrument(
    "runwright_tokens", "counter", "Provider-reported tokens of successful model calls."
)
TOOL_CALLS: Final = Instrument(
    "runwright_tool_calls", "counter", "Server-side tool executions (attempts), by outcome."
)
INGEST_FILES: Final = Instrument(
    "runwright_ingest_files", "counter", "Vector-store files whose ingestion ended."
)
INGEST_BYTES: Final = Instrument(
    "runwright_ingest_bytes", "counter", "Bytes of files extracted and chunked."
)
INGEST_CHUNKS: Final = Instrument("runwright_ingest_chunks", "counter", "Chunks written.")
INGEST_DURATION: Final = Instrument(
    "runwright_ingest_duration_seconds",
    "histogram",
    "Time spent per ingestion stage of one file.",
    _INGEST,
)

SANDBOX_EXECUTIONS: Final = Instrument(
    "runwright_sandbox_executions",
    "counter",
    "code_interpreter executions (attempts) in the sandbox, by outcome (error: the code failed "
    "or hit a limit; the run goes on).",
)
SANDBOX_DURATION: Final = Instrument(
    "runwright_sandbox_execution_duration_seconds",
    "histogram",
    "Time of one code_interpreter execution, session start included.",
    _FAST,
)

WORKER_INSTRUMENTS: Final = (
    RUNS_STARTED,
    RUNS_FINISHED,
    RUN_DURATION,
    RUN_QUEUE_LATENCY,
    REQUIRES_ACTION_WAIT,
    BUDGET_EXHAUSTED,
    MODEL_CALL_DURATION,
    MODEL_CALL_ERRORS,
    TOKENS,
    TOOL_CALLS,
    INGEST_FILES,
    INGEST_BYTES,
    INGEST_CHUNKS,
    INGEST_DURATION,
    SANDBOX_EXECUTIONS,
    SANDBOX_DURATION,
)


def histogram_buckets() -> dict[str, list[float]]:
    """Bucket overrides for the worker Runtime's Prometheus exporter (its defaults top out at
    10 s, too short for runs and model calls)."""
    return {i.name: list(i.buckets) for i in WORKER_INSTRUMENTS if i.kind == "histogram"}


# API side (prometheus_client; see api_metrics.py). prometheus_client adds `_total` itself.
HTTP_REQUESTS: Final = "runwright_http_requests"
HTTP_REQUEST_DURATION: Final = "runwright_http_request_duration_seconds"
RUNS_BY_STATUS: Final = "runwright_runs"
OLDEST_ACTIVE_RUN_AGE: Final = "runwright_oldest_active_run_age_seconds"
REQUIRES_ACTION_EXPIRING: Final = "runwright_requires_action_expiring_runs"
SSE_STREAMS_ACTIVE: Final = "runwright_sse_streams_active"
UNMATCHED_ROUTE: Final = "unmatched"
"""The `route` label of requests no route matched (404s on unknown paths)."""
HTTP_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD: Final = "other"
"""The `method` label of any method outside HTTP_METHODS (clients may send anything)."""
HTTP_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
