"""tests/reliability: faults, bad input, isolation and load, each audited.

The fault table is collected by tests/reliability/ledger.py (a plugin of tests/conftest.py).
"""
