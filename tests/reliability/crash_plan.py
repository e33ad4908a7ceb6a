"""Crash plans: where a crash worker (crash_worker.py) SIGKILLs itself, one shot per point.

A plan is a directory shared by the test and its worker processes. Each point is `<id>.json`;
the worker that dies on it first creates `<id>.fired` (O_EXCL, so two workers never both fire
and a restarted worker never fires again), then kills itself. The test reads `<id>.fired` to
know the crash really happened where it was planned.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

PLAN_ENV = "RUNWRIGHT_TEST_CRASH_PLAN"
"""The plan directory a crash worker reads (its entrypoint reads it, nothing below)."""

When = Literal["before", "after", "heartbeat"]


@dataclass(frozen=True)
class CrashPoint:
    """Die in activity `activity` of the work named by `scope`.

    `before`: before the body runs. `after`: the body returned (its writes are done) but Temporal
    has not heard the result. `heartbeat`: inside the body, at its `heartbeat`-th heartbeat.
    """

    id: str
    activity: str
    when: When
    scope: str
    """Text the activity's input must contain: a thread id, a file id."""
    nth: int = 1
    """Die in the nth matching activity of the workflow (a retried activity counts once)."""
    status: str | None = None
    """record_run_status only: the transition's status."""
    heartbeat: int = 1

    def matches(self, activity_type: str, args: Sequence[Any]) -> bool:
        if activity_type != self.activity or not args:
            return False
        if self.status is not None and getattr(args[0], "status", None) != self.status:
            return False
        return any(self.scope in _text(arg) for arg in args)


def _text(arg: Any) -> str:
    if isinstance(arg, BaseModel):
        return arg.model_dump_json()
    return json.dumps(arg, default=str)


class CrashPlan:
    """The points of one plan directory and their one-shot markers."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def add(self, point: CrashPoint) -> None:
        # Written whole, then renamed: a worker never reads half a point.
        draft = self.directory / f"{point.id}.draft"
        draft.write_text(json.dumps(asdict(point)))
        draft.rename(self.directory / f"{point.id}.json")

    def pending(self) -> list[CrashPoint]:
        """Points not fired yet."""
        points = []
        for path in self.directory.glob("*.json"):
            if not (self.directory / f"{path.stem}.fired").exists():
                points.append(CrashPoint(**json.loads(path.read_text())))
        return points

    def is_nth(self, point: CrashPoint, activity_key: str) -> bool:
        """Whether this activity (retries share its key) is the point's nth match."""
        with (self.directory / f"{point.id}.seen").open("a+") as seen:
            fcntl.flock(seen, fcntl.LOCK_EX)  # workers of one lane may race here
            seen.seek(0)
            keys = seen.read().split()
            if activity_key not in keys:
                keys.append(activity_key)
                seen.write(activity_key + "\n")
            return keys.index(activity_key) + 1 == point.nth

    def fire(self, point: CrashPoint, note: dict[str, Any]) -> bool:
        """Claim the point's one shot; False when it was already taken."""
        try:
            fd = os.open(self.directory / f"{point.id}.fired", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as marker:
            marker.write(json.dumps(note))
            marker.flush()
            os.fsync(marker.fileno())
        return True

    def fired(self, point_id: str) -> dict[str, Any] | None:
        """What the worker noted when it died on the point; None if it never did."""
        marker = self.directory / f"{point_id}.fired"
        if not marker.exists():
            return None
        text = marker.read_text()
        return json.loads(text) if text else {}
