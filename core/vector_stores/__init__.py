"""Vector stores, their files and file batches (SPEC §2.7, §2.8, §7): the service behind the
`/vector_stores` routes, thread attachments and the inline `vector_stores` helpers."""

from core.vector_stores.service import VectorStoreService

__all__ = ["VectorStoreService"]
