"""deploy/k8s, checked by structure: known kinds and apiVersions, selectors that match their pod
labels, probes and resource limits on every container, settings Settings accepts, no Secret in
the repository, and autoscalers that point at real Deployments."""

from __future__ import annotations

from typing import Any

import pytest

from core.settings import Settings
from tests.deploy._support import (
    DEPLOY,
    load_yaml,
    load_yaml_documents,
    setting_default,
    settings_env_names,
)

K8S = DEPLOY / "k8s"
API_VERSIONS = {
    "Deployment": "apps/v1",
    "Service": "v1",
    "ConfigMap": "v1",
    "PersistentVolumeClaim": "v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "PodDisruptionBudget": "policy/v1",
}


def _objects(*patterns: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for pattern in patterns:
        for path in sorted(K8S.glob(pattern)):
            if path.name != "kustomization.yaml":
                found += load_yaml_documents(path)
    return found


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return _objects("*.yaml")


def _one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}"
    return matches[0]


def _matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def test_kinds_api_versions_and_no_namespace(objects: list[dict[str, Any]]) -> None:
    """Namespace-agnostic (`kubectl apply -k ... -n X`), and no Secret checked in."""
    for obj in [*objects, *_objects("extras/worker-hpa-backlog.yaml")]:
        assert API_VERSIONS.get(obj["kind"]) == obj["apiVersion"], obj["kind"]
        assert "namespace" not in obj["metadata"], obj["metadata"]["name"]


def test_kustomization_lists_every_manifest() -> None:
    kustomization = load_yaml(K8S / "kustomization.yaml")
    listed = set(kustomization["resources"])
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk
    assert {image["name"] for image in kustomization["images"]} == {"runwright"}


@pytest.mark.parametrize(
    ("name", "command", "port"),
    [("runwright-api", "api", "api_port"), ("runwright-worker", "worker", "worker_metrics_port")],
)
def test_deployment(objects: list[dict[str, Any]], name: str, command: str, port: str) -> None:
    deployment = _one(objects, "Deployment", name)
    template = deployment["spec"]["template"]
    assert _matches(deployment["spec"]["selector"]["matchLabels"], template["metadata"]["labels"])
    pod = template["spec"]
    # A Service named runwright-api would otherwise inject RUNWRIGHT_API_PORT=tcp://...
    assert pod["enableServiceLinks"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    assert container["image"] == "runwright"
    assert container["args"] == [command]
    (container_port,) = container["ports"]
    assert container_port["containerPort"] == setting_default(port)
    annotations = template["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(setting_default(port))
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        handler = container[probe]
        target = (handler.get("httpGet") or handler["tcpSocket"])["port"]
        assert target == container_port["name"], probe
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= container["resources"][kind].keys(), kind
    sources = {next(iter(ref.values()))["name"] for ref in container["envFrom"]}
    assert sources == {"runwright-config", "runwright-secrets"}
    mounts = {mount["name"]: mount["mountPath"] for mount in container["volumeMounts"]}
    assert mounts["data"] == "/data"
    claims = [
        v["persistentVolumeClaim"]["claimName"]
        for v in pod["volumes"]
        if "persistentVolumeClaim" in v
    ]
    assert claims == ["runwright-data"]
    _one(objects, "PersistentVolumeClaim", "runwright-data")


def test_api_readiness_is_health_and_the_service_selects_the_api(
    objects: list[dict[str, Any]],
) -> None:
    deployment = _one(objects, "Deployment", "runwright-api")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/health"
    # Liveness does not depend on the store or Temporal: restarting would not bring them back.
    assert "tcpSocket" in container["livenessProbe"]
    service = _one(objects, "Service", "runwright-api")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert _matches(service["spec"]["selector"], pod_labels)
    worker_labels = _one(objects, "Deployment", "runwright-worker")["spec"]["template"]["metadata"]
    assert not _matches(service["spec"]["selector"], worker_labels["labels"])
    (port,) = service["spec"]["ports"]
    assert port["targetPort"] == container["ports"][0]["name"]
    assert port["port"] == setting_default("api_port")


def test_worker_has_no_service(objects: list[dict[str, Any]]) -> None:
    worker = _one(objects, "Deployment", "runwright-worker")
    labels = worker["spec"]["template"]["metadata"]["labels"]
    services = [o for o in objects if o["kind"] == "Service"]
    assert not any(_matches(s["spec"]["selector"], labels) for s in services)


def test_autoscalers_and_budgets_target_the_deployments(objects: list[dict[str, Any]]) -> None:
    deployments = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Deployment"}
    autoscalers = [o for o in objects if o["kind"] == "HorizontalPodAutoscaler"]
    assert {h["spec"]["scaleTargetRef"]["name"] for h in autoscalers} == set(deployments)
    for hpa in [*autoscalers, *_objects("extras/worker-hpa-backlog.yaml")]:
        spec = hpa["spec"]
        assert spec["scaleTargetRef"]["kind"] == "Deployment"
        assert spec["scaleTargetRef"]["name"] in deployments
        assert 1 <= spec["minReplicas"] <= spec["maxReplicas"]
        assert spec["metrics"]
    for budget in (o for o in objects if o["kind"] == "PodDisruptionBudget"):
        selected = [
            name
            for name, d in deployments.items()
            if _matches(
                budget["spec"]["selector"]["matchLabels"],
                d["spec"]["template"]["metadata"]["labels"],
            )
        ]
        assert len(selected) == 1, budget["metadata"]["name"]


def test_backlog_autoscaler_uses_the_adapter_s_metric() -> None:
    (hpa,) = _objects("extras/worker-hpa-backlog.yaml")
    pods_metric = next(m for m in hpa["spec"]["metrics"] if m["type"] == "Pods")
    (rule,) = load_yaml(K8S / "extras/prometheus-adapter-rules.yaml")["rules"]["custom"]
    assert rule["name"]["as"] == pods_metric["pods"]["metric"]["name"]
    assert "temporal_worker_task_slots_used" in rule["seriesQuery"]
    assert set(rule["resources"]["overrides"]) == {"kubernetes_namespace", "pod"}


def test_configmap_is_valid_settings(
    objects: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    data: dict[str, str] = _one(objects, "ConfigMap", "runwright-config")["data"]
    assert set(data) <= settings_env_names()
    assert all(isinstance(value, str) for value in data.values())  # env values must be strings
    for key, value in data.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.api_host == "0.0.0.0"
    assert settings.api_port == setting_default("api_port")
    assert settings.worker_metrics_port == setting_default("worker_metrics_port")
    assert str(settings.data_dir) == "/data"
    assert settings.log_format == "json"
    # Secrets never sit in the ConfigMap.
    assert not {"RUNWRIGHT_DATABASE_URL", "RUNWRIGHT_MODEL_API_KEY", "RUNWRIGHT_API_KEYS"} & set(
        data
    )
