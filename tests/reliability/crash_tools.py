"""Server-side function tools of the crash worker (RUNWRIGHT_TOOLS_MODULE).

`crash_lookup` leaves a trace of every call in RUNWRIGHT_TEST_CRASH_TOOL_LOG, so a fault test can
tell a tool that ran twice (a duplicated side effect) from one whose output was only re-read.
"""

from __future__ import annotations

import os
from typing import Any

from core.tools import ToolRegistry

TOOL_LOG_ENV = "RUNWRIGHT_TEST_CRASH_TOOL_LOG"
LOOKUP = "crash_lookup"
DESCRIPTION = "Look a key up (a server-side tool of the crash tests)."
PARAMETERS: dict[str, Any] = {"type": "object", "properties": {"key": {"type": "string"}}}
LOOKUP_DEFINITION = {"name": LOOKUP, "description": DESCRIPTION, "parameters": PARAMETERS}
"""The function as an assistant declares it."""


def lookup_output(key: str) -> str:
    """What `crash_lookup` answers for `key`."""
    return f"lookup:{key}:42"


def register_tools(registry: ToolRegistry) -> None:
    # Read when the worker loads its tools, i.e. at its entrypoint.
    trace = os.environ.get(TOOL_LOG_ENV)

    @registry.tool(name=LOOKUP, description=DESCRIPTION, parameters=PARAMETERS)
    def crash_lookup(key: str) -> str:
        if trace:
            with open(trace, "a") as calls:
                calls.write(key + "\n")
        return lookup_output(key)
