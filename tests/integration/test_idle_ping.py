"""A pooled PostgreSQL connection is pinged before use only when it lay idle (infra/db.py
``PING_IF_IDLE_S``): one closed while idle is replaced unseen; one in use a moment ago is trusted, and if
it died in that moment its first statement fails as a disconnect, after which the pool serves a new one."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import exc, text

import infra.db
from infra.db import make_engine

pytestmark = pytest.mark.integration


def backend(sessions) -> int:
    with sessions() as session:
        return session.scalar(text("SELECT pg_backend_pid()"))


def terminate(admin_url: str, pid: int) -> None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def pooled_then_killed(postgres_url, postgres_server):
    """A session maker whose pool holds one connection, and that connection's backend pid, terminated since."""
    engine = make_engine(postgres_url)
    sessions = infra.db.make_sessionmaker(engine)
    try:
        first = backend(sessions)
        terminate(postgres_server, first)
        yield sessions, first
    finally:
        engine.dispose()


def test_given_a_pooled_connection_closed_while_idle_when_it_is_taken_then_a_new_one_serves(
        pooled_then_killed, monkeypatch):
    sessions, first = pooled_then_killed
    monkeypatch.setattr(infra.db, "PING_IF_IDLE_S", 0.0)  # idle long enough to be pinged

    assert backend(sessions) != first  # no error: the ping found it closed and the pool reconnected


def test_given_a_connection_used_a_moment_ago_when_it_died_since_then_its_first_statement_fails_and_the_next_works(
        pooled_then_killed, monkeypatch):
    sessions, first = pooled_then_killed
    monkeypatch.setattr(infra.db, "PING_IF_IDLE_S", 3600.0)  # in use "a moment ago": not pinged

    with pytest.raises(exc.OperationalError) as raised:
        backend(sessions)
    assert raised.value.connection_invalidated
    assert backend(sessions) != first
