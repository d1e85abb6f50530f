"""/v1/vendors… over a real socket, with the desk's person tokens (infra/users.py, ``coi user token``).
A test names its caller with ``X-Test-As: <account>:<email>:<decides>``; the client sends that
person's real API token in its place. That an upload token is refused on every vendor route is
probed in test_tenancy.py."""

from __future__ import annotations

import copy

import httpx
import pytest
from sqlalchemy import select

from apiserver import serve
from infra.admin import add_account, add_holder, set_requirements
from infra.admin_vendors import add_vendor
from infra.entry.demo import current, demo_requirements
from infra.models import Account, Document
from infra.models import VendorDocument
from infra.users import add_user, new_api_token
from samples.certificates import demo_certificate, draw_certificate
from services import send_mail, wait_for

pytestmark = pytest.mark.integration


PEOPLE = {"acme:risk@acme.example:yes": "reviewer", "acme:viewer@acme.example:no": "viewer",
          "other:x@other.example:yes": "reviewer"}


def as_person(tokens: dict[str, str]):
    """An httpx request hook: the caller an ``X-Test-As`` header names, by that person's API token."""
    def swap(request: httpx.Request) -> None:
        who = request.headers.pop("X-Test-As", None)
        if who is not None:
            request.headers["Authorization"] = f"Bearer {tokens[who]}"
    return swap


@pytest.fixture
def client(app, mail_sink):
    app.settings.notify_smtp_host, app.settings.notify_smtp_port = "127.0.0.1", mail_sink.controller.port
    certificate = current(demo_certificate())
    holder = certificate["certificate_holder"]
    with app.sessions() as session:
        for slug in ("acme", "other"):
            add_account(session, slug, slug.title())
            add_holder(session, slug, holder["name"], holder["address"])
            set_requirements(session, slug, holder["name"], demo_requirements(certificate))
        add_vendor(session, "acme", "Blue Heron Roofing", contacts=["office@blueheron.example"])
        add_vendor(session, "acme", "Harbor Paving")
        tokens = {}
        for who, role in PEOPLE.items():
            slug, email, _ = who.split(":")
            add_user(session, email, slug, role, "a password for the test")
            tokens[who] = new_api_token(session, email)
    with serve(app) as url, httpx.Client(base_url=url, timeout=30,
                                         event_hooks={"request": [as_person(tokens)]}) as http:
        yield http


ACME = {"X-Test-As": "acme:risk@acme.example:yes"}


@pytest.mark.parametrize("app", ["postgres-s3-redis"], indirect=True)
def test_given_vendors_then_the_list_says_where_each_stands_and_another_account_sees_none(app, client):
    listed = client.get("/v1/vendors", headers=ACME).json()
    assert [(v["name"], v["status"], v["reason"]) for v in listed] == [
        ("Blue Heron Roofing", "missing", "No certificate has been received."),
        ("Harbor Paving", "missing", "No certificate has been received.")]
    assert client.get("/v1/vendors", headers={"X-Test-As": "other:x@other.example:yes"}).json() == []
    vendor_id = listed[0]["id"]
    answer = client.get(f"/v1/vendors/{vendor_id}", headers={"X-Test-As": "other:x@other.example:yes"})
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("app", ["postgres-s3-redis"], indirect=True)
def test_given_a_request_through_the_api_then_the_vendor_is_emailed_and_a_viewer_may_not(
        app, client, mail_sink, worker):
    vendor_id = client.get("/v1/vendors", headers=ACME).json()[0]["id"]
    viewer = client.post(f"/v1/vendors/{vendor_id}/requests", json={},
                         headers={"X-Test-As": "acme:viewer@acme.example:no"})
    assert viewer.status_code == 403
    answer = client.post(f"/v1/vendors/{vendor_id}/requests", json={}, headers=ACME)
    assert answer.status_code == 201, answer.text
    assert (answer.json()["status"], answer.json()["recipients"]) == ("open", ["office@blueheron.example"])
    [asked] = wait_for(lambda: mail_sink.to("office@blueheron.example"), timeout=60)
    assert asked["Reply-To"] == "acme@coi.test"
    nobody = client.post("/v1/vendors/{}/requests".format(vendor_id + 1), json={}, headers=ACME)
    assert nobody.status_code == 422 and "no contact" in nobody.json()["error"]["message"]


@pytest.mark.parametrize("app", ["postgres-s3-redis"], indirect=True)
def test_given_an_unmatched_certificate_then_the_api_lists_it_and_links_it(app, client, smtp_door, worker):
    certificate = copy.deepcopy(current(demo_certificate()))
    certificate["insured"]["name"] = "Northgate Paving Inc."
    send_mail(smtp_door, "acme@coi.test", [(draw_certificate(certificate), "application/pdf", "c.pdf")])
    [waiting] = wait_for(lambda: client.get("/v1/vendors/unmatched", headers=ACME).json(), timeout=90)
    assert waiting["insured"] == "Northgate Paving Inc."
    harbor = client.get("/v1/vendors", headers=ACME).json()[1]["id"]
    answer = client.post(f"/v1/documents/{waiting['document_id']}/vendor", json={"vendor_id": harbor},
                         headers=ACME)
    assert answer.status_code == 200 and answer.json()["vendor_id"] == harbor
    assert client.get("/v1/vendors/unmatched", headers=ACME).json() == []
    with app.sessions() as session:
        assert session.get(VendorDocument, waiting["document_id"]).matched_by == "reviewer"
        assert session.scalars(select(Document.id)).all() == [waiting["document_id"]]
