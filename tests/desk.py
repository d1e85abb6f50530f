"""The desk as its tests need it: an account with a decided certificate, its users, a signed-in browser-less client."""

from __future__ import annotations

import re

import httpx

from holders import demo, holder_account
from infra.users import add_user
from services import wait_for

LIMIT = "/policies/0/limits/each_occurrence"  # general liability, each occurrence: $1,000,000 on the demo certificate
PASSWORD = "correct horse battery"


def decided_document(app, api: httpx.Client, slug: str, *, each_occurrence: int = 2_000_000,
                     name: str = "coi.pdf") -> str:
    """Account ``slug`` whose requirement set asks ``each_occurrence`` (the demo certificate shows
    $1,000,000: rejected by default), with one certificate uploaded and decided; its document id."""
    token = holder_account(app, slug, each_occurrence=each_occurrence)
    auth = {"Authorization": f"Bearer {token}"}
    answer = api.post("/v1/uploads/direct", headers=auth, files={"file": (name, demo()[1], "application/pdf")})
    assert answer.status_code == 202, answer.text
    upload_id = answer.json()["upload_id"]

    def decided():
        document = api.get(f"/v1/uploads/{upload_id}", headers=auth).json().get("document") or {}
        return document if document.get("decision") else None

    return wait_for(decided, timeout=120)["document_id"]


def user(app, email: str, slug: str, role: str) -> str:
    with app.sessions() as session:
        add_user(session, email, slug, role, PASSWORD)
    return email


class Desk:
    """An HTTP client signed in to the desk as one user, that sends each form with its CSRF token."""

    def __init__(self, base_url: str, email: str, password: str = PASSWORD) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30)
        self.email = email
        answer = self.client.post("/desk/login", data={"email": email, "password": password})
        assert answer.status_code == 303, answer.text
        self.csrf = self.token(self.client.get("/desk/queue").text)

    @staticmethod
    def token(html: str) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', html)[1]

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> httpx.Response:
        return self.client.post(path, data={"csrf": self.csrf, **data}, **kwargs)

    def close(self) -> None:
        self.client.close()
