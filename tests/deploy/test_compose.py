"""deploy/compose.yaml, checked by structure (no Docker engine in CI): the services of the
topology, the image's two commands, settings that Settings accepts, ports at their defaults,
and every file it mounts present."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from tests.deploy._support import (
    DEPLOY,
    RUNWRIGHT_VARIABLE,
    load_yaml,
    setting_default,
    settings_env_names,
)

COMPOSE = DEPLOY / "compose.yaml"
_INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(?::-([^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_yaml(COMPOSE)


def _interpolate(value: str) -> str:
    """`${VAR:-default}` as compose resolves it with VAR unset."""
    return _INTERPOLATION.sub(lambda match: match.group(2) or "", value)


def test_the_topology_is_there(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {
        "postgresql",
        "temporal-schema",
        "temporal",
        "temporal-namespace",
        "temporal-ui",
        "runwright-worker",
        "runwright-api",
        "prometheus",
        "grafana",
    } <= services.keys()
    for name, service in services.items():
        assert "image" in service, name
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"


def test_worker_and_api_are_one_image_with_two_commands(compose: dict[str, Any]) -> None:
    worker, api = compose["services"]["runwright-worker"], compose["services"]["runwright-api"]
    assert worker["command"] == ["worker"]
    assert api["command"] == ["api"]
    assert worker["image"] == api["image"]
    for service in (worker, api):
        context = (COMPOSE.parent / service["build"]["context"]).resolve()
        assert context == DEPLOY.parent
        assert (context / service["build"]["dockerfile"]).is_file()
        assert service["depends_on"]["temporal-namespace"]["condition"] == (
            "service_completed_successfully"
        )
        assert service["depends_on"]["postgresql"]["condition"] == "service_healthy"


def test_runwright_environment_is_valid_settings(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The services' environment, interpolated with nothing set on the host, builds Settings
    pointing at the compose PostgreSQL and Temporal, with the default ports."""
    env: dict[str, str | None] = compose["services"]["runwright-api"]["environment"]
    assert env == compose["services"]["runwright-worker"]["environment"]
    for name in list(Settings.model_fields):
        monkeypatch.delenv(f"RUNWRIGHT_{name.upper()}", raising=False)
    monkeypatch.delenv("TEMPORAL_ADDRESS", raising=False)
    monkeypatch.delenv("TEMPORAL_NAMESPACE", raising=False)
    for key, value in env.items():
        if value is not None:
            monkeypatch.setenv(key, _interpolate(str(value)))
    settings = Settings()
    assert settings.resolved_database_url.startswith("postgresql+asyncpg://runwright:")
    assert settings.resolved_database_url.endswith("@postgresql:5432/runwright")
    assert settings.temporal_address == "temporal:7233"
    assert settings.api_host == "0.0.0.0"
    assert settings.api_port == setting_default("api_port")
    assert settings.worker_metrics_port == setting_default("worker_metrics_port")
    assert settings.log_format == "json"
    assert str(settings.data_dir) == "/data"
    # Secrets and the model endpoint come from the host, never from this file.
    for key in ("RUNWRIGHT_MODEL_BASE_URL", "RUNWRIGHT_MODEL_API_KEY", "RUNWRIGHT_API_KEYS"):
        assert key in env and env[key] is None


def test_every_runwright_variable_in_deploy_is_a_setting() -> None:
    """A typo in a variable name would be silently ignored by Settings (extra="ignore")."""
    known = settings_env_names()
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file() and path.suffix in {".yaml", ".yml", ".md", ".json", ".sh", ""}:
            used = set(RUNWRIGHT_VARIABLE.findall(path.read_text()))
            assert used <= known, f"{path.relative_to(DEPLOY)}: not settings: {used - known}"


def test_every_interpolation_has_a_default(compose: dict[str, Any]) -> None:
    """`docker compose up` works with no .env file and nothing exported."""
    text = COMPOSE.read_text()
    for match in _INTERPOLATION.finditer(text):
        assert match.group(2), f"${{{match.group(1)}}} has no default"


def test_published_ports_match_settings(compose: dict[str, Any]) -> None:
    api_port = setting_default("api_port")
    assert compose["services"]["runwright-api"]["ports"] == [f"{api_port}:{api_port}"]
    assert "ports" not in compose["services"]["runwright-worker"]  # scraped in-network


def test_mounted_files_exist_and_named_volumes_are_declared(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes", {}))
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (COMPOSE.parent / source).exists(), f"{name}: {source} missing"
            else:
                assert source in declared, f"{name}: volume {source} not declared"


def test_prometheus_and_grafana_get_their_configuration(compose: dict[str, Any]) -> None:
    prometheus = compose["services"]["prometheus"]
    assert "./prometheus:/etc/prometheus:ro" in prometheus["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    grafana = compose["services"]["grafana"]
    assert "./grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
    assert "./grafana/dashboards:/etc/grafana/dashboards:ro" in grafana["volumes"]
    provider = load_yaml(DEPLOY / "grafana/provisioning/dashboards/runwright.yml")
    assert provider["providers"][0]["options"]["path"] == "/etc/grafana/dashboards"
    datasource = load_yaml(DEPLOY / "grafana/provisioning/datasources/prometheus.yml")
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"


def test_scripts_mounted_into_containers_are_posix_shell() -> None:
    """They run under /bin/sh in images without bash."""
    for script in [*DEPLOY.glob("temporal/*.sh"), *DEPLOY.glob("postgres/*.sh")]:
        assert script.read_text().startswith("#!/bin/sh\n"), script.name
        assert "set -eu" in script.read_text(), script.name


def test_the_repo_has_no_compose_override_secrets() -> None:
    assert not list(DEPLOY.glob("*.env")) and not (DEPLOY / ".env").exists()
    assert not list(Path(DEPLOY).rglob("*secret*.yaml"))
