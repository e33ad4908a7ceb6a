"""HTTP at the byte level, for requests no well-behaved client would send.

`send(origin, method, target, headers=..., body=...)` writes exactly the bytes given: a request
target with `../` or undecodable bytes (clients normalise or refuse those), a body that does not
match its content type, a multipart body cut off mid-boundary. One connection per request
(`Connection: close`), read to EOF; the reply's body is de-chunked if need be.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Reply", "json_body", "send"]

TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    """Lower-cased names (a repeated header keeps its last value)."""
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def json_body(value: Any) -> bytes:
    return json.dumps(value).encode()


def send(
    origin: str,
    method: str,
    target: str | bytes,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
) -> Reply:
    """One request, the bytes of `target` and `body` sent as they are."""
    host, port = _address(origin)
    raw_target = target.encode("utf-8") if isinstance(target, str) else target
    lines = [method.encode() + b" " + raw_target + b" HTTP/1.1", f"Host: {host}:{port}".encode()]
    lines += [f"{name}: {value}".encode("latin-1") for name, value in (headers or {}).items()]
    lines += [f"Content-Length: {len(body)}".encode(), b"Connection: close"]
    with socket.create_connection((host, port), timeout=TIMEOUT_S) as sock:
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        return _parse(_read_all(sock))


def _address(origin: str) -> tuple[str, int]:
    parts = urlsplit(origin)
    assert parts.hostname and parts.port, origin
    return parts.hostname, parts.port


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(raw: bytes) -> Reply:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    return Reply(status, headers, body)


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += data[:size]
        data = data[size + 2 :]
    return bytes(out)
