"""The client side of an API crash: the official SDK's run stream, resumed through the events
endpoint (`GET .../runs/{run_id}/events` with `Last-Event-ID`) whenever the connection drops
before the stream has ended.

The SDK decodes each frame's `id:` but leaves it out of the events it yields, so the client
notes them where the SDK lets a client plug in its own SSE decoder (`_make_sse_decoder`, the hook
the SDK's own Azure and Bedrock-style subclasses use).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar, cast

import openai
from openai import AsyncStream
from openai._streaming import ServerSentEvent, SSEDecoder
from openai.lib.streaming import AsyncAssistantEventHandler, AsyncAssistantStreamManager
from openai.types.beta import AssistantStreamEvent
from openai.types.beta.threads import Run

HandlerT = TypeVar("HandlerT", bound=AsyncAssistantEventHandler)

STOP_EVENTS = frozenset(
    f"thread.run.{status}"
    for status in ("requires_action", "completed", "failed", "cancelled", "expired", "incomplete")
)


class _IdNotingDecoder(SSEDecoder):
    def __init__(self, frames: list[tuple[int | None, str]]) -> None:
        super().__init__()
        self._frames = frames

    async def aiter_bytes(self, iterator: AsyncIterator[bytes]) -> AsyncIterator[ServerSentEvent]:
        async for sse in super().aiter_bytes(iterator):
            if sse.event and sse.event.startswith("thread."):
                # `thread.created` (create-and-run's prelude) is not in the run's log: no id.
                self._frames.append((int(sse.id) if sse.id else None, sse.event))
            yield sse


class EventIdClient(openai.AsyncOpenAI):
    """The official client; `frames` lists every run event it decoded as `(seq, event)`, across
    all its streams in order. Use one client per logical stream."""

    def __init__(self, **kwargs: Any) -> None:
        self.frames: list[tuple[int | None, str]] = []
        self.resumed_after: list[int] = []
        """The `Last-Event-ID` of each reconnection."""
        super().__init__(**kwargs)

    def _make_sse_decoder(self) -> SSEDecoder:
        return _IdNotingDecoder(self.frames)

    @property
    def last_seq(self) -> int:
        return next((seq for seq, _ in reversed(self.frames) if seq is not None), 0)


class ResumingStream:
    """What an `AsyncAssistantEventHandler` reads: the first stream, and after every drop the
    events endpoint from the last id seen, until a stop event (SPEC §6.1) arrives."""

    def __init__(
        self, client: EventIdClient, first: AsyncStream[AssistantStreamEvent], timeout_s: float
    ) -> None:
        self._client = client
        self._stream = first
        self._timeout_s = timeout_s
        self._run: Run | None = None
        self._ended = False

    async def __aiter__(self) -> AsyncIterator[AssistantStreamEvent]:
        while True:
            try:
                async for event in self._stream:
                    if isinstance(event.data, Run):
                        self._run = event.data
                    self._ended = event.event in STOP_EVENTS
                    yield event
            except openai.APIConnectionError:
                pass  # the API went away mid-stream: resume below
            finally:
                await self._stream.close()
            if self._ended:
                return
            self._stream = await self._reconnect()

    async def close(self) -> None:
        await self._stream.close()

    async def _reconnect(self) -> AsyncStream[AssistantStreamEvent]:
        assert self._run is not None, "the stream dropped before the run was announced"
        after = self._client.last_seq
        self._client.resumed_after.append(after)
        path = f"/threads/{self._run.thread_id}/runs/{self._run.id}/events"
        deadline = time.monotonic() + self._timeout_s
        while True:
            try:
                return await self._client.get(
                    path, cast_to=cast(Any, AssistantStreamEvent), stream=True,
                    stream_cls=AsyncStream[AssistantStreamEvent],
                    options={"headers": {"Last-Event-ID": str(after)}},
                )  # fmt: skip
            except (openai.APIConnectionError, openai.InternalServerError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)  # the API is still restarting


def resuming_stream(
    client: EventIdClient,
    request: Awaitable[AsyncStream[AssistantStreamEvent]],
    handler: HandlerT,
    *,
    timeout_s: float = 60.0,
) -> AsyncAssistantStreamManager[HandlerT]:
    """`async with` it as `runs.stream(...)`: `request` is the SDK call with `stream=True`."""

    async def first() -> AsyncStream[AssistantStreamEvent]:
        stream = ResumingStream(client, await request, timeout_s)
        return cast(AsyncStream[AssistantStreamEvent], stream)

    return AsyncAssistantStreamManager(first(), event_handler=handler)
