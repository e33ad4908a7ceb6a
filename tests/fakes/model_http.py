"""The HTTP side of the scripted model server: sockets, routing, streaming, resets.

Kept apart from `model_server.py` (state and scripting API) and `model_wire.py` (payloads) so
each byte-level trick (chunked SSE, RST via SO_LINGER 0, half a body) sits in one small place.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from tests.fakes import model_wire as wire
from tests.fakes.model_embeddings import embeddings_response
from tests.fakes.model_script import (
    Entry,
    Fail,
    Hang,
    Malformed,
    MidStreamReset,
    RecordedRequest,
    Reply,
    Reset,
    ToolCalls,
)

CHAT_PATH = "/v1/chat/completions"


class ScriptOwner(Protocol):
    """What the handlers need from `ScriptedModelServer`."""

    models: tuple[str, ...]

    def next_entry(self, body: dict[str, Any]) -> Entry: ...

    def record(self, request: RecordedRequest) -> None: ...

    def record_error(self, exc: BaseException) -> None: ...

    def sleep(self, seconds: float) -> None: ...


class ModelHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for a hanging handler

    def __init__(self, owner: ScriptOwner) -> None:
        self.owner = owner
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conn_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conn_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Unblock handler threads waiting on idle keep-alive connections."""
        with self._conn_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):  # already closed by its handler
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        # Clients hanging up mid-response (timeouts, cancelled streams) are normal here.
        if exc is not None and not isinstance(exc, ConnectionError | TimeoutError):
            self.owner.record_error(exc)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked streams, as the SDK expects
    server: ModelHTTPServer

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # requests are recorded on the server instead of printed to stderr

    # --- routing --------------------------------------------------------------------------------

    def _dispatch(self) -> None:
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        raw = self._read_body()
        body = _parse_json(raw)
        route = (self.command, path)
        entry = self._take_entry(body) if route == ("POST", CHAT_PATH) else None
        headers = {k.lower(): v for k, v in self.headers.items()}
        owner.record(RecordedRequest(self.command, path, headers, body, time.time(), entry))
        if raw and body is None:
            message = "We could not parse the JSON body of your request."
            self._send_json(400, wire.error_body(message, "invalid_request_error"))
        elif route == ("POST", CHAT_PATH):
            self._chat(body, entry)
        elif route == ("POST", "/v1/embeddings"):
            self._send_json(*embeddings_response(body if isinstance(body, dict) else {}))
        elif route == ("GET", "/v1/models"):
            self._send_json(200, wire.models_body(owner.models))
        else:
            message = f"Invalid URL ({self.command} {path})"
            self._send_json(404, wire.error_body(message, "invalid_request_error"))

    def _take_entry(self, body: Any) -> Entry | None:
        """Consume a script entry, unless OpenAI would reject the request before the model."""
        if not isinstance(body, dict) or wire.chat_request_error(body):
            return None
        return self.server.owner.next_entry(body)

    def _chat(self, body: Any, entry: Entry | None) -> None:
        if entry is None or not isinstance(body, dict):
            error = wire.chat_request_error(body) if isinstance(body, dict) else None
            fallback = wire.error_body("Expected a JSON object.", "invalid_request_error")
            self._send_json(400, error or fallback)
            return
        stream = bool(body.get("stream"))
        if isinstance(entry, Fail):
            self._send_json(entry.status, wire.fail_body(entry), entry.headers)
        elif isinstance(entry, Malformed):
            self._send_malformed(entry, stream)
        elif isinstance(entry, Hang):
            self.server.owner.sleep(entry.seconds)
            self.close_connection = True
        elif isinstance(entry, Reset):
            self._reset()
        else:
            self._complete(entry, body, stream)

    def _complete(
        self, entry: Reply | ToolCalls | MidStreamReset, body: dict[str, Any], stream: bool
    ) -> None:
        owner = self.server.owner
        completion = wire.plan_completion(entry, body)
        cut_after = entry.after_chunks if isinstance(entry, MidStreamReset) else None
        if not isinstance(entry, MidStreamReset):
            owner.sleep(entry.delay_s)
        if not stream:
            payload = wire.completion_body(completion)
            if cut_after is None:
                self._send_json(200, payload)
            else:
                self._send_truncated_json(payload)
            return
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        chunks = wire.stream_chunks(
            completion, chunk_size=entry.chunk_size, include_usage=include_usage
        )
        delay = 0.0 if isinstance(entry, MidStreamReset) else entry.chunk_delay_s
        self._send_stream(chunks, delay, cut_after)

    # --- transport ------------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _start(self, status: int, content_type: str, headers: Mapping[str, str]) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex}")
        self.send_header("openai-processing-ms", "1")
        for name, value in headers.items():
            self.send_header(name, value)

    def _send_json(
        self, status: int, payload: Any, headers: Mapping[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        self._start(status, "application/json", headers or {})
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_truncated_json(self, payload: Any) -> None:
        """Promise the whole body, deliver half, then reset: a connection dropped mid-body."""
        data = json.dumps(payload).encode()
        self._start(200, "application/json", {})
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self._reset()

    def _send_malformed(self, entry: Malformed, stream: bool) -> None:
        if not stream:
            data = b'{"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{'
            self._start(200, entry.content_type, {})
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self._start(200, "text/event-stream", {})
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        self._write_chunk(b"data: {this is not json\n\n")
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")

    def _send_stream(
        self, chunks: list[dict[str, Any]], delay: float, cut_after: int | None
    ) -> None:
        self._start(200, "text/event-stream; charset=utf-8", {})
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        for sent, chunk in enumerate(chunks):
            if sent == cut_after:
                break
            if sent:
                self.server.owner.sleep(delay)
            self._write_chunk(f"data: {json.dumps(chunk)}\n\n".encode())
        if cut_after is not None:
            self._reset()  # never a clean end, even when fewer chunks than after_chunks exist
            return
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")  # zero-length chunk ends the chunked body

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def _reset(self) -> None:
        """Abort with RST: SO_LINGER 0, then close (rfile first, or close() would only unref)."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()
        self.connection.close()


def _parse_json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
