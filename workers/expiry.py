"""Expiration tracking: warn 30 / 14 / 7 days ahead (``COI_EXPIRY_THRESHOLDS``), and when a
certificate's required policies end, mark it expired and score it again (it becomes rejected).

Run by the scheduler once per interval (``coi scheduler``) or by hand (``coi expiry check``); the
day is a parameter, so tests and operators can run it for any date. Every warning is an outbox
event with a key per (document, expiry date, threshold): running twice warns once. The rescore of
an expired certificate and the publication of the events are hand-offs recorded in the same
transaction (workers/handoffs.py): a broker away when the check ends delays them by seconds, where a
rescore sent after the commit would be lost (the certificate is already ``expired``, so no later
check finds it again).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from infra.models import Certificate, Document, Handoff
from infra.repo import add_event, document_ref, hand_on
from pipeline.events import EventType
from pipeline.expiry import due_mark, relevant_expiry
from pipeline.scoring.model import normalise
from pipeline.states import DocumentStatus
from workers.decisions import corrected, current_evaluation, scored_against, standing_decision

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from infra.settings import Settings

log = logging.getLogger(__name__)


class ExpiryState:
    CURRENT = "current"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    RENEWED = "renewed"  # a later certificate of the same insured (and tag) runs longer


def check_expirations(today: date, *, sessions: sessionmaker[Session], settings: Settings
                      ) -> tuple[list[str], list[Handoff]]:
    """Warn and expire as of ``today``; returns the ids of documents that expired and the committed
    hand-offs (their rescores, the publication of the events) to enqueue with ``dispatch``."""
    thresholds = settings.expiry_thresholds
    horizon = today + timedelta(days=max(thresholds, default=0))
    expired: list[str] = []
    handoffs: list[Handoff] = []
    warned = False
    with sessions() as session:
        rows = session.execute(
            select(Certificate, Document).join(Document, Document.id == Certificate.document_id).where(
                Document.status == DocumentStatus.DECIDED.value, Certificate.expires_on.is_not(None),
                Certificate.expires_on <= horizon,
                Certificate.expiry_state.in_([ExpiryState.CURRENT, ExpiryState.EXPIRING]))).all()
        for certificate, document in rows:
            if _renewed(session, document, certificate, today):
                certificate.expiry_state = ExpiryState.RENEWED
                continue
            mark = due_mark(certificate.expires_on, today, thresholds)
            if mark is None:
                continue
            data = _event_data(session, document, certificate, today)
            if mark == 0:
                add_event(session, account_id=document.account_id, type=EventType.EXPIRED, document_id=document.id,
                          dedupe_key=f"expired:{document.id}:{certificate.expires_on}", data=data)
                certificate.expiry_state = ExpiryState.EXPIRED
                expired.append(document.id)
                handoffs.append(hand_on(session, "rescore_document", document.id, f"expiry:{today.isoformat()}",
                                        today.isoformat()))
            else:
                add_event(session, account_id=document.account_id, type=EventType.EXPIRING, document_id=document.id,
                          dedupe_key=f"expiring:{document.id}:{certificate.expires_on}:{mark}",
                          data={**data, "threshold": mark})
                certificate.expiry_state = ExpiryState.EXPIRING
            warned = True
        if warned:
            handoffs.append(hand_on(session, "publish_events"))
        session.commit()  # the marks, their events, the rescores and the publication owed, together
    log.info("expiry check for %s: %s certificates due, %s expired", today, len(rows), len(expired))
    return expired, handoffs


def _event_data(session: Session, document: Document, certificate: Certificate, today: date) -> dict[str, Any]:
    evaluation = current_evaluation(session, document.id)
    expiry = relevant_expiry(corrected(session, document.id, certificate.data),
                             evaluation.checks if evaluation else [])
    return {
        **document_ref(session, document),
        "expires_on": certificate.expires_on.isoformat(),
        "days_left": (certificate.expires_on - today).days,
        "insured": (certificate.data.get("insured") or {}).get("name"),
        "holder": scored_against(session, evaluation)[1],
        "policies": list(expiry.policies) if expiry else [],
    }


def _renewed(session: Session, document: Document, certificate: Certificate, today: date) -> bool:
    """A later approved certificate of the same insured, for the same tag, runs past this one."""
    insured = normalise((certificate.data.get("insured") or {}).get("name"))
    if not insured:
        return False
    later = session.execute(
        select(Certificate.data, Document.id).join(Document, Document.id == Certificate.document_id).where(
            Document.account_id == document.account_id, Document.id != document.id,
            Document.status == DocumentStatus.DECIDED.value, Document.created_at > document.created_at,
            Document.tag.is_(None) if document.tag is None else Document.tag == document.tag,
            Certificate.expires_on > certificate.expires_on)).all()
    return any(normalise((data.get("insured") or {}).get("name")) == insured
               and standing_decision(session, later_id, today) == "approved" for data, later_id in later)
