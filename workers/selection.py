"""Which requirement sets a document is scored against: the one in force, and the next future one."""

from __future__ import annotations

import copy
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, and_, bindparam, func, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached

from infra.models import Document, Holder, RequirementSet
from pipeline.scoring import normalise

# Accounts whose live sets a process holds (per database), the least recently scored let go first: a set and its
# holder are a few KB of values (the requirements' body, the aliases)
HELD_ACCOUNTS = 512


# Built once (every scoring sends it: its construction and cache key are not redone each time)
_SETS = RequirementSet.__table__.join(Holder.__table__, Holder.id == RequirementSet.holder_id)
_LIVE = and_(Holder.account_id == bindparam("account_id", type_=Integer), RequirementSet.superseded_at.is_(None))
LIVE_SETS = select(RequirementSet, Holder).select_from(_SETS).where(_LIVE).order_by(RequirementSet.id)
# On PostgreSQL the same sets with whether the transaction reading them had written anything before them (it is
# given a transaction id at its first write: ``pg_current_xact_id_if_assigned()`` is not null), in one SELECT:
# one row of that alone joined to the sets (LEFT JOIN), so that an account with no live set answers it too
_WROTE_BEFORE = select(func.pg_current_xact_id_if_assigned().is_not(None).label("wrote")).subquery("tx")
LIVE_SETS_AND_WROTE = (select(_WROTE_BEFORE.c.wrote, RequirementSet, Holder)
                       .select_from(_WROTE_BEFORE.outerjoin(_SETS, _LIVE)).order_by(RequirementSet.id))


@dataclass(frozen=True)
class Selection:
    current: RequirementSet | None
    future: RequirementSet | None
    # the holders read with the sets: held here, they stay in the session's identity map (which holds
    # its objects weakly), so the scoring and its event get a set's holder without reading it again
    holders: tuple[Holder, ...] = ()


def in_force(requirement_set: RequirementSet, day: date) -> bool:
    starts, ends = requirement_set.effective_from, requirement_set.effective_until
    return (starts is None or starts <= day) and (ends is None or day <= ends)


@dataclass(frozen=True)
class Version:
    """Which of an account's states of requirements a scoring began with (workers/on_file.py reads it): the
    account (its id and when it was made: SQLite may give a deleted account's id to a new one) and its
    ``requirements_version``, which the database raises in every transaction that changes the account's
    holders or requirement sets (triggers, migration 0013)."""

    account_id: int
    account_created: datetime | None
    number: int


_Values = dict[str, Any]


class HeldSets:
    """Per process (and database), each account's live sets and their holders as last read, with the account's
    requirements version they were read at or after.

    A scoring reads the version in its first SELECT (workers/on_file.py); when it is the one held, the sets are
    what the database holds now: no writer can change a holder or a set without raising it, in the same
    transaction (triggers). The sets are read (LIVE_SETS) after the version, so they are at least as new as
    it; held under an older version they are only read again once more. The held values are put in each
    session as objects of their own (loaded, clean, the JSON copied), so no session shares or changes another's.
    Sets read in a transaction that had written anything before them (:func:`live_sets`: whatever wrote it, the
    ORM's unit of work, a bulk UPDATE, hand-written SQL) are not held: had it changed a holder or a set, the
    version it read is its own, not committed, and a rollback would give the same number to another change."""

    def __init__(self, accounts: int = HELD_ACCOUNTS) -> None:
        self.accounts = accounts
        self._by_engine: weakref.WeakKeyDictionary[Any, OrderedDict[tuple, tuple[int, list]]] = \
            weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def rows(self, session: Session, account_id: int, version: Version | None) -> list[tuple[RequirementSet, Holder]]:
        """The account's live sets with their holders, oldest set first (LIVE_SETS); read when ``version`` is
        None or not the one held."""
        engine = session.get_bind()
        key = (version.account_id, version.account_created) if version is not None else None
        with self._lock:
            held = self._by_engine.get(engine, {}).get(key) if key is not None else None
        if held is not None and held[0] == version.number:
            with self._lock:
                accounts = self._by_engine.get(engine)
                if accounts is not None and key in accounts:
                    accounts.move_to_end(key)  # the least recently scored let go first
            return [(_attached(session, RequirementSet, rs), _attached(session, Holder, h)) for rs, h in held[1]]
        rows, wrote = live_sets(session, account_id)
        if key is not None and not wrote:
            values = [(_values(rs), _values(h)) for rs, h in rows]
            with self._lock:
                accounts = self._by_engine.setdefault(engine, OrderedDict())
                accounts[key] = (version.number, values)
                accounts.move_to_end(key)
                while len(accounts) > self.accounts:
                    accounts.popitem(last=False)
        return rows


def live_sets(session: Session, account_id: int) -> tuple[list[tuple[RequirementSet, Holder]], bool]:
    """The account's live sets with their holders (LIVE_SETS), and whether the session's transaction had written
    anything to the database before reading them: on PostgreSQL read in the same SELECT (LIVE_SETS_AND_WROTE); on
    SQLite whether the connection has a transaction open after the SELECT, which Python's sqlite3 opens before
    the first INSERT, UPDATE or DELETE only (``Connection.in_transaction``; a SELECT opens none). Any other
    database, or a transaction SQLAlchemy began itself on SQLite, is counted as having written (not held)."""
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(LIVE_SETS_AND_WROTE, {"account_id": account_id}).all()
        return [(rs, h) for _, rs, h in rows if rs is not None], rows[0].wrote
    rows = session.execute(LIVE_SETS, {"account_id": account_id}).all()
    wrote = session.get_bind().dialect.name != "sqlite" or session.connection().connection.dbapi_connection.in_transaction
    return [tuple(row) for row in rows], wrote


def _values(obj: Any) -> _Values:
    return {attr.key: copy.deepcopy(getattr(obj, attr.key)) for attr in inspect(obj).mapper.column_attrs}


def _attached(session: Session, cls: type, values: _Values) -> Any:
    """The row ``values`` as a clean, loaded object of ``session``: the one it holds already, else a new one."""
    mapper = inspect(cls)
    found = session.identity_map.get(mapper.identity_key_from_primary_key((values["id"],)))
    if found is not None:
        return found
    obj = cls(**copy.deepcopy(values))
    make_transient_to_detached(obj)  # as loaded: no pending change, nothing written at the commit
    session.add(obj)
    return obj


HELD = HeldSets()  # this process's


def pick_requirement_sets(session: Session, document: Document, certificate: dict[str, Any], day: date,
                          version: Version | None = None) -> Selection:
    """Among the account's live sets, the +tag's sets first, else the untagged ones; among several
    holders, the one the certificate names. ``future`` is the earliest set that starts after ``day``.
    ``version``: the account's requirements as the scoring's first SELECT saw them; the sets this process
    holds are used when they are of that version (:class:`HeldSets`)."""
    rows = HELD.rows(session, document.account_id, version)
    tag = (document.tag or "").lower()
    tagged = [(rs, h) for rs, h in rows if tag and (rs.tag or "").lower() == tag]
    candidates = tagged or [(rs, h) for rs, h in rows if rs.tag is None]
    named = normalise((certificate.get("certificate_holder") or {}).get("name"))
    matching = [(rs, h) for rs, h in candidates
                if named and named in {normalise(n) for n in (h.name, *(h.aliases or ()))}]
    pool = [rs for rs, _ in (matching or candidates)]
    current = [rs for rs in pool if in_force(rs, day)]
    future = sorted((rs for rs in pool if rs.effective_from and rs.effective_from > day),
                    key=lambda rs: rs.effective_from)
    return Selection(current[-1] if current else None, future[0] if future else None,
                     tuple(h for _, h in rows))
