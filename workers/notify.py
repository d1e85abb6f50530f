"""Email notifications: who is told of which event, and the sending of one notification.

- the sender of a certificate, when its first decision is approved or rejected (a rejection lists
  every failed check, what to ask the agent for, and a picture with the failing values boxed);
- the sender of a message with no usable attachment, of a file that is not a certificate, or of one
  that could not be read for a reason a fresh copy mends (encrypted, damaged, too large...);
- the holder's contacts (``coi holder contacts``), on every rejection and needs-review;
- the sender, the producer's email on the certificate and the confirmed contacts of its vendor,
  when it is expiring or has expired (the printed email only when it is one valid address read with
  confidence: a certificate is written by whoever sends it, and must not choose whom we mail); after
  the ``expired`` notice, no ``expiring`` one; each threshold once per document and address;
- a vendor's confirmed contacts, when a certificate is requested from it (workers/vendors.py).
Every email has a Reply-To at the account's inbound address (``<account>+<tag>@domain``), so a reply
with a corrected certificate comes back in through the door; its From is the account's own, else
``COI_NOTIFY_FROM``. The same news about a document is never mailed twice to one address
(``told``): a ``coi retry`` that fails the same way again, a rescore, mails nobody again.
Rows are planned when the event is published (workers/publish.py) and sent by ``send``; a row is
sent at most once (UNIQUE event, kind, recipient). With no relay (``COI_NOTIFY_SMTP_HOST``) nothing
is planned.

Once the relay has accepted a message, the row is never made pending again: the acceptance is
written to Redis (``coi:notify:accepted:<id>``) before the row is marked ``sent``, so when the
database is away at that moment the sweep finds the mark and records the row as sent instead of
mailing again. Every message carries a Message-ID made from the row (``message_id``), the same on
every try, by which a relay or a mailbox can drop a second copy. What is left: a worker that dies,
or loses both Redis and the database, in the instant between the relay's acceptance and these
writes; that row is mailed again, with the same Message-ID (the README's at-least-once window).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from infra.models import Account, Certificate, Document, Holder, Notification, OutboxEvent, utcnow
from infra.repo import claim, insert_ignore
from pipeline.addresses import inbound_address, one_mailbox
from pipeline.errors import codes_senders_mend
from pipeline.events import DECISIONS, EventType
from pipeline.notices import asks, render
from pipeline.scoring.model import CONFIDENT
from workers import outcomes

if TYPE_CHECKING:
    from redis import Redis
    from sqlalchemy.orm import Session, sessionmaker

    from infra.settings import Settings
    from infra.storage import Storage
    from pipeline.ocr.engine import OcrEngine

log = logging.getLogger(__name__)
IMAGE_CID = "certificate-page"
NO_REPLY = ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply")
# Failures a fresh copy from the sender mends (the reason says how); an outage, an OCR engine fault
# or a bug is the operators' to mend, and the sender is not told of it.
SENDER_CAN_FIX = codes_senders_mend()
ACCEPTED_SECONDS = 7 * 24 * 3600  # how long the relay's acceptance is remembered in Redis (the sweep drops rows after a day)
RECORD_TRIES = 3  # tries at marking an accepted notification sent before it is left to the sweep


def message_id(notification: Notification, domain: str) -> str:
    """The notification's Message-ID: the same for every try of one row, unique across rows."""
    return f"<notification-{notification.id}.{notification.event_id}@{domain}>"


def accepted_key(notification_id: int) -> str:
    return f"coi:notify:accepted:{notification_id}"


def plan(session: Session, settings: Settings, event: OutboxEvent) -> list[int]:
    """Pending notification rows for ``event``; returns their ids. A notice already sent (or on its
    way) about the same document, of the same kind, to the same address is not planned again
    (``told``): a ``coi retry`` or a rescore never mails the same news twice."""
    if not settings.notify_smtp_host:
        return []
    for kind, recipient in recipients(session, settings, event):
        if told(session, event, kind, recipient):
            log.info("%s to %s about %s was sent already; not again", kind, recipient,
                     event.document_id or event.message_id)
            continue
        insert_ignore(session, Notification, {"event_id": event.id, "kind": kind, "recipient": recipient,
                                              "status": "pending", "created_at": utcnow()},
                      ["event_id", "kind", "recipient"])
    return list(session.scalars(select(Notification.id).where(Notification.event_id == event.id,
                                                              Notification.status == "pending")))


def recipients(session: Session, settings: Settings, event: OutboxEvent) -> list[tuple[str, str]]:
    data, kind = event.data, EventType(event.type)
    sender = replyable(data.get("sender"), settings.inbound_domain)
    wanted: list[tuple[str, str]] = []
    if kind in DECISIONS:
        first = str(data.get("trigger", "")).startswith("initial:")
        if sender and first and data["decision"] in {"approved", "rejected"}:
            wanted.append(("decision_to_sender", sender))
        if data["decision"] in {"rejected", "needs_review"} and data.get("holder"):
            holder = session.get(Holder, data["holder"]["id"])
            wanted += [("review_to_holder", c) for c in (holder.contacts if holder else None) or []]
    elif kind == EventType.OVERRIDDEN and sender and data["decision"] in {"approved", "rejected"} \
            and not _sender_told(session, event.document_id):
        wanted.append(("decision_to_sender", sender))  # held for review, now decided by a person
    elif kind == EventType.NO_ATTACHMENT and sender:
        wanted.append(("no_attachment_to_sender", sender))
    elif kind == EventType.NOT_A_CERTIFICATE and sender:
        wanted.append(("unreadable_to_sender", sender))
    elif kind == EventType.DOCUMENT_FAILED and sender and (data.get("error") or {}).get("code") in SENDER_CAN_FIX:
        wanted.append(("unreadable_to_sender", sender))
    elif kind in {EventType.EXPIRING, EventType.EXPIRED}:
        producer = printed_producer_email(_certificate(session, event.document_id))
        for address in (sender, replyable(producer, settings.inbound_domain),
                        *_vendor_contacts(session, event.document_id, settings.inbound_domain)):
            if address:
                wanted.append(("renewal_request", address))
    elif kind == EventType.CERTIFICATE_REQUESTED:
        for address in data.get("recipients") or []:
            if replyable(address, settings.inbound_domain):
                wanted.append(("certificate_request", replyable(address, settings.inbound_domain)))
    return list(dict.fromkeys(wanted))


def _vendor_contacts(session: Session, document_id: str | None, own_domain: str) -> list[str]:
    """The confirmed contacts of the vendor the document is linked to (workers/vendors.py)."""
    from infra.models import Vendor, VendorDocument

    link = session.get(VendorDocument, document_id) if document_id else None
    vendor = session.get(Vendor, link.vendor_id) if link is not None and link.vendor_id else None
    return [a for a in (replyable(c, own_domain) for c in (vendor.contacts if vendor else None) or []) if a]


# The news a notice of each kind gives about a document: the same news is not mailed twice to one
# address (a retry, a rescore, an expiry date moved by a new requirement set).
_NEWS = {
    "decision_to_sender": lambda data, type_: data.get("decision"),
    "review_to_holder": lambda data, type_: data.get("decision"),
    "unreadable_to_sender": lambda data, type_: "unreadable",
    "no_attachment_to_sender": lambda data, type_: "no_attachment",
    "renewal_request": lambda data, type_: 0 if type_ == EventType.EXPIRED else data.get("threshold"),
}


def told(session: Session, event: OutboxEvent, kind: str, recipient: str) -> bool:
    """Whether ``recipient`` was already sent (or is being sent) the same news about the same
    document or message. After an ``expired`` notice, no ``expiring`` one follows."""
    news = _NEWS.get(kind)
    if news is None or (event.document_id is None and event.message_id is None):
        return False
    about = (OutboxEvent.document_id == event.document_id if event.document_id is not None
             else OutboxEvent.message_id == event.message_id)
    earlier = session.execute(select(OutboxEvent.type, OutboxEvent.data).join(
        Notification, Notification.event_id == OutboxEvent.id).where(
        about, OutboxEvent.id != event.id, Notification.kind == kind, Notification.recipient == recipient,
        Notification.status != "failed")).all()
    mine = news(event.data or {}, event.type)
    for type_, data in earlier:
        if news(data or {}, type_) == mine or (kind == "renewal_request" and type_ == EventType.EXPIRED):
            return True
    return False


def _sender_told(session: Session, document_id: str | None) -> bool:
    """Whether the sender was already mailed a decision on this document."""
    return session.scalars(select(Notification.id).join(OutboxEvent, Notification.event_id == OutboxEvent.id).where(
        OutboxEvent.document_id == document_id, Notification.kind == "decision_to_sender").limit(1)).first() is not None


def replyable(address: str | None, own_domain: str) -> str | None:
    """``address`` as one mailbox we may write to (see one_mailbox), or None: not our own domain,
    not a no-reply or bounce address."""
    mailbox = one_mailbox(address)
    if mailbox is None:
        return None
    local, _, domain = mailbox.rpartition("@")
    return None if domain == own_domain.lower() or local.startswith(NO_REPLY) else mailbox


def printed_producer_email(certificate: dict[str, Any]) -> str | None:
    """The producer's email as printed on the certificate, when it was read with confidence: a
    misread address must not be mailed."""
    evidence = (certificate.get("evidence") or {}).get("/producer/email") or {}
    if (evidence.get("confidence") or 0) < CONFIDENT:
        return None
    return (certificate.get("producer") or {}).get("email")


def _certificate(session: Session, document_id: str | None) -> dict[str, Any]:
    if document_id is None:
        return {}
    row = session.scalars(select(Certificate).where(Certificate.document_id == document_id)).first()
    return row.data if row else {}


def send(notification_id: int, *, sessions: sessionmaker[Session], settings: Settings, storage: Storage,
         redis: Redis, ocr_engine: OcrEngine) -> None:
    """Render and send one notification. A relay that refuses for good marks it failed; a relay
    that is away raises (transient: the actor retries). Once the relay has accepted the message,
    nothing here makes the row pending again (see the module's docstring). ``storage`` and
    ``ocr_engine`` draw the rejected page; ``redis`` keeps the relay's acceptance for the sweep."""
    with sessions() as session:
        if not claim(session, Notification, notification_id):
            return  # sent, failed, or being sent by another worker
        notification = session.get(Notification, notification_id)
        try:
            accepted = _send(session, notification, settings, storage, redis, ocr_engine)
        except Exception as exc:
            session.rollback()
            notification = session.get(Notification, notification_id)
            if outcomes.is_transient(exc):
                notification.status = "pending"  # not accepted by the relay: free again for the retry
                session.commit()
                raise
            log.exception("notification %s cannot be sent", notification_id)
            notification.status, notification.error = "failed", f"{type(exc).__name__}: {exc}"[:1000]
            session.commit()
            return
    if accepted is not None:
        _record_sent(sessions, notification_id, accepted)


def _send(session: Session, notification: Notification, settings: Settings, storage: Storage, redis: Redis,
          ocr_engine: OcrEngine):
    """Send ``notification``; the time the relay accepted it, or None when it was not sent (failed)."""
    from infra import mailer

    if one_mailbox(notification.recipient) is None:  # planned before this check existed, or by hand
        notification.status, notification.error = "failed", "the recipient is not one valid email address"
        session.commit()
        log.warning("notification %s not sent: %r is not one valid address", notification.id, notification.recipient)
        return None
    event = session.get(OutboxEvent, notification.event_id)
    context = _context(session, settings, event, notification.kind)
    image = _picture(session, storage, ocr_engine, event) if notification.kind == "decision_to_sender" else None
    context["has_image"] = image is not None
    account = session.get(Account, event.account_id)
    sender, reply_to = addresses(settings, account, _tag(session, event))
    attachments = _sample(session, event) if notification.kind == "certificate_request" else ()
    notice = render(notification.kind, context, account_templates(session, settings, account))
    message = mailer.compose(settings, notification.recipient, notice, reference=context["reference"],
                             image=image, sender=sender, reply_to=reply_to, attachments=attachments)
    del message["Message-ID"]
    message["Message-ID"] = message_id(notification, settings.inbound_domain)
    try:
        mailer.send(settings, message)
    except mailer.Undeliverable as exc:
        notification.status, notification.error = "failed", str(exc)[:1000]
        session.commit()
        log.warning("notification %s to %s refused: %s", notification.id, notification.recipient, exc)
        return None
    accepted = utcnow()
    log.info("sent %s to %s (Message-ID %s)", notification.kind, notification.recipient, message["Message-ID"])
    _remember_accepted(redis, notification.id, accepted)
    return accepted


def addresses(settings: Settings, account: Account, tag: str | None) -> tuple[str, str]:
    """(From, Reply-To) of an account's emails. Reply-To is always the account's inbound address
    (``<account>+<tag>@domain`` for a project), so a reply with a corrected certificate comes back in
    through the door; From is the account's own (``coi account set-from``), else the inbound
    address when ``COI_NOTIFY_FROM_INBOUND`` says the relay may send as it, else ``COI_NOTIFY_FROM``."""
    reply_to = inbound_address(account.slug, tag, settings.inbound_domain)
    if account.notify_from:
        return account.notify_from, reply_to
    return (reply_to if settings.notify_from_inbound else settings.resolved_notify_from()), reply_to


def _tag(session: Session, event: OutboxEvent) -> str | None:
    """The project the email is about: the document's (or request's) tag, else the inbound message's."""
    from infra.models import InboundMessage

    tag = (event.data or {}).get("tag")
    if tag is None and event.message_id is not None:
        message = session.get(InboundMessage, event.message_id)
        tag = message.tag if message is not None else None
    return tag


def account_templates(session: Session, settings: Settings, account: Account) -> dict[str, str]:
    """The account's own email templates: files in ``COI_TEMPLATES_DIR/<account>/``, then rows of
    ``notice_templates`` (``coi account template``), the database winning on the same name."""
    from pathlib import Path

    from infra.models import NoticeTemplate

    found: dict[str, str] = {}
    if settings.templates_dir:
        folder = Path(settings.templates_dir) / account.slug
        if folder.is_dir():
            found.update({p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())
                          if p.is_file() and p.name.endswith((".j2", ".subject"))})
    found.update({t.name: t.body for t in session.scalars(select(NoticeTemplate).where(
        NoticeTemplate.account_id == account.id))})
    return found


def _sample(session: Session, event: OutboxEvent) -> tuple[tuple[str, bytes], ...]:
    """The sample certificate of what the request asks for, drawn from its requirement set."""
    from datetime import date

    from infra.models import RequirementSet
    from pipeline.request_sample import sample_certificate
    from samples.request import draw_sample

    data = event.data or {}
    requirement_set = session.get(RequirementSet, data["requirement_set"]["id"])
    if requirement_set is None:
        return ()
    certificate = sample_certificate(requirement_set.body, vendor=data["vendor"]["name"], tag=data.get("tag"),
                                     today=date.today(), holder_name=data["holder"]["name"])
    return (("sample-certificate.pdf", draw_sample(certificate)),)


def _remember_accepted(redis: Redis, notification_id: int, accepted) -> None:
    """Write the relay's acceptance to Redis, where the sweep looks before sending a row again."""
    try:
        redis.set(accepted_key(notification_id), accepted.isoformat(), ex=ACCEPTED_SECONDS)
    except Exception:
        log.warning("could not note in Redis that notification %s was accepted; the database is told next",
                    notification_id, exc_info=True)


def _record_sent(sessions: sessionmaker[Session], notification_id: int, accepted) -> None:
    """Mark an accepted notification ``sent``. With the database away through every try the row
    stays ``sending``: the sweep finds the Redis mark and records it as sent, never mails it again."""
    from sqlalchemy import update

    for attempt in range(1, RECORD_TRIES + 1):
        try:
            with sessions() as session:
                session.execute(update(Notification).where(Notification.id == notification_id)
                                .values(status="sent", sent_at=accepted, error=None))
                session.commit()
            return
        except Exception as exc:
            if not outcomes.is_transient(exc):
                raise
            if attempt == RECORD_TRIES:
                log.warning("notification %s was accepted by the relay, but the database is away: it stays "
                            "'sending' until the sweep records it as sent (%s)", notification_id, exc)
                return
            time.sleep(0.5 * attempt)


def accepted_at(notification_id: int, *, redis: Redis) -> str | None:
    """When the relay accepted the notification, as noted in Redis; None when not noted. Raises
    when Redis cannot be asked."""
    value = redis.get(accepted_key(notification_id))
    return value.decode() if isinstance(value, bytes) else value


def _context(session: Session, settings: Settings, event: OutboxEvent, kind: str) -> dict[str, Any]:
    data = event.data
    if event.type == EventType.OVERRIDDEN:
        data = {**data, **_reviewed(session, event.document_id), "review_reason": data["reason"]}
    certificate = data.get("certificate") or _certificate(session, event.document_id)
    failed = data.get("failed_checks") or []
    document_id = data.get("document_id")
    review = settings.resolved_review_url().format(document_id=document_id) if document_id \
        else f"coi status {data.get('message_id')}"
    return {
        "filename": None, "sender": None, "subject": None, "reason": None, "error": None, "decision": None,
        "holder": None, "review_reason": None, "days_left": 0, "expires_on": None, "policies": [],
        **data,
        "insured": data.get("insured") or (certificate.get("insured") or {}).get("name"),
        "failed_checks": failed,
        "asks": asks(failed, data.get("holder")),
        "reference": document_id or data.get("message_id") or event.id,
        "review_link": review,
        "image_cid": IMAGE_CID,
        "kind": kind,
        "vendor_name": (data.get("vendor") or {}).get("name"),
        "holder_name": (data.get("holder") or {}).get("name") or "The certificate holder",
        "requirements": data.get("requirements") or [],
        "sends": data.get("sends") or 1,
    }


def _reviewed(session: Session, document_id: str) -> dict[str, Any]:
    """For a reviewer's decision: the holder and the failed checks of the evaluation it stands over."""
    from workers.decisions import current_evaluation, scored_against

    evaluation = current_evaluation(session, document_id)
    _, holder = scored_against(session, evaluation)
    failed = [c for c in (evaluation.checks if evaluation else []) if c.get("outcome") == "fail" and not c.get("waiver")]
    return {"holder": holder, "failed_checks": failed}


def _picture(session: Session, storage: Storage, ocr_engine: OcrEngine, event: OutboxEvent) -> bytes | None:
    """The certificate page with the failing values boxed in red; None when there is nothing to
    box or it cannot be drawn (the email goes without it)."""
    failed = event.data.get("failed_checks") or []
    if event.data.get("decision") != "rejected" or not failed or event.document_id is None:
        return None
    try:
        from pipeline.annotate import annotate_failures

        document = session.get(Document, event.document_id)
        return annotate_failures(storage.get(document.storage_key), failed, engine=ocr_engine,
                                 registrations=_registrations(storage, document.storage_key))
    except Exception:  # a picture is a courtesy: never let it stop the email
        log.warning("could not draw the annotated page for %s", event.document_id, exc_info=True)
        return None


def _registrations(storage: Storage, document_key: str) -> dict[int, Any]:
    """The page registrations the OCR stage stored with the document's reading (``reading.json``), so
    that the picture is drawn in the reading's frame without detecting the page's turn again; empty
    when there is no reading or it holds none (a born-digital page, a reading stored before them)."""
    import json

    from infra.keys import reading_key
    from pipeline.annotate import registrations_of

    key = reading_key(document_key)
    if not storage.exists(key):
        return {}
    return registrations_of(json.loads(storage.get(key)))
