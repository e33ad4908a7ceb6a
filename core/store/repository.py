"""`DocumentRepository[ModelT]`: the generic repository every aggregate's repository binds.

A row is the wire object's JSON (`data`) plus the columns queries use, copied out of that JSON on
every write, so the two never disagree. Every read, list and delete is scoped to a project: another
project's object is indistinguishable from one that does not exist.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.errors import ConflictError, NotFoundError
from core.store.pagination import ListParams, Page, fetch_page, make_page

__all__ = ["DocumentRepository", "ModelT", "insert_for"]

ModelT = TypeVar("ModelT", bound=BaseModel)

# Columns written on every upsert but never changed by one: the row's identity.
_IDENTITY = ("pk", "project_id")


def insert_for(conn: AsyncConnection, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's `INSERT` construct, which (unlike the generic one) has `ON CONFLICT`."""
    name = conn.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"Unsupported database dialect: {name}")


class DocumentRepository(Generic[ModelT]):
    """Stores pydantic objects of one type in one table, keyed by `key` within a project.

    Args:
        engine: The store's engine.
        table: A table from `core.store.tables` (with `id`, `project_id`, `created_at`, `data`).
        model: The wire object class; rows are validated back into it.
        noun: How errors name the object ("No {noun} found with id '...'.").
        param: The request parameter a not-found error points at (e.g. `thread_id`).
        columns: Model fields copied into same-named columns (parents, filters).
        key: The columns an upsert conflicts on; `("id",)` unless ids repeat across parents.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        table: sa.Table,
        model: type[ModelT],
        *,
        noun: str,
        param: str,
        columns: Sequence[str] = (),
        key: Sequence[str] = ("id",),
    ) -> None:
        self._engine = engine
        self.table = table
        self.model = model
        self.noun = noun
        self.param = param
        self._columns = tuple(columns)
        self._key = tuple(key)
        self._upserts: dict[tuple[str, tuple[str, ...]], sa.Executable] = {}

    async def upsert(self, project_id: str, obj: ModelT, **extra: Any) -> ModelT:
        """Insert `obj`, or replace the stored one with the same key; idempotent.

        The row keeps its `pk` (its place in insertion order). `extra` sets columns that are not
        model fields (e.g. a vector-store file's `batch_id`); omitted ones keep their value.

        Raises:
            ConflictError: the key belongs to another project's object.
        """
        row = self._row(project_id, obj, extra)
        async with self._engine.begin() as conn:
            stmt = self._upsert_statement(conn, tuple(row))
            pk = (await conn.execute(stmt, row)).scalar_one_or_none()
        if pk is None:
            raise ConflictError(f"The {self.noun} id '{row['id']}' is already taken.")
        return obj

    def _upsert_statement(self, conn: AsyncConnection, names: tuple[str, ...]) -> sa.Executable:
        """The upsert of rows with these columns, built once: building it cost more CPU than
        running it, and a reused statement also keeps its compiled-cache key."""
        cache_key = (conn.dialect.name, names)
        if (stmt := self._upserts.get(cache_key)) is None:
            insert = insert_for(conn, self.table)
            fixed = (*_IDENTITY, *self._key)
            stmt = insert.on_conflict_do_update(
                index_elements=[self.table.c[name] for name in self._key],
                set_={name: insert.excluded[name] for name in names if name not in fixed},
                where=self.table.c.project_id == insert.excluded.project_id,
            ).returning(self.table.c.pk)
            self._upserts[cache_key] = stmt
        return stmt

    async def find(self, project_id: str, id: str, **scope: str | None) -> ModelT | None:
        """The object `id` of `project_id` (and matching `scope`, e.g. `thread_id=`), or None."""
        stmt = sa.select(self.table.c.data).where(*self._where(project_id, id=id, **scope))
        async with self._engine.connect() as conn:
            doc = (await conn.execute(stmt)).scalar_one_or_none()
        return None if doc is None else self._load(doc)

    async def get(self, project_id: str, id: str, **scope: str | None) -> ModelT:
        """Like `find`, but raises `NotFoundError` (SPEC §1.1 wording) when there is none."""
        obj = await self.find(project_id, id, **scope)
        if obj is None:
            raise self.not_found(id)
        return obj

    async def modify(
        self,
        project_id: str,
        id: str,
        change: Callable[[ModelT], ModelT],
        **scope: str | None,
    ) -> ModelT:
        """Read, change and write back one object atomically (a read-modify-write that no
        concurrent `modify` can interleave with: SQLite takes its write lock up front, and
        PostgreSQL locks the row). For objects with more than one writer, e.g. a run's status
        (the workflow) and its metadata (the client).

        Raises:
            NotFoundError: no such object in the project.
        """
        t = self.table
        read = sa.select(t.c.pk, t.c.data).where(*self._where(project_id, id=id, **scope))
        async with self._engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                await conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                read = read.with_for_update()
            row = (await conn.execute(read)).one_or_none()
            if row is None:
                raise self.not_found(id)
            changed = change(self._load(row.data))
            values = {k: v for k, v in self._row(project_id, changed, {}).items()
                      if k not in ("id", "project_id")}  # fmt: skip
            await conn.execute(sa.update(t).where(t.c.pk == row.pk).values(values))
            await conn.commit()
        return changed

    async def delete(self, project_id: str, id: str, **scope: str | None) -> bool:
        """Delete the object; whether it existed."""
        stmt = sa.delete(self.table).where(*self._where(project_id, id=id, **scope))
        async with self._engine.begin() as conn:
            result = await conn.execute(stmt)
        return result.rowcount > 0

    async def list(
        self, project_id: str, params: ListParams, **filters: str | None
    ) -> Page[ModelT]:
        """One page of the project's objects whose columns equal `filters` (None: any value).

        Raises:
            InvalidRequestError: the `after` / `before` cursor is not in this list.
        """
        scope = self._where(project_id, **filters)
        async with self._engine.connect() as conn:
            docs, has_more = await fetch_page(conn, self.table, scope, params)
        return make_page(docs, has_more, self._load)

    async def _all(
        self, project_id: str, *clauses: sa.ColumnElement[bool], **filters: str | None
    ) -> builtins.list[ModelT]:
        """Every matching object, oldest first: for small per-parent sets (a run's steps)."""
        t = self.table
        stmt = (
            sa.select(t.c.data)
            .where(*self._where(project_id, **filters), *clauses)
            .order_by(t.c.created_at, t.c.pk)
        )
        async with self._engine.connect() as conn:
            docs = (await conn.execute(stmt)).scalars().all()
        return [self._load(doc) for doc in docs]

    def not_found(self, id: str) -> NotFoundError:
        """The error for a missing object (SPEC §1.1: "No thread found with id 'thread_x'.")."""
        return NotFoundError(f"No {self.noun} found with id '{id}'.", param=self.param)

    def _where(
        self, project_id: str, **filters: str | None
    ) -> builtins.list[sa.ColumnElement[bool]]:
        """`project_id = ...` plus one equality per non-None filter (unknown names raise)."""
        clauses = [self.table.c.project_id == project_id]
        clauses += [self.table.c[k] == v for k, v in filters.items() if v is not None]
        return clauses

    def _load(self, doc: Any) -> ModelT:
        """Validate a stored document back into the model."""
        return self.model.model_validate(doc)

    def _row(self, project_id: str, obj: ModelT, extra: dict[str, Any]) -> dict[str, Any]:
        """The column values of `obj`; `data` is its JSON-mode dump."""
        doc = obj.model_dump(mode="json")
        row = {"id": doc["id"], "project_id": project_id, "created_at": doc["created_at"]}
        row.update({name: doc[name] for name in self._columns})
        row.update(extra)
        row["data"] = doc
        return row
