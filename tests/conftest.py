"""Session-wide test harness: Temporal servers, stores and the scripted model server.

The fixtures live in `tests/fixtures/` (one plugin module per concern) and are registered here.
"""

pytest_plugins = [
    "tests.fixtures.temporal",
    "tests.fixtures.store",
    "tests.fixtures.model_server",
    "tests.fixtures.dev_stack",
    "tests.fixtures.metrics",
    "tests.reliability.ledger",
]
