"""Which requirement sets a document is scored against: the one in force, and the next future one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import Session

from infra.models import Document, Holder, RequirementSet
from pipeline.scoring import normalise


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


def pick_requirement_sets(session: Session, document: Document, certificate: dict[str, Any], day: date) -> Selection:
    """Among the account's live sets, the +tag's sets first, else the untagged ones; among several
    holders, the one the certificate names. ``future`` is the earliest set that starts after ``day``."""
    rows = session.execute(LIVE_SETS, {"account_id": document.account_id}).all()
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
