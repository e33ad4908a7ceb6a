"""Seeding helpers for retrieval tests: files, vector-store file rows and chunks, written directly.

Chunks go through `store.chunks.replace_file` (+ `set_embeddings` with the scripted model
server's hashed bag-of-words embeddings), and the vector-store file row is upserted with the
status under test: the ingestion workflow is not involved.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.retrieval import SearchHit
from core.store import Store
from core.store.chunks import ChunkRecord
from tests.fakes.model_embeddings import embed
from tests.store import factories as f

P = "proj_a"
VS = "vs_a"


class HashedEmbedder:
    """An `Embedder` computing the fake model server's embeddings in process; records calls."""

    model = "hashed-bow"

    def __init__(self, dimensions: int = 256) -> None:
        self.dimensions = dimensions
        self.calls: list[list[str]] = []

    async def embed(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return [embed(text, self.dimensions) for text in texts]

    async def close(self) -> None:
        return None


async def add_file(
    store: Store,
    passages: Sequence[str],
    *,
    filename: str = "notes.txt",
    project: str = P,
    vector_store_id: str = VS,
    status: str = "completed",
    attributes: dict[str, str | float | bool] | None = None,
    dimensions: int | None = 256,
) -> str:
    """A File of `passages` (one chunk each) in `vector_store_id`; its id. `dimensions=None`
    leaves the chunks without embeddings (ingested with no embeddings model)."""
    file = f.file_object().model_copy(update={"filename": filename})
    await store.files.upsert(project, file)
    entry = f.vector_store_file(vector_store_id, id=file.id, status=status, attributes=attributes)
    await store.vector_store_files.upsert(project, entry)
    records, offset = [], 0
    for index, text in enumerate(passages):
        records.append(ChunkRecord(index, text, len(text.split()), offset, offset + len(text)))
        offset += len(text) + 1
    await store.chunks.replace_file(project, vector_store_id, file.id, records)
    if dimensions is not None:
        chunks = await store.chunks.file_chunks(project, vector_store_id, file.id)
        await store.chunks.set_embeddings([(c.pk, embed(c.text, dimensions)) for c in chunks])
    return file.id


def texts(hits: Sequence[SearchHit]) -> list[str]:
    """The hits' chunk texts, in order."""
    return [hit.chunk.text for hit in hits]
