"""Assistants (SPEC §2.1): a plain document repository."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from core.objects.assistant import Assistant
from core.store import tables
from core.store.repository import DocumentRepository

__all__ = ["AssistantRepository"]


class AssistantRepository(DocumentRepository[Assistant]):
    """Assistants of a project; `list(project_id, params)` pages them by `created_at`."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(
            engine, tables.assistants, Assistant, noun="assistant", param="assistant_id"
        )
