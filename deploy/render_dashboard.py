"""Render the Grafana dashboard (deploy/grafana/dashboards/runwright.json) to a PNG from a real run.

Grafana is not needed: this script starts the stack the way tests/deploy/test_live_prometheus.py
does (a Temporal dev server, `python -m cli worker` and `python -m cli api` on free loopback
ports, and a real `prometheus` scraping both every second), drives ~90 s of varied traffic
through the official `openai` SDK against a scripted model server (tests/fakes), then asks
Prometheus for every panel's PromQL over the run (`/api/v1/query_range`) and draws the panels
with matplotlib where the dashboard's gridPos puts them.

    python -m deploy.render_dashboard --out docs/dashboard.png

Needs the `dev` extra (matplotlib, pytest for the shared test helpers) and `prometheus` on PATH
(`bash scripts/ensure-prometheus.sh`). Every process it starts is stopped before it returns.

This module is also the worker's RUNWRIGHT_TOOLS_MODULE during the run (`register_tools`), so
the "Tool calls" panel shows server-side function tools next to file_search; its top-level
imports stay in the standard library for that reason.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import re
import signal
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "deploy/grafana/dashboards/runwright.json"

GRID_COLUMNS = 24
"""Grafana's grid: 24 columns, rows of 30 px cells separated by 8 px margins."""
CELL_HEIGHT_PX = 30
GRID_GAP_PX = 8

TRAFFIC_SECONDS = 90.0
RATE_INTERVAL = "30s"
STEP_SECONDS = 1.0
RUN_EXPIRES_AFTER_S = 75
"""Short run expiry, so the one requires_action run nobody answers expires during the traffic."""


# --- Grafana semantics (pure) --------------------------------------------------------------------


def grafana_variables(
    dashboard: Mapping[str, Any],
    *,
    rate_interval: str = RATE_INTERVAL,
    interval_s: float = STEP_SECONDS,
    range_s: float = 3600.0,
) -> dict[str, str]:
    """Values for Grafana's global variables and the dashboard's template variables.

    A template variable takes its current value when the dashboard stores one, else `.*` (every
    series). The `datasource` variable never appears in an expression, but gets `prometheus`.
    """
    values: dict[str, str] = {}
    for variable in dashboard.get("templating", {}).get("list", []):
        name = variable.get("name")
        if not name:
            continue
        current = (variable.get("current") or {}).get("value")
        if isinstance(current, list):
            current = "|".join(str(v) for v in current) if current else None
        if current in (None, "", "$__all"):
            current = variable.get("query") if variable.get("type") == "datasource" else ".*"
        values[name] = str(current)
    interval = _duration(interval_s)
    values.update(
        {
            "__rate_interval": rate_interval,
            "__interval": interval,
            "__interval_ms": str(round(interval_s * 1000)),
            "__range": _duration(range_s),
            "__range_s": str(round(range_s)),
            "__range_ms": str(round(range_s * 1000)),
        }
    )
    return values


def _duration(seconds: float) -> str:
    """A PromQL duration: whole seconds where possible, else milliseconds."""
    if float(seconds).is_integer():
        return f"{int(seconds)}s"
    return f"{round(seconds * 1000)}ms"


_VARIABLE = re.compile(
    r"\$\{(?P<braced>\w+)(?::[^}]*)?\}"  # ${name} and ${name:format}
    r"|\[\[(?P<old>\w+)(?::[^\]]*)?\]\]"  # [[name]] (deprecated syntax)
    r"|\$(?P<plain>\w+)"  # $name
)


def substitute(expr: str, variables: Mapping[str, str]) -> str:
    """`expr` with every `$name`, `${name}`, `${name:fmt}` and `[[name]]` that `variables`
    knows replaced; unknown names are left as they are. `$__interval_ms` never matches
    `$__interval`: a name runs to the end of its word."""

    def replace(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("old") or match.group("plain")
        return variables.get(name, match.group(0))

    return _VARIABLE.sub(replace, expr)


_LEGEND_LABEL = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")


def legend_name(legend_format: str | None, labels: Mapping[str, str]) -> str:
    """A series' legend as Grafana renders legendFormat: `{{label}}` becomes the label's value
    (empty when the series lacks it). Without a format (or `__auto`): `name{k="v", ...}`."""
    if legend_format and legend_format != "__auto":
        return _LEGEND_LABEL.sub(lambda m: labels.get(m.group(1), ""), legend_format).strip()
    name = labels.get("__name__", "")
    rest = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    if not rest:
        return name or "{}"
    return f"{name}{{{rest}}}"


def dashboard_panels(dashboard: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every panel in layout order, rows included, a collapsed row's panels after it."""
    panels: list[dict[str, Any]] = []
    for panel in dashboard.get("panels", []):
        panels.append(panel)
        if panel.get("type") == "row":
            panels.extend(panel.get("panels") or [])
    return sorted(panels, key=lambda p: (p["gridPos"]["y"], p["gridPos"]["x"]))


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels, from the top-left corner of the grid."""

    left: float
    top: float
    width: float
    height: float


def grid_box(
    grid_pos: Mapping[str, int],
    grid_width_px: float,
    *,
    cell_height_px: float = CELL_HEIGHT_PX,
    gap_px: float = GRID_GAP_PX,
) -> Box:
    """Where Grafana draws a panel of this gridPos on a grid `grid_width_px` wide."""
    column = (grid_width_px - gap_px * (GRID_COLUMNS - 1)) / GRID_COLUMNS
    x, y, w, h = (int(grid_pos[k]) for k in ("x", "y", "w", "h"))
    return Box(
        left=x * (column + gap_px),
        top=y * (cell_height_px + gap_px),
        width=w * column + (w - 1) * gap_px,
        height=h * cell_height_px + (h - 1) * gap_px,
    )


def grid_height(
    panels: Sequence[Mapping[str, Any]],
    *,
    cell_height_px: float = CELL_HEIGHT_PX,
    gap_px: float = GRID_GAP_PX,
) -> float:
    """Height in pixels of the grid holding `panels`."""
    bottom = max((p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels), default=0)
    return max(bottom * (cell_height_px + gap_px) - gap_px, 0.0)


def format_value(value: float, unit: str | None) -> str:
    """A value as Grafana shows it for the units this dashboard uses."""
    if math.isnan(value):
        return "NaN"
    if unit == "percentunit":
        return f"{_number(value * 100)}%"
    if unit == "reqps":
        return f"{_number(value)} req/s"
    if unit == "s":
        magnitude = abs(value)
        if magnitude == 0:
            return "0 s"
        if magnitude < 1e-3:
            return f"{_number(value * 1e6)} µs"
        if magnitude < 1:
            return f"{_number(value * 1e3)} ms"
        if magnitude < 60:
            return f"{_number(value)} s"
        if magnitude < 3600:
            return f"{_number(value / 60)} min"
        return f"{_number(value / 3600)} hour"
    for scale, suffix in ((1e9, " Bil"), (1e6, " Mil"), (1e3, " K")):
        if abs(value) >= scale:
            return f"{_number(value / scale)}{suffix}"
    return _number(value)


def _number(value: float) -> str:
    magnitude = abs(value)
    decimals = 0 if magnitude >= 100 or value == 0 else 1 if magnitude >= 10 else 2
    if 0 < magnitude < 0.01:
        decimals = 3 if magnitude >= 0.001 else 4
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def threshold_color(value: float, field_config: Mapping[str, Any]) -> str | None:
    """The color of the highest threshold step `value` reaches, when the panel colors by
    thresholds (None otherwise)."""
    defaults = field_config.get("defaults", {})
    if (defaults.get("color") or {}).get("mode") != "thresholds":
        return None
    color = None
    for step in (defaults.get("thresholds") or {}).get("steps", []):
        if step.get("value") is None or (not math.isnan(value) and value >= step["value"]):
            color = step.get("color")
    return color


# --- Server-side tool for the traffic (the worker imports this module) -------------------------


def register_tools(registry: Any) -> None:
    """RUNWRIGHT_TOOLS_MODULE hook: `lookup_order`, answered by the worker itself."""
    from core.tools import ToolError

    @registry.tool(
        name="lookup_order",
        description="Status of an order.",
        parameters={
            "type": "object",
            "properties": {"order_id": {"type": "string"}},
            "required": ["order_id"],
        },
    )
    def lookup_order(order_id: str) -> dict[str, str]:
        if order_id.startswith("X-"):
            raise ToolError(f"order {order_id} does not exist")
        return {"order_id": order_id, "status": "shipped"}


# --- The scripted model's behaviour --------------------------------------------------------------

_TAG = re.compile(r"\[(\w+):([^\]]*)\]")
LONG_TEXT = " ".join(
    f"Paragraph {i}: the run keeps talking about durable workflows, retries and budgets."
    for i in range(60)
)
TERMINAL = frozenset({"completed", "failed", "cancelled", "expired", "incomplete"})


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


class ModelBehaviour:
    """Picks the scripted model's answer from tags in the request: the assistant's instructions
    carry `[rw:scenario]`, the user's message `[delay:s]`, `[chunk:s]`, `[order:id]`, `[key:k]`."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, body: dict[str, Any]) -> Any:
        from tests.fakes.model_server import Fail, Malformed, Reply, ToolCall, ToolCalls

        messages = body.get("messages") or []
        text = " ".join(_content_text(m.get("content")) for m in messages)
        tags = dict(_TAG.findall(text))
        scenario = tags.get("rw", "chat")
        tools = {t.get("function", {}).get("name") for t in body.get("tools") or []}
        delay = float(tags.get("delay", "0.3"))
        chunk = float(tags.get("chunk", "0.01"))
        answered = bool(messages) and messages[-1].get("role") == "tool"
        if scenario == "fail":
            return Fail(500)  # retryable: the run fails once the activity's retries run out
        if scenario == "invalid":
            return Fail(400)  # invalid_prompt: final at once
        if scenario in ("flaky", "garbled"):
            with self._lock:
                first = tags.get("key", "") not in self._seen
                self._seen.add(tags.get("key", ""))
            if first:  # the first attempt only: a 429, or a 200 whose body is not JSON
                return Fail(429) if scenario == "flaky" else Malformed()
        if answered:
            if "file_search" in tools:
                return Reply("The rye proofs for fourteen hours 【0:0†bakery.txt】.", delay_s=0.2)
            return Reply("Done: the tool answered.", delay_s=0.2)
        if scenario == "weather" and "get_weather" in tools:
            return ToolCalls([ToolCall("get_weather", json.dumps({"city": "Paris"}))])
        if scenario == "order" and "lookup_order" in tools:
            order = tags.get("order", "A-1")
            return ToolCalls([ToolCall("lookup_order", json.dumps({"order_id": order}))])
        if scenario == "search" and "file_search" in tools:
            queries = {"queries": ["how long does the rye sourdough proof"]}
            return ToolCalls([ToolCall("file_search", json.dumps(queries))], delay_s=0.2)
        if scenario == "long":
            return Reply(LONG_TEXT, chunk_size=40)
        reply = "Runwright answers from a scripted model: durable runs on Temporal. " * 3
        return Reply(reply, delay_s=delay, chunk_size=8, chunk_delay_s=chunk)


# --- Traffic ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One scheduled piece of traffic: `scenario` starts `at` seconds into the traffic."""

    at: float
    scenario: str
    index: int


def traffic_plan(duration_s: float = TRAFFIC_SECONDS) -> list[Step]:
    """The fixed schedule of the traffic, in start order."""
    steps: list[Step] = []

    def every(scenario: str, first: float, period: float, last: float | None = None) -> None:
        t, i = first, 0
        while t <= (duration_s if last is None else last):
            steps.append(Step(round(t, 2), scenario, i))
            t, i = t + period, i + 1

    def at(scenario: str, *times: float) -> None:
        steps.extend(Step(t, scenario, i) for i, t in enumerate(times) if t <= duration_s)

    every("chat", 0.5, 2.0, duration_s - 6)
    every("client_errors", 1.0, 3.0, duration_s - 2)
    every("stream", 4.0, 12.0, duration_s - 10)
    every("weather", 6.0, 13.0, duration_s - 20)
    every("order", 9.0, 15.0, duration_s - 8)
    at("abandon", 2.0, 4.0)
    at("fail", 8.0, 36.0, 58.0)
    at("flaky", 12.0, 44.0, 70.0)
    at("garbled", 16.0, 48.0, 78.0)
    at("invalid", 30.0, 66.0)
    at("budget_completion", 18.0, 64.0)
    at("budget_prompt", 40.0, 80.0)
    at("cancel", 22.0, 48.0)
    at("ingest", 14.0, 46.0, 76.0)
    return sorted(steps, key=lambda s: (s.at, s.scenario))


BAKERY = (
    b"The Marrowby bakery proofs its rye sourdough for fourteen hours at eleven degrees. "
    + b"Flour arrives from the Ossel mill on Mondays. " * 60
)
RUNBOOK = b"# Runbook\n\n" + b"Restart the worker when the task slots stay full. " * 80


@dataclass
class Traffic:
    client: Any  # openai.OpenAI
    http: Any  # httpx.Client on the API's root
    assistants: dict[str, str] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def count(self, what: str) -> None:
        with self.lock:
            self.outcomes[what] += 1

    def create_assistants(self) -> None:
        beta = self.client.beta
        weather = {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            },
        }
        order = {
            "type": "function",
            "function": {
                "name": "lookup_order",
                "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}},
            },
        }
        specs: dict[str, dict[str, Any]] = {
            "chat": {"model": "gpt-4o"},
            "chat_mini": {"model": "gpt-4.1-mini"},
            "weather": {"model": "gpt-4o", "tools": [weather]},
            "order": {"model": "gpt-4.1-mini", "tools": [order]},
            "search": {"model": "gpt-4o", "tools": [{"type": "file_search"}]},
            "fail": {"model": "gpt-4o"},
            "flaky": {"model": "gpt-4.1-mini"},
            "garbled": {"model": "gpt-4o"},
            "invalid": {"model": "gpt-4.1-mini"},
            "long": {"model": "gpt-4o"},
        }
        for name, spec in specs.items():
            scenario = "chat" if name == "chat_mini" else name
            created = beta.assistants.create(
                name=name, instructions=f"Be brief. [rw:{scenario}]", **spec
            )
            self.assistants[name] = created.id

    # -- helpers

    def wait_run(self, thread_id: str, run_id: str, timeout_s: float = 45.0) -> Any:
        """Poll until the run is terminal or requires_action."""
        deadline = time.monotonic() + timeout_s
        while True:
            run = self.client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
            if run.status in TERMINAL or run.status == "requires_action":
                return run
            if time.monotonic() > deadline or self.stop.is_set():
                raise TimeoutError(f"run {run_id} still {run.status}")
            time.sleep(0.4)

    def start(self, assistant: str, text: str, **kwargs: Any) -> Any:
        return self.client.beta.threads.create_and_run(
            assistant_id=self.assistants[assistant],
            thread={"messages": [{"role": "user", "content": text}]},
            **kwargs,
        )

    def run_to_end(self, assistant: str, text: str, **kwargs: Any) -> Any:
        run = self.start(assistant, text, **kwargs)
        run = self.wait_run(run.thread_id, run.id)
        self.count(f"run {run.status}")
        return run

    def sleep(self, seconds: float) -> None:
        self.stop.wait(seconds)

    # -- scenarios

    def chat(self, i: int) -> None:
        delays = (0.2, 0.6, 1.4, 0.3, 2.8, 0.9, 0.4, 4.5)
        assistant = "chat" if i % 3 else "chat_mini"
        self.run_to_end(assistant, f"Hello number {i}. [delay:{delays[i % len(delays)]}]")

    def stream(self, i: int) -> None:
        assistant = self.assistants["chat" if i % 2 else "chat_mini"]
        thread = self.client.beta.threads.create(
            messages=[{"role": "user", "content": f"Stream {i}. [delay:0.3] [chunk:0.12]"}]
        )
        events = 0
        with self.client.beta.threads.runs.stream(
            thread_id=thread.id, assistant_id=assistant
        ) as stream:
            for _event in stream:
                events += 1
            run = stream.get_final_run()
        self.count(f"run {run.status} (streamed)")
        with self.lock:
            self.outcomes["streamed events"] += events

    def weather(self, i: int) -> None:
        waits = (2.0, 7.0, 12.0, 3.0, 1.5, 6.0)
        run = self.start("weather", f"Weather in Paris? ({i})")
        run = self.wait_run(run.thread_id, run.id)
        if run.status != "requires_action":
            self.count(f"run {run.status}")
            return
        self.sleep(waits[i % len(waits)])
        calls = run.required_action.submit_tool_outputs.tool_calls
        self.client.beta.threads.runs.submit_tool_outputs(
            run.id,
            thread_id=run.thread_id,
            tool_outputs=[{"tool_call_id": c.id, "output": '{"sky": "clear"}'} for c in calls],
        )
        run = self.wait_run(run.thread_id, run.id)
        self.count(f"run {run.status} (submit_tool_outputs)")

    def order(self, i: int) -> None:
        order = "X-404" if i % 3 == 2 else f"A-{i}"
        self.run_to_end("order", f"Where is my order? [order:{order}]")

    def abandon(self, i: int) -> None:
        """A requires_action run nobody answers: it expires (RUN_EXPIRES_AFTER_S)."""
        run = self.start("weather", "Weather in Oslo? Nobody will answer this one.")
        run = self.wait_run(run.thread_id, run.id)
        self.count(f"run {run.status} (left to expire)")

    def cancel(self, i: int) -> None:
        run = self.start("weather", "Weather in Rome? This one gets cancelled.")
        run = self.wait_run(run.thread_id, run.id)
        self.sleep(16.0)
        self.client.beta.threads.runs.cancel(run.id, thread_id=run.thread_id)
        run = self.wait_run(run.thread_id, run.id)
        self.count(f"run {run.status} (cancel)")

    def fail(self, i: int) -> None:
        self.run_to_end("fail", f"This model is down ({i}).")

    def flaky(self, i: int) -> None:
        self.run_to_end("flaky", f"Rate limited once, then fine. [key:flaky-{i}]")

    def garbled(self, i: int) -> None:
        self.run_to_end("garbled", f"A broken body once, then fine. [key:garbled-{i}]")

    def invalid(self, i: int) -> None:
        self.run_to_end("invalid", f"The provider rejects this prompt ({i}).")

    def budget_completion(self, i: int) -> None:
        self.run_to_end("long", f"Tell me everything ({i}).", max_completion_tokens=256)

    def budget_prompt(self, i: int) -> None:
        text = "Read all of this first. " + LONG_TEXT * 2
        self.run_to_end("chat", text, max_prompt_tokens=256)

    def ingest(self, i: int) -> None:
        uploads = [
            ("bakery.txt", BAKERY),
            ("runbook.md", RUNBOOK),
            ("scan.pdf", b"%PDF-1.7 this scan is not really a PDF"),
        ]
        ids = [
            self.client.files.create(file=(name, data), purpose="assistants").id
            for name, data in uploads
        ]
        store = self.client.vector_stores.create(name=f"notes-{i}", file_ids=ids)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not self.stop.is_set():
            store = self.client.vector_stores.retrieve(store.id)
            if store.file_counts.in_progress == 0:
                break
            time.sleep(0.25)
        self.count(f"files ingested {store.file_counts.completed}")
        self.count(f"files failed {store.file_counts.failed}")
        thread = self.client.beta.threads.create(
            messages=[{"role": "user", "content": "How long does the rye proof?"}],
            tool_resources={"file_search": {"vector_store_ids": [store.id]}},
        )
        run = self.client.beta.threads.runs.create(
            thread_id=thread.id, assistant_id=self.assistants["search"]
        )
        run = self.wait_run(thread.id, run.id)
        self.count(f"run {run.status} (file_search)")

    def client_errors(self, i: int) -> None:
        import openai

        beta = self.client.beta
        attempts: list[Callable[[], Any]] = [
            lambda: beta.threads.retrieve("thread_doesnotexist"),
            lambda: beta.assistants.create(model="gpt-4o", temperature=5),
            lambda: self.client.files.retrieve("file-doesnotexist"),
            lambda: beta.threads.runs.create(thread_id="thread_nope", assistant_id="asst_nope"),
        ]
        try:
            attempts[i % len(attempts)]()
            self.count("4xx expected but succeeded")
        except openai.APIStatusError as exc:
            self.count(f"HTTP {exc.status_code}")
        status = self.http.get("/v1/no-such-route").status_code
        self.count(f"HTTP {status}")

    def play(self, plan: Sequence[Step], duration_s: float, workers: int = 16) -> float:
        """Run the plan on a thread pool; returns when every step ended (or timed out)."""
        from concurrent.futures import ThreadPoolExecutor, wait

        started = time.monotonic()
        futures = []
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="traffic") as pool:
            for step in plan:
                delay = started + step.at - time.monotonic()
                if delay > 0:
                    self.stop.wait(delay)
                if self.stop.is_set():
                    break
                futures.append(pool.submit(self._guarded, step))
            grace = max(started + duration_s + 40 - time.monotonic(), 5)
            _done, pending = wait(futures, timeout=grace)
            if pending:
                self.stop.set()
                self.errors.append(f"{len(pending)} traffic steps still running; stopped")
        return time.monotonic() - started

    def _guarded(self, step: Step) -> None:
        try:
            getattr(self, step.scenario)(step.index)
        except Exception as exc:  # traffic trouble is reported, the render goes on
            with self.lock:
                self.errors.append(f"{step.scenario}#{step.index}: {type(exc).__name__}: {exc}")


# --- The stack -----------------------------------------------------------------------------------


@dataclass
class RunningStack:
    api: str
    prometheus: str
    metrics_port: int
    processes: Any  # tests.deploy.test_live_prometheus.Processes


@contextlib.contextmanager
def running_stack(workdir: Path, model_base_url: str) -> Iterator[RunningStack]:
    """The live test's stack (its helpers, reused), with a scripted model and a tools module."""
    import yaml

    from core.dev_server import TemporalDevServer, free_port, port_is_open
    from tests.deploy._support import binary
    from tests.deploy.test_live_prometheus import (
        Processes,
        _answers,
        _prometheus_config,
        _runwright_env,
        _wait,
    )

    processes = Processes(workdir)
    temporal_port, api_port, metrics_port, prometheus_port = (free_port() for _ in range(4))
    temporal = TemporalDevServer(workdir / "temporal", port=temporal_port, ui_port=free_port())
    (workdir / "temporal").mkdir()
    try:
        processes.spawn("temporal", temporal.command())
        _wait("temporal", lambda: port_is_open("127.0.0.1", temporal_port), processes, 15)
        env = _runwright_env(workdir / "data", temporal_port, api_port, metrics_port)
        env.update(
            {
                "RUNWRIGHT_MODEL_BASE_URL": model_base_url,
                "RUNWRIGHT_MODEL_API_KEY": "render-dashboard",
                "RUNWRIGHT_EMBEDDING_MODEL": "text-embedding-3-small",
                "RUNWRIGHT_EMBEDDING_DIMENSIONS": "256",
                "RUNWRIGHT_TOOLS_MODULE": "deploy.render_dashboard",
                "RUNWRIGHT_RUN_EXPIRES_AFTER_SECONDS": str(RUN_EXPIRES_AFTER_S),
                "RUNWRIGHT_LOG_LEVEL": "WARNING",
                "PYTHONWARNINGS": "ignore::DeprecationWarning",
            }
        )
        processes.spawn("worker", [sys.executable, "-m", "cli", "worker"], env)
        processes.spawn("api", [sys.executable, "-m", "cli", "api"], env)
        config = workdir / "prometheus.yml"
        config.write_text(yaml.safe_dump(_prometheus_config(api_port, metrics_port)))
        processes.spawn(
            "prometheus",
            [
                binary("prometheus"),
                f"--config.file={config}",
                f"--storage.tsdb.path={workdir / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{prometheus_port}",
            ],
        )
        stack = RunningStack(
            f"http://127.0.0.1:{api_port}",
            f"http://127.0.0.1:{prometheus_port}",
            metrics_port,
            processes,
        )
        _wait("api", lambda: _answers(f"{stack.api}/health"), processes, 30)
        worker_metrics = f"http://127.0.0.1:{metrics_port}/metrics"
        _wait("worker", lambda: _answers(worker_metrics), processes, 30)
        _wait("prometheus", lambda: _answers(f"{stack.prometheus}/-/ready"), processes, 15)
        yield stack
    except BaseException:
        for name, _process in processes.started:
            print(f"--- {name} log (tail)\n{processes.tail(name)}", file=sys.stderr)
        raise
    finally:
        processes.stop()


# --- Prometheus ----------------------------------------------------------------------------------


@dataclass
class Series:
    name: str
    times: list[float]
    values: list[float]


@dataclass
class PanelData:
    panel: dict[str, Any]
    series: list[Series]
    errors: list[str]

    @property
    def has_data(self) -> bool:
        return any(any(not math.isnan(v) for v in s.values) for s in self.series)


def query_panels(
    prometheus: str,
    panels: Sequence[dict[str, Any]],
    variables: Mapping[str, str],
    start: float,
    end: float,
    step: float,
) -> list[PanelData]:
    import httpx

    results = []
    with httpx.Client(base_url=prometheus, timeout=30) as http:
        for panel in panels:
            if panel.get("type") == "row":
                continue
            series: list[Series] = []
            errors: list[str] = []
            for target in panel.get("targets", []):
                if target.get("hide"):
                    continue
                expr = substitute(target["expr"], variables)
                params = {"query": expr, "start": start, "end": end, "step": step}
                body = http.get("/api/v1/query_range", params=params).json()
                if body.get("status") != "success":
                    errors.append(f"{expr}: {body.get('error')}")
                    continue
                for result in body["data"]["result"]:
                    times = [float(t) for t, _ in result["values"]]
                    values = [float(v) for _, v in result["values"]]
                    name = legend_name(target.get("legendFormat"), result["metric"])
                    series.append(Series(name, times, values))
            results.append(PanelData(panel, series, errors))
    return results


# --- Drawing -------------------------------------------------------------------------------------

PAGE_BG = "#111217"
PANEL_BG = "#181b1f"
PANEL_BORDER = "#2c3035"
TEXT = "#ccccdc"
TEXT_DIM = "#8e8e9f"
GRID = "#25272c"
PALETTE = (
    "#73BF69",
    "#F2CC0C",
    "#8AB8FF",
    "#FF780A",
    "#F2495C",
    "#5794F2",
    "#B877D9",
    "#705DA0",
    "#37872D",
    "#FADE2A",
    "#447EBC",
    "#C15C17",
)
GRAFANA_COLORS = {"green": "#73BF69", "red": "#F2495C", "yellow": "#FADE2A", "orange": "#FF9830"}
WIDTH_PX = 1800
DPI = 100
MARGIN_PX = 16
HEADER_PX = 70
PT = 72 / DPI  # points per pixel


def render(
    data: Sequence[PanelData],
    rows: Sequence[dict[str, Any]],
    out: Path,
    *,
    title: str,
    subtitle: str,
    start: float,
    end: float,
) -> tuple[int, int]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    grid_width = WIDTH_PX - 2 * MARGIN_PX
    panels = [d.panel for d in data] + list(rows)
    height_px = round(HEADER_PX + grid_height(panels) + 2 * MARGIN_PX)
    fig = plt.figure(figsize=(WIDTH_PX / DPI, height_px / DPI), dpi=DPI, facecolor=PAGE_BG)
    plt.rcParams["font.family"] = "DejaVu Sans"

    def to_fig(box: Box) -> tuple[float, float, float, float]:
        left = (MARGIN_PX + box.left) / WIDTH_PX
        bottom = 1 - (MARGIN_PX + HEADER_PX + box.top + box.height) / height_px
        return left, bottom, box.width / WIDTH_PX, box.height / height_px

    fig.text(
        MARGIN_PX / WIDTH_PX,
        1 - (MARGIN_PX + 6) / height_px,
        title,
        color=TEXT,
        fontsize=20 * PT * 1.0,
        fontweight="bold",
        va="top",
    )
    fig.text(
        MARGIN_PX / WIDTH_PX,
        1 - (MARGIN_PX + 40) / height_px,
        subtitle,
        color=TEXT_DIM,
        fontsize=13 * PT,
        va="top",
    )
    for row in rows:
        left, bottom, _width, height = to_fig(grid_box(row["gridPos"], grid_width))
        fig.text(
            left,
            bottom + height / 2,
            f"⌄ {row.get('title', '')}",
            color=TEXT,
            fontsize=15 * PT,
            fontweight="bold",
            va="center",
        )
    for item in data:
        box = grid_box(item.panel["gridPos"], grid_width)
        rect = to_fig(box)
        fig.add_artist(
            FancyBboxPatch(
                (rect[0], rect[1]),
                rect[2],
                rect[3],
                boxstyle="round,pad=0,rounding_size=0.002",
                transform=fig.transFigure,
                facecolor=PANEL_BG,
                edgecolor=PANEL_BORDER,
                linewidth=1,
                zorder=-10,
            )
        )
        fig.text(
            rect[0] + 10 / WIDTH_PX,
            rect[1] + rect[3] - 9 / height_px,
            item.panel.get("title", ""),
            color=TEXT,
            fontsize=14 * PT,
            fontweight="normal",
            va="top",
        )
        if item.panel.get("type") == "stat":
            _draw_stat(fig, item, box, rect, height_px, start, end)
        else:
            _draw_timeseries(fig, item, box, rect, height_px, start, end)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=DPI, facecolor=PAGE_BG)
    plt.close(fig)
    return WIDTH_PX, height_px


def _unit(panel: Mapping[str, Any]) -> str | None:
    return panel.get("fieldConfig", {}).get("defaults", {}).get("unit")


def _no_data(fig: Any, rect: tuple[float, float, float, float]) -> None:
    fig.text(
        rect[0] + rect[2] / 2,
        rect[1] + rect[3] / 2,
        "No data",
        color=TEXT_DIM,
        fontsize=16 * PT,
        ha="center",
        va="center",
    )


def _legend_layout(names: Sequence[str], width_px: float) -> list[list[int]]:
    """Series indices per legend line, flowed left to right like Grafana's list legend."""
    lines: list[list[int]] = [[]]
    used = 0.0
    for index, name in enumerate(names):
        need = 24 + 6.6 * len(name) + 14
        if lines[-1] and used + need > width_px:
            lines.append([])
            used = 0.0
        lines[-1].append(index)
        used += need
    return lines if lines[0] else []


def _draw_timeseries(
    fig: Any,
    item: PanelData,
    box: Box,
    rect: tuple[float, float, float, float],
    height_px: float,
    start: float,
    end: float,
) -> None:
    import matplotlib.dates as mdates
    import numpy as np
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    panel = item.panel
    if not item.has_data:
        _no_data(fig, rect)
        return
    series = sorted(item.series, key=lambda s: s.name)
    custom = panel.get("fieldConfig", {}).get("defaults", {}).get("custom", {})
    stacked = (custom.get("stacking") or {}).get("mode") == "normal"
    legend_lines = _legend_layout([s.name for s in series], box.width - 20)[:4]
    legend_px = 18 * len(legend_lines) + 4
    top_px, left_px, right_px, bottom_px = 34, 64, 12, 22 + legend_px
    ax = fig.add_axes(
        (
            rect[0] + left_px / WIDTH_PX,
            rect[1] + bottom_px / height_px,
            rect[2] - (left_px + right_px) / WIDTH_PX,
            rect[3] - (top_px + bottom_px) / height_px,
        ),
        facecolor=PANEL_BG,
    )
    grid = np.arange(start, end + STEP_SECONDS / 2, STEP_SECONDS)
    times = [datetime.fromtimestamp(t, UTC) for t in grid]
    base = np.zeros(len(grid))
    defaults = panel.get("fieldConfig", {}).get("defaults", {})
    steps = (defaults.get("thresholds") or {}).get("steps", [])
    by_threshold = (defaults.get("color") or {}).get("mode") == "thresholds"
    colors: list[str] = []
    plotted: list[float] = []
    for index, s in enumerate(series):
        values = np.full(len(grid), np.nan)
        lookup = {round(t * 1000): v for t, v in zip(s.times, s.values, strict=True)}
        for i, t in enumerate(grid):
            values[i] = lookup.get(round(float(t) * 1000), np.nan)
        color = PALETTE[index % len(PALETTE)]
        if by_threshold:
            color = GRAFANA_COLORS.get(steps[0].get("color", "green"), PALETTE[0])
        colors.append(color)
        if stacked:
            upper = base + np.nan_to_num(values)
            plotted.extend(upper.tolist())
            ax.plot(times, upper, color=color, linewidth=1.3)
            ax.fill_between(times, base, upper, color=color, alpha=0.12, linewidth=0)
            base = upper
            continue
        plotted.extend(values[~np.isnan(values)].tolist())
        ax.plot(times, values, color=color, linewidth=1.3)
        ax.fill_between(times, 0, values, color=color, alpha=0.1, linewidth=0)
        for step in steps[1:] if by_threshold else []:
            above = np.where(values >= step["value"], values, np.nan)
            ax.plot(times, above, color=GRAFANA_COLORS.get(step["color"], step["color"]), lw=1.6)
    unit = _unit(panel)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, min_n_ticks=3))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_value(v, unit)))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M:%S", tz=UTC))
    ax.set_xlim(times[0], times[-1])
    if plotted and min(plotted) >= 0:  # like Grafana: from 0, and 0..1 when all zero
        top = max(plotted)
        ax.set_ylim(0, top * 1.08 if top > 0 else 1)
    ax.tick_params(colors=TEXT_DIM, labelsize=11 * PT, length=0, pad=4)
    ax.grid(True, color=GRID, linewidth=0.8)
    for spine in ax.spines.values():
        spine.set_visible(False)
    names = [s.name for s in series]
    for line_no, indices in enumerate(legend_lines):
        x_px = 10.0
        y = rect[1] + (legend_px - 10 - 18 * line_no) / height_px
        for index in indices:
            fig.add_artist(
                _legend_swatch(
                    rect[0] + x_px / WIDTH_PX, y, 14 / WIDTH_PX, colors[index], fig.transFigure
                )
            )
            fig.text(
                rect[0] + (x_px + 20) / WIDTH_PX,
                y,
                names[index] or " ",
                color=TEXT,
                fontsize=12 * PT,
                va="center",
            )
            x_px += 24 + 6.6 * len(names[index]) + 14


def _legend_swatch(x: float, y: float, width: float, color: str, transform: Any) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([x, x + width], [y, y], color=color, linewidth=3, transform=transform)


def _draw_stat(
    fig: Any,
    item: PanelData,
    box: Box,
    rect: tuple[float, float, float, float],
    height_px: float,
    start: float,
    end: float,
) -> None:
    import numpy as np

    panel = item.panel
    points = [(t, v) for s in item.series[:1] for t, v in zip(s.times, s.values, strict=True)]
    finite = [(t, v) for t, v in points if not math.isnan(v)]
    if not finite:
        _no_data(fig, rect)
        return
    value = finite[-1][1]
    field_config = panel.get("fieldConfig", {})
    color_name = threshold_color(value, field_config) or "green"
    color = GRAFANA_COLORS.get(color_name, color_name)
    if (panel.get("options") or {}).get("graphMode") == "area":
        ax = fig.add_axes(
            (
                rect[0] + 1 / WIDTH_PX,
                rect[1] + 1 / height_px,
                rect[2] - 2 / WIDTH_PX,
                rect[3] * 0.4,
            ),
            facecolor="none",
        )
        times = np.array([t for t, _ in finite])
        values = np.array([v for _, v in finite])
        ax.fill_between(times, 0, values, color=color, alpha=0.18, linewidth=0)
        ax.plot(times, values, color=color, linewidth=1.3)
        ax.set_xlim(start, end)
        ax.set_ylim(0, max(values.max() * 1.15, 1e-9))
        ax.axis("off")
    fig.text(
        rect[0] + rect[2] / 2,
        rect[1] + rect[3] * 0.55,
        format_value(value, _unit(panel)),
        color=color,
        fontsize=min(box.height * 0.32, 90) * PT,
        fontweight="bold",
        ha="center",
        va="center",
    )


# --- Main ----------------------------------------------------------------------------------------


def prometheus_version(prometheus: str) -> str:
    import httpx

    body = httpx.get(f"{prometheus}/api/v1/status/buildinfo", timeout=5).json()
    return str(body["data"]["version"])


def _interrupt(signum: int, frame: Any) -> None:
    """SIGTERM unwinds like Ctrl-C, so every started process is stopped."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs/dashboard.png")
    parser.add_argument("--dashboard", type=Path, default=DASHBOARD)
    parser.add_argument("--seconds", type=float, default=TRAFFIC_SECONDS, help="traffic duration")
    parser.add_argument("--rate-interval", default=RATE_INTERVAL, help="for $__rate_interval")
    parser.add_argument("--workdir", type=Path, help="keep state and logs here (default: temp)")
    args = parser.parse_args(argv)

    if str(ROOT) not in sys.path:  # `python deploy/render_dashboard.py`
        sys.path.insert(0, str(ROOT))
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    signal.signal(signal.SIGTERM, _interrupt)
    dashboard = json.loads(args.dashboard.read_text())
    began = time.monotonic()

    import httpx
    import openai

    from tests.fakes.model_server import ScriptedModelServer

    with contextlib.ExitStack() as cleanup:
        if args.workdir is None:
            workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="rw-dash-")))
        else:
            workdir = args.workdir
            workdir.mkdir(parents=True, exist_ok=True)
        model = cleanup.enter_context(ScriptedModelServer())
        model.responder = ModelBehaviour()
        stack = cleanup.enter_context(running_stack(workdir, model.base_url))
        print(f"stack up after {time.monotonic() - began:.1f} s", flush=True)
        client = openai.OpenAI(
            base_url=f"{stack.api}/v1", api_key="render", max_retries=0, timeout=20
        )
        http = cleanup.enter_context(httpx.Client(base_url=stack.api, timeout=10))
        traffic = Traffic(client, http)
        traffic.create_assistants()
        start = math.floor(time.time()) - 5.0  # whole seconds: the step grid's timestamps
        played = traffic.play(traffic_plan(args.seconds), args.seconds)
        stack.processes.check_alive()
        print(f"traffic played for {played:.1f} s", flush=True)
        time.sleep(3)  # a few more scrapes of the final state (1 s interval)
        end = float(math.floor(time.time()))
        version = prometheus_version(stack.prometheus)
        variables = grafana_variables(
            dashboard, rate_interval=args.rate_interval, range_s=end - start
        )
        panels = dashboard_panels(dashboard)
        data = query_panels(stack.prometheus, panels, variables, start, end, STEP_SECONDS)
        model_calls = len(model.chat_requests)

    rows = [p for p in panels if p.get("type") == "row"]
    day = datetime.fromtimestamp(end, UTC).strftime("%Y-%m-%d")
    outcomes = traffic.outcomes
    runs = sum(n for k, n in outcomes.items() if k.startswith("run "))
    subtitle = (
        f"{round(end - start)} s window (UTC), {runs} runs, {model_calls} model calls, "
        f"scrape interval 1 s, $__rate_interval = {args.rate_interval}. "
        "Scripted model server: failures, rate limits, tool calls, file_search, budgets."
    )
    width, height = render(
        data,
        rows,
        args.out,
        title=f"Runwright — rendered from a real run on {day}, Prometheus {version}",
        subtitle=subtitle,
        start=start,
        end=end,
    )
    for item in data:
        state = f"{len(item.series)} series" if item.has_data else "NO DATA"
        print(f"  {item.panel.get('title')}: {state}", *item.errors)
    print("traffic:", dict(sorted(outcomes.items())))
    for error in traffic.errors:
        print("traffic error:", error, file=sys.stderr)
    print(f"wrote {args.out} ({width}x{height} px) in {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
