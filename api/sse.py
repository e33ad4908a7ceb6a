"""Server-sent events: a run's event log, replayed after a cursor and then tailed (DESIGN
"Streaming", SPEC §6).

Frames are `id: <seq>` / `event: <name>` / `data: <one-line JSON>` and a blank line. The id is
the event's position in the run's log, so a client that lost its connection can resume with
`Last-Event-ID` (GET .../runs/{run_id}/events) and get exactly the events it missed. A stream ends
with `event: done` / `data: [DONE]` right after `thread.run.requires_action` or a terminal run
event, as OpenAI's do.

Wake-ups: when the worker shares this process's Store (`runwright dev`), every append wakes the
tail at once (`run_events.changed`). Otherwise the tail polls the log every `POLL_S` (one indexed
range read per stream and tick), which works wherever the worker runs; PostgreSQL LISTEN/NOTIFY
can shorten that wait later without replacing it. A `: keepalive` comment goes out after
`KEEPALIVE_S` of silence, so proxies keep the connection open while a run waits on a slow model.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import Any, Final

import structlog
from fastapi.responses import StreamingResponse

from api.routes.run_steps import step_view
from core.errors import AssistantsError, InvalidRequestError, ServerError
from core.objects.run import Run
from core.observability.api_metrics import SSE_STREAMS_ACTIVE
from core.store import Store, StoredEvent
from workflows.types import TERMINAL_STATUSES

log = structlog.get_logger()

POLL_S = 0.05
"""How often an idle stream looks for new events (read at run time, so tests may shrink it)."""
LOCAL_POLL_S = 1.0
"""The same where every append wakes the stream anyway (`RunEventRepository.local_appends_only`):
polling 20 times a second cost ~10% of `runwright dev`'s CPU with 60 streams waiting."""
KEEPALIVE_S = 15.0
"""Silence after which a keepalive comment is sent."""
SUBMIT_CURSOR_WAIT_S = 2.0
"""How long a submit stream waits for the requires_action event it answers to be in the log."""
_BATCH: Final = 500

REQUIRES_ACTION: Final = "thread.run.requires_action"
STOP_EVENTS: Final = frozenset({REQUIRES_ACTION, *(f"thread.run.{s}" for s in TERMINAL_STATUSES)})
"""After these a stream sends `done` and closes (SPEC §6.1)."""

DONE_FRAME: Final = "event: done\ndata: [DONE]\n\n"
# A comment line with no blank line after it: the openai SDK keeps the last `id:` and dispatches
# an empty event on every blank line, which it then fails to parse as JSON.
KEEPALIVE_FRAME: Final = ": keepalive\n"
# The exact content type (no charset suffix); x-accel-buffering stops nginx from batching frames.
_HEADERS: Final = {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
}


def frame(event: str, data: Any, seq: int | None = None) -> str:
    """One SSE frame. `json.dumps` escapes non-ASCII and newlines, so `data` is one line."""
    head = f"id: {seq}\n" if seq is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def sse_response(frames: AsyncIterator[str]) -> StreamingResponse:
    """A 200 `text/event-stream` response (the middleware adds `x-request-id`)."""
    return StreamingResponse(_counted(frames), headers=_HEADERS)


async def _counted(frames: AsyncIterator[str]) -> AsyncIterator[str]:
    """`frames`, counted in `runwright_sse_streams_active` while the stream is open (a client
    that disconnects cancels the iteration, which leaves the block too)."""
    with SSE_STREAMS_ACTIVE.track_inprogress():
        async for item in frames:
            yield item


@dataclass(frozen=True)
class RunStream:
    """The events of one run after `after`, up to and including the next stop event."""

    store: Store
    project_id: str
    run_id: str
    after: int = 0
    """The last seq the client already has (0: from the run's first event)."""
    include_content: bool = False
    """Whether step snapshots keep file_search result content (`include[]`)."""
    prelude: tuple[str, ...] = ()
    """Frames sent before the log's (`thread.created` for create-thread-and-run)."""

    def response(self) -> StreamingResponse:
        return sse_response(self.frames())

    async def frames(self) -> AsyncIterator[str]:
        """Every frame of the stream, `done` last.

        A fault after the headers went out can only be reported in-band: an `error` frame whose
        data is the `{"error": {...}}` envelope. Every SDK path raises `openai.APIError` on that
        (SPEC §6.4 rule 7), where a bare Error object breaks the `.stream()` helpers: a
        validation error under strict validation, otherwise an event handlers silently drop.
        """
        for prelude_frame in self.prelude:
            yield prelude_frame
        try:
            async with contextlib.aclosing(self._tail()) as events:
                async for event in events:
                    if event is None:
                        yield KEEPALIVE_FRAME
                        continue
                    yield frame(event.event, self._view(event), event.seq)
                    if event.event in STOP_EVENTS:
                        break
        except Exception as exc:  # a client disconnect is CancelledError and passes through
            yield frame("error", _error_envelope(exc))
        yield DONE_FRAME

    async def _tail(self) -> AsyncGenerator[StoredEvent | None, None]:
        """Events after the cursor as they are appended; None when a keepalive is due."""
        cursor, quiet_since = self.after, time.monotonic()
        while True:
            appended = self.store.run_events.changed(self.run_id)
            batch = await self.store.run_events.read(self.run_id, cursor, _BATCH)
            for event in batch:
                yield event
                cursor = event.seq
            if batch:
                quiet_since = time.monotonic()
                continue
            if time.monotonic() - quiet_since >= KEEPALIVE_S:
                # A deleted thread takes its runs and events along: stop instead of idling.
                await self.store.runs.get(self.project_id, self.run_id)
                quiet_since = time.monotonic()
                yield None
            # Woken at once by an append in this process; POLL_S bounds the wait otherwise.
            # (asyncio.timeout, not wait_for: no task per wait, for every idle stream.)
            local = self.store.run_events.local_appends_only
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(LOCAL_POLL_S if local else POLL_S):
                    await appended.wait()

    def _view(self, event: StoredEvent) -> Any:
        if event.event.startswith("thread.run.step.") and event.event != "thread.run.step.delta":
            return step_view(event.data, self.include_content)
        return event.data


def _error_envelope(exc: Exception) -> dict[str, dict[str, str | None]]:
    if not isinstance(exc, AssistantsError):
        log.exception("stream_failed", error_type=type(exc).__name__)
        exc = ServerError("The server had an error while streaming the run.")
    return exc.to_envelope()


async def submit_cursor(store: Store, run: Run) -> int:
    """Where a submit_tool_outputs stream starts: right after the requires_action event the
    submit answers, so the client sees step.completed, run.queued, ... (SPEC §6.3 second leg).

    While a run waits for outputs that event is the newest in its log. The row turns
    `requires_action` a moment before the event is appended (same activity), so a client quick
    enough to submit in between makes us wait briefly for it.
    """
    deadline = time.monotonic() + SUBMIT_CURSOR_WAIT_S
    while True:
        last = await store.run_events.last_seq(run.id)
        newest = await store.run_events.read(run.id, max(last - 1, 0), 1)
        waiting = run.status == "requires_action" and time.monotonic() < deadline
        if not waiting or (newest and newest[0].event == REQUIRES_ACTION):
            return last
        await asyncio.sleep(POLL_S)


def resume_cursor(last_event_id: str | None, after: int | None) -> int:
    """The resume point: `Last-Event-ID` (what an EventSource sends on reconnect) wins over
    `?after=`; neither means the run's first event."""
    if last_event_id is None or not last_event_id.strip():
        return after or 0
    try:
        cursor = int(last_event_id.strip())
    except ValueError:
        cursor = -1
    if cursor < 0:
        raise InvalidRequestError(
            f"Invalid 'Last-Event-ID': '{last_event_id}'. Expected an event sequence number.",
            param="Last-Event-ID",
        )
    return cursor


async def already_over(store: Store, run: Run, cursor: int) -> bool:
    """Whether the stream that delivered event `cursor` has ended: that event was terminal, or
    it was requires_action and the run is still waiting with nothing logged after it."""
    if cursor == 0:
        return False
    around = await store.run_events.read(run.id, cursor - 1, 2)
    if not around or around[0].seq != cursor or around[0].event not in STOP_EVENTS:
        return False
    if around[0].event != REQUIRES_ACTION:
        return True
    return len(around) == 1 and run.status == "requires_action"


async def _done_only() -> AsyncIterator[str]:
    yield DONE_FRAME


async def resume(
    store: Store, project_id: str, run: Run, cursor: int, include: bool
) -> StreamingResponse:
    """The response of the events endpoint: the rest of the stream after `cursor`."""
    if await already_over(store, run, cursor):
        return sse_response(_done_only())
    return RunStream(store, project_id, run.id, cursor, include).response()
