"""Alembic environment: the URL comes from the config set by infra.db.alembic_config."""

from __future__ import annotations

import logging

from alembic import context

from infra.db import make_engine
from infra.models import Base

config = context.config
target_metadata = Base.metadata
log = logging.getLogger("infra.db")


def _applied(ctx, step, heads, run_args) -> None:  # noqa: ARG001 - Alembic's on_version_apply callback
    """One line per migration run: Alembic's own loggers are kept to warnings (infra/logging.py)."""
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


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          on_version_apply=_applied, include_name=_managed)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
