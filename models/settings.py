"""The configuration of a FleksMatch process: every `FLEKSMATCH_*` environment variable, read here only.

Entry points (the CLI commands, `fleksmatch serve`) build one `Settings` from the environment with
`load_settings()` and pass it down; worker processes receive the parent's `Settings` object, never an
edited environment. Settings are immutable.

| variable | field | default |
| --- | --- | --- |
| FLEKSMATCH_DATABASE_URL | database_url | sqlite:///var/fleksmatch.sqlite3 (relative to the working directory) |
| FLEKSMATCH_DATA_DIR | data_dir | data/ of this checkout |
| FLEKSMATCH_SECRET_KEY | secret_key | none: a random key per server (logins end at restart) |
| FLEKSMATCH_COOKIE_SECURE | cookie_secure | false |
| FLEKSMATCH_TEST_DATABASE_URL | test_database_url | none: the suite runs on SQLite only |
| FLEKSMATCH_JOB_LEASE_SECONDS | job_lease_seconds | 60: a rematch whose runner is silent this long is failed |
| FLEKSMATCH_WORKER_HEALTHCHECK_SECONDS | worker_healthcheck_seconds | 60: uvicorn restarts a worker silent this long |
| FLEKSMATCH_METRICS_DIR | metrics_dir | var/metrics (prometheus-client's multiprocess files under `serve`) |
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///var/fleksmatch.sqlite3"
ENV_PREFIX = "FLEKSMATCH_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="ignore", frozen=True)

    database_url: str = Field(default=DEFAULT_DATABASE_URL, description="SQLAlchemy URL of the database")
    data_dir: Path = Field(default=REPO_ROOT / "data", description="Taxonomies and the demo pool")
    secret_key: SecretStr | None = Field(default=None, description="Signs web session cookies")
    cookie_secure: bool = Field(default=False, description="Send the session cookie over HTTPS only")
    test_database_url: str | None = Field(default=None, description="PostgreSQL for the test suite")
    job_lease_seconds: float = Field(default=60.0, ge=1, le=3600,
                                     description="How long a rematch job's claim holds without a heartbeat")
    worker_healthcheck_seconds: float = Field(default=60.0, ge=1, le=3600,
                                              description="uvicorn's timeout for a worker's health ping")
    metrics_dir: Path = Field(default=Path("var") / "metrics",
                              description="Where the server's processes share their Prometheus metrics")

    @field_validator("cookie_secure", mode="before")
    @classmethod
    def _danish_yes_no(cls, value: object) -> object:
        """Operators write `ja`/`nej` as readily as `1`/`0`."""
        if isinstance(value, str) and value.strip().lower() in ("ja", "nej"):
            return value.strip().lower() == "ja"
        return value

    def with_secret_key(self, key: str) -> Settings:
        return self.model_copy(update={"secret_key": SecretStr(key)})


def load_settings() -> Settings:
    """The settings of this process as the environment gives them now."""
    return Settings()


__all__ = ["DEFAULT_DATABASE_URL", "REPO_ROOT", "Settings", "load_settings"]
