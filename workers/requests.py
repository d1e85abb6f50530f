"""Certificate requests: the email to a vendor with what the holder requires and a sample, and its
follow-ups at ``COI_REQUEST_CHASE_DAYS`` (3, 7, 14 days after the request) while no compliant
certificate is on file; then no more.

Each send is an outbox event (``coi.vendor.certificate_requested``, key per request and send)
whose notifications are planned and sent like every email (workers/notify.py): at most once per
send and address, with the Reply-To at the account's inbound address, so the vendor's reply comes in
through the door and is linked to the vendor by the request it answers (workers/vendors.py).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from infra.models import Account, Handoff, Holder, RequirementSet
from infra.models import Vendor, VendorRequest
from infra.repo import add_event, hand_on
from pipeline.events import EventType
from pipeline.request_sample import requirement_lines
from workers.vendors import fulfil_requests

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from infra.settings import Settings

log = logging.getLogger(__name__)


def next_chase(created_at: datetime, sends: int, days: list[int]) -> datetime | None:
    """When follow-up number ``sends`` (1: the first follow-up) is due; None after the last."""
    steps = sorted(d for d in days if d > 0)
    if sends > len(steps):
        return None
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=timezone.utc)
    return created_at + timedelta(days=steps[sends - 1])


def event_data(session: Session, request: VendorRequest, requirement_set: RequirementSet) -> dict[str, Any]:
    account = session.get(Account, request.account_id)
    vendor = session.get(Vendor, request.vendor_id)
    holder = session.get(Holder, request.holder_id)
    return {
        "account": account.slug, "request_id": request.id, "vendor": {"id": vendor.id, "name": vendor.name},
        "holder": {"id": holder.id, "name": holder.name}, "tag": request.tag, "sends": request.sends,
        "recipients": list(request.recipients),
        "requirement_set": {"id": requirement_set.id, "name": requirement_set.name},
        "requirements": requirement_lines(requirement_set.body, holder.name, request.tag),
    }


def send_request(session: Session, request: VendorRequest, requirement_set: RequirementSet) -> Handoff:
    """The outbox event of the request's current send, and the publication owed (caller commits)."""
    add_event(session, account_id=request.account_id, type=EventType.CERTIFICATE_REQUESTED,
              dedupe_key=f"request:{request.id}:send:{request.sends}",
              data=event_data(session, request, requirement_set))
    return hand_on(session, "publish_events")


def chase(now: datetime, *, sessions: sessionmaker[Session], settings: Settings) -> list[Handoff]:
    """Send the follow-ups due at ``now``; close the requests a compliant certificate met. Returns
    the committed hand-offs (the publication) for ``dispatch``."""
    from workers.vendors import requirements_for

    handoffs: list[Handoff] = []
    today = now.date()
    with sessions() as session:
        due = session.scalars(select(VendorRequest).where(
            VendorRequest.status == "open", VendorRequest.next_chase_at.is_not(None),
            VendorRequest.next_chase_at <= now).order_by(VendorRequest.id)).all()
        chased = 0
        for request in due:
            fulfil_requests(session, request.vendor_id, "(follow-up check)", today)
            if request.status != "open":
                continue
            holder = session.get(Holder, request.holder_id)
            requirement_set = requirements_for(session, holder, request.tag, today)
            if requirement_set is None:
                log.warning("request %s: %s has no requirement set in force; no follow-up", request.id, holder.name)
                request.next_chase_at = None
                continue
            request.sends += 1
            request.next_chase_at = next_chase(request.created_at, request.sends, settings.request_chase_days)
            handoffs.append(send_request(session, request, requirement_set))
            chased += 1
        session.commit()
    if due:
        log.info("certificate requests: %s due, %s chased", len(due), chased)
    return handoffs[:1]  # one publication covers every event


