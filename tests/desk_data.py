"""Decided certificates for the search and report tests, scored by the real scoring step
(workers.decisions.score, which also keeps the search index), without reading any file."""

from __future__ import annotations

import copy
import hashlib
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from infra.admin import add_account, add_holder, set_requirements
from infra.entry.demo import demo_requirements
from infra.models import Account, Certificate, Document
from pipeline.states import DocumentStatus
from samples.certificates import demo_certificate

HOLDER = demo_certificate()["certificate_holder"]


@pytest.fixture(params=["sqlite", "postgres"])
def db_app(request, tmp_path):
    """The app on one database, migrated, with no rate limits (so no Redis); nothing else is used."""
    from infra.db import migrate
    from services import make_app

    limits = {"api_requests_per_minute": 0, "api_ip_requests_per_minute": 0}
    if request.param == "sqlite":
        application = make_app(tmp_path, **limits)
        migrate(application.settings.resolved_database_url())
    else:
        application = make_app(tmp_path, database_url=request.getfixturevalue("postgres_url"), **limits)
    yield application
    application.close()


def account(app, slug: str, *, each_occurrence: int = 1_000_000, holder: dict | None = None) -> int:
    """Account ``slug`` with a holder (the demo certificate's unless given) whose requirement set
    asks ``each_occurrence`` of general liability; returns the account id."""
    holder = holder or HOLDER
    requirements = demo_requirements({**demo_certificate(), "certificate_holder": holder})
    requirements["lines"]["general_liability"]["limits"]["each_occurrence"] = each_occurrence
    with app.sessions() as session:
        add_account(session, slug, slug.title())
        add_holder(session, slug, holder["name"], holder["address"])
        set_requirements(session, slug, holder["name"], requirements)
        return session.scalar(select(Account.id).where(Account.slug == slug))


def certificate(*, insured: str, policy: str = "CGL1234567", expires: date, occurrence: int = 1_000_000,
                holder: dict | None = None, description: str | None = None) -> dict:
    """The demo certificate for another insured, every policy ending on ``expires``."""
    cert = copy.deepcopy(demo_certificate())
    cert["insured"]["name"] = insured
    cert["certificate_holder"] = holder or HOLDER
    cert["date"] = (expires - timedelta(days=365)).isoformat()
    for p in cert["policies"]:
        p["effective"], p["expiration"] = (expires - timedelta(days=365)).isoformat(), expires.isoformat()
    cert["policies"][0]["policy_number"] = policy
    cert["policies"][0]["limits"]["each_occurrence"] = occurrence
    if description is not None:
        cert["description_of_operations"] = description
    return cert


def decided(app, account_id: int, cert: dict, *, as_of: date, tag: str | None = None,
            received: datetime | None = None, filename: str | None = None, document_id: str | None = None) -> str:
    """A document of the account holding ``cert``, scored as of ``as_of``; its id."""
    from workers.decisions import score

    document_id = document_id or uuid.uuid4().hex
    with app.sessions() as session:
        document = Document(id=document_id, account_id=account_id, source="upload",
                            filename=filename or f"{cert['insured']['name']}.pdf", content_type="application/pdf",
                            sha256=hashlib.sha256(document_id.encode()).hexdigest(), size=1,
                            storage_key=f"k/{document_id}", tag=tag, status=DocumentStatus.EXTRACTED.value,
                            created_at=received or datetime.now(timezone.utc))
        session.add(document)
        session.flush()  # no relationship orders the inserts: the document first
        session.add(Certificate(document_id=document_id, data=cert, edition="2016/03"))
        session.flush()
        score(session, document, as_of, trigger="initial:1")
        document.status = DocumentStatus.DECIDED.value
        session.commit()
    return document_id
