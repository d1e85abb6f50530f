"""The S3 hook takes an object only under a reference `/v1/uploads` issued to that account: on a
store that does not enforce the POST policy (moto here, a misconfigured bucket), a key changed to
another account's prefix, or one never issued, files nothing anywhere."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update

from apiserver import serve
from holders import demo, holder_account
from infra.models import Upload, UploadRef, utcnow

pytestmark = pytest.mark.integration

S3_ONLY = pytest.mark.parametrize("app", ["postgres-s3-redis"], indirect=True)
HOOK_SECRET = "hook-secret-for-tests"


@pytest.fixture
def api(app):
    app.settings.upload_hook_secret = HOOK_SECRET
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def hook(api, bucket: str, key: str, size: int, when: str | None = None) -> dict:
    from urllib.parse import quote_plus

    record = {"eventName": "s3:ObjectCreated:Post", "s3": {"bucket": {"name": bucket}, "object": {
        "key": quote_plus(key), "size": size, "eTag": uuid.uuid4().hex}}}
    if when:
        record["eventTime"] = when
    answer = api.post("/v1/hooks/s3", json={"Records": [record]}, headers={"Authorization": f"Bearer {HOOK_SECRET}"})
    assert answer.status_code == 200, answer.text
    [outcome] = answer.json()["objects"]
    return outcome


@S3_ONLY
def test_given_a_key_changed_to_another_account_or_never_issued_then_the_hook_files_nothing(app, api, caplog):
    acme = {"Authorization": "Bearer " + holder_account(app, "acme")}
    bravo = {"Authorization": "Bearer " + holder_account(app, "bravo")}
    _, pdf = demo()
    bucket, prefix = app.storage.bucket, app.storage.prefix
    ticket = api.post("/v1/uploads", headers=bravo, json={"filename": "x.pdf", "content_type": "application/pdf",
                                                          "size": len(pdf)}).json()
    ref = ticket["upload_id"]
    moved = {**ticket["fields"], "key": f"{prefix}/uploads/acme/{ref}/x.pdf"}  # moto takes the changed key
    assert httpx.post(ticket["url"], data=moved, files={"file": ("x.pdf", pdf, "application/pdf")}).status_code == 204
    never = f"{prefix}/uploads/acme/{uuid.uuid4().hex}/x.pdf"
    app.storage.client.put_object(Bucket=bucket, Key=never, Body=pdf)

    for key in (moved["key"], never):
        outcome = hook(api, bucket, key, len(pdf))
        assert outcome["status"] == "rejected", key
        assert "was not issued to this account" in outcome["reason"]
        assert app.storage.client.head_object(Bucket=bucket, Key=key)  # left for an operator, not deleted
    assert "was not issued to this account" in caplog.text
    with app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Upload)) == 0
    assert api.get(f"/v1/uploads/{ref}", headers=acme).json()["status"] == "waiting"

    assert hook(api, bucket, ticket["fields"]["key"], len(pdf))["status"] == "queued"  # the key as issued
    with app.sessions() as session:
        [upload] = session.scalars(select(Upload)).all()
        assert upload.key == f"uploads/bravo/{ref}/x.pdf"


@S3_ONLY
def test_given_an_object_written_after_its_reference_expired_then_it_is_refused(app, api):
    auth = {"Authorization": "Bearer " + holder_account(app, "acme")}
    ticket = api.post("/v1/uploads", headers=auth, json={"filename": "x.pdf", "content_type": "application/pdf",
                                                         "size": 100}).json()
    with app.sessions() as session:
        [issued] = session.scalars(select(UploadRef)).all()
        assert (issued.id, issued.key) == (ticket["upload_id"], f"uploads/acme/{ticket['upload_id']}/x.pdf")
        session.execute(update(UploadRef).values(expires_at=utcnow() - timedelta(hours=2)))
        session.commit()
    late = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    outcome = hook(api, app.storage.bucket, ticket["fields"]["key"], 100, when=late)
    assert outcome["status"] == "rejected" and "expired" in outcome["reason"]
