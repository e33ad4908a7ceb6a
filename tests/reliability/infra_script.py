"""One script per run on the shared scripted model server, so concurrent runs never take each
other's entries.

The server's own script is one FIFO: two runs in flight would interleave it. Here each run's
user message carries a tag, and a chat request consumes the next entry of its tag's FIFO.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import deque
from typing import Any

from tests.fakes.model_http import CHAT_PATH
from tests.fakes.model_server import Entry, Fail, RecordedRequest, ScriptedModelServer

EXHAUSTED = Fail(400, message="the test scripted no more replies for this run")
"""A final, visible answer when a run calls the model more often than its script allows."""


def new_tag(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}"


class TaggedScripts:
    """A `ScriptedModelServer.responder` with one FIFO per tag; install with `install()`."""

    def __init__(self, server: ScriptedModelServer) -> None:
        self._server = server
        self._lock = threading.Lock()
        self._scripts: dict[str, deque[Entry]] = {}

    def install(self) -> TaggedScripts:
        self._server.responder = self
        return self

    def add(self, tag: str, *entries: Entry) -> None:
        with self._lock:
            self._scripts.setdefault(tag, deque()).extend(entries)

    def __call__(self, body: dict[str, Any]) -> Entry:
        tag = self._tag_of(body)
        with self._lock:
            script = self._scripts.get(tag) if tag else None
            return script.popleft() if script else EXHAUSTED

    def requests(self, tag: str) -> list[RecordedRequest]:
        """The chat requests a tagged run made, in arrival order."""
        return [
            r
            for r in self._server.requests
            if r.path == CHAT_PATH and tag in json.dumps(r.body.get("messages", []))
        ]

    def _tag_of(self, body: dict[str, Any]) -> str | None:
        text = json.dumps(body.get("messages", []))
        with self._lock:
            return next((tag for tag in self._scripts if tag in text), None)
