"""Settings come from RUNWRIGHT_* and the standard Temporal variables, built per entrypoint."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import Settings


def test_defaults_use_the_embedded_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "RUNWRIGHT_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.data_dir == Path(".runwright")
    assert settings.resolved_database_url == (
        f"sqlite+aiosqlite:///{Path('.runwright').resolve() / 'runwright.db'}"
    )
    assert settings.run_expires_after_seconds == 600
    assert settings.task_queue == "runwright"
    assert (settings.temporal_address, settings.temporal_namespace) == ("127.0.0.1:7233", "default")
    assert settings.model_base_url is None


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RUNWRIGHT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RUNWRIGHT_DATABASE_URL", "postgresql+asyncpg://u:p@db/runwright")
    monkeypatch.setenv("RUNWRIGHT_MODEL_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("RUNWRIGHT_MODEL_API_KEY", "sk-secret")
    monkeypatch.setenv("RUNWRIGHT_TASK_QUEUE", "q1")
    monkeypatch.setenv("RUNWRIGHT_RUN_EXPIRES_AFTER_SECONDS", "120")
    monkeypatch.setenv("TEMPORAL_ADDRESS", "temporal:7233")
    monkeypatch.setenv("TEMPORAL_NAMESPACE", "prod")
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.resolved_database_url == "postgresql+asyncpg://u:p@db/runwright"
    assert settings.model_base_url == "http://127.0.0.1:9/v1"
    assert settings.model_api_key is not None
    assert settings.model_api_key.get_secret_value() == "sk-secret"
    assert "sk-secret" not in repr(settings)
    assert (settings.task_queue, settings.run_expires_after_seconds) == ("q1", 120)
    assert (settings.temporal_address, settings.temporal_namespace) == ("temporal:7233", "prod")


def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNWRIGHT_RUN_EXPIRES_AFTER_SECONDS", "0")
    with pytest.raises(ValidationError):
        Settings()


def test_api_keys_map_keys_to_projects() -> None:
    settings = Settings(api_keys="sk-a:proj_a, sk-b:proj_b,")
    assert settings.api_key_projects() == {"sk-a": "proj_a", "sk-b": "proj_b"}
    assert "sk-a" not in repr(settings)
    assert Settings().api_key_projects() == {} or Settings().api_keys is not None
    with pytest.raises(ValueError, match="key:project"):
        Settings(api_keys="just-a-key").api_key_projects()
