"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
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


def test_given_accounts_with_holders_when_sqlite_runs_0013_down_and_up_then_the_version_is_raised_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'coi.db'}"
    migrate(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("PRAGMA foreign_keys=ON"))
        conn.execute(sa.text("INSERT INTO accounts (id, slug, name, created_at) VALUES (1, 'a', 'A', '2026-12-07')"))
        conn.execute(sa.text("INSERT INTO holders (account_id, name, created_at) VALUES (1, 'H', '2026-12-07')"))

    command.downgrade(alembic_config(url), "0012")
    migrate(url)

    version = sa.text("SELECT requirements_version FROM accounts")
    with engine.begin() as conn:
        before = conn.execute(version).scalar_one()
        conn.execute(sa.text("UPDATE holders SET name = 'H2'"))
        assert conn.execute(version).scalar_one() > before
        assert conn.execute(sa.text("SELECT count(*) FROM holders")).scalar_one() == 1
    engine.dispose()
