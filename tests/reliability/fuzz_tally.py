"""Counts of one bad-input suite, and the summary line / markdown row `make bench` includes.

A suite (`schema fuzzing`, `hand-written bad input`) counts every case it sent: the operation it
hit, whether the server answered 5xx, whether the request was rejected (any non-2xx), and every
problem found (5xx, bad envelope, missing request id, store changed by a rejected request).
When RUNWRIGHT_FUZZ_REPORT names a file, every finished suite rewrites it with all rows so far;
RUNWRIGHT_FUZZ_STATUSES=1 also prints how often each status came back, per operation.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

__all__ = ["FuzzTally", "publish"]

HEADER = (
    "| bad-input suite | cases | operations | server errors | rejected | store changed by a "
    "rejected request |\n| --- | ---: | ---: | ---: | ---: | ---: |"
)


@dataclass
class FuzzTally:
    suite: str
    """How the summary line starts, e.g. `fuzzing`."""
    cases: int = 0
    operations: set[str] = field(default_factory=set)
    server_errors: int = 0
    rejected: int = 0
    store_changed: int = 0
    problems: list[str] = field(default_factory=list)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    """Per operation, how often each status came back (how deep the cases got)."""

    def count(self, operation: str, status: int) -> None:
        self.cases += 1
        self.operations.add(operation)
        self.statuses.setdefault(operation, Counter())[status] += 1
        self.server_errors += status >= 500
        self.rejected += not 200 <= status < 300

    def line(self) -> str:
        store = (
            "store unchanged for all"
            if not self.store_changed
            else f"store changed by {self.store_changed} rejected requests"
        )
        return (
            f"{self.suite}: {self.cases} cases over {len(self.operations)} operations, "
            f"{self.server_errors} server errors, {self.rejected} rejected requests, {store}"
        )

    def markdown_row(self) -> str:
        return (
            f"| {self.suite} | {self.cases} | {len(self.operations)} | {self.server_errors} "
            f"| {self.rejected} | {self.store_changed} |"
        )


_FINISHED: dict[str, FuzzTally] = {}


def publish(tally: FuzzTally, config: pytest.Config) -> None:
    """Print the summary line (past output capture) and write the report file if asked."""
    _FINISHED[tally.suite] = tally
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None:
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            reporter.write("\n")
            reporter.write_line(tally.line())
            if os.environ.get("RUNWRIGHT_FUZZ_STATUSES"):
                for operation, statuses in tally.statuses.items():
                    reporter.write_line(f"  {operation}: {dict(sorted(statuses.items()))}")
    target = os.environ.get("RUNWRIGHT_FUZZ_REPORT")
    if target:
        rows = "\n".join(done.markdown_row() for done in _FINISHED.values())
        Path(target).write_text(f"{HEADER}\n{rows}\n")
