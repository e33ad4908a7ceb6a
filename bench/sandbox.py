"""code_interpreter sandbox latency: session start, warm cells, and the scientific stack's import.

`python -m bench.sandbox [--runs N]` times, on a real `BubblewrapSandbox`:
- start: a fresh session's first trivial cell (bwrap + Python + the REPL's limits), p50/p95;
- warm: a trivial cell in a live session (one round trip over the pipes), p50/p95;
- stack: a fresh session's first `import numpy, pandas, matplotlib.pyplot` (median);
against a baseline measured in the same run: starting the same interpreter without bwrap
(`python -I -c pass`, spawn to exit). The start ratio is the cost of the sandbox itself.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time

from core.sandbox import BubblewrapSandbox, SandboxLimits, SessionRef

LIMITS = SandboxLimits(wall_time_s=60)
STACK = "import numpy, pandas, matplotlib.pyplot"


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


async def _bare_python(runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(sys.executable, "-I", "-c", "pass")
        await proc.wait()
        samples.append(time.perf_counter() - started)
    return samples


async def _fresh_sessions(box: BubblewrapSandbox, runs: int, code: str) -> list[float]:
    samples = []
    for index in range(runs):
        session = SessionRef(session_id=f"bench_{code[:6].strip()}_{index}")
        started = time.perf_counter()
        result = await box.run(session, code, LIMITS)
        samples.append(time.perf_counter() - started)
        assert result.error is None, result.logs
        await box.close_session(session)
    return samples


async def _warm_cells(box: BubblewrapSandbox, runs: int) -> list[float]:
    session = SessionRef(session_id="bench_warm")
    await box.run(session, "n = 0", LIMITS)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await box.run(session, "n += 1", LIMITS)
        samples.append(time.perf_counter() - started)
    await box.close_session(session)
    return samples


async def main(runs: int = 40) -> dict[str, float]:
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as root:
        box = BubblewrapSandbox(root)
        availability = await box.available()
        if not availability.ok:
            raise SystemExit(f"sandbox unavailable: {availability.reason}")
        try:
            await _fresh_sessions(box, 3, "1")  # warm the page cache
            start = await _fresh_sessions(box, runs, "1")
            warm = await _warm_cells(box, runs * 5)
            stack = await _fresh_sessions(box, max(3, runs // 8), STACK)
        finally:
            await box.aclose()
    bare = await _bare_python(runs)
    results["start_p50_ms"], results["start_p95_ms"] = _percentiles(start)
    results["warm_p50_ms"], results["warm_p95_ms"] = _percentiles(warm)
    results["bare_p50_ms"], results["bare_p95_ms"] = _percentiles(bare)
    results["stack_p50_ms"] = statistics.median(stack) * 1000
    results["start_ratio"] = results["start_p50_ms"] / results["bare_p50_ms"]
    _print_table(results)
    return results


def _print_table(r: dict[str, float]) -> None:
    print("\n| sandbox | p50 | p95 | baseline (same run) | ratio |")
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| fresh session, first trivial cell | {r['start_p50_ms']:.1f} ms | "
        f"{r['start_p95_ms']:.1f} ms | bare `python -I -c pass` {r['bare_p50_ms']:.1f} / "
        f"{r['bare_p95_ms']:.1f} ms | {r['start_ratio']:.2f} |"
    )
    print(
        f"| warm cell in a live session | {r['warm_p50_ms']:.2f} ms | "
        f"{r['warm_p95_ms']:.2f} ms | | |"
    )
    print(f"| fresh session, first `{STACK}` | {r['stack_p50_ms']:.0f} ms | | | |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    asyncio.run(main(parser.parse_args().runs))
