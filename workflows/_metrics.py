"""RunWorkflow's metrics, through `workflow.metric_meter()` only.

That meter records nothing while the workflow replays (after a cache eviction, a worker restart,
or in the Replayer), so a run is counted once however often its history is replayed; and it adds
nothing to history. Durations are in workflow time (`workflow.now()`), so they replay alike; they
count from the run's first workflow start, carried across continue-as-new. prometheus_client
must never be imported here (DESIGN "Known traps").
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core.observability import metrics as m
    from core.observability.metrics import BudgetReason, Instrument, RequiresActionOutcome


def _seconds_since(start: float) -> float:
    return max(workflow.now().timestamp() - start, 0.0)


def _add(instrument: Instrument, attributes: dict[str, str]) -> None:
    meter = workflow.metric_meter()
    meter.create_counter(instrument.name, instrument.description).add(1, attributes)


def _observe(instrument: Instrument, seconds: float, attributes: dict[str, str]) -> None:
    meter = workflow.metric_meter()
    histogram = meter.create_histogram_float(instrument.name, instrument.description)
    histogram.record(seconds, attributes)


class RunMetrics:
    """The metrics of one run; `model` is already the closed-set label."""

    def __init__(self, model: str, began_at: float) -> None:
        self._model = model
        self.began_at = began_at
        """Unix seconds the durations count from (see RunWorkflow._began_at)."""

    def started(self) -> None:
        _add(m.RUNS_STARTED, {"model": self._model})

    def first_in_progress(self) -> None:
        _observe(m.RUN_QUEUE_LATENCY, _seconds_since(self.began_at), {"model": self._model})

    def waited_for_outputs(self, since: datetime, outcome: RequiresActionOutcome) -> None:
        attributes = {"model": self._model, "outcome": outcome}
        _observe(m.REQUIRES_ACTION_WAIT, _seconds_since(since.timestamp()), attributes)

    def budget_exhausted(self, reason: BudgetReason) -> None:
        _add(m.BUDGET_EXHAUSTED, {"reason": reason, "model": self._model})

    def finished(self, status: str) -> float:
        """Count the terminal status and observe the duration; the duration (seconds)."""
        duration = _seconds_since(self.began_at)
        attributes = {"status": status, "model": self._model}
        _add(m.RUNS_FINISHED, attributes)
        _observe(m.RUN_DURATION, duration, attributes)
        return duration
