"""`runwright runs list|show` and `runwright replay`: the operator's commands for runs.

They read TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE and RUNWRIGHT_DATABASE_URL (or
RUNWRIGHT_DATA_DIR) like the worker does, so run them with the worker's environment.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from core.errors import AssistantsError
from core.operations.repair import rerun, reset_run
from core.operations.replay import export_history, replay
from core.runs_client import RunsClient
from core.settings import Settings
from core.store import Store, open_store
from core.temporal_client import connect_temporal
from workflows.ingest import IngestFileWorkflow
from workflows.run import RunWorkflow
from workflows.webhook import DeliverWebhookWorkflow

Command = Callable[[argparse.Namespace, Store, Client], Awaitable[int]]


def add_commands(commands: Any) -> None:
    """Add `runs` and `replay` to the `runwright` parser's subcommands."""
    runs = commands.add_parser("runs", help="list and inspect runs (operators)")
    actions = runs.add_subparsers(dest="runs_command", required=True)
    listing = actions.add_parser("list", help="runs by status, from Temporal's visibility")
    listing.add_argument("--status", default=None, help="e.g. failed, requires_action")
    listing.add_argument("--limit", type=int, default=50)
    show = actions.add_parser("show", help="a run with its steps and events")
    show.add_argument("run_id")
    again = commands.add_parser("replay", help="check a run against the current code; repair")
    again.add_argument("run_id")
    mode = again.add_mutually_exclusive_group()
    mode.add_argument("--reset", action="store_true", help="continue a failed run")
    mode.add_argument("--rerun", action="store_true", help="start a new run, same inputs")
    mode.add_argument("--export", type=Path, metavar="PATH", help="write the history as JSON")


def run_command(args: argparse.Namespace) -> int:
    """Run `runs ...` or `replay ...`; the process exit code."""
    command: Command = _replay if args.command == "replay" else _RUNS[args.runs_command]
    return asyncio.run(_with_backends(args, command))


async def _with_backends(args: argparse.Namespace, command: Command) -> int:
    settings = Settings()
    client = await connect_temporal(settings)
    store = await open_store(settings.resolved_database_url, blob_dir=settings.blob_dir)
    try:
        return await command(args, store, client)
    except AssistantsError as err:
        print(f"error: {err.message}")
        return 2
    finally:
        await store.close()


async def _list(args: argparse.Namespace, store: Store, client: Client) -> int:
    query = "WorkflowType = 'RunWorkflow'"
    if args.status:
        query += f" AND RunStatus = '{args.status}'"
    print(f"{'run':<32} {'status':<16} {'thread':<34} {'model':<16} started")
    count = 0
    async for execution in client.list_workflows(query, limit=args.limit):
        attrs = execution.typed_search_attributes
        values = {key.name: value for key, value in ((p.key, p.value) for p in attrs)}
        print(f"{execution.id:<32} {values.get('RunStatus', '?'):<16} "
              f"{values.get('ThreadId', '?'):<34} {values.get('Model', '?'):<16} "
              f"{execution.start_time:%Y-%m-%d %H:%M:%S}")  # fmt: skip
        count += 1
    print(f"{count} run(s)")
    return 0


async def _show(args: argparse.Namespace, store: Store, client: Client) -> int:
    found = await store.admin.find_run(args.run_id)
    if found is None:
        print(f"error: no run found with id '{args.run_id}'")
        return 2
    project, run = found
    print(json.dumps({"project_id": project, **run.model_dump(mode="json")}, indent=2))
    print("\nsteps:")
    for step in await store.run_steps.for_run(project, run.id):
        usage = step.usage.total_tokens if step.usage else "-"
        error = f" last_error={step.last_error.code}" if step.last_error else ""
        print(f"  {step.id} {step.type:<16} {step.status:<12} tokens={usage}{error}")
    print("\nevents:")
    for event in await store.run_events.read(run.id, limit=10_000):
        if event.event.endswith(".delta"):
            continue
        print(f"  {event.seq:>5} {event.event}")
    return 0


async def _replay(args: argparse.Namespace, store: Store, client: Client) -> int:
    if args.export:
        history = await export_history(client, args.run_id)
        args.export.write_text(json.dumps(history, indent=1))
        print(f"wrote {len(history.get('events', []))} events to {args.export}")
        return 0
    if args.reset or args.rerun:
        return await _repair(args, store, client)
    report = await replay(client, args.run_id, current_replayer())
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


async def _repair(args: argparse.Namespace, store: Store, client: Client) -> int:
    found = await store.admin.find_run(args.run_id)
    if found is None:
        print(f"error: no run found with id '{args.run_id}'")
        return 2
    project, run = found
    if args.reset:
        after = await reset_run(store, client, project, run.id)
        print(f"reset {run.id}: now {after.status}; it continues on the workers")
    else:
        created = await rerun(store, RunsClient(store, client, Settings()), project, run.id)
        print(f"re-ran {run.id} as {created.id} ({created.status})")
    return 0


def current_replayer() -> Replayer:
    """A Replayer with the workflows this code base would run."""
    from worker import sandbox_runner

    return Replayer(
        workflows=[RunWorkflow, IngestFileWorkflow, DeliverWebhookWorkflow],
        data_converter=pydantic_data_converter,
        workflow_runner=sandbox_runner(),
    )


_RUNS: dict[str, Command] = {"list": _list, "show": _show}
