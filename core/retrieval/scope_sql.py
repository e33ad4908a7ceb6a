"""The SQL restricting chunks `c` to a `Scope`, for each dialect, with its bound parameters.

Lists travel as ONE parameter each (a JSON array on SQLite, an array on PostgreSQL), so an
allow-list of any length stays within the drivers' bound-parameter limits. The join on
`vector_store_files` keeps chunks of files still being ingested (or failed, or cancelled) out
of every search: only `completed` files are searchable.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from core.retrieval.scope import Scope

__all__ = ["postgres_scope", "sqlite_scope"]

_JOIN = (
    "JOIN vector_store_files f ON f.vector_store_id = c.vector_store_id "
    "AND f.id = c.file_id AND f.project_id = c.project_id "
)
# SQLite's CROSS JOIN keeps the written order: chunks first (found by the full-text index or by
# store), then their file's row. Left to itself, with statistics saying a store has few files,
# the planner loops over the files and runs the whole full-text match once per file.
_SQLITE_JOIN = "CROSS " + _JOIN


def sqlite_scope(scope: Scope, only: Sequence[int] | None = None) -> tuple[str, dict[str, Any]]:
    """`JOIN ... WHERE ...` over chunks `c` for SQLite (stdlib `sqlite3` or aiosqlite)."""
    sql = (
        _SQLITE_JOIN + "WHERE c.project_id = :project "
        "AND c.vector_store_id IN (SELECT value FROM json_each(:stores)) "
        "AND f.status = 'completed' "
    )
    params: dict[str, Any] = {
        "project": scope.project_id,
        "stores": json.dumps(scope.vector_store_ids),
    }
    if scope.allowed_files is not None:
        sql += "AND f.pk IN (SELECT value FROM json_each(:allowed)) "
        params["allowed"] = json.dumps(scope.allowed_files)
    if only is not None:
        sql += "AND c.pk IN (SELECT value FROM json_each(:only)) "
        params["only"] = json.dumps(list(only))
    return sql, params


def postgres_scope(scope: Scope, only: Sequence[int] | None = None) -> tuple[str, dict[str, Any]]:
    """`JOIN ... WHERE ...` over chunks `c` for PostgreSQL (asyncpg)."""
    sql = (
        _JOIN + "WHERE c.project_id = :project "
        "AND c.vector_store_id = ANY(CAST(:stores AS text[])) "
        "AND f.status = 'completed' "
    )
    params: dict[str, Any] = {"project": scope.project_id, "stores": list(scope.vector_store_ids)}
    if scope.allowed_files is not None:
        sql += "AND f.pk = ANY(CAST(:allowed AS bigint[])) "
        params["allowed"] = list(scope.allowed_files)
    if only is not None:
        sql += "AND c.pk = ANY(CAST(:only AS bigint[])) "
        params["only"] = list(only)
    return sql, params
