"""The composition root: settings, database, storage and broker are built here and nowhere else."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import dramatiq
from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from infra.broker import BrokerHandle, close_redis, connect_redis, make_broker
from infra.db import make_engine, make_sessionmaker
from infra.settings import Settings
from infra.storage import Storage, storage_from_url

if TYPE_CHECKING:
    from infra.secrets import SecretBox


@dataclass
class App:
    """Lazily built collaborators; building an App connects to nothing."""

    settings: Settings = field(default_factory=Settings)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.resolved_database_url())

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_sessionmaker(self.engine)

    @cached_property
    def storage(self) -> Storage:
        return storage_from_url(
            self.settings.resolved_storage_url(),
            endpoint_url=self.settings.s3_endpoint_url,
            region=self.settings.s3_region,
        )

    @cached_property
    def broker_handle(self) -> BrokerHandle:
        settings = self.settings
        handle = make_broker(settings.resolved_broker_url(), heartbeat_ms=settings.broker_heartbeat_ms,
                             maintenance_per_million=settings.broker_maintenance_per_million)
        dramatiq.set_broker(handle.broker)
        return handle

    @cached_property
    def redis(self) -> Redis:
        """Redis for coordination: the event streams, the publish lock, the scheduler's claims.

        The broker's own client when the broker is Redis and COI_REDIS_URL is unset (or the same)."""
        if self._redis_is_the_brokers():
            return self.broker_handle.broker.client
        return connect_redis(self.settings.redis_url)

    def _redis_is_the_brokers(self) -> bool:
        return self.settings.redis_url in ("", self.settings.broker_url)

    @cached_property
    def secrets(self) -> SecretBox:
        """The box of the stored secrets (webhooks' signing secrets). Its cipher (cryptography's Fernet, ~7 MB
        resident) is imported here, when the box is first asked for: an OCR pool never asks."""
        from infra.secrets import SecretBox, load_key

        return SecretBox(load_key(self.settings.secret_key, self.settings.var_dir))

    @cached_property
    def ocr_engine(self):
        """The OCR engine every OCR stage of this process uses (pipeline/ocr/engine.py); starting
        tesseract is per call, so building it starts nothing."""
        from pipeline.ocr.engine import TesseractEngine

        return TesseractEngine()

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
        if "redis" in self.__dict__ and not self._redis_is_the_brokers():
            close_redis(self.redis)
        if "broker_handle" in self.__dict__:
            self.broker_handle.close()


def configure_logging(level: str = "INFO") -> None:
    from infra.logging import CorrelationFilter, quiet_chatty_libraries

    handler = logging.StreamHandler()
    handler.addFilter(CorrelationFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_chatty_libraries(level)
