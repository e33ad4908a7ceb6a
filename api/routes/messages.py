"""/v1 routes: messages (being written)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
