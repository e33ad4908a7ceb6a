"""The fault table: every fault test adds its audited runs here; the session prints one table.

`LEDGER.record(fault, audits)` is all a test calls. At the end of the session the table is
printed (pytest's terminal summary) and, when RUNWRIGHT_RELIABILITY_REPORT names a file, written
there as markdown for `make bench` / `make soak` to include.

This module is also a pytest plugin (registered in tests/conftest.py, so the controller of a
pytest-xdist session loads it too): each xdist worker leaves its rows in a JSON file and the
controller merges them into the one table.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

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

    def add(self, row: FaultRow) -> None:
        mine = self.rows.setdefault(row.fault, FaultRow(row.fault))
        mine.runs += row.runs
        mine.correct += row.correct
        mine.duplicates += row.duplicates
        mine.losses += row.losses

    def markdown(self) -> str:
        lines = [
            "| fault | runs | completed correctly | duplicates | losses |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for row in sorted(self.rows.values(), key=lambda r: r.fault):  # xdist merges out of order
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
_DIR_VARIABLE = "RUNWRIGHT_LEDGER_DIR"


def pytest_configure(config: pytest.Config) -> None:
    # The controller (or a plain session) names a directory before any xdist worker starts;
    # workers inherit the environment and leave their rows there.
    if not hasattr(config, "workerinput"):
        os.environ[_DIR_VARIABLE] = tempfile.mkdtemp(prefix="runwright-ledger-")


def pytest_sessionfinish(session: pytest.Session) -> None:
    worker = getattr(session.config, "workerinput", None)
    if worker is not None and LEDGER.rows:
        rows = [dataclasses.asdict(row) for row in LEDGER.rows.values()]
        path = Path(os.environ[_DIR_VARIABLE]) / f"{worker['workerid']}.json"
        path.write_text(json.dumps(rows))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if hasattr(terminalreporter.config, "workerinput"):
        return
    for path in sorted(Path(os.environ[_DIR_VARIABLE]).glob("*.json")):
        for row in json.loads(path.read_text()):
            LEDGER.add(FaultRow(**row))
    if not LEDGER.rows:
        return
    terminalreporter.write_sep("=", f"fault table (profile {PROFILE})")
    terminalreporter.write_line(LEDGER.markdown())
    LEDGER.write()
