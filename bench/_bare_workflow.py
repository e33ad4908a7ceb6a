"""The baseline of bench/run_latency.py: a workflow of three trivial activities.

In its own module with nothing but temporalio imports, so the workflow sandbox validates it the
way it validates RunWorkflow (same runner, same per-run re-import cost).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow


@activity.defn(name="bench_noop")
async def bench_noop(step: int) -> int:
    return step


@workflow.defn(name="BenchBareWorkflow")
class BenchBareWorkflow:
    """The ceiling: three sequential activities and nothing else."""

    @workflow.run
    async def run(self) -> None:
        for step in range(3):
            await workflow.execute_activity(
                bench_noop, step, start_to_close_timeout=timedelta(seconds=10)
            )
