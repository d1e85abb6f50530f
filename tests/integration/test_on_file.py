"""What is on file for a document as its first scoring begins (workers/on_file.py), read in one SELECT on
SQLite and PostgreSQL alike, and a scoring that skips the tables it says are empty deciding as one that
reads them all."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import event, select

from infra.admin import add_account, add_holder, set_requirements
from infra.models import (Correction, Document, Evaluation, InboundMessage, MessageDocument, MessageThread,
                          OutboxEvent, Override, Upload, Vendor, VendorDocument, Waiver, Certificate, utcnow)
from infra.repo import add_document, document_sender
from samples.certificates import random_certificate
from workers.decisions import score
from workers.on_file import on_file
from workers.vendors import after_scoring

pytestmark = pytest.mark.integration

DAY = date(2026, 12, 6)
FLAGS = ("evaluations", "overrides", "corrections", "waivers", "vendor_link", "threads", "vendors")
REQUIREMENTS = {"name": "site", "signature_required": True,
                "lines": {"general_liability": {"required": True, "limits": {"each_occurrence": 1_000_000}},
                          "automobile_liability": {"required": True}}}


def _certificate(seed: int) -> dict:
    data = random_certificate(random.Random(seed))
    data["certificate_holder"] = {"name": "Site Owner", "address": None}
    return data


def _account(session, slug: str):
    account = add_account(session, slug, slug.title())
    add_holder(session, slug, "Site Owner", None)
    set_requirements(session, slug, "Site Owner", REQUIREMENTS)
    return account


def _mailed(session, account, n: int, data: dict, sender: str = "agent@example.test") -> Document:
    message = InboundMessage(account_id=account.id, storage_key=f"raw/{n}", sender=sender,
                             recipient=f"{account.slug}@coi.test", size=1)
    session.add(message)
    session.flush()
    document_id, _ = add_document(session, account_id=account.id, sha256=f"{n:064x}", values={
        "source": "email", "filename": f"{n}.pdf", "content_type": "application/pdf", "size": 3,
        "storage_key": f"k{n}", "message_id": message.id})
    session.add(MessageDocument(message_id=message.id, document_id=document_id))
    session.add(Certificate(document_id=document_id, data=data))
    document = session.get(Document, document_id)
    document.status = "extracted"
    session.commit()
    return document


def _statements(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, statement, *_: seen.append(statement))
    return seen


def test_given_a_new_certificate_with_nothing_else_on_file_then_every_flag_is_false_and_its_sender_is_known(app):
    with app.sessions() as session:
        account = _account(session, "acme")
        document = _mailed(session, account, 1, _certificate(1))

        known = on_file(session, document)
        seen = _statements(app.engine)
        sender = document_sender(session, document)

    assert {flag: getattr(known, flag) for flag in FLAGS} == dict.fromkeys(FLAGS, False)
    assert known.certificate.document_id == document.id
    assert known.account.slug == "acme"
    assert sender == "agent@example.test"
    assert seen == []  # the sender was read with the rest


def test_given_an_uploaded_document_then_its_sender_is_the_uploaders(app):
    with app.sessions() as session:
        account = _account(session, "acme")
        document_id, _ = add_document(session, account_id=account.id, sha256=f"{7:064x}", values={
            "source": "upload", "filename": "7.pdf", "content_type": "application/pdf", "size": 3,
            "storage_key": "k7"})
        session.add(Upload(account_id=account.id, bucket="b", key="u/7.pdf", version="v1", document_id=document_id,
                           sender="uploader@example.test"))
        session.add(Certificate(document_id=document_id, data=_certificate(7)))
        session.commit()
        document = session.get(Document, document_id)

        on_file(session, document)
        seen = _statements(app.engine)
        sender = document_sender(session, document)

    assert sender == "uploader@example.test"
    assert seen == []


def test_given_a_row_in_each_table_then_each_flag_says_so(app):
    with app.sessions() as session:
        account = _account(session, "acme")
        other = _account(session, "other")
        document = _mailed(session, account, 1, _certificate(1))
        elsewhere = _mailed(session, other, 2, _certificate(2))  # another document's rows count for nothing
        session.add_all([
            Evaluation(document_id=elsewhere.id, trigger="initial:1", decision="approved", checks=[], as_of=DAY),
            Override(document_id=elsewhere.id, decision="approved", by="r@x.test", reason="ok"),
            Vendor(account_id=other.id, name="Theirs")])
        session.commit()
        assert {flag: getattr(on_file(session, document), flag) for flag in FLAGS} == dict.fromkeys(FLAGS, False)

        message_id = session.scalars(select(MessageDocument.message_id)
                                     .where(MessageDocument.document_id == document.id)).one()
        vendor = Vendor(account_id=account.id, name="Ours")
        session.add_all([
            vendor,
            Evaluation(document_id=document.id, trigger="initial:1", decision="approved", checks=[], as_of=DAY),
            Override(document_id=document.id, decision="approved", by="r@x.test", reason="ok"),
            Correction(document_id=document.id, pointer="/insured/name", old_value=None, new_value="X",
                       by="r@x.test", reason="misread"),
            Waiver(document_id=document.id, code="not_signed", by="r@x.test", reason="ok"),
            MessageThread(message_id=message_id, refs=["<a@b>"])])
        session.flush()
        session.add(VendorDocument(document_id=document.id, account_id=account.id, vendor_id=vendor.id))
        session.commit()

        known = on_file(session, document)

    assert {flag: getattr(known, flag) for flag in FLAGS} == dict.fromkeys(FLAGS, True)


def _scored(session, document: Document, *, use_on_file: bool) -> dict:
    """Score ``document`` as the score stage does (with or without what is on file), and what that wrote."""
    known = on_file(session, document) if use_on_file else None
    evaluation = score(session, document, DAY, trigger="initial:2", index=False, on_file=known)
    link = after_scoring(session, document, "coi.test", DAY, on_file=known)
    session.flush()
    events = session.scalars(select(OutboxEvent.data).where(OutboxEvent.document_id == document.id)).all()
    return {"decision": evaluation.decision, "checks": evaluation.checks, "future": evaluation.future,
            "link": link, "events": events,
            "evaluations": session.execute(select(Evaluation.trigger, Evaluation.current).where(
                Evaluation.document_id == document.id).order_by(Evaluation.trigger)).all(),
            "expires_on": session.scalars(select(Certificate.expires_on)
                                          .where(Certificate.document_id == document.id)).one()}


@pytest.mark.parametrize("on_record", ["nothing", "reviewed and a vendor"])
def test_given_what_is_on_file_when_scored_with_its_flags_then_it_writes_what_a_full_read_writes(app, on_record):
    """Each row on record changes what is written: the earlier evaluation (approved, current) and the
    override (rejected) the previous decision and the event, the correction of the general liability's
    expiration and the waiver of its expiry the checks, the vendor named as the insured the link."""
    with app.sessions() as session:
        account = _account(session, "acme")
        data = _certificate(3)
        assert data["policies"][0]["line"] == "general_liability"
        document = _mailed(session, account, 3, data, sender="broker@example.test")
        if on_record != "nothing":
            session.add_all([
                Evaluation(document_id=document.id, trigger="initial:1", current=True, decision="approved",
                           checks=[], as_of=DAY),
                Override(document_id=document.id, decision="rejected", by="r@x.test", reason="seen the original"),
                Correction(document_id=document.id, pointer="/policies/0/expiration",
                           old_value=data["policies"][0]["expiration"], new_value="2024-01-31", by="r@x.test",
                           reason="misread"),
                Waiver(document_id=document.id, code="policy_expired", line="general_liability", by="r@x.test",
                       reason="renewal on file"),
                Vendor(account_id=account.id, name=data["insured"]["name"], created_at=utcnow())])
            session.commit()

        with_flags = _scored(session, document, use_on_file=True)
        session.rollback()
        document = session.get(Document, document.id)
        full_read = _scored(session, document, use_on_file=False)
        session.rollback()

    assert with_flags == full_read
    if on_record == "nothing":
        assert with_flags["events"]  # the first decision, and its event
        assert with_flags["link"]["vendor_id"] is None
    else:
        assert with_flags["events"] == []  # rejected before (the override) and after
        assert with_flags["evaluations"] == [("initial:1", False), ("initial:2", True)]
        assert any(c.get("waiver") and c["actual"] == "2024-01-31" for c in with_flags["checks"])
        assert with_flags["link"]["matched_by"] == "name"
