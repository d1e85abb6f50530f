"""Scoring a document inside a transaction: the evaluation row, its event, and what decision stands."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from infra.models import (Certificate, Correction, Document, Evaluation, Holder, Override, RequirementSet, Waiver,
                          utcnow)
from infra.repo import add_event, document_ref, insert_or_none
from infra.search import index_certificate
from pipeline.events import EventType
from pipeline.corrections import Fix, apply_corrections
from pipeline.expiry import relevant_expiry
from pipeline.scoring import Waiver as WaiverRule
from pipeline.scoring import evaluate, no_requirements, with_aliases
from workers.selection import pick_requirement_sets

if TYPE_CHECKING:
    from workers.on_file import OnFile

# Built once (a statement's construction and cache key are not redone on every scoring)
_DOCUMENT = bindparam("document_id", type_=String)
WAIVERS = select(Waiver).where(Waiver.document_id == _DOCUMENT)
OVERRIDES = select(Override).where(Override.document_id == _DOCUMENT).order_by(Override.id.desc())
CORRECTIONS = select(Correction).where(Correction.document_id == _DOCUMENT).order_by(Correction.id)
CURRENT_EVALUATION = select(Evaluation).where(Evaluation.document_id == _DOCUMENT, Evaluation.current) \
    .order_by(Evaluation.id.desc())
EVALUATIONS = select(Evaluation).where(Evaluation.document_id == _DOCUMENT).order_by(Evaluation.id.desc())
CERTIFICATE = select(Certificate).where(Certificate.document_id == _DOCUMENT)


def active_waivers(session: Session, document_id: str, day: date) -> list[WaiverRule]:
    rows = session.scalars(WAIVERS, {"document_id": document_id}).all()
    return [WaiverRule(w.code, w.by, w.reason, w.line, w.key, w.until) for w in rows
            if w.undone_at is None and (w.until is None or day <= w.until)]


def active_override(session: Session, document_id: str, day: date) -> Override | None:
    rows = session.scalars(OVERRIDES, {"document_id": document_id}).all()
    return next((o for o in rows if o.undone_at is None and (o.until is None or day <= o.until)), None)


def corrected(session: Session, document_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """The certificate as scored: what was read, with the reviewers' corrections laid over it."""
    rows = session.scalars(CORRECTIONS, {"document_id": document_id}).all()
    return apply_corrections(data, [Fix(c.pointer, c.new_value, c.by) for c in rows])


def current_evaluation(session: Session, document_id: str) -> Evaluation | None:
    return session.scalars(CURRENT_EVALUATION, {"document_id": document_id}).first()


def standing_decision(session: Session, document_id: str, day: date) -> str | None:
    """The decision in force: a reviewer's active override, else the current evaluation's."""
    override = active_override(session, document_id, day)
    if override is not None:
        return override.decision
    return _decision(current_evaluation(session, document_id))


def _decision(evaluation: Evaluation | None) -> str | None:
    return evaluation.decision if evaluation else None


def score(session: Session, document: Document, day: date, trigger: str, *, index: bool = True,
          certificate: Certificate | None = None, on_file: OnFile | None = None) -> Evaluation:
    """Evaluate the document's certificate now; a rerun of the same trigger changes nothing.

    Writes the evaluation and, when the standing decision changed (or this is the first), a
    ``coi.certificate.<decision>`` outbox event, all in the caller's transaction. ``index``: write the
    search entry too (the first scoring skips it: the extract stage just wrote it from the same data).
    ``certificate``: the document's, when the caller read it already. ``on_file``: what the database
    holds for the document (workers/on_file.py), when the caller read it: a table it says is empty for
    the document is not asked again."""
    if on_file is not None:
        certificate = on_file.certificate
    certificate = certificate or certificate_of(session, document)
    if index:
        index_certificate(session, document, certificate.data)  # the search index follows what is scored
    evaluations = session.scalars(EVALUATIONS, {"document_id": document.id}).all() \
        if on_file is None or on_file.evaluations else []  # few: one per trigger
    existing = next((e for e in evaluations if e.trigger == trigger), None)
    if existing is not None:
        return existing
    override = active_override(session, document.id, day) if on_file is None or on_file.overrides else None
    before = override.decision if override is not None else _decision(next((e for e in evaluations if e.current), None))
    data = corrected(session, document.id, certificate.data) if on_file is None or on_file.corrections \
        else certificate.data
    selection = pick_requirement_sets(session, document, data, day,
                                      on_file.requirements if on_file is not None else None)
    waivers = active_waivers(session, document.id, day) if on_file is None or on_file.waivers else []
    result = (evaluate(data, holder_aliases(session, selection.current), day, waivers) if selection.current
              else no_requirements())
    future = None
    if selection.future is not None:
        ahead = evaluate(data, holder_aliases(session, selection.future), day, waivers)
        future = {"requirement_set_id": selection.future.id, "name": selection.future.name,
                  "effective_from": selection.future.effective_from.isoformat(), **ahead.to_dict()}
    if any(e.current for e in evaluations):
        session.execute(update(Evaluation).where(Evaluation.document_id == document.id).values(current=False))
    evaluation = insert_or_none(session, Evaluation, {
        "document_id": document.id, "trigger": trigger, "current": True,
        "requirement_set_id": selection.current.id if selection.current else None,
        "decision": result.decision.value, "checks": [c.to_dict() for c in result.checks], "future": future,
        "as_of": day, "created_at": utcnow()}, ["document_id", "trigger"])
    inserted = evaluation is not None
    if not inserted:  # another run of the same trigger got there first (between the read above and now)
        evaluation = session.scalars(select(Evaluation).where(Evaluation.document_id == document.id,
                                                              Evaluation.trigger == trigger)).one()
    track_expiry(session, certificate, evaluation, data)
    # The evaluation just inserted is the current one, and the override read above still stands (same transaction)
    after = ((override.decision if override is not None else evaluation.decision) if inserted
             else standing_decision(session, document.id, day))
    if after != before:
        add_event(session, account_id=document.account_id, type=EventType.for_decision(after),
                  dedupe_key=f"document:{document.id}:evaluation:{trigger}", document_id=document.id,
                  data=decision_event(session, document, data, evaluation, after, before))
    return evaluation


def certificate_of(session: Session, document: Document) -> Certificate:
    return session.scalars(CERTIFICATE, {"document_id": document.id}).one()


def holder_aliases(session: Session, requirement_set: RequirementSet) -> dict[str, Any]:
    """The set's body with its holder's accepted alternative names (``coi holder alias``) added."""
    holder = session.get(Holder, requirement_set.holder_id)
    return with_aliases(requirement_set.body, holder.aliases if holder else None)


# The certificate's expiry date and state, built once: written at once by a scoring that changes them, not
# left to the unit of work's flush at the commit
_TRACK_EXPIRY = update(Certificate.__table__).where(Certificate.__table__.c.id == bindparam("certificate_id")).values(
    expires_on=bindparam("new_expires_on", type_=Certificate.__table__.c.expires_on.type),
    expiry_state=bindparam("new_expiry_state", type_=Certificate.__table__.c.expiry_state.type))


def track_expiry(session: Session, certificate: Certificate, evaluation: Evaluation,
                 data: dict[str, Any] | None = None) -> None:
    """Keep the certificate's expiry date in step with what the requirement set now looks at
    (``data``: the certificate as scored, with its corrections). The UPDATE goes at once on the session's
    connection, in the caller's transaction, and the loaded certificate is told the values as written
    (``set_committed_value``), as ``infra.repo.move_now`` does for a document's status."""
    expiry = relevant_expiry(certificate.data if data is None else data, evaluation.checks)
    expires_on = expiry.expires_on if expiry else None
    if expires_on == certificate.expires_on:
        return
    if certificate.id is None:  # not written yet: goes with the certificate's own INSERT
        certificate.expires_on, certificate.expiry_state = expires_on, "current"
    else:
        session.connection().execute(_TRACK_EXPIRY, {"certificate_id": certificate.id, "new_expires_on": expires_on,
                                                     "new_expiry_state": "current"})
        set_committed_value(certificate, "expires_on", expires_on)
        set_committed_value(certificate, "expiry_state", "current")


def scored_against(session: Session, evaluation: Evaluation | None) -> tuple[RequirementSet | None, dict | None]:
    """The requirement set an evaluation used, and its holder as events show it ({id, name})."""
    if evaluation is None or evaluation.requirement_set_id is None:
        return None, None
    requirement_set = session.get(RequirementSet, evaluation.requirement_set_id)
    holder = session.get(Holder, requirement_set.holder_id)
    return requirement_set, {"id": holder.id, "name": holder.name}


def decision_event(session: Session, document: Document, certificate: dict[str, Any], evaluation: Evaluation,
                   decision: str, previous: str | None) -> dict[str, Any]:
    """The data of a ``coi.certificate.<decision>`` event (schemas/events/decision.data.schema.json)."""
    requirement_set, holder = scored_against(session, evaluation)
    return {
        **document_ref(session, document),
        "decision": decision,
        "evaluated_decision": evaluation.decision,
        "previous_decision": previous,
        "trigger": evaluation.trigger,
        "as_of": evaluation.as_of.isoformat(),
        "holder": holder,
        "requirement_set": {"id": requirement_set.id, "name": requirement_set.name} if requirement_set else None,
        "failed_checks": [c for c in evaluation.checks if c.get("outcome") != "pass" and not c.get("waiver")],
        "signals": certificate.get("signals") or [],  # pipeline.signals: tamper, inconsistent and notices
        "future": evaluation.future,
        "certificate": {k: v for k, v in certificate.items() if k != "evidence"},
    }
