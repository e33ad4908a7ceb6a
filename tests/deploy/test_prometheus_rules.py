"""deploy/prometheus: promtool accepts the configuration and the rules, the rule unit tests
pass, and every alert is tested, documented and built on metrics that exist."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tests.deploy._support import (
    DEPLOY,
    PROMETHEUS_DIR,
    known_metrics,
    load_yaml,
    metric_names,
    promtool,
    setting_default,
)

EXPECTED_ALERTS = {
    "RunFailureRateHigh",
    "RunsStuck",
    "RequiresActionExpiring",
    "ModelErrorRateHigh",
    "WorkerTaskBacklog",
    "RunwrightTargetDown",
}


def _alert_rules() -> list[dict[str, Any]]:
    groups = load_yaml(PROMETHEUS_DIR / "alerts.yml")["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def test_promtool_check_config() -> None:
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_promtool_check_rules() -> None:
    result = promtool("check", "rules", "alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(_alert_rules())} rules found" in result.stdout


def test_promtool_test_rules() -> None:
    """alerts_test.yml: each alert fires on series that should trip it, and only then."""
    result = promtool("test", "rules", "alerts_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_the_issue_s_alerts_exist_with_severity_and_annotations() -> None:
    rules = _alert_rules()
    assert {rule["alert"] for rule in rules} == EXPECTED_ALERTS
    for rule in rules:
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert {"summary", "description", "runbook_url"} <= rule["annotations"].keys()
        assert rule.get("for"), f"{rule['alert']} fires on a single evaluation"


def test_every_alert_is_unit_tested_firing_and_quiet() -> None:
    tests = load_yaml(PROMETHEUS_DIR / "alerts_test.yml")["tests"]
    firing: dict[str, int] = defaultdict(int)
    quiet: dict[str, int] = defaultdict(int)
    for case in tests:
        for check in case["alert_rule_test"]:
            (firing if check["exp_alerts"] else quiet)[check["alertname"]] += 1
    assert set(firing) == EXPECTED_ALERTS
    assert set(quiet) == EXPECTED_ALERTS


def test_alerts_use_only_exported_metrics() -> None:
    known = known_metrics()
    for rule in _alert_rules():
        names = metric_names(rule["expr"])
        assert names, rule["alert"]
        assert names <= known, f"{rule['alert']}: unknown metric(s) {names - known}"


def test_every_runbook_url_has_a_section_in_the_runbook() -> None:
    runbook = (DEPLOY / "RUNBOOK.md").read_text()
    anchors = {
        line.lstrip("#").strip().lower() for line in runbook.splitlines() if line.startswith("## ")
    }
    for rule in _alert_rules():
        path, _, anchor = rule["annotations"]["runbook_url"].partition("#")
        assert path == "deploy/RUNBOOK.md"
        assert anchor in anchors, f"{rule['alert']}: no '## {anchor}' heading in RUNBOOK.md"
        assert anchor == rule["alert"].lower()


def test_scrape_jobs_are_the_ones_rules_and_dashboard_select() -> None:
    """Job names are a contract: RunwrightTargetDown and the dashboard select on them; the
    ports are Settings' defaults."""
    config = load_yaml(PROMETHEUS_DIR / "prometheus.yml")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert {"runwright-api", "runwright-worker"} <= jobs.keys()
    api_sd = jobs["runwright-api"]["dns_sd_configs"][0]
    worker_sd = jobs["runwright-worker"]["dns_sd_configs"][0]
    assert (api_sd["names"], api_sd["port"]) == (["runwright-api"], setting_default("api_port"))
    assert (worker_sd["names"], worker_sd["port"]) == (
        ["runwright-worker"],
        setting_default("worker_metrics_port"),
    )
    assert jobs["runwright-api"].get("metrics_path", "/metrics") == "/metrics"
    assert config["rule_files"] == ["alerts.yml"]


def test_kubernetes_scrape_config_keeps_the_job_names_and_temporal_namespace_label() -> None:
    """promtool from Debian has no Kubernetes discovery, so this one is checked by structure."""
    config = load_yaml(PROMETHEUS_DIR / "kubernetes.yml")
    (job,) = config["scrape_configs"]
    assert job["kubernetes_sd_configs"] == [{"role": "pod"}]
    relabels = job["relabel_configs"]
    to_job = [r for r in relabels if r.get("target_label") == "job"]
    assert to_job and to_job[0]["replacement"] == "runwright-$1"
    assert to_job[0]["source_labels"] == ["__meta_kubernetes_pod_label_app_kubernetes_io_component"]
    # Temporal's metrics carry `namespace` (the Temporal one): a target label of that name
    # would rename it to exported_namespace and break the rules' `by (namespace, ...)`.
    assert "namespace" not in {r.get("target_label") for r in relabels}
    keeps = {tuple(r["source_labels"]): r["regex"] for r in relabels if r.get("action") == "keep"}
    assert keeps[("__meta_kubernetes_pod_label_app_kubernetes_io_name",)] == "runwright"
    assert config["rule_files"] == ["alerts.yml"]
