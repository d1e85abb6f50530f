"""The upload door over HTTP (FastAPI): thin routes over ``inbox/door.py``.

    uvicorn.run(create_api(app, actors))  # what `coi api` does (actors = workers.entry.declare(app));
                                          # OpenAPI at /openapi.json, docs at /docs

Upload tokens (``Authorization: Bearer <token>``) upload to one account and read its documents;
another account's document is 404, as if it did not exist. The S3 hook takes the hook secret
instead (``COI_UPLOAD_HOOK_SECRET``): as a Bearer token (MinIO's ``auth_token``, EventBridge API
destinations) or as the password of Basic auth (SNS HTTPS subscriptions, ``https://coi:SECRET@host/…``).
Every error is ``{"error": {"code": "...", "message": "..."}}`` with a message a person can act on.

Rate limits (README "Rate limits"): requests with a valid upload token count against the token;
requests without one (``embed.js``, a refused token, a wrong hook secret) count against the
client's IP address. Past the limit the answer is 429 with ``Retry-After``. The counts live in
Redis, shared by every API process. ``/healthz``, the docs and calls with the right hook secret
(the storage's own notifications) are not limited.
"""

from __future__ import annotations

import base64
import hmac
import logging
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

from fastapi import Depends, FastAPI, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from inbox import door
from inbox.desk import add_desk
from inbox.docs import add_docs
from inbox.api_common import ApiError, RequestLimits
from inbox.s3events import EventFormatError, parse_notification
from infra.metrics import api_registry
from infra.tokens import TokenOwner, TokenRejected, verify_token
from pipeline.addresses import TAG
from workers.uploads import UploadRefused, size_text

if TYPE_CHECKING:
    from infra.bootstrap import App
    from workers.actors import Actors

log = logging.getLogger(__name__)

HOOK_PATH = "/v1/hooks/s3"
DIRECT_PATH = "/v1/uploads/direct"
MAX_HOOK_BODY = 1024 * 1024
MULTIPART_SLACK = 64 * 1024  # multipart boundaries and headers around the file
_HTTP_ERRORS = {
    404: ("not_found", "No such address in this API: see /docs for its routes."),
    405: ("method_not_allowed", "This address does not take that method: see /docs for the methods of each route."),
}
_REFUSAL_STATUS = {"too_large": 413, "unsupported_file_type": 415, "empty_file": 400}


# -- what goes in and out (the OpenAPI schema) -----------------------------------------------------


class UploadRequest(BaseModel):
    filename: str = Field(..., max_length=255, examples=["certificate.pdf"])
    content_type: str = Field(..., examples=["application/pdf"],
                              description="application/pdf, image/png, image/jpeg or image/tiff")
    size: int | None = Field(None, description="Bytes, when known: refused early beyond the limit.")
    tag: str | None = Field(None, pattern=TAG.pattern, examples=["lot-14"],
                            description="A project tag, as in `<account>+<tag>@` addresses: the document is "
                                        "scored against the tag's requirement set first.")
    email: str | None = Field(None, max_length=320, examples=["office@contractor.example"],
                              description="The uploader's email (optional): told the decision, and asked for a "
                                          "corrected certificate, as a sender by mail is.")


class UploadTicket(BaseModel):
    method: Literal["presigned_post", "direct"] = Field(
        ..., description="presigned_post: POST `fields` then the file (last) as multipart to `url`; "
                         "direct: POST the file as multipart field `file` to `url` with the token.")
    upload_id: str
    url: str
    fields: dict[str, str] = Field(default_factory=dict)
    max_bytes: int
    expires_in: int | None = None
    status_url: str
    reason: str | None = None


class DocumentView(BaseModel):
    model_config = ConfigDict(extra="allow")
    document_id: str
    filename: str | None = None
    status: str = Field(..., description="received, stored, reading, extracted, decided, failed, not_a_certificate")
    decision: str | None = Field(None, description="approved, rejected or needs_review once decided")
    error: dict[str, Any] | None = None
    failed_checks: list[dict[str, Any]] = Field(default_factory=list,
                                                description="Checks that failed or are unknown, each with its sentence")
    checks: list[dict[str, Any]] = Field(default_factory=list)
    annotated_image_url: str | None = Field(None, description="PNG of the page with the failing values boxed")


class UploadStatus(BaseModel):
    upload_id: str
    status: Literal["waiting", "received", "accepted", "rejected", "failed"]
    reason: str | None = None
    document_id: str | None = None
    document: DocumentView | None = None


class DirectResult(UploadStatus):
    duplicate: bool = Field(False, description="The account had this file already: the existing document")
    status_url: str


class HookResult(BaseModel):
    objects: list[dict[str, Any]] = Field(default_factory=list)
    ignored: list[str] = Field(default_factory=list)
    subscription_confirmation: dict[str, str] | None = None


# -- the application ------------------------------------------------------------------------------


def create_api(app: App, actors: Actors) -> FastAPI:
    """The API on ``app``'s settings, database and storage. ``actors`` are those its entry point
    declared on the app's broker: the routes only enqueue (``actors.send_on``), and ``/metrics``
    reads the queues they use."""
    from inbox.api_vendors import add_vendor_routes

    api = FastAPI(title="coi-intake upload door", version="1", docs_url=None, redoc_url=None,
                  description="Upload certificates of insurance and read their decisions.")
    add_docs(api)  # /docs and /redoc on files served here, not a CDN
    api.state.app = app
    api.add_middleware(BodyLimit, path=DIRECT_PATH, limit=app.settings.upload_max_bytes + MULTIPART_SLACK)
    api.add_middleware(CORSMiddleware, allow_origins=app.settings.api_cors_origins, allow_credentials=False,
                       allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type"],
                       expose_headers=["Retry-After"])
    _errors(api)
    _routes(api, app, actors, RequestLimits(app))
    add_desk(api, app, actors.send_on)  # /desk/ pages and PATCH /v1/documents/{id}/values (inbox/desk)
    add_vendor_routes(api, app, actors.send_on)  # /v1/vendors… (inbox/api_vendors.py)
    return api


def _uploader(email: str | None) -> str | None:
    """The uploader's email as one valid address, None when not given; 422 when it is not one."""
    from pipeline.addresses import one_mailbox

    if not email or not email.strip():
        return None
    mailbox = one_mailbox(email)
    if mailbox is None:
        raise ApiError(422, "invalid_email", "The email address is not valid; correct it or leave it empty.")
    return mailbox


def _errors(api: FastAPI) -> None:
    @api.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, exc.status, headers=exc.headers)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """Starlette's own refusals (no such route, a method the route does not take, a form past its
        limits) in the same shape as ours."""
        code, message = _HTTP_ERRORS.get(exc.status_code, ("bad_request", None))
        if exc.status_code == 400 and "Too many" in str(exc.detail):
            code, message = "too_many_parts", ("Too many files or fields in the form: send one 'file' and at most "
                                               "an optional 'tag'.")
        message = message or (str(exc.detail) if exc.detail else "The request could not be handled.")
        return JSONResponse({"error": {"code": code, "message": message}}, exc.status_code,
                            headers=getattr(exc, "headers", None))

    @api.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}" for e in exc.errors())
        return JSONResponse({"error": {"code": "invalid_request", "message": problems}}, 422)


def _routes(api: FastAPI, app: App, actors: Actors, limits: RequestLimits) -> None:
    def owner(request: Request,
              authorization: str | None = Header(None, description="Bearer <upload token>")) -> TokenOwner:
        token = authorization.split(" ", 1)[1] if authorization and authorization.lower().startswith("bearer ") else None
        with app.sessions() as session:
            try:
                who = verify_token(session, token)
            except TokenRejected as e:
                limits.client(request)  # tries with missing or wrong tokens count against the caller's address
                raise ApiError(401, e.code, e.message, {"WWW-Authenticate": "Bearer"}) from e
        limits.token(who)
        return who

    def link(request: Request, name: str, **params: str) -> str:
        url = str(request.url_for(name, **params))
        base = app.settings.api_public_url.rstrip("/")
        return base + url[len(str(request.base_url).rstrip("/")):] if base else url

    def document_out(request: Request, view: dict[str, Any]) -> dict[str, Any]:
        has_image = view.pop("has_annotated_image", False)
        view["annotated_image_url"] = link(request, "annotated_image", document_id=view["document_id"]) \
            if has_image else None
        return view

    @api.get("/embed.js", include_in_schema=False)
    def embed_js(request: Request) -> Response:
        limits.client(request)
        script = resources.files("inbox").joinpath("embed/embed.js").read_text()
        return Response(script, media_type="application/javascript", headers={"Cache-Control": "max-age=300"})

    @api.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    metrics_registry = api_registry(app.sessions, actors.broker)

    @api.get("/metrics", include_in_schema=False)
    def metrics(request: Request, authorization: str | None = Header(None)) -> Response:
        """Counts for Prometheus (docs/metrics.md): documents by status, the queues, this process's own.
        No account, document, address or token appears in them."""
        token = app.settings.metrics_token
        scheme, _, presented = (authorization or "").partition(" ")
        if not (token and scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(),
                                                                              token.encode())):
            limits.client(request)  # open (or a wrong token): limited per client IP, like embed.js
            if token:
                raise ApiError(401, "metrics_token_wrong", "The metrics token is missing or wrong: send "
                                                           "'Authorization: Bearer <COI_METRICS_TOKEN>'.",
                               {"WWW-Authenticate": "Bearer"})
        return Response(generate_latest(metrics_registry), media_type=CONTENT_TYPE_LATEST)

    @api.post("/v1/uploads", response_model=UploadTicket, summary="Start an upload")
    def start_upload(body: UploadRequest, request: Request, who: TokenOwner = Depends(owner)) -> dict[str, Any]:
        """A presigned S3 POST (the file goes straight to S3), or, without S3, the direct endpoint."""
        try:
            ticket = door.presign(app, who, body.filename, body.content_type, body.size, body.tag,
                                  _uploader(body.email))
        except UploadRefused as e:
            raise ApiError(_REFUSAL_STATUS.get(e.code, 400), e.code, e.message) from e
        if ticket["method"] == "direct":
            ticket["url"] = link(request, "direct_upload")
        ticket["status_url"] = link(request, "upload_status", upload_id=ticket["upload_id"])
        return ticket

    @api.post(DIRECT_PATH, response_model=DirectResult, status_code=202, summary="Upload a file through the API",
              openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                  "type": "object", "required": ["file"],
                  "properties": {"file": {"type": "string", "format": "binary"},
                                 "tag": {"type": "string", "pattern": TAG.pattern},
                                 "email": {"type": "string", "format": "email"}}}}}, "required": True}})
    async def direct_upload(request: Request, who: TokenOwner = Depends(owner)) -> dict[str, Any]:
        """For setups without S3 notifications: the same limits, the same checks, one document per file."""
        async with request.form(max_files=1, max_fields=4) as form:
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise ApiError(400, "file_missing", "Send the certificate as the multipart field 'file'.")
            data = await file.read(app.settings.upload_max_bytes + 1)
            filename = file.filename
            tag = form.get("tag") or None
            email = form.get("email") or None
        sender = _uploader(email if isinstance(email, str) else "not an address" if email else None)
        if tag is not None and not (isinstance(tag, str) and TAG.match(tag)):
            raise ApiError(422, "invalid_request", "A tag is 1 to 64 letters, digits, '.', '_' or '-'.")
        try:
            result = await run_in_threadpool(door.store_direct, app, actors.send_on, who, filename, data, tag, sender)
        except UploadRefused as e:
            raise ApiError(_REFUSAL_STATUS.get(e.code, 400), e.code, e.message) from e
        result["status_url"] = link(request, "upload_status", upload_id=result["upload_id"])
        return result

    @api.get("/v1/uploads/{upload_id}", response_model=UploadStatus, summary="What became of an upload")
    def upload_status(upload_id: str, request: Request, who: TokenOwner = Depends(owner)) -> dict[str, Any]:
        if not door.is_upload_ref(upload_id):
            raise ApiError(404, "not_found", "No upload with that id.")
        status = door.upload_status(app, who, upload_id)
        if status["document"] is not None:
            status["document"] = document_out(request, status["document"])
        return status

    @api.get("/v1/documents/{document_id}", response_model=DocumentView, summary="A document's status and decision")
    def get_document(document_id: str, request: Request, who: TokenOwner = Depends(owner)) -> dict[str, Any]:
        with app.sessions() as session:
            document = door.find_document(session, who, document_id)
            if document is None:
                raise ApiError(404, "not_found", "No document with that id in this account.")
            return document_out(request, door.document_view(session, document))

    @api.get("/v1/documents/{document_id}/annotated.png", name="annotated_image", summary="The failing values, boxed",
             responses={200: {"content": {"image/png": {}}}}, response_class=Response)
    def annotated_image(document_id: str, who: TokenOwner = Depends(owner)) -> Response:
        png = door.annotated_png(app, who, document_id)
        if png is None:
            raise ApiError(404, "not_found", "No annotated image: the document is not this account's, "
                                             "not decided yet, or nothing failing has a place on the page.")
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=60"})

    @api.head(HOOK_PATH, include_in_schema=False)
    def hook_alive() -> Response:
        return Response()  # MinIO checks that its webhook target answers before it sends

    @api.post(HOOK_PATH, response_model=HookResult, summary="S3 event notifications (S3, SNS, EventBridge, MinIO)")
    async def s3_hook(request: Request, authorization: str | None = Header(None)) -> dict[str, Any]:
        try:
            _check_hook_secret(app.settings.upload_hook_secret, authorization)
        except ApiError:
            await run_in_threadpool(limits.client, request)  # wrong secrets count against the caller's address
            raise
        body = await _bounded_body(request, MAX_HOOK_BODY)
        try:
            parsed = parse_notification(body)
        except EventFormatError as e:
            raise ApiError(400, "not_an_s3_event", str(e)) from e
        confirmation = None
        if parsed.confirmation is not None:
            c = parsed.confirmation
            log.warning("SNS asks to confirm a subscription to %s; if it is yours, run `aws sns "
                        "confirm-subscription --topic-arn %s --token %s` (nothing was fetched)", c.topic_arn,
                        c.topic_arn, c.token)
            confirmation = {"topic_arn": c.topic_arn, "confirmed": "no: confirm it by hand (see the log)"}
        outcomes = (await run_in_threadpool(door.report_objects, app, actors.send_on, parsed.objects)
                    if parsed.objects else [])
        return {"objects": [o.__dict__ for o in outcomes], "ignored": list(parsed.ignored),
                "subscription_confirmation": confirmation}

    from inbox.listing import add_routes  # GET /v1/documents and /v1/reports/…, read tokens only (issue 17)
    add_routes(api, app, owner)


def _check_hook_secret(secret: str, authorization: str | None) -> None:
    if not secret:
        raise ApiError(503, "hook_not_configured", "The upload hook has no secret: set COI_UPLOAD_HOOK_SECRET "
                                                   "and give the same value to the bucket notification.")
    presented = ""
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() == "bearer":
        presented = value.strip()
    elif scheme.lower() == "basic":
        try:
            presented = base64.b64decode(value.strip()).decode().partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            presented = ""
    if not hmac.compare_digest(presented.encode(), secret.encode()):
        raise ApiError(401, "hook_secret_wrong", "The hook secret is missing or wrong: send it as "
                                                 "'Authorization: Bearer <secret>' or as the Basic auth password.",
                       {"WWW-Authenticate": "Bearer"})


async def _bounded_body(request: Request, limit: int) -> bytes:
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise ApiError(413, "too_large", f"A notification body is at most {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


class BodyLimit:
    """Refuse a request body past ``limit`` bytes on ``path``, before it is read into memory or disk."""

    def __init__(self, asgi, *, path: str, limit: int) -> None:
        self.asgi, self.path, self.limit = asgi, path, limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "POST":
            return await self.asgi(scope, receive, send)
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await self._too_large(scope, receive, send)
        seen = 0
        started = False

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        async def tracked_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.asgi(scope, counted, tracked_send)
        except _TooLarge:
            if not started:
                await self._too_large(scope, receive, send)

    async def _too_large(self, scope, receive, send) -> None:
        limit = size_text(self.limit - MULTIPART_SLACK)
        response = JSONResponse({"error": {"code": "too_large", "message": f"The file is larger than the "
                                                                           f"{limit} limit."}}, 413)
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass
