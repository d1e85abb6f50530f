"""Which requirement set a document is scored against."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infra.models import Document, Holder, RequirementSet
from pipeline.scoring import normalise


def in_force(requirement_set: RequirementSet, day: date) -> bool:
    starts, ends = requirement_set.effective_from, requirement_set.effective_until
    return (starts is None or starts <= day) and (ends is None or day <= ends)


def pick_requirement_set(session: Session, document: Document, certificate: dict[str, Any],
                         day: date) -> RequirementSet | None:
    """The set in force for the document's account: the +tag's set first, else an untagged one;
    among several, the one whose holder the certificate names."""
    rows = session.execute(
        select(RequirementSet, Holder).join(Holder, Holder.id == RequirementSet.holder_id)
        .where(Holder.account_id == document.account_id).order_by(RequirementSet.id)
    ).all()
    current = [(rs, holder) for rs, holder in rows if in_force(rs, day)]
    tagged = [(rs, h) for rs, h in current if document.tag and rs.tag and rs.tag.lower() == document.tag.lower()]
    candidates = tagged or [(rs, h) for rs, h in current if rs.tag is None]
    if not candidates:
        return None
    named = normalise((certificate.get("certificate_holder") or {}).get("name"))
    for rs, holder in candidates:
        if named and normalise(holder.name) == named:
            return rs
    return candidates[-1][0]
