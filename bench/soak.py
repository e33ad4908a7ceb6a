"""`make soak`: the reliability suite (tests/reliability) in its full profile, its tables kept.

Runs pytest in a child process with RUNWRIGHT_RELIABILITY_PROFILE=full and collects the markdown
each suite writes: the fault table (faults x runs, completed correctly, duplicates, losses) and
the bad-input table. `python -m bench.soak` prints them; `make bench` includes them in its
results file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REPORTS = {
    "RUNWRIGHT_RELIABILITY_REPORT": "Faults (make soak, full profile)",
    "RUNWRIGHT_FUZZ_REPORT": "Bad input (make soak, full profile)",
}


def run_soak(profile: str = "full") -> tuple[int, list[str]]:
    """Run tests/reliability; return pytest's exit code and one markdown section per report."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "RUNWRIGHT_RELIABILITY_PROFILE": profile}
        env |= {name: str(Path(tmp) / f"{name.lower()}.md") for name in REPORTS}
        command = [sys.executable, "-m", "pytest", "tests/reliability", "-q", "-p", "no:xdist"]
        code = subprocess.run(command, cwd=REPO, env=env, check=False).returncode
        sections = []
        for name, title in REPORTS.items():
            report = Path(env[name])
            if report.exists():
                sections.append(f"## {title}\n\n{report.read_text().strip()}")
    if code != 0:
        sections.append(f"**The reliability suite FAILED (pytest exit code {code}).**")
    return code, sections


def main() -> int:
    code, sections = run_soak()
    print("\n\n".join(sections))
    return code


if __name__ == "__main__":
    sys.exit(main())
