"""Activity-side metrics, through `activity.metric_meter()` (the worker Runtime's exporter).

Activities count attempts: a retried call is counted once per attempt, which is what latency and
error-rate panels want. The meter adds `activity_type`, `task_queue` and `namespace` labels.
"""

from __future__ import annotations

from temporalio import activity

from core.observability import metrics as m
from core.observability.metrics import (
    CallOutcome,
    ErrorClass,
    IngestOutcome,
    IngestStage,
    Instrument,
    ToolType,
)
from workflows.types import TokenUsage


def _count(instrument: Instrument, value: int, attributes: dict[str, str] | None = None) -> None:
    if value < 0:
        return
    counter = activity.metric_meter().create_counter(instrument.name, instrument.description)
    counter.add(value, attributes)


def _observe(instrument: Instrument, seconds: float, attributes: dict[str, str]) -> None:
    meter = activity.metric_meter()
    histogram = meter.create_histogram_float(instrument.name, instrument.description)
    histogram.record(max(seconds, 0.0), attributes)


def model_called(model: str, seconds: float, usage: TokenUsage) -> None:
    """A provider call that answered; `model` is the closed-set label."""
    _observe(m.MODEL_CALL_DURATION, seconds, {"model": model, "outcome": "ok"})
    _count(m.TOKENS, usage.prompt_tokens, {"model": model, "kind": "prompt"})
    _count(m.TOKENS, usage.completion_tokens, {"model": model, "kind": "completion"})


def model_call_failed(model: str, seconds: float, error_class: ErrorClass) -> None:
    _observe(m.MODEL_CALL_DURATION, seconds, {"model": model, "outcome": "error"})
    _count(m.MODEL_CALL_ERRORS, 1, {"model": model, "error_class": error_class})


def tool_called(tool_type: ToolType, outcome: CallOutcome) -> None:
    _count(m.TOOL_CALLS, 1, {"type": tool_type, "outcome": outcome})


def ingest_stage(stage: IngestStage, seconds: float) -> None:
    _observe(m.INGEST_DURATION, seconds, {"stage": stage})


def ingest_chunked(data_bytes: int, chunks: int) -> None:
    _count(m.INGEST_BYTES, data_bytes)
    _count(m.INGEST_CHUNKS, chunks)


def ingest_finished(outcome: IngestOutcome) -> None:
    _count(m.INGEST_FILES, 1, {"outcome": outcome})


def sandbox_executed(seconds: float, failed: bool) -> None:
    """One code_interpreter execution; `failed`: the code raised or hit a limit."""
    outcome: CallOutcome = "error" if failed else "ok"
    _count(m.SANDBOX_EXECUTIONS, 1, {"outcome": outcome})
    _observe(m.SANDBOX_DURATION, seconds, {"outcome": outcome})
    tool_called("code_interpreter", outcome)
