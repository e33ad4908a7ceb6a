"""`runwright`: the command line. `runwright dev` runs the whole stack in one process tree.

dev = an embedded Temporal dev server (child process) + the worker + the HTTP API (both in this
process, sharing one store and one Temporal client), shut down in reverse order on Ctrl-C/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

import structlog
import uvicorn

import cli_ops
from api.app import create_app
from core.dev_server import TemporalDevServer
from core.observability.logging import configure_logging
from core.settings import Settings
from core.store import open_store
from core.temporal_client import connect_temporal
from worker import (
    build_runtime,
    build_worker,
    install_stop_signals,
    quiet_temporal_loggers,
    report_sandbox,
    sandbox_for,
)
from worker import (
    main as worker_main,
)

log = structlog.get_logger()


class _ApiServer(uvicorn.Server):
    """uvicorn without its own signal handling: `runwright dev` owns the shutdown order."""

    def install_signal_handlers(self) -> None:  # uvicorn < 0.29
        return None

    def capture_signals(self):  # type: ignore[no-untyped-def]
        import contextlib

        return contextlib.nullcontext()


def _dev_settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {"temporal_address": f"127.0.0.1:{args.temporal_port}"}
    if args.port is not None:
        overrides["api_port"] = args.port
    if args.data_dir is not None:
        overrides["data_dir"] = Path(args.data_dir)
    return Settings(**overrides)  # type: ignore[arg-type]


async def _serve_dev(settings: Settings, temporal_port: int, stop: asyncio.Event) -> None:
    temporal = TemporalDevServer(
        data_dir=settings.data_dir, port=temporal_port, ui_port=temporal_port + 1000,
        namespace=settings.temporal_namespace,
    )  # fmt: skip
    await temporal.start()
    try:
        store = await open_store(settings.resolved_database_url, blob_dir=settings.blob_dir)
        store.run_events.local_appends_only = True  # the API and the worker below share it
        client = await connect_temporal(settings, runtime=build_runtime(settings), wait_seconds=30)
        app = create_app(settings, store=store, client=client)
        api = _ApiServer(uvicorn.Config(app, host=settings.api_host, port=settings.api_port,
                                        log_config=None, lifespan="on"))  # fmt: skip
        sandbox = sandbox_for(settings)
        await report_sandbox(sandbox)
        async with build_worker(client, settings, store, sandbox=sandbox):
            api_task = asyncio.create_task(api.serve())
            while not api.started and not api_task.done():  # noqa: ASYNC110 (uvicorn exposes a flag)
                await asyncio.sleep(0.02)
            if api_task.done():
                await api_task  # surfaces the bind error
                return
            _announce(settings, temporal)
            await stop.wait()
            api.should_exit = True
            await api_task
        await sandbox.aclose()
        await store.close()
    finally:
        await temporal.stop()
        log.info("dev_stopped")


def _announce(settings: Settings, temporal: TemporalDevServer) -> None:
    api_url = f"http://{settings.api_host}:{settings.api_port}"
    log.info(
        "dev_started",
        api=f"{api_url}/v1",
        health=f"{api_url}/health",
        api_metrics=f"{api_url}/metrics",
        worker_metrics=f"http://{settings.api_host}:{settings.worker_metrics_port}/metrics",
        temporal=temporal.address,
        temporal_ui=f"http://{temporal.host}:{temporal.ui_port}",
        data_dir=str(settings.data_dir.resolve()),
        model=settings.model_base_url or "offline demo model (no RUNWRIGHT_MODEL_BASE_URL set)",
    )


def _dev(args: argparse.Namespace) -> None:
    settings = _dev_settings(args)
    configure_logging(settings.log_level, settings.log_format)
    quiet_temporal_loggers()

    async def _main() -> None:
        stop = asyncio.Event()
        install_stop_signals(stop)
        await _serve_dev(settings, args.temporal_port, stop)

    asyncio.run(_main())


def _api() -> None:
    """The HTTP API alone (one uvicorn process; scale with replicas), as deployed."""
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    app = create_app(settings)
    uvicorn.run(app, host=settings.api_host, port=settings.api_port, log_config=None)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="runwright", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    dev = commands.add_parser("dev", help="run Temporal, the worker and the API on this machine")
    dev.add_argument("--port", type=int, default=None, help="API port (default 8000)")
    dev.add_argument("--data-dir", default=None, help="state directory (default ./.runwright)")
    dev.add_argument("--temporal-port", type=int, default=7233, help="Temporal gRPC port")
    commands.add_parser("worker", help="run the worker against TEMPORAL_ADDRESS")
    commands.add_parser("api", help="run the HTTP API against TEMPORAL_ADDRESS")
    demo = commands.add_parser("demo", help="walk a run through its lifecycle with the SDK")
    demo.add_argument("--base-url", default="http://127.0.0.1:8000/v1")
    demo.add_argument("--api-key", default=os.environ.get("OPENAI_API_KEY", "runwright-demo"))
    cli_ops.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> None:
    """Entrypoint of the `runwright` console script."""
    args = _parser().parse_args(argv)
    if args.command == "dev":
        _dev(args)
    elif args.command == "worker":
        worker_main()
    elif args.command == "api":
        _api()
    elif args.command in ("runs", "replay"):
        code = cli_ops.run_command(args)
        sys.stdout.flush()
        os._exit(code)
    elif args.command == "demo":
        from core.demo import run_demo

        code = run_demo(args.base_url, args.api_key)
        sys.stdout.flush()
        os._exit(code)
    # Flush, then leave without interpreter teardown: the Temporal client can crash at exit
    # (sdk-python#300, DESIGN "Known traps").
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
