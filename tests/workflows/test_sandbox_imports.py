"""The workflow sandbox executes a workflow's own module for every run, and nothing else of
ours: every other module is passed through (a module executed per run costs its import time on
every run; measured ~1 ms per run for two small modules)."""

from __future__ import annotations

import importlib._bootstrap_external as bootstrap
from collections import Counter
from types import ModuleType
from typing import Any

import pytest
from temporalio import workflow

from worker import sandbox_runner
from workflows.ingest import IngestFileWorkflow
from workflows.run import RunWorkflow
from workflows.webhook import DeliverWebhookWorkflow


@pytest.mark.parametrize("cls", [RunWorkflow, IngestFileWorkflow, DeliverWebhookWorkflow])
async def test_only_the_workflow_module_runs_again_per_run(
    cls: type[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    runner, defn = sandbox_runner(), workflow._Definition.must_from_class(cls)
    runner.prepare_workflow(defn)  # the sandbox's own first-time imports
    executed: Counter[str] = Counter()
    exec_module = bootstrap._LoaderBasics.exec_module

    def recording(loader: Any, module: ModuleType) -> None:
        executed[module.__name__] += 1
        exec_module(loader, module)

    monkeypatch.setattr(bootstrap._LoaderBasics, "exec_module", recording)
    for _ in range(3):
        runner.prepare_workflow(defn)  # what every new run (or cache eviction) does
    assert set(executed) == {"workflows", cls.__module__}
    assert set(executed.values()) == {3}
