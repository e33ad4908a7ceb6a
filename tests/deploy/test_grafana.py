"""deploy/grafana: the dashboard is valid JSON whose every panel queries metrics that exist,
in PromQL that Prometheus parses, and it covers every Runwright metric."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy._support import DEPLOY, known_metrics, metric_names, promtool, runwright_metrics

DASHBOARD = DEPLOY / "grafana/dashboards/runwright.json"
_HISTOGRAM_SUFFIX = re.compile(r"_(bucket|sum|count)$")


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [panel for panel in dashboard["panels"] if panel["type"] != "row"]


def _exprs(dashboard: dict[str, Any]) -> list[str]:
    return [target["expr"] for panel in _panels(dashboard) for target in panel["targets"]]


def test_dashboard_shape(dashboard: dict[str, Any]) -> None:
    assert dashboard["uid"] == "runwright"
    (variable,) = dashboard["templating"]["list"]
    assert (variable["name"], variable["type"], variable["query"]) == (
        "datasource",
        "datasource",
        "prometheus",
    )
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in _panels(dashboard):
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24 and grid["w"] > 0 and grid["h"] > 0
        assert panel["targets"], panel["title"]
        ref_ids = [target["refId"] for target in panel["targets"]]
        assert len(ref_ids) == len(set(ref_ids)), panel["title"]
        for target in panel["targets"]:
            assert target["expr"].strip(), panel["title"]


def test_every_panel_queries_known_metrics(dashboard: dict[str, Any]) -> None:
    known = known_metrics()
    for panel in _panels(dashboard):
        for target in panel["targets"]:
            names = metric_names(target["expr"])
            assert names, f"{panel['title']}: no metric in {target['expr']}"
            assert names <= known, f"{panel['title']}: unknown {names - known}"


def test_every_runwright_metric_is_on_the_dashboard(dashboard: dict[str, Any]) -> None:
    used = {_HISTOGRAM_SUFFIX.sub("", name) for e in _exprs(dashboard) for name in metric_names(e)}
    exported = {_HISTOGRAM_SUFFIX.sub("", name) for name in runwright_metrics()}
    assert exported <= used, f"not on the dashboard: {sorted(exported - used)}"


def test_every_expression_parses(dashboard: dict[str, Any], tmp_path: Path) -> None:
    """promtool cannot parse a bare expression, but it parses recording rules: one per query."""
    rules = [
        {"record": f"dashboard:query_{index}", "expr": expr.replace("$__rate_interval", "1m")}
        for index, expr in enumerate(_exprs(dashboard))
    ]
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = promtool("check", "rules", path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rules)} rules found" in result.stdout
