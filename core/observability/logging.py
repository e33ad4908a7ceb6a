"""structlog configuration: JSON in production, console on a TTY, stdlib loggers routed through it.

Called once, first thing, by each entrypoint. Temporal's own loggers (`temporalio.*`) and
uvicorn's are stdlib loggers; they go through the same `ProcessorFormatter`, so every line a
process writes has one shape.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

from core.settings import LogFormat

_SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def _renderer(log_format: LogFormat) -> Any:
    use_console = log_format == "console" or (log_format == "auto" and sys.stderr.isatty())
    if use_console:
        return structlog.dev.ConsoleRenderer()
    return structlog.processors.JSONRenderer()


def configure_logging(level: str = "INFO", log_format: LogFormat = "auto") -> None:
    """Route structlog and stdlib logging to one stderr handler with one renderer."""
    structlog.configure(
        processors=[*_SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Caching would freeze the first configuration; tests reconfigure, so only cache in prod.
        cache_logger_on_first_use="pytest" not in sys.modules,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_SHARED_PROCESSORS, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.dict_tracebacks,
            _renderer(log_format),
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn installs its own handlers when it configures logging; make it propagate to ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
