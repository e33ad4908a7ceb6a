"""A scripted OpenAI-compatible model server on loopback: the only fake in the test suite.

It speaks real HTTP/1.1 on a real socket so the official SDK's transport, retries, SSE decoding
and error mapping all run for real. It is a `ThreadingHTTPServer` in a daemon thread rather than
an asyncio app because tests need byte-level control (RSTs, hangs, broken bodies) and because it
must keep serving worker subprocesses regardless of which event loop the test runs on.

    with ScriptedModelServer() as server:
        server.script(Reply("hi"), ToolCalls([ToolCall("lookup", '{"q": "x"}')]), Fail(429))
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="test", max_retries=0)
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from tests.fakes.model_http import CHAT_PATH, ModelHTTPServer
from tests.fakes.model_script import (
    Entry,
    Fail,
    Hang,
    Malformed,
    MidStreamReset,
    RecordedRequest,
    Reply,
    Reset,
    Responder,
    Script,
    ToolCall,
    ToolCalls,
    Usage,
)

__all__ = [
    "DEFAULT_REPLY",
    "Entry",
    "Fail",
    "Hang",
    "Malformed",
    "MidStreamReset",
    "RecordedRequest",
    "Reply",
    "Reset",
    "Responder",
    "ScriptedModelServer",
    "ToolCall",
    "ToolCalls",
    "Usage",
]

DEFAULT_REPLY = Reply("Hello from the scripted model.")
DEFAULT_MODELS = ("gpt-4o-mini", "gpt-4o", "text-embedding-3-small")


class ScriptedModelServer:
    """Serves scripted chat completions, hashed-bag-of-words embeddings and a model list."""

    def __init__(self, models: tuple[str, ...] = DEFAULT_MODELS) -> None:
        self.models = models
        self.default: Entry = DEFAULT_REPLY
        self.responder: Responder | None = None
        self._script = Script()
        self._cond = threading.Condition()
        self._requests: list[RecordedRequest] = []
        self._errors: list[BaseException] = []
        self._interrupt = threading.Event()
        self._httpd: ModelHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> ScriptedModelServer:
        self._interrupt = threading.Event()  # a restart must not inherit stop()'s wake-up
        self._httpd = ModelHTTPServer(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="scripted-model-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._interrupt.set()  # wake handlers parked in Hang / delays
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> ScriptedModelServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("ScriptedModelServer is not started")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def reset(self) -> None:
        """Forget the script, recorded requests and errors; restore the default reply."""
        self._script.clear()
        self.default, self.responder = DEFAULT_REPLY, None
        with self._cond:
            self._requests.clear()
            self._errors.clear()
        # Release handlers still hanging for an earlier test; later requests get a fresh event.
        self._interrupt.set()
        self._interrupt = threading.Event()

    # --- scripting ------------------------------------------------------------------------------

    def script(self, *entries: Entry) -> None:
        """Append entries; each chat-completion request consumes one, in order."""
        self._script.append(*entries)

    def fail_next(self, count: int, entry: Entry | None = None) -> None:
        """Put `count` copies of `entry` (default: a 500) ahead of everything scripted."""
        self._script.push_front(count, entry if entry is not None else Fail(500))

    @property
    def pending(self) -> int:
        """Scripted entries not consumed yet."""
        return len(self._script)

    def next_entry(self, body: dict[str, Any]) -> Entry:
        """The FIFO head, else the responder's choice, else `default`."""
        entry = self._script.pop()
        if entry is not None:
            return entry
        responder = self.responder
        if responder is None:
            return self.default
        try:
            return responder(body)
        except Exception as exc:  # surfaced through .errors, answered like a provider bug
            self.record_error(exc)
            return Fail(500, message=f"scripted responder raised {exc!r}")

    # --- observation ----------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._cond:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """Bodies of the chat-completion requests, in arrival order."""
        return [r.body for r in self.requests if r.path == CHAT_PATH]

    @property
    def errors(self) -> list[BaseException]:
        """Unexpected exceptions inside the server (not client disconnects)."""
        with self._cond:
            return list(self._errors)

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until at least `count` requests arrived (e.g. from a worker subprocess)."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._requests) >= count, timeout):
                got = len(self._requests)
                raise TimeoutError(f"expected {count} requests within {timeout}s, got {got}")
            return list(self._requests)

    def record(self, request: RecordedRequest) -> None:
        with self._cond:
            self._requests.append(request)
            self._cond.notify_all()

    def record_error(self, exc: BaseException) -> None:
        with self._cond:
            self._errors.append(exc)

    def sleep(self, seconds: float) -> None:
        """Wait that long unless the server is reset or stopped first."""
        if seconds > 0:
            self._interrupt.wait(seconds)
