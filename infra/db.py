"""Engine and sessions. Nothing connects until a function here is called."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(parsed)
    _ping_when_idle(engine)
    return engine


# A pooled connection is pinged before use only when it lay idle this long (SQLAlchemy's ``pool_pre_ping``
# pings on every checkout: a round trip, and a statement for PostgreSQL to run, for each of the ~12
# transactions of a certificate, more than the SQL of some of them). A connection back in the pool less
# than a second ago was working then; one that stops working in that second (PostgreSQL restarted) fails its
# first statement as a disconnect, which SQLAlchemy answers by discarding every connection of the pool made
# before it, and the stage meets it as a transient error (retried; the door answers 4xx).
PING_IF_IDLE_S = 1.0
_IDLE_SINCE = "coi_idle_since"  # the connection record's info: when it went back to the pool


def _ping_when_idle(engine: Engine) -> None:
    def checked_in(_dbapi_connection, record) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    def checked_out(dbapi_connection, record, _proxy) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < PING_IF_IDLE_S:  # new, or in use a moment ago
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            if engine.dialect.is_disconnect(exc, dbapi_connection, None):
                raise DisconnectionError("the pooled connection was closed while idle") from exc  # the pool reconnects
            raise

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checked_out)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Several processes (SMTP door, workers) share the file: WAL lets readers and one writer coexist.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


NO_DISK_SYNC = text("SET LOCAL synchronous_commit TO OFF")  # built once: three transactions a certificate


def skip_disk_sync(session: Session) -> None:
    """Let the commit of ``session``'s current transaction return before its write-ahead log reaches
    the disk (PostgreSQL's ``SET LOCAL synchronous_commit TO OFF``, for this one transaction): it saves
    the disk sync a commit waits for (1.5-4 ms on the bench machine: bench.commit_wait), at one
    statement's cost.

    What that risks, and only that: if PostgreSQL itself (or its host) crashes within ~0.6 s of the
    commit (three times ``wal_writer_delay``), the transaction is lost; the other sessions saw it, and a
    process of ours that dies does not lose it (the server keeps it). The log is written in order, so
    the first ordinary commit after it, by any session, makes it durable too. Call it only for a
    transaction whose loss is harmless or recovered by design, and say at the call why; never for what
    the door acknowledges, a decision, or an event. A no-op on other databases (SQLite)."""
    if session.get_bind().dialect.name == "postgresql":  # on the connection: no ORM execution, no autoflush
        session.connection().execute(NO_DISK_SYNC)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")
