"""``PATCH /v1/documents/{id}/values``: a reviewer's correction through the API, as `coi correct`.

It takes a *user's* API token (``coi user token EMAIL``), never an upload token: an upload token sits
in a public web page, so whoever reads the page could otherwise change decisions. The correction is
made in the user's name; a viewer's token is refused, another account's document is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Depends, FastAPI, Header, Request
from pydantic import BaseModel, Field

from infra.admin import AdminError
from infra.users import Person, is_user_token

if TYPE_CHECKING:
    from infra.bootstrap import App
    from workers.dispatch import SendOn


class ValueCorrection(BaseModel):
    pointer: str = Field(..., max_length=200, examples=["/policies/0/limits/each_occurrence"],
                         description="The value's JSON pointer into the certificate (a key of its evidence map).")
    value: str | int | bool | None = Field(..., examples=[2000000, "2,000,000"],
                                           description="The right value: typed (2000000) or as printed (\"2,000,000\").")
    reason: str = Field(..., min_length=1, max_length=2000, examples=["The page shows $2,000,000; misread."])


class CorrectionResult(BaseModel):
    correction_id: int
    document_id: str
    pointer: str
    old_value: Any = None
    new_value: Any = None
    by: str
    rescore_queued: bool = Field(..., description="False when the broker was away: the workers take it up on its return")


def add_value_routes(api: FastAPI, app: App, send_on: SendOn) -> None:
    from inbox.api_common import ApiError, RequestLimits, bearer, person_of_token

    limits = RequestLimits(app)

    def reviewer(request: Request, authorization: str | None = Header(None, description="Bearer <user API token>")
                 ) -> Person:
        token = bearer(authorization)
        person = person_of_token(app, token)
        if person is None:
            limits.client(request)  # refused tokens count against the caller's address
            if token and not is_user_token(token):
                raise ApiError(403, "user_token_needed", "Correcting values needs a reviewer's own API token "
                                                         "(coi user token EMAIL), not an upload token.")
            raise ApiError(401, "token_unknown", "Send a reviewer's API token (coi user token EMAIL) as "
                                                 "'Authorization: Bearer <token>'.", {"WWW-Authenticate": "Bearer"})
        if not person.decides:
            raise ApiError(403, "not_a_reviewer", f"{person.email} is a {person.role.value}: only reviewers and "
                                                  "admins can correct values.")
        return person

    @api.patch("/v1/documents/{document_id}/values", response_model=CorrectionResult,
               summary="Correct a misread value; the document is scored again")
    def correct_value(document_id: str, body: ValueCorrection, who: Person = Depends(reviewer)) -> dict[str, Any]:
        from infra.models import Document
        from infra.review import correct

        with app.sessions() as session:
            document = session.get(Document, document_id) if len(document_id) <= 32 else None
            if document is None or document.account_id != who.account_id:
                raise ApiError(404, "not_found", "No document with that id in this account.")
            try:
                row, rescore = correct(session, document_id, body.pointer, body.value, by=who.email,
                                       reason=body.reason)
            except AdminError as e:
                status = 409 if "only decided documents" in str(e) else 422
                raise ApiError(status, "correction_refused", str(e)) from e
            result = {"correction_id": row.id, "document_id": document_id, "pointer": row.pointer,
                      "old_value": row.old_value, "new_value": row.new_value, "by": row.by}
        return {**result, "rescore_queued": send_on([rescore])}
