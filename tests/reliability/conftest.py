"""tests/reliability: faults, bad input and isolation, each audited; see ledger.py for the table."""

from __future__ import annotations

import pytest

from tests.reliability.ledger import LEDGER, PROFILE


@pytest.fixture(scope="session")
def fault_ledger() -> object:
    return LEDGER


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not LEDGER.rows:
        return
    terminalreporter.write_sep("=", f"fault table (profile {PROFILE})")
    terminalreporter.write_line(LEDGER.markdown())
    LEDGER.write()
