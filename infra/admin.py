"""Operator actions behind the CLI (and later the API): accounts, holders, requirement sets, status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from infra.models import (Account, AuditEntry, Certificate, Document, Evaluation, Handoff, Holder, InboundMessage,
                          MessageDocument, OutboxEvent, Override, RequirementSet, utcnow)
from infra.models import Waiver as WaiverRow
from infra.repo import add_event, hand_on
from infra.repo import account_by_slug
from pipeline.addresses import is_valid_slug
from pipeline.events import EventType
from schemas import validate


class AdminError(Exception):
    """An operator mistake with a sentence that says how to fix it."""


def add_account(session: Session, slug: str, name: str) -> Account:
    slug = slug.lower()
    if not is_valid_slug(slug):
        raise AdminError(f"{slug!r} cannot be an address: use letters, digits, '.', '-' or '_' (at most 64).")
    if account_by_slug(session, slug):
        raise AdminError(f"An account {slug!r} exists already.")
    account = Account(slug=slug, name=name)
    session.add(account)
    session.commit()
    return account


def require_account(session: Session, slug: str) -> Account:
    account = account_by_slug(session, slug.lower())
    if account is None:
        raise AdminError(f"No account {slug!r}; create it with `coi account add`.")
    return account


def add_holder(session: Session, account_slug: str, name: str, address: str | None) -> Holder:
    account = require_account(session, account_slug)
    if session.scalar(select(Holder.id).where(Holder.account_id == account.id, Holder.name == name)) is not None:
        raise AdminError(f"A holder {name!r} exists already in account {account.slug!r}.")
    holder = Holder(account_id=account.id, name=name, address=address)
    session.add(holder)
    session.commit()
    return holder


def set_requirements(session: Session, account_slug: str, holder_name: str, body: dict[str, Any],
                     tag: str | None = None, *, by: str = "cli") -> tuple[RequirementSet, list[Handoff]]:
    """Add a requirement set; a live set of the same holder, tag and name is superseded by it.

    Returns the set and the rescores of the account's decided documents (trigger
    ``requirements:<set id>``), hand-offs committed with the set: the caller enqueues them with
    ``workers.handoffs.dispatch``, and the relay does if the broker is away."""
    account = require_account(session, account_slug)
    holder = session.scalars(select(Holder).where(Holder.account_id == account.id, Holder.name == holder_name)).first()
    if holder is None:
        raise AdminError(f"No holder {holder_name!r} in account {account.slug!r}; add it with `coi holder add`.")
    errors = validate("requirements", body)
    if errors:
        raise AdminError("The requirement set does not match schemas/requirements.schema.json: " + "; ".join(errors))
    effective = body.get("effective") or {}
    name = body.get("name") or holder.name
    replaced = session.scalars(select(RequirementSet).where(
        RequirementSet.holder_id == holder.id, RequirementSet.name == name, RequirementSet.superseded_at.is_(None),
        RequirementSet.tag.is_(None) if tag is None else RequirementSet.tag == tag)).all()
    for old in replaced:
        old.superseded_at = utcnow()
    requirement_set = RequirementSet(
        holder_id=holder.id, name=name, tag=tag, body=body,
        effective_from=_day(effective.get("from")), effective_until=_day(effective.get("until")))
    session.add(requirement_set)
    session.flush()
    audit(session, account.id, by, "requirements.set", f"requirement_set:{requirement_set.id}",
          {"holder": holder.name, "tag": tag, "name": name, "replaces": [r.id for r in replaced]})
    decided = session.scalars(select(Document.id).where(Document.account_id == account.id,
                                                        Document.status == "decided")).all()
    rescores = [hand_on(session, "rescore_document", document_id, f"requirements:{requirement_set.id}")
                for document_id in decided]
    session.commit()
    return requirement_set, rescores


def audit(session: Session, account_id: int, actor: str, action: str, subject: str, detail: dict[str, Any]) -> None:
    session.add(AuditEntry(account_id=account_id, actor=actor, action=action, subject=subject, detail=detail))


def _decided_document(session: Session, document_id: str) -> Document:
    document = session.get(Document, resolve_id(session, document_id))
    if document is None:
        raise AdminError(f"No document with id {document_id!r}.")
    if document.status != "decided":
        raise AdminError(f"The document is {document.status}; only decided documents can be reviewed.")
    return document


@dataclass(frozen=True)
class Targets:
    """What a waiver of one check code may name on a document: its lines and keys."""

    lines: tuple[str, ...]
    keys: tuple[str, ...]


def waivable(checks: list[dict[str, Any]], code: str) -> Targets:
    """The lines and keys the document's checks of ``code`` carry (pure)."""
    of_code = [c for c in checks if c.get("code") == code]
    return Targets(tuple(sorted({c["line"] for c in of_code if c.get("line")})),
                   tuple(sorted({c["key"] for c in of_code if c.get("key")})))


def check_waiver_target(checks: list[dict[str, Any]], code: str, line: str | None, key: str | None) -> None:
    """AdminError naming the valid lines or keys when ``line`` or ``key`` names none of the document's checks."""
    targets = waivable(checks, code)
    if not any(c.get("code") == code for c in checks):
        codes = sorted({c.get("code") for c in checks if c.get("code")})
        raise AdminError(f"The document has no {code!r} check; its checks are: {', '.join(codes) or 'none'}.")
    if line is not None and line not in targets.lines:
        raise AdminError(f"No {code!r} check of line {line!r} on this document; valid lines: "
                         f"{', '.join(targets.lines) or 'none (leave --line out)'}.")
    if key is not None and key not in targets.keys:
        raise AdminError(f"No {code!r} check of key {key!r} on this document; valid keys: "
                         f"{', '.join(targets.keys) or 'none (leave --key out)'}.")


def waive(session: Session, document_id: str, code: str, *, by: str, reason: str, line: str | None = None,
          key: str | None = None, until: date | None = None) -> tuple[WaiverRow, Handoff]:
    """Accept a failed check. Returns the waiver and the document's rescore (trigger ``waiver:<id>``),
    a hand-off committed with it for the caller to enqueue (``workers.handoffs.dispatch``)."""
    from pipeline.scoring import Reason

    document = _decided_document(session, document_id)
    if code not in {r.value for r in Reason}:
        raise AdminError(f"{code!r} is not a check code; see `coi status {document_id}` for the failed checks.")
    from workers.decisions import current_evaluation

    evaluation = current_evaluation(session, document.id)
    if evaluation is not None:  # a misspelt --line or --key is refused, naming the valid ones
        check_waiver_target(evaluation.checks, code, line, key)
    waiver = WaiverRow(document_id=document.id, code=code, line=line, key=key, by=by, reason=reason, until=until)
    session.add(waiver)
    session.flush()
    detail = {"code": code, "line": line, "key": key, "reason": reason, "until": until.isoformat() if until else None}
    audit(session, document.account_id, by, "check.waived", f"document:{document.id}", detail)
    add_event(session, account_id=document.account_id, type=EventType.WAIVED, document_id=document.id,
              dedupe_key=f"waiver:{waiver.id}", data={**_about(session, document), "by": by, **detail})
    rescore = hand_on(session, "rescore_document", document.id, f"waiver:{waiver.id}")
    session.commit()
    return waiver, rescore


def override(session: Session, document_id: str, decision: str, *, by: str, reason: str,
             until: date | None = None) -> tuple[Override, Handoff]:
    """Set a decision by hand, recorded with who, why and until when, and announced as an event.

    Returns the override and the publication of its event, a hand-off committed with it."""
    from pipeline.states import Decision
    from workers.decisions import current_evaluation

    document = _decided_document(session, document_id)
    if decision not in {d.value for d in Decision}:
        raise AdminError(f"A decision is one of {', '.join(d.value for d in Decision)}, not {decision!r}.")
    evaluation = current_evaluation(session, document.id)
    row = Override(document_id=document.id, decision=decision, by=by, reason=reason, until=until)
    session.add(row)
    session.flush()
    detail = {"decision": decision, "evaluated_decision": evaluation.decision if evaluation else None,
              "reason": reason, "until": until.isoformat() if until else None}
    audit(session, document.account_id, by, "decision.overridden", f"document:{document.id}", detail)
    add_event(session, account_id=document.account_id, type=EventType.OVERRIDDEN, document_id=document.id,
              dedupe_key=f"override:{row.id}", data={**_about(session, document), "by": by, **detail})
    publication = hand_on(session, "publish_events")
    session.commit()
    return row, publication


def _about(session: Session, document: Document) -> dict[str, Any]:
    from infra.repo import document_ref

    return document_ref(session, document)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def resolve_id(session: Session, some_id: str) -> str:
    """The whole id of the document or message ``some_id`` names, itself or as the first characters
    (at least ``MIN_PREFIX``) of one id: ``coi status 452ab741`` as tables show ids. A prefix that
    fits several is refused with the ones it fits; one that fits none is returned as given."""
    if session.get(Document, some_id) is not None or session.get(InboundMessage, some_id) is not None:
        return some_id
    prefix = some_id.strip().lower()
    if len(prefix) < MIN_PREFIX:
        return some_id
    fits = [*session.scalars(select(Document.id).where(Document.id.startswith(prefix, autoescape=True)).limit(6)),
            *session.scalars(select(InboundMessage.id).where(InboundMessage.id.startswith(prefix, autoescape=True))
                             .limit(6))]
    if len(fits) > 1:
        shown = ", ".join(sorted(fits)[:5]) + (", …" if len(fits) > 5 else "")
        raise AdminError(f"{some_id!r} is the start of several ids ({shown}); give more of it.")
    return fits[0] if fits else some_id


MIN_PREFIX = 6


def status(session: Session, some_id: str) -> dict[str, Any]:
    """What became of a document (or of a message and its documents)."""
    some_id = resolve_id(session, some_id)
    document = session.get(Document, some_id)
    if document is not None:
        return document_status(session, document)
    message = session.get(InboundMessage, some_id)
    if message is None:
        short = f" (the start of an id needs at least {MIN_PREFIX} characters)" if len(some_id) < MIN_PREFIX else ""
        raise AdminError(f"No document or message with id {some_id!r}{short}.")
    documents = session.scalars(select(Document).join(MessageDocument).where(
        MessageDocument.message_id == message.id).order_by(Document.created_at)).all()
    return {"message_id": message.id, "status": message.status, "reason": message.reason,
            "sender": message.sender, "recipient": message.recipient, "subject": message.subject,
            "documents": [document_status(session, d) for d in documents]}


def document_status(session: Session, document: Document) -> dict[str, Any]:
    from workers.decisions import active_override, current_evaluation

    evaluation = current_evaluation(session, document.id)
    override_row = active_override(session, document.id, date.today())
    certificate = session.scalars(select(Certificate).where(Certificate.document_id == document.id)).one_or_none()
    result: dict[str, Any] = {
        "document_id": document.id, "filename": document.filename, "source": document.source,
        "status": document.status, "tag": document.tag, "error": None,
        "edition": certificate.edition if certificate else None,
        "expires_on": certificate.expires_on.isoformat() if certificate and certificate.expires_on else None,
        "expiry_state": certificate.expiry_state if certificate else None,
        "decision": override_row.decision if override_row else (evaluation.decision if evaluation else None),
        "evaluated_decision": evaluation.decision if evaluation else None,
        "override": {"decision": override_row.decision, "by": override_row.by, "reason": override_row.reason,
                     "until": override_row.until.isoformat() if override_row.until else None}
        if override_row else None,
        "checks": evaluation.checks if evaluation else [],
        "future": evaluation.future if evaluation else None,
    }
    if document.error_code:
        result["error"] = {"code": document.error_code, "message": document.error_message}
    return result


def list_events(session: Session, account_slug: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    query = select(OutboxEvent, Account.slug).join(Account, Account.id == OutboxEvent.account_id)
    if account_slug:
        query = query.where(Account.slug == account_slug.lower())
    rows = session.execute(query.order_by(OutboxEvent.created_at.desc()).limit(limit)).all()
    return [{"id": e.id, "type": e.type, "account": slug, "document_id": e.document_id,
             "created_at": e.created_at.isoformat(), "published_at": e.published_at.isoformat()
             if e.published_at else None, "data": e.data} for e, slug in rows]


def reprocess(session: Session, document_id: str) -> tuple[Document, Any, str]:
    """``coi retry``: (document, hand-off, what was done). The caller enqueues the hand-off
    (workers.handoffs.dispatch); it is committed here, so the relay enqueues it if the broker is away.

    A failed document goes back to the start of the chain (read afresh, a new attempt). A document
    stopped mid-chain (stored, reading, extracted) keeps what is done and its stage is sent again:
    every stage is idempotent, so a stage still under way is not harmed, only repeated."""
    from infra.repo import hand_on, move
    from pipeline.states import DocumentStatus

    document = session.get(Document, resolve_id(session, document_id))
    if document is None:
        raise AdminError(f"No document with id {document_id!r}.")
    status = DocumentStatus(document.status)
    if status in {DocumentStatus.STORED, DocumentStatus.READING, DocumentStatus.EXTRACTED}:
        stage = "score_document" if status == DocumentStatus.EXTRACTED else "read_document"
        handoff = hand_on(session, stage, document.id)
        session.commit()
        return document, handoff, (f"was {status.value} (last change {document.updated_at:%Y-%m-%d %H:%M} UTC); "
                                   "its stage was sent again, keeping the work already done")
    if status not in {DocumentStatus.FAILED, DocumentStatus.NOT_A_CERTIFICATE}:
        raise AdminError(f"The document is {document.status}; only failed documents and documents stopped "
                         "mid-chain are retried (to score a decided one again, change its requirements or "
                         "use `coi review`).")
    move(document, DocumentStatus.STORED)
    document.error_code = document.error_message = None
    document.attempt += 1
    document.crashes = 0  # an operator's retry gives a file that crashed the reader another chance
    for model in (Evaluation, Certificate):  # read afresh: the reader may have improved since
        session.execute(delete(model).where(model.document_id == document.id))
    handoff = hand_on(session, "read_document", document.id)
    session.commit()
    return document, handoff, "was failed; it goes through the chain again from the start"
