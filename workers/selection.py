"""Which requirement sets a document is scored against: the one in force, and the next future one."""

from __future__ import annotations

import copy
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, bindparam, event, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached, object_session

from infra.models import Document, Holder, RequirementSet
from pipeline.scoring import normalise

# Accounts whose live sets a process holds (per database), the least recently scored let go first: a set and its
# holder are a few KB of values (the requirements' body, the aliases)
HELD_ACCOUNTS = 512
_WROTE = "requirements written"  # a session's info: the transaction in which it wrote a holder or a set


# Built once (every scoring sends it: its construction and cache key are not redone each time)
LIVE_SETS = (select(RequirementSet, Holder).join(Holder, Holder.id == RequirementSet.holder_id)
             .where(Holder.account_id == bindparam("account_id", type_=Integer),
                    RequirementSet.superseded_at.is_(None))
             .order_by(RequirementSet.id))


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
    Sets read in a transaction that wrote a holder or a set itself (:func:`_wrote`) are not held: the version it
    raised is not committed, and a rollback would give the same number to another change."""

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
        rows = session.execute(LIVE_SETS, {"account_id": account_id}).all()
        if key is not None and session.info.get(_WROTE) is not session.get_transaction():
            values = [(_values(rs), _values(h)) for rs, h in rows]
            with self._lock:
                accounts = self._by_engine.setdefault(engine, OrderedDict())
                accounts[key] = (version.number, values)
                accounts.move_to_end(key)
                while len(accounts) > self.accounts:
                    accounts.popitem(last=False)
        return [tuple(row) for row in rows]


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


def _wrote(_mapper, _connection, target: Any) -> None:
    """A holder or a requirement set flushed: its session's transaction raised the account's version itself."""
    session = object_session(target)
    if session is not None:
        session.info[_WROTE] = session.get_transaction()


for _written in (Holder, RequirementSet):
    for _change in ("after_insert", "after_update", "after_delete"):
        event.listen(_written, _change, _wrote)

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
