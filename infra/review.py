"""A reviewer's work on a decided document, beside ``infra/admin.py``'s waive and override:
correcting a misread value, listing waivers and overrides, undoing them with a reason.

Each action is recorded in the audit trail and, where it can change the decision, commits the
document's rescore as a hand-off (``workers/handoffs.py``) for the caller to enqueue, exactly as
``waive`` does: the rescore writes the new evaluation and its decision event.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infra.admin import AdminError, _decided_document, audit
from infra.models import AuditEntry, Certificate, Correction, Document, Handoff, Override, Waiver, utcnow
from infra.repo import add_event, document_ref, hand_on
from pipeline.corrections import CorrectionRefused, parse_value, read_value
from pipeline.events import EventType


def as_scored(session: Session, document: Document) -> dict[str, Any]:
    """The document's certificate with its corrections (what the current evaluation scored)."""
    from workers.decisions import corrected

    certificate = session.scalars(select(Certificate).where(Certificate.document_id == document.id)).one_or_none()
    if certificate is None:
        raise AdminError("The document has no extracted certificate to correct.")
    return corrected(session, document.id, certificate.data)


def correct(session: Session, document_id: str, pointer: str, value: Any, *, by: str,
            reason: str) -> tuple[Correction, Handoff]:
    """Store a correction of the value at ``pointer`` (text is parsed to the value's type), apart
    from what was read; announce it and commit the document's rescore (trigger ``correction:<id>``)."""
    document = _decided_document(session, document_id)
    if not reason or not reason.strip():
        raise AdminError("Say why the value is corrected (a reason is kept in the audit trail).")
    scored = as_scored(session, document)
    try:
        old = read_value(scored, pointer)
        new = parse_value(scored, pointer, value)
    except CorrectionRefused as e:
        raise AdminError(str(e)) from e
    if new == old:
        raise AdminError(f"{pointer} is {old!r} already; nothing to correct.")
    row = Correction(document_id=document.id, pointer=pointer, old_value=old, new_value=new, by=by,
                     reason=reason.strip())
    session.add(row)
    session.flush()
    detail = {"pointer": pointer, "old_value": old, "new_value": new, "reason": row.reason}
    audit(session, document.account_id, by, "value.corrected", f"document:{document.id}", detail)
    add_event(session, account_id=document.account_id, type=EventType.CORRECTED, document_id=document.id,
              dedupe_key=f"correction:{row.id}", data={**document_ref(session, document), "by": by, **detail})
    rescore = hand_on(session, "rescore_document", document.id, f"correction:{row.id}")
    session.commit()
    return row, rescore


def corrections(session: Session, document_id: str) -> list[Correction]:
    return list(session.scalars(select(Correction).where(Correction.document_id == document_id)
                                .order_by(Correction.id)))


def reviews(session: Session, account_id: int, document_id: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """The waivers and overrides of an account (or of one of its documents), newest first, undone ones too."""
    def scoped(model):
        query = select(model, Document.filename).join(Document, Document.id == model.document_id).where(
            Document.account_id == account_id)
        if document_id is not None:
            query = query.where(model.document_id == document_id)
        return session.execute(query.order_by(model.id.desc())).all()

    today = date.today()

    def state(row) -> str:
        if row.undone_at is not None:
            return "undone"
        return "lapsed" if row.until is not None and row.until < today else "active"

    def common(row, filename) -> dict[str, Any]:
        return {"id": row.id, "document_id": row.document_id, "filename": filename, "by": row.by,
                "reason": row.reason, "until": row.until.isoformat() if row.until else None,
                "created_at": row.created_at.isoformat(), "state": state(row), "undone_by": row.undone_by,
                "undone_reason": row.undone_reason,
                "undone_at": row.undone_at.isoformat() if row.undone_at else None}

    return {"waivers": [{**common(w, name), "code": w.code, "line": w.line, "key": w.key}
                        for w, name in scoped(Waiver)],
            "overrides": [{**common(o, name), "decision": o.decision} for o, name in scoped(Override)]}


def _owned(session: Session, model, row_id: int, account_id: int | None):
    row = session.get(model, row_id)
    document = session.get(Document, row.document_id) if row is not None else None
    what = "waiver" if model is Waiver else "override"
    if row is None or (account_id is not None and document.account_id != account_id):
        raise AdminError(f"No {what} {row_id}.")
    if row.undone_at is not None:
        raise AdminError(f"The {what} {row_id} was undone already, by {row.undone_by}.")
    return row, document


def undo_waiver(session: Session, waiver_id: int, *, by: str, reason: str,
                account_id: int | None = None) -> tuple[Waiver, Handoff]:
    """Stop applying a waiver (kept for the record); the document is scored again without it."""
    if not reason or not reason.strip():
        raise AdminError("Say why the waiver is undone.")
    waiver, document = _owned(session, Waiver, waiver_id, account_id)
    waiver.undone_at, waiver.undone_by, waiver.undone_reason = utcnow(), by, reason.strip()
    audit(session, document.account_id, by, "waiver.undone", f"document:{document.id}",
          {"waiver": waiver.id, "code": waiver.code, "line": waiver.line, "key": waiver.key, "reason": reason.strip()})
    rescore = hand_on(session, "rescore_document", document.id, f"waiver-undone:{waiver.id}")
    session.commit()
    return waiver, rescore


def undo_override(session: Session, override_id: int, *, by: str, reason: str,
                  account_id: int | None = None) -> tuple[Override, Handoff | None]:
    """Stop applying an override; when the decision in force changes, its decision event is written
    (and its publication handed on), as a rescore would."""
    from workers.decisions import current_evaluation, decision_event, standing_decision

    if not reason or not reason.strip():
        raise AdminError("Say why the override is undone.")
    row, document = _owned(session, Override, override_id, account_id)
    today = date.today()
    before = standing_decision(session, document.id, today)
    row.undone_at, row.undone_by, row.undone_reason = utcnow(), by, reason.strip()
    session.flush()
    after = standing_decision(session, document.id, today)
    audit(session, document.account_id, by, "override.undone", f"document:{document.id}",
          {"override": row.id, "decision": row.decision, "reason": reason.strip(), "now": after})
    publication = None
    evaluation = current_evaluation(session, document.id)
    if after != before and after is not None and evaluation is not None:
        add_event(session, account_id=document.account_id, type=EventType.for_decision(after),
                  dedupe_key=f"override:{row.id}:undone", document_id=document.id,
                  data=decision_event(session, document, as_scored(session, document), evaluation, after, before))
        publication = hand_on(session, "publish_events")
    session.commit()
    return row, publication


def trail(session: Session, document: Document) -> list[AuditEntry]:
    """The audit entries about a document, oldest first."""
    return list(session.scalars(select(AuditEntry).where(
        AuditEntry.account_id == document.account_id, AuditEntry.subject == f"document:{document.id}")
        .order_by(AuditEntry.id)))
