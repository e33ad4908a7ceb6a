"""The fault table: every fault test adds its audited runs here; the session prints one table.

`FaultLedger.record(fault, audits)` is all a test calls. At the end of the session the table is
printed (pytest's terminal summary) and, when RUNWRIGHT_RELIABILITY_REPORT names a file, written
there as markdown for `make bench` / `make soak` to include.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tests.reliability.audit import RunAudit

PROFILE = os.environ.get("RUNWRIGHT_RELIABILITY_PROFILE", "short")
"""`short` in `make test` (a few runs per fault), `full` in `make soak` (many)."""


def runs_per_fault(short: int = 1, full: int = 5) -> int:
    """How many runs a fault test puts through its fault under the current profile."""
    return full if PROFILE == "full" else short


@dataclass
class FaultRow:
    fault: str
    runs: int = 0
    correct: int = 0
    duplicates: int = 0
    losses: int = 0


class FaultLedger:
    def __init__(self) -> None:
        self.rows: dict[str, FaultRow] = {}

    def record(self, fault: str, audits: Iterable[RunAudit]) -> None:
        row = self.rows.setdefault(fault, FaultRow(fault))
        for audit in audits:
            row.runs += 1
            row.correct += audit.correct
            row.duplicates += audit.duplicates
            row.losses += audit.losses

    def markdown(self) -> str:
        lines = [
            "| fault | runs | completed correctly | duplicates | losses |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for row in self.rows.values():
            lines.append(
                f"| {row.fault} | {row.runs} | {row.correct} | {row.duplicates} | {row.losses} |"
            )
        fields = ("runs", "correct", "duplicates", "losses")
        total = FaultRow("total", *(sum(getattr(r, f) for r in self.rows.values()) for f in fields))
        lines.append(
            f"| **{total.fault}** | {total.runs} | {total.correct} | {total.duplicates} "
            f"| {total.losses} |"
        )
        return "\n".join(lines)

    def write(self) -> None:
        target = os.environ.get("RUNWRIGHT_RELIABILITY_REPORT")
        if target and self.rows:
            Path(target).write_text(self.markdown() + "\n")


LEDGER = FaultLedger()
