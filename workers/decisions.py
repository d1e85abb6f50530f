"""Scoring a document inside a transaction: the evaluation row, its event, and what decision stands."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from infra.models import Certificate, Document, Evaluation, Holder, Override, RequirementSet, Waiver, utcnow
from infra.repo import add_event, document_ref, insert_ignore
from pipeline.events import EventType
from pipeline.expiry import relevant_expiry
from pipeline.scoring import Waiver as WaiverRule
from pipeline.scoring import evaluate, no_requirements
from workers.selection import pick_requirement_sets


def active_waivers(session: Session, document_id: str, day: date) -> list[WaiverRule]:
    rows = session.scalars(select(Waiver).where(Waiver.document_id == document_id)).all()
    return [WaiverRule(w.code, w.by, w.reason, w.line, w.key, w.until) for w in rows
            if w.until is None or day <= w.until]


def active_override(session: Session, document_id: str, day: date) -> Override | None:
    rows = session.scalars(select(Override).where(Override.document_id == document_id)
                           .order_by(Override.id.desc())).all()
    return next((o for o in rows if o.until is None or day <= o.until), None)


def current_evaluation(session: Session, document_id: str) -> Evaluation | None:
    return session.scalars(select(Evaluation).where(Evaluation.document_id == document_id, Evaluation.current)
                           .order_by(Evaluation.id.desc())).first()


def standing_decision(session: Session, document_id: str, day: date) -> str | None:
    """The decision in force: a reviewer's active override, else the current evaluation's."""
    override = active_override(session, document_id, day)
    if override is not None:
        return override.decision
    evaluation = current_evaluation(session, document_id)
    return evaluation.decision if evaluation else None


def score(session: Session, document: Document, day: date, trigger: str) -> Evaluation:
    """Evaluate the document's certificate now; a rerun of the same trigger changes nothing.

    Writes the evaluation and, when the standing decision changed (or this is the first), a
    ``coi.certificate.<decision>`` outbox event, all in the caller's transaction."""
    certificate = session.scalars(select(Certificate).where(Certificate.document_id == document.id)).one()
    existing = session.scalars(select(Evaluation).where(Evaluation.document_id == document.id,
                                                        Evaluation.trigger == trigger)).first()
    if existing is not None:
        return existing
    override = active_override(session, document.id, day)  # nothing below changes it: read once
    if override is not None:
        before = override.decision
    else:
        previous = current_evaluation(session, document.id)
        before = previous.decision if previous else None
    selection = pick_requirement_sets(session, document, certificate.data, day)
    waivers = active_waivers(session, document.id, day)
    result = (evaluate(certificate.data, selection.current.body, day, waivers) if selection.current
              else no_requirements())
    future = None
    if selection.future is not None:
        ahead = evaluate(certificate.data, selection.future.body, day, waivers)
        future = {"requirement_set_id": selection.future.id, "name": selection.future.name,
                  "effective_from": selection.future.effective_from.isoformat(), **ahead.to_dict()}
    session.execute(update(Evaluation).where(Evaluation.document_id == document.id).values(current=False))
    insert_ignore(session, Evaluation, {
        "document_id": document.id, "trigger": trigger, "current": True,
        "requirement_set_id": selection.current.id if selection.current else None,
        "decision": result.decision.value, "checks": [c.to_dict() for c in result.checks], "future": future,
        "as_of": day, "created_at": utcnow()}, ["document_id", "trigger"])
    evaluation = session.scalars(select(Evaluation).where(Evaluation.document_id == document.id,
                                                          Evaluation.trigger == trigger)).one()
    track_expiry(certificate, evaluation)
    after = override.decision if override is not None else evaluation.decision  # this one is now current
    if after != before:
        add_event(session, account_id=document.account_id, type=EventType.for_decision(after),
                  dedupe_key=f"document:{document.id}:evaluation:{trigger}", document_id=document.id,
                  data=decision_event(session, document, certificate.data, evaluation, after, before))
    return evaluation


def track_expiry(certificate: Certificate, evaluation: Evaluation) -> None:
    """Keep the certificate's expiry date in step with what the requirement set now looks at."""
    expiry = relevant_expiry(certificate.data, evaluation.checks)
    expires_on = expiry.expires_on if expiry else None
    if expires_on != certificate.expires_on:
        certificate.expires_on, certificate.expiry_state = expires_on, "current"


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
        "future": evaluation.future,
        "certificate": {k: v for k, v in certificate.items() if k != "evidence"},
    }
