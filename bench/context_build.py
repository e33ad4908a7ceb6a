"""Context building for threads of 1,000 / 10,000 / 100,000 messages, for a fixed window.

`python -m bench.context_build [--repetitions N]` seeds one SQLite store directly (bulk
inserts, all three threads in the same table), then times `core.context.load_context` for the
newest turn of each thread on `gpt-4` (8,192-token window, 6,144 for the prompt) and prints the
medians and their ratios to the 1,000-message thread. Reading stops once the window is full, so
the ratios should stay near 1: cost grows with the window, not with the thread.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from core.context import ContextLimits, load_context
from core.context_windows import ContextWindows
from core.objects.message import Message, Text, TextContentBlock
from core.objects.run import Run
from core.store import Store, open_store, tables

SIZES = (1_000, 10_000, 100_000)
MODEL = "gpt-4"
PROJECT = "proj_bench"
WORDS = ("budget", "window", "thread", "token", "message", "run", "model", "context")
BATCH = 5_000


def _doc(thread_id: str, index: int) -> dict[str, Any]:
    """One message's stored JSON: 15 to 60 words, alternating user and assistant."""
    words = " ".join(WORDS[(index + k) % len(WORDS)] for k in range(15 + index % 46))
    message = Message(
        id=f"msg_{thread_id}_{index:06d}",
        created_at=1_700_000_000 + index,
        thread_id=thread_id,
        status="completed",
        role="user" if index % 2 == 0 else "assistant",
        content=[TextContentBlock(text=Text(value=f"{index}: {words}", annotations=[]))],
    )
    return message.model_dump(mode="json")


async def seed(store: Store, thread_id: str, count: int) -> None:
    """Bulk-insert `count` messages (the repository's one-by-one upserts would dominate)."""
    async with store.engine.begin() as conn:
        for start in range(0, count, BATCH):
            rows = []
            for index in range(start, min(start + BATCH, count)):
                doc = _doc(thread_id, index)
                rows.append({
                    "id": doc["id"], "project_id": PROJECT, "created_at": doc["created_at"],
                    "thread_id": thread_id, "run_id": None, "role": doc["role"],
                    "status": "completed", "data": doc,
                })  # fmt: skip
            await conn.execute(sa.insert(tables.messages), rows)


def _run(thread_id: str) -> Run:
    return Run(
        id=f"run_{thread_id}", created_at=1_700_000_000, thread_id=thread_id,
        assistant_id="asst_bench", status="in_progress", model=MODEL,
        instructions="You are a helpful assistant.",
    )  # fmt: skip


async def time_build(store: Store, thread_id: str, repetitions: int) -> tuple[float, int]:
    """Median seconds of one context build, and how many messages it kept."""
    window = ContextWindows().for_model(MODEL)
    limits = ContextLimits(context_window=window)
    run, history = _run(thread_id), store.messages.history(PROJECT, thread_id)
    samples, kept = [], 0
    for _ in range(repetitions + 1):  # the first build warms the tokenizer and the pool
        started = time.perf_counter()
        context = await load_context(run, history, [], limits)
        samples.append(time.perf_counter() - started)
        kept = len(context.kept_message_ids)
    return statistics.median(samples[1:]), kept


async def main(repetitions: int = 15) -> dict[str, float]:
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = await open_store(f"sqlite+aiosqlite:///{tmp}/bench.db", blob_dir=Path(tmp))
        try:
            for size in SIZES:
                await seed(store, f"thread_{size}", size)
            for size in SIZES:
                median, kept = await time_build(store, f"thread_{size}", repetitions)
                results[f"build_{size}_ms"] = median * 1000
                print(f"{size:>7,} messages: {median * 1000:7.2f} ms per build ({kept} kept)")
        finally:
            await store.close()
    base = results[f"build_{SIZES[0]}_ms"]
    for size in SIZES[1:]:
        results[f"ratio_{size}"] = results[f"build_{size}_ms"] / base
        print(f"ratio {size:,} / {SIZES[0]:,}: {results[f'ratio_{size}']:.2f}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--repetitions", type=int, default=15)
    asyncio.run(main(parser.parse_args().repetitions))
