"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from infra.db import alembic_config, make_engine, migrate

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


# A value of each Python type the models' columns hold (JSON says object): enough for one row a table.
_TYPED = {int: 1, str: "1", float: 1.0, bool: True, object: {},  # object: JSON
          datetime.datetime: datetime.datetime(2026, 12, 7, tzinfo=datetime.timezone.utc),
          datetime.date: datetime.date(2026, 12, 7)}


def _one_row_a_table(engine) -> None:
    """A row in every table of the models, in dependency order, every column filled (a foreign key names the
    row of the table it refers to), inserted with foreign keys on: each row is one the schema accepts."""
    from infra.models import Base

    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            row = {}
            for column in table.columns:
                foreign = next(iter(column.foreign_keys), None)
                row[column.name] = (_TYPED[foreign.column.type.python_type] if foreign is not None
                                    else _TYPED[column.type.python_type])
            conn.execute(table.insert().values(**row))


def _tables(conn) -> list[str]:
    """The models' tables the database holds (not Alembic's, nor the search index's own)."""
    from infra.models import Base

    return [name for name in sa.inspect(conn).get_table_names() if name in Base.metadata.tables]


def _every_step_down_and_up_over_one_row_a_table(url: str) -> None:
    config = alembic_config(url)
    migrate(url)
    engine = make_engine(url)  # on SQLite foreign keys on, as every connection of ours
    _one_row_a_table(engine)
    revisions = [script.revision for script in ScriptDirectory.from_config(config).walk_revisions()]  # head first

    for revision, below in zip(revisions, [*revisions[1:], "base"]):
        command.downgrade(config, below)
        command.upgrade(config, revision)  # an upgrade over rows too
        command.downgrade(config, below)
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                assert conn.execute(sa.text("PRAGMA foreign_key_check")).all() == [], revision
            empty = [name for name in _tables(conn)
                     if conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one() == 0]
            assert empty == [], f"{revision} -> {below} lost the rows of {empty}"
    with engine.connect() as conn:
        assert _tables(conn) == []

    migrate(url)
    command.check(config)
    triggers = ("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%requirements_version%'"
                if engine.dialect.name == "sqlite" else  # PostgreSQL: a row an event of a trigger
                "SELECT count(*) FROM information_schema.triggers WHERE trigger_name LIKE '%requirements_version%'")
    with engine.connect() as conn:
        assert conn.execute(sa.text(triggers)).scalar_one() == 6  # 0013's: holders and requirement_sets, 3 events
    engine.dispose()


def test_given_a_row_in_every_table_when_sqlite_runs_every_migration_down_and_up_then_each_step_keeps_the_rows(
        tmp_path):
    _every_step_down_and_up_over_one_row_a_table(f"sqlite:///{tmp_path / 'coi.db'}")


def test_given_a_row_in_every_table_when_postgres_runs_every_migration_down_and_up_then_each_step_keeps_the_rows(
        postgres_url):
    _every_step_down_and_up_over_one_row_a_table(postgres_url)


def test_given_a_row_referring_to_no_row_when_sqlite_runs_a_migration_then_it_stops_with_an_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'coi.db'}"
    migrate(url)
    engine = sa.create_engine(url)  # SQLite's default: foreign keys off
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO holders (account_id, name, created_at) VALUES (99, 'H', '2026-12-07')"))
    engine.dispose()

    with pytest.raises(RuntimeError, match="refer to no row"):
        command.downgrade(alembic_config(url), "-1")  # migrations run with foreign keys off, then check them


@pytest.mark.parametrize("table", ["accounts", "holders", "requirement_sets"])
def test_given_0013s_triggers_when_sqlite_rebuilds_a_table_between_drop_and_create_triggers_then_the_version_rises(
        tmp_path, table):
    """The way 0013's docstring gives a later migration that rebuilds (a batch "move and copy") a table its
    triggers name: without ``drop_triggers`` first the rebuild of accounts or holders fails at its RENAME (SQLite
    re-reads every trigger), and one of holders or requirement_sets takes its own triggers with the old table."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    url = f"sqlite:///{tmp_path / 'coi.db'}"
    migrate(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO accounts (id, slug, name, created_at) VALUES (1, 'a', 'A', '2026-12-07')"))
        conn.execute(sa.text("INSERT INTO holders (id, account_id, name, created_at) VALUES (1, 1, 'H', '2026-12-07')"))
    triggers = ScriptDirectory.from_config(alembic_config(url)).get_revision("0013").module
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # as env.py runs every migration
        conn.commit()
        with Operations.context(MigrationContext.configure(conn)) as op:
            triggers.drop_triggers("sqlite")
            with op.batch_alter_table(table, recreate="always") as batch_op:
                batch_op.add_column(sa.Column("later", sa.Integer()))
            triggers.create_triggers("sqlite")
        conn.commit()

    version = sa.text("SELECT requirements_version FROM accounts")
    with engine.begin() as conn:
        before = conn.execute(version).scalar_one()
        conn.execute(sa.text("INSERT INTO requirement_sets (holder_id, name, body, created_at) "
                             "VALUES (1, 'R', '{}', '2026-12-07')"))
        after_set = conn.execute(version).scalar_one()
        conn.execute(sa.text("UPDATE holders SET name = 'H2'"))
        assert before < after_set < conn.execute(version).scalar_one()
    engine.dispose()
