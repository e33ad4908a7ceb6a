"""A digest of everything the store holds: every SQLite table, row by row, and the blob files.

`StoreSnapshot.take(db_path, blob_dir)` reads the database through a separate read-only
connection (stdlib `sqlite3`, so it works from any thread, event loop or not); two snapshots
compare equal exactly when no table and no blob changed. `changes(before, after)` names what did.

Rows are hashed from their values in a canonical order (sorted), so the digest is the table's
content, not how SQLite happens to lay it out. FTS5 virtual tables are skipped: their shadow
tables (`*_fts_data`, ...) are ordinary tables and are hashed like the others.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

__all__ = ["StoreSnapshot", "changes"]


@dataclass(frozen=True)
class StoreSnapshot:
    tables: dict[str, str]
    """Table name -> `<row count>:<sha256 of its rows>`."""
    blobs: dict[str, str]
    """Blob file name -> `<size>:<sha256 of its bytes>`."""

    @classmethod
    def take(cls, db_path: Path, blob_dir: Path) -> StoreSnapshot:
        return cls(tables=_table_digests(db_path), blobs=_blob_digests(blob_dir))


def changes(before: StoreSnapshot, after: StoreSnapshot) -> list[str]:
    """What differs between two snapshots, e.g. `table runs: 3:ab12.. -> 4:cd34..`."""
    found = _diff("table", before.tables, after.tables)
    return found + _diff("blob", before.blobs, after.blobs)


def _diff(kind: str, before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [
        f"{kind} {name}: {before.get(name, 'absent')} -> {after.get(name, 'absent')}"
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    ]


def _table_digests(db_path: Path) -> dict[str, str]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        # One read transaction: every table is read from the same committed state.
        conn.execute("BEGIN")
        names = [
            name
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
            if not (sql or "").upper().startswith("CREATE VIRTUAL TABLE")
        ]
        return {name: _table_digest(conn, name) for name in names}
    finally:
        conn.close()


def _table_digest(conn: sqlite3.Connection, table: str) -> str:
    quoted = table.replace('"', '""')
    rows = sorted(repr(row) for row in conn.execute(f'SELECT * FROM "{quoted}"'))
    digest = hashlib.sha256()
    for row in rows:
        digest.update(row.encode("utf-8", "surrogatepass"))
        digest.update(b"\n")
    return f"{len(rows)}:{digest.hexdigest()[:16]}"


def _blob_digests(blob_dir: Path) -> dict[str, str]:
    if not blob_dir.is_dir():
        return {}
    return {
        path.name: f"{path.stat().st_size}:{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}"
        for path in sorted(blob_dir.iterdir())
        if path.is_file()
    }
