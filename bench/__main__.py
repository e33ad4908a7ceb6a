"""`make bench`: run every benchmark and print a markdown table of figures and ratios.

Each benchmark measures its own baseline in the same run (machines here are shared and noisy),
so the ratios are what to compare across runs, not the absolute times.
"""

from __future__ import annotations

import asyncio

from bench import api_latency, context_build, retrieval, run_latency, sandbox


async def main() -> None:
    rows: list[tuple[str, str, str, str]] = []
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
    print("\n| benchmark | result | baseline (same run) | ratio |\n| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _retrieval_rows(found: dict[str, float]) -> list[tuple[str, str, str, str]]:
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


if __name__ == "__main__":
    asyncio.run(main())
