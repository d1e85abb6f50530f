"""A certificate in at the SMTP door, a decision event out, on real services."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from infra.admin import add_account, add_holder, set_requirements
from infra.models import Certificate, Document, Evaluation, OutboxEvent
from schemas import validate_event
from services import actors_of, send_mail, wait_for
from workers.publish import stream_name

pytestmark = pytest.mark.e2e

SG_SIDING = "real_acord25-2016_borndigital_coi-auditor_SG-Siding-Gutters_2023-10-18.pdf"
BUTLER = {"name": "Butler Homes", "address": "1370 Hazelwood Dr, Ste 200, Smyrna, TN 37167"}
REQUIREMENTS = {
    "name": "Butler Homes - subcontractors",
    "holder": BUTLER,
    "insured_name": "S&G Siding and Gutters",
    "lines": {
        "general_liability": {"required": True, "basis": "occurrence", "limits": {"each_occurrence": 1_000_000}},
        "workers_compensation": {"required": True, "limits": {"el_each_accident": 1_000_000}},
    },
}


@pytest.fixture
def butler(app):
    with app.sessions() as session:
        add_account(session, "butler", "Butler Homes")
        add_holder(session, "butler", BUTLER["name"], BUTLER["address"])
        set_requirements(session, "butler", BUTLER["name"], REQUIREMENTS)


def decided(app):
    with app.sessions() as session:
        return session.scalars(select(Document).where(Document.status == "decided")).one_or_none()


def test_given_a_real_certificate_emailed_then_a_decision_event_is_published(
        app, butler, real_corpus, smtp_door, worker):
    pdf = (real_corpus / SG_SIDING).read_bytes()
    send_mail(smtp_door, "butler+lot-14@coi.test", [(pdf, "application/pdf", "S&G COI.pdf")])

    document = wait_for(lambda: decided(app), timeout=120)
    assert document.tag == "lot-14"
    entries = wait_for(lambda: app.redis.xrange(stream_name("butler")))
    [(_, fields)] = entries
    assert fields[b"type"] == b"coi.certificate.rejected"
    event = json.loads(fields[b"event"])
    assert validate_event(event) == []
    assert event["id"] == fields[b"id"].decode() and event["subject"] == f"documents/{document.id}"
    data = event["data"]
    # The policies ended in September 2024: whatever today is, they are expired, and that is the reason.
    assert event["type"] == "coi.certificate.rejected"
    assert data["document_id"] == document.id
    assert {c["code"] for c in data["failed_checks"]} == {"policy_expired"}
    assert data["certificate"]["insured"]["name"] == "S&G Siding and Gutters Construction LLC"
    with app.sessions() as session:
        evaluation = session.scalars(select(Evaluation)).one()
    passed = {(c["code"], c.get("key")) for c in evaluation.checks if c["outcome"] == "pass"}
    assert {("holder_mismatch", "name"), ("limit_below_minimum", "each_occurrence"),
            ("limit_below_minimum", "el_each_accident"), ("basis_mismatch", "basis")} <= passed


def test_given_every_stage_runs_again_after_the_decision_then_no_row_is_added(
        app, butler, real_corpus, smtp_door, worker):
    pdf = (real_corpus / SG_SIDING).read_bytes()
    send_mail(smtp_door, "butler@coi.test", [(pdf, "application/pdf", "coi.pdf")])
    document = wait_for(lambda: decided(app), timeout=120)

    stages = actors_of(app).stages
    for stage in (stages.read_document, stages.extract_document, stages.score_document):
        stage(document.id)  # a redelivered message

    with app.sessions() as session:
        counts = [session.scalar(select(func.count()).select_from(model))
                  for model in (Document, Certificate, Evaluation, OutboxEvent)]
        assert counts == [1, 1, 1, 1]
        assert session.get(Document, document.id).status == "decided"
