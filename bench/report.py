"""The results file `make bench` writes: one markdown table of every benchmark, each with the
baseline it was measured against in the same run, then the soak tables (faults, bad input)
when the reliability suite ran in its full profile."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

Row = tuple[str, str, str, str]
"""benchmark, result, baseline (same run), ratio."""


def benchmark_table(rows: Sequence[Row]) -> str:
    lines = ["| benchmark | result | baseline (same run) | ratio |", "| --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def header() -> str:
    """When, on what and at which commit the figures were measured."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} at commit "
        f"{commit or 'unknown'}{' (with uncommitted changes)' if dirty else ''}, on "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}. "
        "Ratios compare each figure with a baseline measured in the same run; the machine is "
        "shared, so compare ratios across runs, not absolute times."
    )


def write_results(path: Path, rows: Sequence[Row], soak_sections: Sequence[str]) -> str:
    """Write the results file and return its text."""
    parts = ["# Runwright benchmark results", "", header(), "", benchmark_table(rows)]
    for section in soak_sections:
        parts += ["", section]
    text = "\n".join(parts) + "\n"
    path.write_text(text)
    return text
