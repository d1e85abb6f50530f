"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command

from infra.db import alembic_config, migrate

pytestmark = pytest.mark.integration


def test_sqlite_migrations_match_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'coi.db'}"
    migrate(url)
    command.check(alembic_config(url))  # raises when autogenerate would find a difference


def test_postgres_migrations_match_the_models_and_run_down_and_up(postgres_url):
    command.check(alembic_config(postgres_url))
    command.downgrade(alembic_config(postgres_url), "base")
    migrate(postgres_url)
    command.check(alembic_config(postgres_url))
