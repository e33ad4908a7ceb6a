"""The metric catalogue and its closed label sets (dashboards and alerts are written against
these exact names)."""

from __future__ import annotations

import httpx
import openai
import pytest
from temporalio.exceptions import ApplicationError

from activities._errors import error_class
from core.context_windows import ContextWindows
from core.observability import metrics as m
from core.providers.base import MalformedResponseError


def test_worker_metric_names_as_scraped() -> None:
    assert [i.exported for i in m.WORKER_INSTRUMENTS] == [
        "runwright_runs_started_total",
        "runwright_runs_finished_total",
        "runwright_run_duration_seconds",
        "runwright_run_queue_latency_seconds",
        "runwright_requires_action_wait_seconds",
        "runwright_budget_exhausted_total",
        "runwright_model_call_duration_seconds",
        "runwright_model_call_errors_total",
        "runwright_tokens_total",
        "runwright_tool_calls_total",
        "runwright_ingest_files_total",
        "runwright_ingest_bytes_total",
        "runwright_ingest_chunks_total",
        "runwright_ingest_duration_seconds",
        "runwright_sandbox_executions_total",
        "runwright_sandbox_execution_duration_seconds",
    ]
    assert set(m.histogram_buckets()) == {
        i.name for i in m.WORKER_INSTRUMENTS if i.kind == "histogram"
    }
    assert all(list(b) == sorted(b) and b for b in m.histogram_buckets().values())


@pytest.mark.parametrize(
    ("model", "label"),
    [
        ("gpt-4o", "gpt-4o"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o"),
        ("GPT-4-32k-0613", "gpt-4-32k"),
        ("openai/gpt-4.1-nano", "gpt-4.1"),
        ("o1-mini", "o1-mini"),
        ("llama3.1:8b", "other"),
        ("", "other"),
    ],
)
def test_model_label_is_the_longest_table_key_or_other(model: str, label: str) -> None:
    assert m.model_label(model) == label


def test_configured_windows_add_labels() -> None:
    windows = ContextWindows({"Llama3": 8192, "llama3.1": 131072})
    assert m.model_label("llama3.1:8b", windows) == "llama3.1"
    assert m.model_label("llama3-70b", windows) == "llama3"
    assert m.model_label("mistral", windows) == "other"


def _status_error(status: int) -> openai.APIStatusError:
    request = httpx.Request("POST", "http://model/v1/chat/completions")
    response = httpx.Response(status, request=request)
    return openai.APIStatusError("failed", response=response, body=None)


def _request() -> httpx.Request:
    return httpx.Request("POST", "http://model/v1/chat/completions")


@pytest.mark.parametrize(
    ("exc", "label"),
    [
        (_status_error(429), "rate_limited"),
        (_status_error(500), "server_error"),
        (_status_error(503), "server_error"),
        (_status_error(409), "server_error"),
        (_status_error(400), "invalid_prompt"),
        (_status_error(422), "invalid_prompt"),
        (_status_error(408), "timeout"),
        (_status_error(401), "other"),
        (openai.APITimeoutError(request=_request()), "timeout"),
        (openai.APIConnectionError(request=_request()), "connection"),
        (MalformedResponseError("not JSON"), "malformed"),
        (openai.APIError("stream error", request=_request(), body=None), "server_error"),
        (ApplicationError("x", type="InvalidPrompt"), "invalid_prompt"),
        (ValueError("a bug"), "other"),
    ],
)
def test_error_classes_follow_the_retry_posture_map(exc: BaseException, label: str) -> None:
    assert error_class(exc) == label
