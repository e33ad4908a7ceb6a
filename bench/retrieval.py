"""file_search retrieval on SQLite: ingestion throughput, and query latency by store size.

`python -m bench.retrieval [--quick]` measures, in a temporary directory:

- ingestion: a synthetic text corpus (8 MB; 1 MB with `--quick`) through `extract_text`,
  `chunk_text` (800/400 tokens), `store.chunks.replace_file` and, for the hybrid path, local
  hashed bag-of-words embeddings (the scripted model server's, cached per word) and
  `set_embeddings`; MB/s and chunks/s of each path.
- queries: p50/p95 of `Retriever.search` (keyword-only and hybrid, max_num_results=20) over ONE
  vector store grown to 1,000, 10,000 and 100,000 chunks of ~200 words (bulk-inserted; 1k / 5k /
  20k with `--quick`), with each p50's ratio to the 1k p50.

The embeddings are local and nearly free, so the hybrid figures are retrieval cost alone: with a
real embeddings model, add one embeddings request per search and per ingested batch.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import math
import random
import struct
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.run_latency import percentile
from core.ingest import extract_text
from core.ingest.chunking import chunk_text
from core.objects.file_object import FileObject
from core.objects.vector_store_file import VectorStoreFile
from core.retrieval import Retriever
from core.store import Store, open_store, tables
from core.store.chunks import ChunkRecord

PROJECT = "proj_bench"
STORE = "vs_bench"
DIMENSIONS = 256
SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 5_000, 20_000)
CORPUS_MB, QUICK_CORPUS_MB = 8, 1
QUERIES, MAX_RESULTS = 30, 20
MODES = ("keyword", "hybrid")
CHUNKS_PER_FILE = 100
STOP = "the of and to in a is that for it as with was on by at from".split()  # noqa: SIM905


class Vocabulary:
    """Deterministic pronounceable words with Zipf frequencies, English stop words on top."""

    def __init__(self, seed: int = 7, size: int = 20_000) -> None:
        self.rng = random.Random(seed)
        syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"] + ["ar", "en", "ol"]
        words: list[str] = list(STOP)
        seen = set(words)
        while len(words) < size:
            word = "".join(self.rng.choices(syllables, k=self.rng.randint(2, 4)))
            if word not in seen:
                seen.add(word)
                words.append(word)
        self.words = words
        self.cum = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(size)))

    def text(self, words: int) -> str:
        picked = self.rng.choices(self.words, cum_weights=self.cum, k=words)
        return " ".join(picked).capitalize() + "."

    def question(self) -> str:
        """Four mid-frequency words (ranks 100..5,000) wrapped in stop words."""
        a, b, c, d = (self.words[self.rng.randint(100, 5_000)] for _ in range(4))
        return f"What does the {a} of {b} say about {c} and {d}?"


class HashedEmbedder:
    """`tests/fakes/model_embeddings.embed` (signed hashed bag of words), cached per word."""

    model = "hashed-bow"

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[int, float]] = {}

    def bucket(self, word: str) -> tuple[int, float]:
        found = self._buckets.get(word)
        if found is None:
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            sign = 1.0 if digest[4] & 1 else -1.0
            found = self._buckets[word] = (int.from_bytes(digest[:4], "little") % DIMENSIONS, sign)
        return found

    def vector(self, text: str) -> list[float]:
        vector = [0.0] * DIMENSIONS
        for word in text.lower().replace(".", " ").replace("?", " ").split():
            index, sign = self.bucket(word)
            vector[index] += sign
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    async def embed(self, texts: list[str]) -> list[list[float]]:
        return [self.vector(text) for text in texts]

    async def close(self) -> None:
        return None


async def ingest(
    store: Store, vocab: Vocabulary, mb: int, embedder: HashedEmbedder | None
) -> dict[str, float]:
    """MB/s and chunks/s of extract -> chunk -> store (-> embed -> store vectors)."""
    files = [vocab.text(180_000).encode() for _ in range(mb)]  # ~1 MB each
    total_bytes, chunks = sum(map(len, files)), 0
    started = time.perf_counter()
    for index, data in enumerate(files):
        file_id = f"file-ingest-{index}-{'h' if embedder else 'k'}"
        text = extract_text(f"{file_id}.txt", data)
        records = [
            ChunkRecord(c.index, c.text, c.token_count, c.start_char, c.end_char)
            for c in chunk_text(text)
        ]
        entry = VectorStoreFile(
            id=file_id, created_at=1_700_000_000, vector_store_id="vs_ingest", status="in_progress"
        )
        await store.vector_store_files.upsert(PROJECT, entry)  # chunks go only to attached files
        await store.chunks.replace_file(PROJECT, "vs_ingest", file_id, records)
        chunks += len(records)
        if embedder is not None:
            stored = await store.chunks.file_chunks(PROJECT, "vs_ingest", file_id)
            vectors = await embedder.embed([c.text for c in stored])
            await store.chunks.set_embeddings(
                [(c.pk, v) for c, v in zip(stored, vectors, strict=True)]
            )
    elapsed = time.perf_counter() - started
    return {"mb_s": total_bytes / 1e6 / elapsed, "chunks_s": chunks / elapsed}


class ChunkFactory:
    """~200-word chunks from a pool of 20-word sentences; each sentence's embedding terms are
    computed once, so 100,000 chunks embed in seconds (the same vectors `HashedEmbedder` gives)."""

    def __init__(self, vocab: Vocabulary, embedder: HashedEmbedder, pool: int = 20_000) -> None:
        self.rng = random.Random(11)
        self.sentences = [vocab.text(20) for _ in range(pool)]
        self.terms = [self._terms(embedder, s) for s in self.sentences]

    @staticmethod
    def _terms(embedder: HashedEmbedder, sentence: str) -> list[tuple[int, float]]:
        return [embedder.bucket(w) for w in sentence.lower().replace(".", " ").split()]

    def chunk(self) -> tuple[str, bytes]:
        picks = self.rng.sample(range(len(self.sentences)), 10)
        vector = [0.0] * DIMENSIONS
        for pick in picks:
            for index, sign in self.terms[pick]:
                vector[index] += sign
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        blob = struct.pack(f"<{DIMENSIONS}f", *(v / norm for v in vector))
        return " ".join(self.sentences[p] for p in picks), blob


async def grow(store: Store, factory: ChunkFactory, start: int, stop: int) -> None:
    """Bulk-insert chunks `start..stop-1` of the store, `CHUNKS_PER_FILE` per completed file."""
    files: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    chunks: list[dict[str, Any]] = []
    for n in range(start, stop):
        file_id = f"file-bench-{n // CHUNKS_PER_FILE:05d}"
        if n % CHUNKS_PER_FILE == 0 or n == start:
            files.append(_file_row(file_id))
            entries.append(_entry_row(file_id))
        text, blob = factory.chunk()
        chunks.append({
            "project_id": PROJECT, "vector_store_id": STORE, "file_id": file_id,
            "chunk_index": n % CHUNKS_PER_FILE, "text": text, "tokens": 250,
            "start_char": 0, "end_char": len(text), "embedding": blob,
        })  # fmt: skip
    async with store.engine.begin() as conn:
        # A file split across two growth steps already has its rows.
        known = set((await conn.execute(sa.select(tables.files.c.id))).scalars())
        await _insert(conn, tables.files, [r for r in files if r["id"] not in known])
        await _insert(conn, tables.vector_store_files, [r for r in entries if r["id"] not in known])
        await _insert(conn, tables.vector_store_chunks, chunks)


async def _insert(conn: Any, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    for begin in range(0, len(rows), 2_000):  # within SQLite's bound-parameter limit
        await conn.execute(sa.insert(table), rows[begin : begin + 2_000])


def _file_row(file_id: str) -> dict[str, Any]:
    doc = FileObject(
        id=file_id, created_at=1_700_000_000, bytes=1, filename=f"{file_id}.txt",
        purpose="assistants",
    ).model_dump(mode="json")  # fmt: skip
    return {
        "id": file_id, "project_id": PROJECT, "created_at": doc["created_at"],
        "purpose": "assistants", "filename": doc["filename"], "bytes": 1, "data": doc,
    }  # fmt: skip


def _entry_row(file_id: str) -> dict[str, Any]:
    doc = VectorStoreFile(
        id=file_id, created_at=1_700_000_000, vector_store_id=STORE, status="completed"
    ).model_dump(mode="json")
    return {
        "id": file_id, "project_id": PROJECT, "created_at": doc["created_at"],
        "vector_store_id": STORE, "status": "completed", "usage_bytes": 0, "data": doc,
    }  # fmt: skip


async def latency(retriever: Retriever, questions: Sequence[str]) -> tuple[float, float, float]:
    """p50 and p95 in ms of one search per question, and the mean number of hits."""
    for question in questions[:2]:  # warm the page cache and the connections
        await retriever.search(PROJECT, [STORE], [question], max_num_results=MAX_RESULTS)
    samples, hits = [], 0
    for question in questions:
        started = time.perf_counter()
        found = await retriever.search(PROJECT, [STORE], [question], max_num_results=MAX_RESULTS)
        samples.append(time.perf_counter() - started)
        hits += len(found)
    return percentile(samples, 0.5) * 1000, percentile(samples, 0.95) * 1000, hits / len(questions)


async def main(quick: bool = False) -> dict[str, float]:
    """Run everything; figures keyed `ingest_{keyword,hybrid}_{mb_s,chunks_s}`,
    `{keyword,hybrid}_{size}_{p50,p95}_ms`, `{keyword,hybrid}_ratio_{size}` (p50 over the
    smallest size's) and `{keyword,hybrid}_growth_exponent` (log-log slope, smallest to largest)."""
    sizes, mb = (QUICK_SIZES, QUICK_CORPUS_MB) if quick else (SIZES, CORPUS_MB)
    vocab, embedder = Vocabulary(), HashedEmbedder()
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in MODES:
            store = await open_store(
                f"sqlite+aiosqlite:///{tmp}/ingest_{mode}.db", blob_dir=Path(tmp)
            )
            try:
                figures = await ingest(store, vocab, mb, embedder if mode == "hybrid" else None)
            finally:
                await store.close()
            results |= {f"ingest_{mode}_{k}": v for k, v in figures.items()}
            print(
                f"ingest {mode:>7}: {figures['mb_s']:.2f} MB/s, {figures['chunks_s']:.0f} chunks/s"
            )
        store = await open_store(f"sqlite+aiosqlite:///{tmp}/latency.db", blob_dir=Path(tmp))
        retrievers = {"keyword": Retriever(store, None), "hybrid": Retriever(store, embedder)}
        factory = ChunkFactory(vocab, embedder)
        questions = [vocab.question() for _ in range(QUERIES)]
        try:
            grown = 0
            for size in sizes:
                started = time.perf_counter()
                await grow(store, factory, grown, size)
                grown = size
                print(f"{size:>7,} chunks (built in {time.perf_counter() - started:.1f} s)")
                for mode, retriever in retrievers.items():
                    p50, p95, hits = await latency(retriever, questions)
                    results[f"{mode}_{size}_p50_ms"], results[f"{mode}_{size}_p95_ms"] = p50, p95
                    print(f"  {mode:>7}: p50 {p50:7.1f} ms, p95 {p95:7.1f} ms, {hits:.1f} hits")
        finally:
            for retriever in retrievers.values():
                await retriever.close()
            await store.close()
    _ratios(results, sizes)
    _print_table(results, sizes, mb)
    return results


def _ratios(results: dict[str, float], sizes: Sequence[int]) -> None:
    for mode in MODES:
        base = results[f"{mode}_{sizes[0]}_p50_ms"]
        for size in sizes:
            results[f"{mode}_ratio_{size}"] = results[f"{mode}_{size}_p50_ms"] / base
        growth = math.log(results[f"{mode}_ratio_{sizes[-1]}"]) / math.log(sizes[-1] / sizes[0])
        results[f"{mode}_growth_exponent"] = growth


def _print_table(results: dict[str, float], sizes: Sequence[int], mb: int) -> None:
    def ingest(mode: str) -> str:
        return (
            f"{results[f'ingest_{mode}_mb_s']:.2f} MB/s, "
            f"{results[f'ingest_{mode}_chunks_s']:.0f} chunks/s"
        )

    def query(mode: str, size: int) -> str:
        cell = f"{results[f'{mode}_{size}_p50_ms']:.1f} / {results[f'{mode}_{size}_p95_ms']:.1f} ms"
        return cell if size == sizes[0] else f"{cell} (x{results[f'{mode}_ratio_{size}']:.1f})"

    print("\n| retrieval, SQLite | keyword-only | hybrid |\n| --- | --- | --- |")
    print(f"| ingestion of a {mb} MB text corpus | {ingest('keyword')} | {ingest('hybrid')} |")
    for size in sizes:
        label = f"search p50 / p95, {size:,} chunks"
        if size != sizes[0]:
            label += f" (p50 vs {sizes[0]:,})"
        print(f"| {label} | {query('keyword', size)} | {query('hybrid', size)} |")
    first, last = sizes[0], sizes[-1]
    step = {m: results[f"{m}_{last}_p50_ms"] / results[f"{m}_{sizes[-2]}_p50_ms"] for m in MODES}
    print(
        f"\nFrom {first:,} to {last:,} chunks the p50 grows as "
        f"n^{results['keyword_growth_exponent']:.2f} keyword-only and "
        f"n^{results['hybrid_growth_exponent']:.2f} hybrid (x{step['keyword']:.1f} and "
        f"x{step['hybrid']:.1f} for the last x{last // sizes[-2]} in size): keyword cost follows "
        "the postings of the query's terms; the vector half is an exact scan, linear in the "
        "store's chunks, and dominates hybrid search as the store grows."
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a smaller corpus and stores")
    asyncio.run(main(parser.parse_args().quick))
