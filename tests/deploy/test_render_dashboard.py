"""deploy/render_dashboard.py, its pure parts only: Grafana variable substitution, legendFormat
rendering, the gridPos layout, value formatting and the traffic plan. The rendering itself
(a whole stack, ~100 s) is run by hand: `python -m deploy.render_dashboard`."""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

import pytest

from deploy.render_dashboard import (
    CELL_HEIGHT_PX,
    DASHBOARD,
    GRID_GAP_PX,
    Box,
    dashboard_panels,
    format_value,
    grafana_variables,
    grid_box,
    grid_height,
    legend_name,
    substitute,
    threshold_color,
    traffic_plan,
)


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


# --- variables -----------------------------------------------------------------------------------


def test_global_variables(dashboard: dict[str, Any]) -> None:
    values = grafana_variables(dashboard, rate_interval="30s", interval_s=1.0, range_s=95.0)
    assert values["__rate_interval"] == "30s"
    assert values["__interval"] == "1s"
    assert values["__interval_ms"] == "1000"
    assert values["__range"] == "95s"
    assert values["__range_s"] == "95"
    assert values["datasource"] == "prometheus"
    assert grafana_variables(dashboard, interval_s=0.5)["__interval"] == "500ms"


def test_template_variables_take_their_current_value_else_match_everything() -> None:
    dashboard = {
        "templating": {
            "list": [
                {"name": "job", "type": "query", "current": {"value": "runwright-api"}},
                {"name": "model", "type": "query", "current": {}},
                {"name": "status", "type": "custom", "current": {"value": ["failed", "expired"]}},
                {"name": "queue", "type": "query", "current": {"value": "$__all"}},
            ]
        }
    }
    values = grafana_variables(dashboard)
    assert values["job"] == "runwright-api"
    assert values["model"] == ".*"
    assert values["status"] == "failed|expired"
    assert values["queue"] == ".*"


def test_substitute_every_syntax() -> None:
    variables = {"__rate_interval": "30s", "__interval": "1s", "__interval_ms": "1000", "job": "a"}
    assert substitute("rate(x[$__rate_interval])", variables) == "rate(x[30s])"
    assert substitute("rate(x[${__rate_interval}])", variables) == "rate(x[30s])"
    # A longer name is never cut at a shorter one's end.
    assert substitute("$__interval_ms $__interval", variables) == "1000 1s"
    assert substitute('up{job=~"$job"}', variables) == 'up{job=~"a"}'
    assert substitute('up{job=~"${job:regex}"}', variables) == 'up{job=~"a"}'
    assert substitute('up{job=~"[[job]]"}', variables) == 'up{job=~"a"}'
    assert substitute('x{l=~"$unknown"}', variables) == 'x{l=~"$unknown"}'
    assert substitute("sum(rate(x[10m]))", variables) == "sum(rate(x[10m]))"


def test_every_dashboard_expression_is_left_without_variables(dashboard: dict[str, Any]) -> None:
    values = grafana_variables(dashboard)
    for panel in dashboard_panels(dashboard):
        for target in panel.get("targets", []):
            assert "$" not in substitute(target["expr"], values), target["expr"]


# --- legends -------------------------------------------------------------------------------------


def test_legend_format() -> None:
    labels = {"__name__": "runwright_tokens_total", "model": "gpt-4o", "kind": "prompt"}
    assert legend_name("{{model}}", labels) == "gpt-4o"
    assert legend_name("{{ model }} {{kind}}", labels) == "gpt-4o prompt"
    assert legend_name("workflow tasks {{task_queue}}", labels) == "workflow tasks"
    assert legend_name("p95", labels) == "p95"


def test_legend_without_format_names_the_series() -> None:
    labels = {"__name__": "up", "job": "runwright-api", "instance": "127.0.0.1:1"}
    assert legend_name(None, labels) == 'up{instance="127.0.0.1:1", job="runwright-api"}'
    assert legend_name("__auto", {"job": "x"}) == '{job="x"}'
    assert legend_name("", {}) == "{}"


# --- layout --------------------------------------------------------------------------------------


def test_grid_box_follows_grafana_geometry() -> None:
    width = 24 * 70 + 23 * GRID_GAP_PX  # 70 px columns
    assert grid_box({"x": 0, "y": 0, "w": 24, "h": 1}, width) == Box(0, 0, width, CELL_HEIGHT_PX)
    third = grid_box({"x": 8, "y": 1, "w": 8, "h": 8}, width)
    assert third.left == 8 * (70 + GRID_GAP_PX)
    assert third.width == 8 * 70 + 7 * GRID_GAP_PX
    assert third.top == CELL_HEIGHT_PX + GRID_GAP_PX
    assert third.height == 8 * CELL_HEIGHT_PX + 7 * GRID_GAP_PX
    last = grid_box({"x": 16, "y": 1, "w": 8, "h": 8}, width)
    assert math.isclose(last.left + last.width, width)


def test_dashboard_panels_in_layout_order(dashboard: dict[str, Any]) -> None:
    panels = dashboard_panels(dashboard)
    in_json = [p for p in dashboard["panels"] if p["type"] != "row"]
    in_json += [c for p in dashboard["panels"] if p["type"] == "row" for c in p.get("panels", [])]
    assert len([p for p in panels if p["type"] != "row"]) == len(in_json) >= 26
    positions = [(p["gridPos"]["y"], p["gridPos"]["x"]) for p in panels]
    assert positions == sorted(positions)
    collapsed = {
        "panels": [
            {"type": "row", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1}, "collapsed": True,
             "panels": [{"type": "stat", "gridPos": {"x": 0, "y": 1, "w": 6, "h": 4}}]},
        ]
    }  # fmt: skip
    assert [p["type"] for p in dashboard_panels(collapsed)] == ["row", "stat"]


def test_no_two_dashboard_panels_overlap(dashboard: dict[str, Any]) -> None:
    panels = dashboard_panels(dashboard)
    boxes = [(p["title"], grid_box(p["gridPos"], 1768)) for p in panels]
    for (name_a, a), (name_b, b) in itertools.combinations(boxes, 2):
        apart = (
            a.left + a.width <= b.left
            or b.left + b.width <= a.left
            or a.top + a.height <= b.top
            or b.top + b.height <= a.top
        )
        assert apart, f"{name_a} overlaps {name_b}"
    bottom = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels)
    assert grid_height(panels) == bottom * (CELL_HEIGHT_PX + GRID_GAP_PX) - GRID_GAP_PX
    assert grid_height([]) == 0


# --- values --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (0.0406, "percentunit", "4.06%"),
        (0.25, "percentunit", "25%"),
        (0.5, "reqps", "0.5 req/s"),
        (12.0, "reqps", "12 req/s"),
        (0.0475, "s", "47.5 ms"),
        (0.0, "s", "0 s"),
        (2.5, "s", "2.5 s"),
        (90.0, "s", "1.5 min"),
        (7200.0, "s", "2 hour"),
        (0.0000125, "s", "12.5 µs"),
        (240.0, "short", "240"),
        (1500.0, "short", "1.5 K"),
        (2_000_000.0, "short", "2 Mil"),
        (0.25, None, "0.25"),
        (-0.0, "short", "0"),
    ],
)
def test_format_value(value: float, unit: str | None, shown: str) -> None:
    assert format_value(value, unit) == shown


def test_threshold_color(dashboard: dict[str, Any]) -> None:
    (stat,) = [p for p in dashboard["panels"] if p["type"] == "stat"]
    assert threshold_color(0.04, stat["fieldConfig"]) == "green"
    assert threshold_color(0.1, stat["fieldConfig"]) == "red"
    plain = {"defaults": {"unit": "s"}}
    assert threshold_color(5.0, plain) is None


# --- traffic plan --------------------------------------------------------------------------------


def test_traffic_plan_is_ordered_and_covers_every_outcome() -> None:
    plan = traffic_plan(90.0)
    assert [s.at for s in plan] == sorted(s.at for s in plan)
    assert all(0 <= s.at <= 90.0 for s in plan)
    scenarios = {s.scenario for s in plan}
    assert {"chat", "stream", "weather", "fail", "ingest", "client_errors", "cancel"} <= scenarios
    # Counters only show a rate from their second increment: each rare outcome happens twice.
    for rare in ("fail", "invalid", "cancel", "abandon", "budget_prompt", "ingest"):
        assert sum(s.scenario == rare for s in plan) >= 2, rare
    assert traffic_plan(90.0) == plan
    assert all(s.at <= 20.0 for s in traffic_plan(20.0))
