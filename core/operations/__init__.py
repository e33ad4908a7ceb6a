"""Operator tools for runs that went wrong: list, inspect, replay, reset and re-run.

The `runwright runs` / `runwright replay` commands (cli_ops.py) and the `/retry` extension
endpoint (api/routes/run_ops.py) are thin shells over these functions.
"""
