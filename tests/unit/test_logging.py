"""One log shape per process: structlog and stdlib (Temporal's, uvicorn's) lines render alike."""

from __future__ import annotations

import json
import logging

import pytest
import structlog

from core.observability.logging import configure_logging


@pytest.fixture(autouse=True)
def _restore_logging() -> object:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield None
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def _json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_json_lines_for_structlog_and_stdlib(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json")
    structlog.get_logger("runwright.test").info("model_called", prompt_tokens=12)
    logging.getLogger("temporalio.worker").warning(
        "worker %s", "started", extra={"task_queue": "q"}
    )
    lines = _json_lines(capsys.readouterr().err)
    assert lines[0]["event"] == "model_called" and lines[0]["prompt_tokens"] == 12
    assert lines[0]["level"] == "info" and "timestamp" in lines[0]
    assert lines[1]["event"] == "worker started"
    assert lines[1]["logger"] == "temporalio.worker" and lines[1]["task_queue"] == "q"


def test_context_variables_are_bound(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json")
    structlog.contextvars.bind_contextvars(request_id="req_1")
    try:
        logging.getLogger("uvicorn.access").info("GET /health")
    finally:
        structlog.contextvars.clear_contextvars()
    (line,) = _json_lines(capsys.readouterr().err)
    assert line["request_id"] == "req_1"


def test_level_filters_and_console_renders(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("WARNING", "console")
    structlog.get_logger().info("hidden")
    structlog.get_logger().warning("shown", key="value")
    err = capsys.readouterr().err
    assert "hidden" not in err
    assert "shown" in err and "key" in err and not err.lstrip().startswith("{")
