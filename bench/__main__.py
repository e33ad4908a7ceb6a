"""`make bench`: run every benchmark and write one markdown results table (bench/results.md).

Each benchmark measures its own baseline in the same run (machines here are shared and noisy),
so the ratios are what to compare across runs, not the absolute times. With `--soak` the
reliability suite runs in its full profile too and its tables (faults, bad input)
follow the benchmarks in the same file.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bench import api_latency, context_build, load, retrieval, run_latency, sandbox
from bench.report import Row, write_results
from bench.soak import run_soak


async def benchmarks(load_runs: int, load_streams: int) -> list[Row]:
    """Every benchmark's row(s), in the order of the issues that asked for them."""
    rows: list[Row] = []
    latency = await run_latency.main(runs=50)
    rows.append(
        (
            "single-turn run, create -> workflow closed (p50 / p95)",
            f"{latency['run_p50_ms']:.1f} / {latency['run_p95_ms']:.1f} ms",
            f"bare 3-activity workflow {latency['bare_p50_ms']:.1f} / "
            f"{latency['bare_p95_ms']:.1f} ms",
            f"{latency['ratio']:.2f}",
        )
    )
    built = await context_build.main()
    rows.append(
        (
            "context build, 8k window, threads of 1k / 10k / 100k messages (median)",
            f"{built['build_1000_ms']:.1f} / {built['build_10000_ms']:.1f} / "
            f"{built['build_100000_ms']:.1f} ms",
            f"1k-message thread {built['build_1000_ms']:.1f} ms",
            f"{built['ratio_10000']:.2f} / {built['ratio_100000']:.2f}",
        )
    )
    api = await api_latency.main()
    rows.append(
        (
            "HTTP requests/s: run retrieval / message list",
            f"{api['run_rps']:.0f} / {api['list_rps']:.0f}",
            f"bare FastAPI route {api['bare_rps']:.0f}",
            f"{api['run_rps'] / api['bare_rps']:.2f} / {api['list_rps'] / api['bare_rps']:.2f}",
        )
    )
    rows.append(
        (
            "model first token -> client's first message delta (p50)",
            f"{api['first_delta_p50_ms']:.1f} ms",
            f"model straight to the SDK {api['direct_first_chunk_p50_ms']:.1f} ms",
            f"{api['first_delta_p50_ms'] / api['direct_first_chunk_p50_ms']:.1f}",
        )
    )
    rows += _retrieval_rows(await retrieval.main())
    boxed = await sandbox.main()
    rows.append(
        (
            "code_interpreter sandbox start, fresh session + first cell (p50 / p95)",
            f"{boxed['start_p50_ms']:.1f} / {boxed['start_p95_ms']:.1f} ms "
            f"(warm cell {boxed['warm_p50_ms']:.2f} ms)",
            f"python -I -c pass {boxed['bare_p50_ms']:.1f} / {boxed['bare_p95_ms']:.1f} ms",
            f"{boxed['start_ratio']:.2f}",
        )
    )
    rows += _load_rows(await load.main(load_runs, load_streams), load_streams)
    return rows


def _load_rows(found: dict[str, float], streams: int) -> list[Row]:
    return [
        (
            f"load: {found['runwright_runs']:.0f} concurrent runs ({streams} streamed over SSE) "
            "on `runwright dev`, instant model: throughput, latency p50 / p95 / p99",
            f"{found['runwright_runs_per_s']:.1f} runs/s, {found['runwright_p50_ms']:.0f} / "
            f"{found['runwright_p95_ms']:.0f} / {found['runwright_p99_ms']:.0f} ms, "
            f"{found['runwright_errors']:.0f} errors",
            f"bare workflow, same activity count: {found['bare_runs_per_s']:.1f} wf/s, "
            f"{found['bare_p50_ms']:.0f} / {found['bare_p95_ms']:.0f} / "
            f"{found['bare_p99_ms']:.0f} ms, {found['bare_errors']:.0f} errors",
            f"{found['ratio']:.2f} (target >= 0.8; {found['ratio_bound']:.2f} if Runwright's own "
            f"work cost no CPU, {found['runwright_cores_busy']:.2f} / "
            f"{found['bare_cores_busy']:.2f} cores busy)",
        )
    ]


def _retrieval_rows(found: dict[str, float]) -> list[Row]:
    rows = [
        (
            "file_search ingestion on SQLite, keyword-only / hybrid (MB/s, chunks/s)",
            f"{found['ingest_keyword_mb_s']:.2f} / {found['ingest_hybrid_mb_s']:.2f} MB/s, "
            f"{found['ingest_keyword_chunks_s']:.0f} / {found['ingest_hybrid_chunks_s']:.0f} "
            "chunks/s",
            "keyword-only ingestion",
            f"{found['ingest_hybrid_mb_s'] / found['ingest_keyword_mb_s']:.2f}",
        )
    ]
    for mode in ("keyword", "hybrid"):
        rows.append(
            (
                f"file_search query p50 (p95), {mode}, 1k / 10k / 100k chunks",
                " / ".join(
                    f"{found[f'{mode}_{n}_p50_ms']:.1f} ({found[f'{mode}_{n}_p95_ms']:.1f}) ms"
                    for n in (1000, 10000, 100000)
                ),
                f"1k chunks {found[f'{mode}_1000_p50_ms']:.1f} ms",
                f"{found[f'{mode}_ratio_10000']:.1f} / {found[f'{mode}_ratio_100000']:.1f} "
                f"(cost ~ n^{found[f'{mode}_growth_exponent']:.2f})",
            )
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--out", type=Path, default=Path("bench/results.md"))
    parser.add_argument("--soak", action="store_true", help="also run make soak's full profile")
    parser.add_argument("--load-runs", type=int, default=500)
    parser.add_argument("--load-streams", type=int, default=100)
    args = parser.parse_args()
    rows = asyncio.run(benchmarks(args.load_runs, args.load_streams))
    code, sections = run_soak() if args.soak else (0, [])
    print(write_results(args.out, rows, sections))
    print(f"written to {args.out}")
    return code


if __name__ == "__main__":
    sys.exit(main())
