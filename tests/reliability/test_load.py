"""Load, shortened for `make test`: 60 runs created at once against `runwright dev`, 12 of them
streamed, and as many bare Temporal workflows on its server (bench/load.py, which `make bench`
runs at 500 runs and 100 streams; so does the `full` profile here).

Asserted: every run completes, with no error and, audited from the store afterwards, no
duplicated or lost step, message or event. Printed, not asserted: throughput, latencies and the
ratio to the bare workflow. How fast is for the benchmark to measure, on a machine it has to
itself; a timed assertion on a shared one would only measure the neighbours.
"""

from __future__ import annotations

from temporalio.client import Client

from bench import load
from core.store import open_store
from tests.fixtures.dev_stack import DevStack
from tests.reliability.audit import RunAudit, audit_run
from tests.reliability.ledger import LEDGER, runs_per_fault

RUNS = runs_per_fault(short=60, full=500)
STREAMS = RUNS // 5
PROJECT = "default"
"""The one project of a `runwright dev` started without API keys."""


async def test_concurrent_runs_and_streams_all_complete_intact() -> None:
    audits: list[RunAudit] = []

    async def audit(stack: DevStack, temporal: Client, run_ids: list[str]) -> None:
        data = stack.data_dir
        url = f"sqlite+aiosqlite:///{data / 'runwright.db'}"
        async with await open_store(url, blob_dir=data / "files") as store:
            audits.extend([await audit_run(store, PROJECT, r, client=temporal) for r in run_ids])

    figures = await load.main(RUNS, STREAMS, inspect=audit)
    LEDGER.record(f"load: {RUNS} runs at once, {STREAMS} streamed", audits)

    assert figures["runwright_runs"] == RUNS and figures["bare_runs"] == RUNS
    assert figures["runwright_errors"] == 0 and figures["bare_errors"] == 0
    assert figures["runwright_cores_busy"] > 0 and figures["bare_cores_busy"] > 0
    assert figures["ratio_bound"] > 0
    assert len(audits) == RUNS
    assert [a.problems for a in audits if not a.correct] == []


def test_ratio_bound_swaps_the_ceilings_client_for_ours_and_adds_the_model() -> None:
    figures = {
        "bare_cpu_ms_per_run_temporal": 25.0,
        "bare_cpu_ms_per_run_bare_worker": 13.0,
        "bare_cpu_ms_per_run_client": 2.0,
        "runwright_cpu_ms_per_run_runwright_dev": 60.0,
        "runwright_cpu_ms_per_run_temporal": 45.0,
        "runwright_cpu_ms_per_run_client": 8.0,
        "runwright_cpu_ms_per_run_model": 4.0,
    }
    assert load.ratio_bound(figures) == 40.0 / 50.0
