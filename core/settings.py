"""Runtime configuration, read once per entrypoint from `RUNWRIGHT_*` variables and passed down.

There is deliberately no module-level instance: `worker.main()`, `cli.dev()` and
`api.app.create_app()` build one and hand it to whatever needs it; tests build their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.context_windows import parse_overrides
from core.sandbox.factory import default_sandbox_kind

LogFormat = Literal["auto", "json", "console"]


class Settings(BaseSettings):
    """Every knob of a Runwright process. Field docs double as the README's configuration table."""

    model_config = SettingsConfigDict(
        env_prefix="RUNWRIGHT_",
        env_nested_delimiter="__",
        extra="ignore",
        frozen=True,
        populate_by_name=True,
    )

    data_dir: Path = Path(".runwright")
    """Where the embedded stack keeps its state: SQLite store, file blobs, Temporal dev database."""

    database_url: str | None = None
    """SQLAlchemy async URL. Default: `sqlite+aiosqlite:///<data_dir>/runwright.db`.
    PostgreSQL: `postgresql+asyncpg://user:pass@host/db`."""

    model_base_url: str | None = None
    """OpenAI-compatible endpoint for model calls (ends in `/v1`). Unset: the offline demo model."""

    model_api_key: SecretStr | None = None
    """API key sent to `model_base_url`."""

    embedding_model: str | None = None
    """Embeddings model at `model_base_url` (e.g. `text-embedding-3-large`) for file_search's
    vector half. Unset: file_search is keyword-only (BM25), see README "file_search"."""

    embedding_dimensions: int | None = Field(default=None, ge=1, le=4096)
    """`dimensions` sent with embeddings requests (OpenAI's text-embedding-3 models take it;
    the hosted file_search used 256). Unset: the model's own size, and nothing is sent."""

    webhook_url: str | None = None
    """Receiver of run status webhooks (`requires_action` and terminal statuses), POSTed by the
    worker and retried durably. Unset: no webhooks."""

    webhook_secret: SecretStr | None = None
    """Signs webhooks (Standard Webhooks HMAC-SHA256, as OpenAI's); `whsec_<base64>` or text."""

    sandbox: Literal["bubblewrap", "none"] = Field(default_factory=default_sandbox_kind)
    """code_interpreter's sandbox: `bubblewrap` (Linux default; needs the `bwrap` binary) or
    `none` (code_interpreter refused). Never runs model code unsandboxed."""

    sandbox_idle_seconds: float = Field(default=1200.0, gt=0)
    """A thread's code_interpreter session (variables, files) is torn down after this long idle."""

    sandbox_wall_time_seconds: float = Field(default=30.0, gt=0)
    """Wall time (and CPU seconds) one code_interpreter call may take."""

    sandbox_memory_mb: int = Field(default=1024, ge=256)
    """Address space of one code_interpreter process (numpy, pandas and matplotlib map ~320 MB)."""

    task_queue: str = "runwright"
    """Temporal task queue shared by the API (starts runs) and the worker (executes them)."""

    run_expires_after_seconds: int = Field(default=600, ge=1)
    """A run's `expires_at` is `created_at` plus this many seconds (the Assistants API uses 600)."""

    temporal_address: str = Field(
        default="127.0.0.1:7233",
        validation_alias=AliasChoices("TEMPORAL_ADDRESS", "RUNWRIGHT_TEMPORAL_ADDRESS"),
    )
    """Temporal frontend `host:port` (standard variable `TEMPORAL_ADDRESS`)."""

    temporal_namespace: str = Field(
        default="default",
        validation_alias=AliasChoices("TEMPORAL_NAMESPACE", "RUNWRIGHT_TEMPORAL_NAMESPACE"),
    )
    """Temporal namespace (standard variable `TEMPORAL_NAMESPACE`)."""

    api_host: str = "127.0.0.1"
    """Interface the HTTP API binds to."""

    api_port: int = Field(default=8000, ge=0, le=65535)
    """Port of the HTTP API (`/v1`, `/health`, `/metrics`)."""

    max_request_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    """The largest request body the API reads, except file uploads (limited to the per-file
    maximum); larger bodies get a 413 before they are buffered or parsed."""

    worker_metrics_port: int = Field(default=9464, ge=0, le=65535)
    """Port of the worker's Prometheus endpoint (Temporal SDK metrics plus Runwright's)."""

    tools_module: str | None = None
    """Python module with `register_tools(registry)`: server-side function tools (see README)."""

    context_windows: str | None = None
    """Model context windows, overriding or extending the built-in table
    (`core/context_windows.py`): `mymodel=32768,other=8192`, keys are model-name prefixes."""

    api_keys: SecretStr | None = None
    """`key:project` pairs, comma-separated (`sk-a:proj_a,sk-b:proj_b`). Unset: any key is
    accepted for the single project `default` (fine on a laptop, never on a network)."""

    log_level: str = "INFO"
    """Root log level."""

    log_format: LogFormat = "auto"
    """`json`, `console`, or `auto` (console on a TTY, JSON otherwise)."""

    @field_validator("context_windows")
    @classmethod
    def _check_context_windows(cls, value: str | None) -> str | None:
        parse_overrides(value)  # a typo fails at start-up, not in the first long run
        return value

    def context_window_overrides(self) -> dict[str, int]:
        """The model-prefix -> tokens map of `context_windows` (empty when unset)."""
        return parse_overrides(self.context_windows)

    @property
    def resolved_database_url(self) -> str:
        """The configured database URL, or the embedded SQLite file under `data_dir`."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir.resolve() / 'runwright.db'}"

    def api_key_projects(self) -> dict[str, str]:
        """The key -> project map of `api_keys` (empty when auth is open)."""
        if self.api_keys is None:
            return {}
        pairs = [item.strip() for item in self.api_keys.get_secret_value().split(",")]
        projects: dict[str, str] = {}
        for pair in filter(None, pairs):
            key, sep, project = pair.rpartition(":")
            if not sep or not key or not project:
                raise ValueError("RUNWRIGHT_API_KEYS entries must look like key:project")
            projects[key] = project
        return projects

    @property
    def sandbox_dir(self) -> Path:
        """Directory holding code_interpreter sessions' working directories."""
        return self.data_dir / "sandbox"

    @property
    def blob_dir(self) -> Path:
        """Directory holding uploaded file contents."""
        return self.data_dir / "files"
