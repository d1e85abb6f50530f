"""Requirement changes re-score, future sets are reported, reviewers waive and override: on real services."""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from infra.admin import add_account, add_holder, override, set_requirements, status, waive
from infra.entry.demo import current
from infra.models import AuditEntry, Document, OutboxEvent
from samples.certificates import demo_certificate, draw_certificate
from services import actors_of, send_mail, wait_for
from workers.handoffs import dispatch

pytestmark = pytest.mark.integration


@pytest.fixture
def certificate() -> dict:
    return current(demo_certificate())


def requirements_for(certificate: dict, each_occurrence: int, **extra) -> dict:
    holder = certificate["certificate_holder"]
    return {"name": "Subcontractors", "holder": {"name": holder["name"]},
            "lines": {"general_liability": {"required": True, "limits": {"each_occurrence": each_occurrence}}},
            **extra}


@pytest.fixture
def account(app, certificate):
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
        add_holder(session, "acme", certificate["certificate_holder"]["name"], None)
    return "acme"


def decide(app, smtp_door, certificate) -> str:
    send_mail(smtp_door, "acme@coi.test", [(draw_certificate(certificate), "application/pdf", "coi.pdf")])

    def decided():
        with app.sessions() as session:
            return session.scalars(select(Document.id).where(Document.status == "decided")).first()

    return wait_for(decided, timeout=60)


def decide_under(app, smtp_door, certificate, each_occurrence: int) -> str:
    """Load a set requiring ``each_occurrence`` for general liability, then mail the certificate in."""
    with app.sessions() as session:
        set_requirements(session, "acme", certificate["certificate_holder"]["name"],
                         requirements_for(certificate, each_occurrence))
    return decide(app, smtp_door, certificate)


def events(app, document_id) -> list[tuple[str, dict]]:
    with app.sessions() as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.document_id == document_id)
                               .order_by(OutboxEvent.created_at)).all()
        return [(e.type, e.data) for e in rows]


def standing(app, document_id) -> dict:
    with app.sessions() as session:
        return status(session, document_id)


def test_given_a_changed_requirement_set_then_decided_certificates_are_scored_again(
        app, account, certificate, smtp_door, worker):
    document_id = decide_under(app, smtp_door, certificate, 2_000_000)
    assert standing(app, document_id)["decision"] == "rejected"

    with app.sessions() as session:
        new_set, rescores = set_requirements(session, "acme", certificate["certificate_holder"]["name"],
                                             requirements_for(certificate, 1_000_000))
    assert [h.args for h in rescores] == [[document_id, f"requirements:{new_set.id}"]]
    dispatch(rescores, broker=app.broker_handle.broker, sessions=app.sessions)  # as `coi requirements set` does
    wait_for(lambda: standing(app, document_id)["decision"] == "approved")
    assert [t for t, _ in events(app, document_id)] == ["coi.certificate.rejected", "coi.certificate.approved"]
    assert events(app, document_id)[-1][1]["trigger"] == f"requirements:{new_set.id}"


def test_given_a_future_set_then_the_certificate_is_also_reported_against_it(
        app, account, certificate, smtp_door, worker):
    starts = (date.today() + timedelta(days=60)).isoformat()
    with app.sessions() as session:
        holder = certificate["certificate_holder"]["name"]
        set_requirements(session, "acme", holder, requirements_for(certificate, 1_000_000))
        future = requirements_for(certificate, 5_000_000, effective={"from": starts, "until": None})
        future["name"] = "Subcontractors from next quarter"
        set_requirements(session, "acme", holder, future)
    document_id = decide(app, smtp_door, certificate)
    result = standing(app, document_id)
    assert result["decision"] == "approved"
    assert result["future"]["decision"] == "rejected"
    assert result["future"]["effective_from"] == starts
    [limit] = [c for c in result["future"]["checks"] if c["code"] == "limit_below_minimum"]
    assert limit["expected"] == 5_000_000


def test_a_reviewer_waives_a_failed_check_then_overrides_the_decision_with_an_audit_trail(
        app, account, certificate, smtp_door, worker):
    document_id = decide_under(app, smtp_door, certificate, 2_000_000)

    with app.sessions() as session:
        _, rescore = waive(session, document_id, "limit_below_minimum", by="rita@acme.test",
                           reason="Owner accepts $1M for this small job", line="general_liability")
    dispatch([rescore], broker=app.broker_handle.broker, sessions=app.sessions)  # as `coi review waive` does
    wait_for(lambda: standing(app, document_id)["decision"] == "approved")
    [waived] = [c for c in standing(app, document_id)["checks"] if c.get("waiver")]
    assert waived["waiver"]["by"] == "rita@acme.test"

    with app.sessions() as session:
        override(session, document_id, "rejected", by="sam@acme.test", reason="Insurer under review",
                 until=date.today() + timedelta(days=30))
    result = standing(app, document_id)
    assert (result["decision"], result["evaluated_decision"]) == ("rejected", "approved")
    assert result["override"]["by"] == "sam@acme.test"
    types = [t for t, _ in events(app, document_id)]
    assert types == ["coi.certificate.rejected", "coi.check.waived", "coi.certificate.approved",
                     "coi.decision.overridden"]
    with app.sessions() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["check.waived", "decision.overridden"]


def test_a_rescore_run_twice_for_the_same_trigger_changes_nothing(app, account, certificate, smtp_door, worker):
    document_id = decide_under(app, smtp_door, certificate, 1_000_000)
    stages = actors_of(app).stages
    before = copy.deepcopy(events(app, document_id))
    stages.rescore_document(document_id, "manual:1")
    stages.rescore_document(document_id, "manual:1")
    assert events(app, document_id) == before  # the decision did not change: no event
