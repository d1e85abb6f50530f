"""Tenant isolation on real services. Two accounts, alpha and bravo, each with an upload token, a
holder (the same name in both), a contact, a webhook receiver on loopback, and documents. Bravo
cannot read, list or download alpha's documents through any API route (every route of the app
has a probe below: a new route fails ``test_every_api_route_has_a_tenancy_probe`` until it gets
one), cannot upload into alpha's space, never receives alpha's events (stream, webhooks,
replays, notifications), and no account-scoped action taken for bravo touches alpha."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import boto3
import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from apiserver import serve
from holders import demo, holder_account
from inbox.api import create_api
from infra.admin import AdminError, list_events, override, set_requirements, status, waive
from infra.admin_events import add_webhook, list_webhooks, remove_webhook, set_contacts
from infra.entry.demo import demo_requirements
from infra.models import (Account, Delivery, Document, Holder, InboundMessage, Notification, OutboxEvent, Override,
                          Upload, UploadToken, Waiver, Webhook)
from infra.tokens import revoke_token
from receivers import WebhookReceiver
from services import actors_of, make_app, send_mail, wait_for
from workers.handoffs import dispatch
from workers.publish import stream_name

pytestmark = pytest.mark.integration

ALPHA, BRAVO = "alpha", "bravo"
ALPHA_FILE = "alpha-only-site-coi.pdf"  # a name nothing of bravo's carries: found in a response, it leaked
HOOK_SECRET = "hook-secret-for-tenancy-tests"
FINAL = {"decided", "failed", "not_a_certificate"}
S3_ONLY = pytest.mark.parametrize("app", ["postgres-s3-redis", "postgres-s3-rabbitmq"], indirect=True)


@dataclass
class Tenant:
    slug: str
    token: str
    account_id: int
    webhook_id: int
    contact: str
    receiver: WebhookReceiver

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_tenant(app, slug: str, each_occurrence: int) -> Tenant:
    """An account whose requirement set the demo certificate fails (each occurrence above its
    $1,000,000), so each decision is a rejection that boxes a value and mails the holder's contact."""
    holder = demo()[0]["certificate_holder"]
    token = holder_account(app, slug, each_occurrence=each_occurrence)
    receiver, contact = WebhookReceiver(), f"risk@{slug}.example"
    with app.sessions() as session:
        account_id = session.scalar(select(Account.id).where(Account.slug == slug))
        set_contacts(session, slug, holder["name"], [contact])
        webhook, receiver.secret = add_webhook(session, app.secrets, slug, receiver.url, allow_http=False,
                                               allow_private=app.settings.webhook_allow_private)
        webhook_id = webhook.id
    receiver.start()
    return Tenant(slug, token, account_id, webhook_id, contact, receiver)


@pytest.fixture
def tenants(app, mail_sink):
    app.settings.notify_smtp_host, app.settings.notify_smtp_port = "127.0.0.1", mail_sink.controller.port
    app.settings.upload_hook_secret = HOOK_SECRET
    made = (make_tenant(app, ALPHA, 2_000_000), make_tenant(app, BRAVO, 3_000_000))
    yield made
    for tenant in made:
        tenant.receiver.stop()


@pytest.fixture
def api(app, tenants):
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def upload(api, tenant: Tenant, name: str) -> dict:
    answer = api.post("/v1/uploads/direct", headers=tenant.auth,
                      files={"file": (name, demo()[1], "application/pdf")})
    assert answer.status_code == 202, answer.text
    return answer.json()


def settled(api, tenant: Tenant, upload_id: str) -> dict:
    """The document an upload became, once its pipeline has finished."""
    def final():
        document = api.get(f"/v1/uploads/{upload_id}", headers=tenant.auth).json().get("document") or {}
        return document if document.get("status") in FINAL else None

    return wait_for(final, timeout=120)


def delivered(app, tenant: Tenant) -> list[str]:
    """Wait until every event of the account is published and delivered to its webhook; their ids."""
    def done():
        with app.sessions() as session:
            events = session.scalars(select(OutboxEvent).where(OutboxEvent.account_id == tenant.account_id)).all()
            deliveries = session.scalars(select(Delivery).where(Delivery.webhook_id == tenant.webhook_id)).all()
        if not events or any(e.published_at is None for e in events):
            return None
        if sorted(d.event_id for d in deliveries if d.status == "delivered") != sorted(e.id for e in events):
            return None
        return sorted(e.id for e in events)

    return wait_for(done, timeout=60)


def stream(app, slug: str) -> list[dict]:
    return [json.loads(fields[b"event"]) for _, fields in app.redis.xrange(stream_name(slug))]


def source(slug: str) -> str:
    return f"/coi-intake/accounts/{slug}"


def assert_nothing_crossed(app) -> None:
    """Every delivery went to a webhook of its event's account, every notification to someone its
    account's event concerns, and every stream holds only its own account's events."""
    with app.sessions() as session:
        crossed = session.execute(
            select(Delivery.id).join(Webhook, Webhook.id == Delivery.webhook_id)
            .join(OutboxEvent, OutboxEvent.id == Delivery.event_id).where(Webhook.account_id != OutboxEvent.account_id)
        ).all()
        assert crossed == []
        for notification, event in session.execute(select(Notification, OutboxEvent).join(OutboxEvent)):
            if notification.kind == "review_to_holder":
                row = session.get(Holder, event.data["holder"]["id"])
                assert row.account_id == event.account_id and notification.recipient in row.contacts
        slugs = session.scalars(select(Account.slug)).all()
    for slug in slugs:
        assert {e["source"] for e in stream(app, slug)} <= {source(slug)}, slug


# -- every API route ----------------------------------------------------------------------------


def api_routes(api) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves; a mount or websocket route counts as ANY."""
    return {(method, route.path) for route in api.routes for method in (getattr(route, "methods", None) or {"ANY"})}


@dataclass
class Scene:
    """Alpha has a decided (rejected) document from a direct upload; bravo holds a token."""

    app: object
    api: httpx.Client
    alpha: Tenant
    bravo: Tenant
    alpha_document: str
    alpha_upload: str


def markers(scene: Scene) -> list[str]:
    """Strings that appear in nothing bravo may see."""
    return [ALPHA_FILE, scene.alpha_document, f"accounts/{ALPHA}/", f"uploads/{ALPHA}/", f"direct/{ALPHA}/",
            scene.alpha.token, scene.alpha.contact]


def probe_public(method: str, path: str) -> Callable[[Scene], None]:
    def probe(scene: Scene) -> None:
        answer = scene.api.request(method, path, headers=scene.bravo.auth)
        assert answer.status_code == 200, (method, path)
        assert not any(m in answer.text for m in markers(scene)), (method, path)
    return probe


def probe_docs_assets(scene: Scene) -> None:
    """The files /docs and /redoc load: the same for everyone, and none of alpha's."""
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        answer = scene.api.get(f"/docs/assets/{name}", headers=scene.bravo.auth)
        assert answer.status_code == 200 and not any(m in answer.text for m in markers(scene)), name


def probe_document(scene: Scene) -> None:
    path = f"/v1/documents/{scene.alpha_document}"
    denied = scene.api.get(path, headers=scene.bravo.auth)
    assert denied.status_code == 404 and denied.json()["error"]["code"] == "not_found"
    assert scene.api.get(path, headers=scene.alpha.auth).json()["filename"] == ALPHA_FILE  # the control


def probe_annotated(scene: Scene) -> None:
    path = f"/v1/documents/{scene.alpha_document}/annotated.png"
    denied = scene.api.get(path, headers=scene.bravo.auth)
    assert denied.status_code == 404 and denied.json()["error"]["code"] == "not_found"
    assert scene.api.get(path, headers=scene.alpha.auth).content.startswith(b"\x89PNG")  # the control


def probe_upload_status(scene: Scene) -> None:
    path = f"/v1/uploads/{scene.alpha_upload}"
    seen = scene.api.get(path, headers=scene.bravo.auth).json()
    assert (seen["status"], seen["document_id"], seen["document"]) == ("waiting", None, None)
    assert scene.api.get(path, headers=scene.alpha.auth).json()["document_id"] == scene.alpha_document


def probe_start_upload(scene: Scene) -> None:
    """Whatever bravo names, the ticket is for bravo's own upload area."""
    answer = scene.api.post("/v1/uploads", headers=scene.bravo.auth, json={
        "filename": f"../../{ALPHA}/{uuid.uuid4().hex}/x.pdf", "content_type": "application/pdf",
        "account": ALPHA, "key": f"uploads/{ALPHA}/{uuid.uuid4().hex}/x.pdf"})
    assert answer.status_code == 200, answer.text
    ticket = answer.json()
    if ticket["method"] == "direct":
        assert ticket["url"].endswith("/v1/uploads/direct") and ticket["fields"] == {}
        return
    assert_pinned(scene.app, ticket, BRAVO)


def probe_direct_upload(scene: Scene) -> None:
    """Bravo sends the very bytes alpha has: a document of bravo's own, not alpha's."""
    answer = upload(scene.api, scene.bravo, "bravo-copy.pdf")
    assert answer["document_id"] != scene.alpha_document and answer["duplicate"] is False
    with scene.app.sessions() as session:
        copy, original = session.get(Document, answer["document_id"]), session.get(Document, scene.alpha_document)
        assert copy.account_id == scene.bravo.account_id and copy.storage_key.startswith(f"accounts/{BRAVO}/")
        assert (original.account_id, original.filename) == (scene.alpha.account_id, ALPHA_FILE)
        recorded = session.scalars(select(Upload).where(Upload.document_id == copy.id)).one()
        assert recorded.account_id == scene.bravo.account_id and recorded.key.startswith(f"direct/{BRAVO}/")


def probe_hook(scene: Scene) -> None:
    """An upload token is no hook secret, as Bearer or as the Basic password."""
    basic = base64.b64encode(f"coi:{scene.bravo.token}".encode()).decode()
    for authorization in (f"Bearer {scene.bravo.token}", f"Basic {basic}"):
        answer = scene.api.post("/v1/hooks/s3", headers={"Authorization": authorization}, json={"Records": []})
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "hook_secret_wrong"


def probe_hook_alive(scene: Scene) -> None:
    answer = scene.api.head("/v1/hooks/s3", headers=scene.bravo.auth)
    assert answer.status_code == 200 and answer.content == b""


def probe_correct_values(scene: Scene) -> None:
    """Bravo's reviewer token cannot correct alpha's document; bravo's upload token corrects nothing."""
    from infra.users import add_user, new_api_token

    with scene.app.sessions() as session:
        add_user(session, "reviewer@bravo.example", BRAVO, "reviewer", "bravo password 1")
        add_user(session, "reviewer@alpha.example", ALPHA, "reviewer", "alpha password 1")
        bravo_token, alpha_token = (new_api_token(session, "reviewer@bravo.example"),
                                    new_api_token(session, "reviewer@alpha.example"))
    path = f"/v1/documents/{scene.alpha_document}/values"
    body = {"pointer": "/policies/0/limits/each_occurrence", "value": "not a number", "reason": "probe"}
    denied = scene.api.patch(path, headers={"Authorization": f"Bearer {bravo_token}"}, json=body)
    assert denied.status_code == 404 and denied.json()["error"]["code"] == "not_found"
    assert scene.api.patch(path, headers=scene.bravo.auth, json=body).status_code == 403
    control = scene.api.patch(path, headers={"Authorization": f"Bearer {alpha_token}"}, json=body)
    assert control.status_code == 422  # reached alpha's document, refused the value: nothing changed


def probe_desk(scene: Scene) -> None:
    """Bravo's admin on the desk: alpha's document, its page image and every action on it are 404;
    the queue and the list of waivers show nothing of alpha's."""
    from desk import Desk
    from infra.users import add_user

    with scene.app.sessions() as session:
        add_user(session, "admin@bravo.example", BRAVO, "admin", "bravo password 2")
        add_user(session, "admin@alpha.example", ALPHA, "admin", "alpha password 2")
        waiver = Waiver(document_id=scene.alpha_document, code="limit_below_minimum", by="admin@alpha.example",
                        reason="probe", until=date(2000, 1, 1))  # lapsed: alpha's decision stays as it is
        session.add(waiver)
        session.commit()
        waiver_id = waiver.id
    base = str(scene.api.base_url).rstrip("/")
    bravo, alpha = Desk(base, "admin@bravo.example", "bravo password 2"), Desk(base, "admin@alpha.example",
                                                                              "alpha password 2")
    doc = f"/desk/documents/{scene.alpha_document}"
    for path in (doc, f"{doc}/pages/1.png"):
        denied = bravo.get(path)
        assert denied.status_code == 404 and not any(m in denied.text for m in markers(scene)), path
        assert alpha.get(path).status_code == 200, path  # the control
    for path, data in ((f"{doc}/corrections", {"pointer": "/insured/name", "value": "x", "reason": "probe"}),
                       (f"{doc}/waivers", {"code": "limit_below_minimum", "reason": "probe"}),
                       (f"{doc}/overrides", {"decision": "approved", "reason": "probe"}),
                       (f"/desk/waivers/{waiver_id}/undo", {"reason": "probe"})):
        assert bravo.post(path, data).status_code == 404, path
    for path in ("/desk/queue", "/desk/reviews", "/desk/users"):
        assert not any(m in bravo.get(path).text for m in markers(scene)), path
    with scene.app.sessions() as session:
        from infra.models import User

        alpha_admin = session.scalars(select(User).where(User.email == "admin@alpha.example")).one().id
    assert bravo.post(f"/desk/users/{alpha_admin}/disable", {}).status_code == 404
    assert "admin@alpha.example" not in bravo.get("/desk/users").text
    with scene.app.sessions() as session:
        assert session.get(Waiver, waiver_id).undone_at is None
        assert session.get(User, alpha_admin).disabled_at is None
    probe_desk_vendors(scene, bravo, alpha)
    probe_desk_requirements(scene, bravo, alpha)
    bravo.close()
    alpha.close()


def probe_desk_vendors(scene: Scene, bravo, alpha) -> None:
    """Bravo's admin and alpha's vendor pages: alpha's vendor is a 404 to read and to act on (a
    request, an alias, a contact), alpha's waiting certificate cannot be linked (not even to bravo's
    own vendor), and bravo's lists of vendors and of certificates to link show nothing of alpha's."""
    from infra.admin_vendors import add_vendor
    from infra.models import Vendor, VendorDocument, VendorRequest

    with scene.app.sessions() as session:
        mine = add_vendor(session, ALPHA, "Alpha Only Vendor", contacts=["office@alpha-vendor.example"]).id
        theirs = add_vendor(session, BRAVO, "Bravo Vendor").id
    page = f"/desk/vendors/{mine}"
    assert alpha.get(page).status_code == 200 and scene.alpha_document in alpha.get("/desk/vendors/unmatched").text
    denied = bravo.get(page)
    assert denied.status_code == 404 and "Alpha Only Vendor" not in denied.text
    for path, data in ((f"{page}/requests", {"tag": ""}), (f"{page}/aliases", {"alias": "probe"}),
                       (f"{page}/contacts", {"contact": "probe@bravo.example"}),
                       (f"/desk/documents/{scene.alpha_document}/vendor", {"vendor_id": str(mine)}),
                       (f"/desk/documents/{scene.alpha_document}/vendor", {"vendor_id": str(theirs)})):
        assert bravo.post(path, data).status_code == 404, path
    for path in ("/desk/vendors", "/desk/vendors/unmatched", f"/desk/vendors/{theirs}"):
        seen = bravo.get(path)
        assert seen.status_code == 200 and "Alpha Only Vendor" not in seen.text, path
        assert not any(m in seen.text for m in markers(scene)), path
    with scene.app.sessions() as session:
        assert session.get(VendorDocument, scene.alpha_document).vendor_id is None
        assert session.get(Vendor, mine).aliases == [] and session.get(Vendor, mine).contacts == \
            ["office@alpha-vendor.example"]
        assert session.scalars(select(VendorRequest)).all() == []


def probe_desk_requirements(scene: Scene, bravo, alpha) -> None:
    """Bravo's admin on the desk's requirement pages: alpha's set and holder are 404, saving a set for
    alpha's holder or an alias on it changes nothing; the list shows nothing of alpha's."""
    from infra.models import Holder, RequirementSet

    with scene.app.sessions() as session:
        theirs = session.scalars(select(RequirementSet).join(Holder, Holder.id == RequirementSet.holder_id)
                                 .where(Holder.account_id == scene.alpha.account_id)).first()
        set_id, holder_id, before = theirs.id, theirs.holder_id, theirs.body
    for path in (f"/desk/requirements/{set_id}", f"/desk/requirements/holders/{holder_id}/new"):
        assert bravo.get(path).status_code == 404, path
        assert alpha.get(path).status_code == 200, path  # the control
    for path, data in ((f"/desk/requirements/holders/{holder_id}", {"text": "name: probe\n"}),
                       (f"/desk/requirements/holders/{holder_id}/aliases", {"alias": "probe"})):
        assert bravo.post(path, data).status_code == 404, path
    listing = bravo.get("/desk/requirements").text
    assert f'data-set="{set_id}"' not in listing and not any(m in listing for m in markers(scene))
    with scene.app.sessions() as session:
        assert session.get(RequirementSet, set_id).superseded_at is None
        assert session.get(RequirementSet, set_id).body == before and session.get(Holder, holder_id).aliases is None


def read_auth(scene: Scene, slug: str) -> dict[str, str]:
    """A read token of the account (listing, search, reports), made for the probe."""
    from infra.tokens import create_token

    with scene.app.sessions() as session:
        return {"Authorization": f"Bearer {create_token(session, slug, 'probe', 'read')[1]}"}


def probe_listing(path: str, params: dict[str, str] | None = None) -> Callable[[Scene], None]:
    """Bravo's upload token is refused; bravo's read token sees none of alpha's documents (searching
    for what alpha's certificate says); alpha's read token sees alpha's (the control)."""
    def probe(scene: Scene) -> None:
        refused = scene.api.get(path, params=params, headers=scene.bravo.auth)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "token_cannot_list", path
        seen = scene.api.get(path, params=params, headers=read_auth(scene, BRAVO))
        assert seen.status_code == 200 and not any(m in seen.text for m in markers(scene)), path
        if path.startswith("/v1/documents"):
            assert {d["document_id"] for d in seen.json()["documents"]}.isdisjoint({scene.alpha_document})
        control = scene.api.get(path, params=params, headers=read_auth(scene, ALPHA))
        assert control.status_code == 200, path
        if "decisions" not in path:  # counts only: nothing to find by id
            assert scene.alpha_document in control.text, path
    return probe


def probe_vendors(method: str, path: str) -> Callable[[Scene], None]:
    """An upload token (alpha's or bravo's) manages no vendors: 401, nothing of the account shown."""
    def probe(scene: Scene) -> None:
        url = path.replace("{vendor_id}", "1").replace("{document_id}", scene.alpha_document)
        body = {"vendor_id": 1} if "documents" in path else {}
        for who in (scene.alpha, scene.bravo):
            answer = scene.api.request(method, url, headers=who.auth, json=body if method == "POST" else None)
            assert answer.status_code == 401 and answer.json()["error"]["code"] == "token_unknown", answer.text
    return probe


VENDOR_ROUTES = [("GET", "/v1/vendors"), ("GET", "/v1/vendors/unmatched"), ("GET", "/v1/vendors/{vendor_id}"),
                 ("POST", "/v1/documents/{document_id}/vendor"), ("POST", "/v1/vendors/{vendor_id}/requests")]
PUBLIC = [(method, path) for path in ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")
          for method in ("GET", "HEAD")] + [("GET", "/embed.js"), ("GET", "/healthz"), ("GET", "/metrics")]
PROBES: dict[tuple[str, str], Callable[[Scene], None]] = {
    **{(method, path): probe_public(method, path) for method, path in PUBLIC},
    ("POST", "/v1/uploads"): probe_start_upload,
    ("POST", "/v1/uploads/direct"): probe_direct_upload,
    ("GET", "/v1/uploads/{upload_id}"): probe_upload_status,
    ("GET", "/v1/documents/{document_id}"): probe_document,
    ("GET", "/v1/documents/{document_id}/annotated.png"): probe_annotated,
    ("ANY", "/docs/assets"): probe_docs_assets,
    ("POST", "/v1/hooks/s3"): probe_hook,
    ("HEAD", "/v1/hooks/s3"): probe_hook_alive,
    ("PATCH", "/v1/documents/{document_id}/values"): probe_correct_values,
    ("ANY", "/desk"): probe_desk,

    ("GET", "/v1/documents"): probe_listing("/v1/documents", {"q": demo()[0]["insured"]["name"]}),
    ("GET", "/v1/reports/compliance"): probe_listing("/v1/reports/compliance"),
    ("GET", "/v1/reports/compliance.csv"): probe_listing("/v1/reports/compliance.csv", {"all": "true"}),
    ("GET", "/v1/reports/expirations"): probe_listing("/v1/reports/expirations", {"within": "400"}),
    ("GET", "/v1/reports/expirations.csv"): probe_listing("/v1/reports/expirations.csv", {"within": "400"}),
    ("GET", "/v1/reports/decisions"): probe_listing("/v1/reports/decisions"),
    ("GET", "/v1/reports/decisions.csv"): probe_listing("/v1/reports/decisions.csv"),
    **{(method, path): probe_vendors(method, path) for method, path in VENDOR_ROUTES},
}


def test_every_api_route_has_a_tenancy_probe(tmp_path):
    """Given the API app, then each (method, path) it serves is probed for tenancy below, and no
    probe names a route that is gone: a new route fails here until its isolation is tested."""
    application = make_app(tmp_path)
    try:
        served = api_routes(create_api(application, actors_of(application)))
    finally:
        application.close()
    assert sorted(served - PROBES.keys()) == [], "routes without a tenancy probe: add one to PROBES"
    assert sorted(PROBES.keys() - served) == [], "probes of routes the app no longer serves"


def test_given_alphas_decided_document_then_bravo_gets_nothing_of_it_on_any_route(app, tenants, api, worker):
    alpha, bravo = tenants
    answer = upload(api, alpha, ALPHA_FILE)
    assert settled(api, alpha, answer["upload_id"])["decision"] == "rejected"
    scene = Scene(app, api, alpha, bravo, answer["document_id"], answer["upload_id"])
    served = api_routes(create_api(app, actors_of(app)))
    for method, path in sorted(served):
        PROBES[(method, path)](scene)
    for method, path in sorted(served):  # and whatever bravo sends, nothing of alpha's comes back
        values = {"document_id": scene.alpha_document, "upload_id": scene.alpha_upload, "vendor_id": "1"}
        url = re.sub(r"\{(\w+)\}", lambda m: values[m[1]], path)
        answer = api.request(method, url, headers=bravo.auth)
        assert answer.status_code < 500 and not any(m in answer.text for m in markers(scene)), (method, path)
    with app.sessions() as session:
        assert session.scalars(select(Document.id).where(Document.account_id == alpha.account_id)).all() \
            == [scene.alpha_document]


# -- uploading into alpha's space -----------------------------------------------------------------


def assert_pinned(app, ticket: dict, slug: str) -> None:
    """The presigned POST may write one key, in ``slug``'s upload area, and S3 checks a signature
    over that policy: a changed key or policy needs the AWS secret."""
    fields = ticket["fields"]
    prefix = app.storage.prefix + "/" if app.storage.prefix else ""
    key = f"{prefix}uploads/{slug}/{ticket['upload_id']}/x.pdf"
    assert fields["key"] == key
    conditions = json.loads(base64.b64decode(fields["policy"]))["conditions"]
    assert {"key": key} in conditions and {"bucket": app.storage.bucket} in conditions
    assert not [c for c in conditions if isinstance(c, list) and c[1] in {"$key", "$bucket"}]  # no starts-with
    secret = boto3.Session().get_credentials().secret_key
    date, region, service, _ = fields["x-amz-credential"].split("/")[1:]
    signing = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        signing = hmac.new(signing, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(signing, fields["policy"].encode(), hashlib.sha256).hexdigest()
    assert fields["x-amz-signature"] == expected


def hook(api, key: str, bucket: str, size: int) -> dict:
    from urllib.parse import quote_plus

    record = {"eventName": "s3:ObjectCreated:Put", "s3": {"bucket": {"name": bucket},
                                                          "object": {"key": quote_plus(key), "size": size,
                                                                     "eTag": uuid.uuid4().hex}}}
    answer = api.post("/v1/hooks/s3", json={"Records": [record]}, headers={"Authorization": f"Bearer {HOOK_SECRET}"})
    assert answer.status_code == 200, answer.text
    [outcome] = answer.json()["objects"]
    return outcome


@S3_ONLY
def test_given_objects_under_bravos_prefix_or_crafted_keys_then_none_becomes_alphas(app, tenants, api, worker):
    alpha, bravo = tenants
    first = upload(api, alpha, ALPHA_FILE)  # alpha already has these bytes: they must not dedupe across
    settled(api, alpha, first["upload_id"])
    _, pdf = demo()
    bucket, prefix, ref = app.storage.bucket, app.storage.prefix, uuid.uuid4().hex
    crafted = [f"{prefix}/uploads/{BRAVO}/../{ALPHA}/{ref}/coi.pdf",
               f"{prefix}/uploads/{BRAVO}/{ref}/../../{ALPHA}/{uuid.uuid4().hex}/coi.pdf",
               f"{prefix}/uploads/{ALPHA}/../{BRAVO}/{ref}/coi.pdf",
               f"{prefix}/uploads/./{ALPHA}/{ref}/coi.pdf",
               f"{prefix}/uploads//{ALPHA}/{ref}/coi.pdf",
               f"{prefix}/uploads/{ALPHA.upper()}/{ref}/coi.pdf",
               f"{prefix}/uploads/{ALPHA}%2F{ref}/coi.pdf",
               f"{prefix}/accounts/{ALPHA}/documents/{ref}/coi.pdf",
               f"uploads/{ALPHA}/{ref}/coi.pdf"]
    for key in crafted:  # refused by the key alone, before any object is read
        assert hook(api, key, bucket, len(pdf))["status"] == "rejected", key

    ticket = api.post("/v1/uploads", headers=bravo.auth, json={"filename": "x.pdf", "content_type": "application/pdf",
                                                               "size": len(pdf)}).json()
    assert_pinned(app, ticket, BRAVO)
    posted = httpx.post(ticket["url"], data=ticket["fields"], files={"file": ("x.pdf", pdf, "application/pdf")})
    assert posted.status_code == 204, posted.text
    assert hook(api, ticket["fields"]["key"], bucket, len(pdf))["status"] == "queued"
    document = settled(api, bravo, ticket["upload_id"])
    assert document["document_id"] != first["document_id"]

    seen = api.get(f"/v1/uploads/{ticket['upload_id']}", headers=alpha.auth).json()
    assert (seen["status"], seen["document_id"]) == ("waiting", None)
    assert api.get(f"/v1/documents/{document['document_id']}", headers=alpha.auth).status_code == 404
    with app.sessions() as session:
        uploads = session.scalars(select(Upload).where(Upload.bucket == bucket)).all()
        assert [(u.account_id, u.key, u.document_id) for u in uploads] == [
            (bravo.account_id, f"uploads/{BRAVO}/{ticket['upload_id']}/x.pdf", document["document_id"])]
        assert session.scalars(select(Document.id).where(Document.account_id == alpha.account_id)).all() \
            == [first["document_id"]]


# -- events: streams, webhooks, notifications, replays --------------------------------------------


@pytest.fixture
def both_decided(app, tenants, api, worker) -> dict[str, list[str]]:
    """Alpha and bravo each upload the same certificate and reject it (each by its own limit);
    returns each account's delivered event ids."""
    alpha, bravo = tenants
    for tenant in tenants:
        answer = upload(api, tenant, ALPHA_FILE if tenant is alpha else "bravo.pdf")
        assert settled(api, tenant, answer["upload_id"])["decision"] == "rejected"
    return {ALPHA: delivered(app, alpha), BRAVO: delivered(app, bravo)}


def test_given_both_decide_then_each_decision_goes_to_its_own_stream_webhook_and_contacts(
        app, tenants, both_decided, mail_sink):
    alpha, bravo = tenants
    assert set(both_decided[ALPHA]).isdisjoint(both_decided[BRAVO])
    for tenant in tenants:
        ids = both_decided[tenant.slug]
        assert sorted(e["id"] for e in stream(app, tenant.slug)) == ids
        assert sorted(tenant.receiver.ids) == ids and tenant.receiver.bad_signatures == 0
        assert {e["source"] for e in tenant.receiver.received} == {source(tenant.slug)}

    def all_sent():
        with app.sessions() as session:
            rows = session.scalars(select(Notification)).all()
        return len(rows) == 2 and all(n.status == "sent" for n in rows)

    wait_for(all_sent)
    with app.sessions() as session:
        documents = dict(session.execute(select(Document.account_id, Document.id)).all())
    for tenant, limit, other in ((alpha, "$2,000,000", "$3,000,000"), (bravo, "$3,000,000", "$2,000,000")):
        [mail] = mail_sink.to(tenant.contact)
        assert mail["X-COI-Reference"] == documents[tenant.account_id]
        text = mail.get_body(("plain",)).get_content()
        assert limit in text and other not in text
    assert len(mail_sink.messages) == 2
    assert_nothing_crossed(app)


@pytest.fixture
def coi(app, monkeypatch):
    """``coi`` in this process against the test's database and Redis (as in test_streams.py)."""
    monkeypatch.setenv("COI_DATABASE_URL", app.settings.resolved_database_url())
    monkeypatch.setenv("COI_BROKER_URL", app.settings.resolved_broker_url())
    monkeypatch.setenv("COI_REDIS_URL", app.settings.redis_url)
    monkeypatch.setenv("COI_VAR_DIR", str(app.settings.var_dir))
    from infra.entry.cli import main

    def run(*args: str, ok: bool = True):
        result = CliRunner().invoke(main, list(args))
        assert (result.exit_code == 0) == ok, (result.output, result.exception)
        return result

    return run


def delivery_state(app, webhook_id: int) -> list[tuple]:
    with app.sessions() as session:
        return [(d.id, d.event_id, d.status, d.attempts, d.delivered_at) for d in session.scalars(
            select(Delivery).where(Delivery.webhook_id == webhook_id).order_by(Delivery.id))]


def test_given_a_replay_for_bravo_then_none_of_alphas_events_is_sent_again(app, tenants, both_decided, coi):
    alpha, bravo = tenants
    alpha_before, alpha_stream = delivery_state(app, alpha.webhook_id), stream(app, ALPHA)
    bravo_ids = both_decided[BRAVO]

    said = coi("events", "replay", "--account", BRAVO, "--since", "2000-01-01", "--stream").stdout
    assert f"{len(bravo_ids)} events, {len(bravo_ids)} webhook deliveries queued" in said
    assert "No such event" in coi("events", "replay", "--account", BRAVO, *both_decided[ALPHA], ok=False).output
    listed = [json.loads(line) for line in coi("events", "--account", BRAVO, "--json").stdout.splitlines()]
    assert sorted(e["id"] for e in listed) == bravo_ids and {e["account"] for e in listed} == {BRAVO}

    with app.sessions() as session:  # alpha's deliveries dead-lettered: bravo's --dead must not revive them
        session.execute(update(Delivery).where(Delivery.webhook_id == alpha.webhook_id).values(status="dead"))
        session.commit()
    alpha_dead = delivery_state(app, alpha.webhook_id)
    assert "0 events, 0 webhook deliveries" in coi("events", "replay", "--account", BRAVO, "--dead").stdout

    wait_for(lambda: sorted(bravo.receiver.ids) == sorted(bravo_ids * 2))  # bravo's came again ...
    assert sorted(e["id"] for e in stream(app, BRAVO)) == sorted(bravo_ids * 2)
    assert delivery_state(app, alpha.webhook_id) == alpha_dead  # ... alpha's were not touched
    assert [d[:2] + d[3:] for d in alpha_dead] == [d[:2] + d[3:] for d in alpha_before]
    assert stream(app, ALPHA) == alpha_stream and sorted(alpha.receiver.ids) == both_decided[ALPHA]
    assert_nothing_crossed(app)


# -- reviews and account-scoped actions --------------------------------------------------------------


def test_given_a_waiver_and_an_override_of_alphas_document_then_only_alpha_changes_and_hears(
        app, tenants, both_decided):
    alpha, bravo = tenants
    with app.sessions() as session:
        documents = dict(session.execute(select(Document.account_id, Document.id)).all())
        mine, theirs = documents[alpha.account_id], documents[bravo.account_id]
        _, rescore = waive(session, mine, "limit_below_minimum", by="reviewer@alpha.example", reason="agreed",
                           line="general_liability", key="each_occurrence")
    dispatch([rescore], broker=app.broker_handle.broker, sessions=app.sessions)  # as `coi review waive` does
    wait_for(lambda: status_of(app, mine)["evaluated_decision"] == "approved")
    with app.sessions() as session:
        _, publication = override(session, mine, "rejected", by="reviewer@alpha.example", reason="second thoughts")
    dispatch([publication], broker=app.broker_handle.broker, sessions=app.sessions)  # as `coi review override` does

    wanted = {"coi.certificate.rejected", "coi.check.waived", "coi.certificate.approved", "coi.decision.overridden"}
    wait_for(lambda: {e["type"] for e in stream(app, ALPHA)} == wanted)
    assert len(delivered(app, alpha)) == len(wanted) == len(alpha.receiver.ids)
    assert sorted(bravo.receiver.ids) == both_decided[BRAVO]
    assert sorted(e["id"] for e in stream(app, BRAVO)) == both_decided[BRAVO]
    with app.sessions() as session:
        assert session.scalars(select(Waiver.document_id)).all() == [mine]
        assert session.scalars(select(Override.document_id)).all() == [mine]
        assert {e.account_id for e in session.scalars(select(OutboxEvent).where(OutboxEvent.document_id == mine))} \
            == {alpha.account_id}
    theirs_now = status_of(app, theirs)
    assert (theirs_now["decision"], theirs_now["override"]) == ("rejected", None)
    assert not any(c.get("waiver") for c in theirs_now["checks"])
    assert_nothing_crossed(app)


def status_of(app, document_id: str) -> dict:
    with app.sessions() as session:
        return status(session, document_id)


def test_given_actions_scoped_to_bravo_then_alphas_webhook_token_holder_and_documents_are_untouched(
        app, tenants, both_decided, api):
    alpha, bravo = tenants
    holder = demo()[0]["certificate_holder"]["name"]
    with app.sessions() as session:
        with pytest.raises(AdminError):
            remove_webhook(session, BRAVO, alpha.webhook_id)
        alpha_token = session.scalars(select(UploadToken).where(UploadToken.account_id == alpha.account_id)).one()
        for which in (str(alpha_token.id), alpha_token.hint):
            with pytest.raises(AdminError):
                revoke_token(session, which, BRAVO)
        set_contacts(session, BRAVO, holder, ["someone@bravo.example"])
        _, to_rescore = set_requirements(session, BRAVO, holder, demo_requirements(demo()[0]))
        assert [u["url"] for u in list_webhooks(session, BRAVO)] == [bravo.receiver.url]
        assert {e["account"] for e in list_events(session, BRAVO)} == {BRAVO}
        contacts = dict(session.execute(select(Holder.account_id, Holder.contacts)).all())
        webhook = session.get(Webhook, alpha.webhook_id)
        assert webhook.disabled_at is None
        assert session.scalars(select(UploadToken.revoked_at).where(UploadToken.id == alpha_token.id)).one() is None
        bravo_documents = session.scalars(select(Document.id).where(Document.account_id == bravo.account_id)).all()
    assert [h.args[0] for h in to_rescore] == bravo_documents
    assert contacts == {alpha.account_id: [alpha.contact], bravo.account_id: ["someone@bravo.example"]}
    [alpha_document] = alpha_document_ids(app, alpha)
    assert api.get(f"/v1/documents/{alpha_document}", headers=alpha.auth).status_code == 200  # the token works


def alpha_document_ids(app, alpha: Tenant) -> list[str]:
    with app.sessions() as session:
        return session.scalars(select(Document.id).where(Document.account_id == alpha.account_id)).all()


# -- one message, two accounts ---------------------------------------------------------------------


def test_given_one_message_to_alpha_plus_tag_and_bravo_then_each_account_holds_only_its_own_copy(
        app, tenants, api, smtp_door, worker):
    alpha, bravo = tenants
    send_mail(smtp_door, f"{ALPHA}+x@coi.test, {BRAVO}@coi.test",
              [(demo()[1], "application/pdf", ALPHA_FILE)])

    def both_final():
        with app.sessions() as session:
            rows = session.scalars(select(Document)).all()
        return rows if len(rows) == 2 and all(d.status in FINAL for d in rows) else None

    wait_for(both_final, timeout=120)
    with app.sessions() as session:
        messages = {m.account_id: m for m in session.scalars(select(InboundMessage))}
        documents = {d.account_id: d for d in session.scalars(select(Document))}
        alpha_status = status(session, messages[alpha.account_id].id)
    assert messages.keys() == documents.keys() == {alpha.account_id, bravo.account_id}
    for tenant, tag in ((alpha, "x"), (bravo, None)):
        message, document = messages[tenant.account_id], documents[tenant.account_id]
        assert message.storage_key.startswith(f"accounts/{tenant.slug}/messages/")
        assert document.storage_key.startswith(f"accounts/{tenant.slug}/documents/")
        assert (message.tag, document.tag, document.message_id) == (tag, tag, message.id)
    theirs = documents[bravo.account_id].id
    assert [d["document_id"] for d in alpha_status["documents"]] == [documents[alpha.account_id].id]
    assert alpha_document_ids(app, alpha) == [documents[alpha.account_id].id]
    assert api.get(f"/v1/documents/{theirs}", headers=alpha.auth).status_code == 404
    assert api.get(f"/v1/documents/{theirs}", headers=bravo.auth).status_code == 200
    for tenant in tenants:
        delivered(app, tenant)
        subjects = {e.get("subject") for e in stream(app, tenant.slug)}
        assert subjects == {f"documents/{documents[tenant.account_id].id}"}
    assert_nothing_crossed(app)
