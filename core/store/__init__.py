"""The SQL store: the read model the HTTP API serves (DESIGN "Source of truth").

`open_store(url, blob_dir=...)` migrates the database and returns a `Store` whose attributes are
the per-aggregate repositories.
"""

from core.store.blobs import BlobStore, FilesystemBlobStore
from core.store.pagination import FileListParams, ListParams, Page
from core.store.repository import DocumentRepository
from core.store.run_events import StoredEvent
from core.store.runs import ACTIVE_RUN_STATUSES
from core.store.store import Store, open_store

__all__ = [
    "ACTIVE_RUN_STATUSES",
    "BlobStore",
    "DocumentRepository",
    "FileListParams",
    "FilesystemBlobStore",
    "ListParams",
    "Page",
    "Store",
    "StoredEvent",
    "open_store",
]
