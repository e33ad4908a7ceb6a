"""Shared pieces of the deploy tests: paths, the Prometheus binaries, the metric catalogue and
the RUNWRIGHT_* variable names Settings reads."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices

from core.observability import metrics as m
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PROMETHEUS_DIR = DEPLOY / "prometheus"

# The Temporal SDK's own metrics as the worker's Runtime exports them (temporalio 1.35,
# counters_total_suffix=True, durations_as_seconds=True: histograms in seconds but WITHOUT a
# `_seconds` suffix). Scraped from a running worker, except the two failure counters, which
# only appear after a non-benign failure (names from sdk-core's worker metrics).
TEMPORAL_METRICS = frozenset(
    {
        "temporal_activity_execution_latency",
        "temporal_activity_schedule_to_start_latency",
        "temporal_activity_succeed_endtoend_latency",
        "temporal_activity_task_received_total",
        "temporal_long_request_latency",
        "temporal_long_request_total",
        "temporal_num_pollers",
        "temporal_request_latency",
        "temporal_request_total",
        "temporal_sticky_cache_hit_total",
        "temporal_sticky_cache_size",
        "temporal_worker_start_total",
        "temporal_worker_task_slots_available",
        "temporal_worker_task_slots_used",
        "temporal_workflow_completed_total",
        "temporal_workflow_endtoend_latency",
        "temporal_workflow_task_execution_latency",
        "temporal_workflow_task_queue_poll_succeed_total",
        "temporal_workflow_task_replay_latency",
        "temporal_workflow_task_schedule_to_start_latency",
        "temporal_activity_execution_failed_total",
        "temporal_workflow_task_execution_failed_total",
    }
)
_TEMPORAL_HISTOGRAMS = {name for name in TEMPORAL_METRICS if name.endswith("_latency")}


def _histogram_series(name: str) -> set[str]:
    return {f"{name}_bucket", f"{name}_sum", f"{name}_count"}


def runwright_metrics() -> set[str]:
    """Every series name Runwright exports (worker and API), from the metric catalogue."""
    names: set[str] = set()
    for instrument in m.WORKER_INSTRUMENTS:
        if instrument.kind == "histogram":
            names |= _histogram_series(instrument.exported)
        else:
            names.add(instrument.exported)
    names.add(f"{m.HTTP_REQUESTS}_total")
    names |= _histogram_series(m.HTTP_REQUEST_DURATION)
    names |= {m.RUNS_BY_STATUS, m.OLDEST_ACTIVE_RUN_AGE, m.REQUIRES_ACTION_EXPIRING}
    names.add(m.SSE_STREAMS_ACTIVE)
    return names


def known_metrics() -> set[str]:
    """Series names a rule or a dashboard may use."""
    temporal = set(TEMPORAL_METRICS - _TEMPORAL_HISTOGRAMS)
    for name in _TEMPORAL_HISTOGRAMS:
        temporal |= _histogram_series(name)
    return runwright_metrics() | temporal | {"up"}


_METRIC_TOKEN = re.compile(r"\b((?:runwright|temporal)_[a-z0-9_]+|up)\b(?!\s*\()")


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression (ours, Temporal's, `up`); label values skipped."""
    without_strings = re.sub(r'"[^"]*"', '""', expr)
    return set(_METRIC_TOKEN.findall(without_strings))


def settings_env_names() -> set[str]:
    """The environment variable names Settings reads."""
    prefix = Settings.model_config.get("env_prefix", "")
    names: set[str] = set()
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names |= {choice for choice in alias.choices if isinstance(choice, str)}
        else:
            names.add(f"{prefix}{field_name}".upper())
    return names


RUNWRIGHT_VARIABLE = re.compile(r"\bRUNWRIGHT_[A-Z0-9_]*[A-Z0-9]\b")


def setting_default(field_name: str) -> Any:
    return Settings.model_fields[field_name].default


def binary(name: str) -> str:
    """Path of `promtool` / `prometheus`; a missing one fails the test (never a skip)."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"`{name}` is not on PATH. Run scripts/ensure-prometheus.sh (installs Debian's "
            "`prometheus` package; `make test` runs it first)."
        )
    return path


def promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run promtool in deploy/prometheus (relative rule_files resolve there)."""
    return subprocess.run(
        [binary("promtool"), *map(str, args)],
        cwd=PROMETHEUS_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def load_yaml_documents(path: Path) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
