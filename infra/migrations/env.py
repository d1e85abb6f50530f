"""Alembic environment: the URL comes from the config set by infra.db.alembic_config."""

from __future__ import annotations

import logging

from alembic import context

from infra.db import make_engine
from infra.models import Base

config = context.config
target_metadata = Base.metadata
log = logging.getLogger("infra.db")
_steps_run: list[str] = []  # this run's migrations (the file runs afresh for every Alembic command)


def _applied(ctx, step, heads, run_args) -> None:  # noqa: ARG001 - Alembic's on_version_apply callback
    """One line per migration run: Alembic's own loggers are kept to warnings (infra/logging.py)."""
    _steps_run.append(step.up_revision_id)
    log.info("schema %s %s -> %s: %s", "upgraded" if step.is_upgrade else "downgraded",
             ", ".join(step.source_revision_ids) or "(empty)", ", ".join(step.destination_revision_ids) or "(empty)",
             (step.up_revision.doc if step.up_revision else ""))


def _managed(name, type_, parent_names) -> bool:  # noqa: ARG001 - Alembic's include_name callback
    """Objects the models describe; dialect-specific ones a migration makes by hand are left alone."""
    return not (name or "").startswith(tuple(target_metadata.info.get("unmanaged_prefixes", ())))


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True, include_name=_managed)
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_foreign_keys(connection, on: bool) -> None:
    """Turn SQLite's foreign keys on or off for ``connection``. A batch operation on SQLite ("move and copy")
    copies a table and drops the old one, and the drop fails while other tables' rows refer to it, so
    migrations run with them off (Alembic's advice for batch mode on SQLite). SQLite ignores the PRAGMA inside
    a transaction: it is run with none open (the driver opens one only before a row is written)."""
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    connection.commit()
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() != on:
        raise RuntimeError("SQLite did not change its foreign keys: a transaction was open")
    connection.commit()


def _sqlite_check_references(connection) -> None:
    """With foreign keys off nothing stopped a migration from leaving a row that refers to no row: stop with an
    error naming one rather than let the service start on it (run once the migration is committed)."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"after the migration {len(broken)} row(s) refer to no row; the first (table, row id, "
                           f"table it refers to, foreign key number): {tuple(broken[0])}")


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, on=False)
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          on_version_apply=_applied, include_name=_managed)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            connection.commit()
            if _steps_run:  # not at every start on an up-to-date database: the check reads every referring row
                _sqlite_check_references(connection)
            _sqlite_foreign_keys(connection, on=True)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
