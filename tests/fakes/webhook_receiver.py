"""A webhook receiver on loopback that answers 500 to the first `fail_first` deliveries and
records every attempt (body and headers), for testing durable, signed webhook delivery."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass(frozen=True)
class Attempt:
    body: bytes
    headers: dict[str, str]
    answered: int


class WebhookReceiver:
    """`with WebhookReceiver(fail_first=2) as receiver:` then POST to `receiver.url`."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.attempts: list[Attempt] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hooks"

    def delivered(self) -> list[Attempt]:
        """The attempts that were answered 200, in order."""
        with self._lock:
            return [a for a in self.attempts if a.answered == 200]

    def _answer(self, body: bytes, headers: dict[str, str]) -> int:
        with self._lock:
            status = 500 if len(self.attempts) < self.fail_first else 200
            self.attempts.append(Attempt(body, headers, status))
            return status

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                status = receiver._answer(body, {k.lower(): v for k, v in self.headers.items()})
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
