"""Incremental reading of a cell's combined stdout/stderr: bounded memory whatever the volume."""

from __future__ import annotations


class OutputCollector:
    """Keeps the first `cap` bytes of a stream and finds the end-of-cell marker in it.

    Everything past the cap is counted and dropped as it arrives, so 100 MB of output costs the
    worker no more memory than `cap` plus one read.
    """

    def __init__(self, cap: int, marker: bytes) -> None:
        self._cap = cap
        self._marker = marker
        self._kept = bytearray()
        self._pending = b""
        self.total = 0
        """Bytes of output seen (the marker excluded)."""

    @property
    def truncated(self) -> bool:
        return self.total > self._cap

    def feed(self, chunk: bytes) -> bool:
        """Take one read; True once the marker has been seen (what follows it is dropped)."""
        data = self._pending + chunk
        end = data.find(self._marker)
        if end >= 0:
            self._commit(data[:end])
            self._pending = b""
            return True
        # Hold back a possible prefix of the marker split across two reads.
        hold = len(self._marker) - 1
        self._commit(data[: len(data) - hold] if len(data) > hold else b"")
        self._pending = data[len(data) - hold :] if len(data) > hold else data
        return False

    def finish(self) -> None:
        """The stream ended without a marker: what was held back is output too."""
        self._commit(self._pending)
        self._pending = b""

    def text(self) -> str:
        """The kept output, with the truncation marker when bytes were dropped."""
        text = bytes(self._kept).decode("utf-8", errors="replace")
        if self.truncated:
            text += f"\n[output truncated at {self._cap} bytes]"
        return text

    def _commit(self, data: bytes) -> None:
        self.total += len(data)
        room = self._cap - len(self._kept)
        if room > 0:
            self._kept += data[:room]
