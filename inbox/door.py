"""The upload door's work, behind the HTTP routes and the SQS poller (no HTTP here).

Keys. A presigned upload goes to ``[<storage prefix>/]uploads/<account>/<upload id>/<name>``, and
each one handed out is recorded (``upload_refs``: account, key, expiry). The hook takes a reported
key only when it is exactly a key issued to that account and the object was written before the
reference expired (with ``EXPIRY_GRACE``); it refuses any other key, and any bucket other than the
storage bucket. The POST policy pins the key, but a store that does not enforce it (moto, a
misconfigured bucket) would otherwise let a token holder file an upload under another account. A
refused object is left where it is, for an operator (the log names it), never deleted: a
notification meant for another deployment sharing the bucket must not destroy anything. ``<name>`` keeps only letters, digits, ``.``, ``_`` and ``-``,
so a key reads the same URL-encoded or not. A direct upload is recorded as
``direct/<account>/<upload id>/<name>`` (no object is kept there: its bytes go straight to the
document key).

Exactly once. Each reported object becomes one ``uploads`` row, UNIQUE(bucket, key, version): a
repeated notification inserts nothing and enqueues nothing, unless the row is still ``received``
(its first enqueue may have been lost), when it is enqueued again — ``take_upload`` acts once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable

from datetime import timedelta, timezone

from sqlalchemy import or_, select

from inbox.s3events import ObjectCreated
from infra.keys import annotated_key
from infra.models import Account, Document, Upload, UploadRef, new_id, utcnow
from infra.repo import account_by_slug, hand_on, insert_ignore
from infra.storage import ObjectMissing, S3Storage
from infra.tokens import TokenOwner
from pipeline.filetypes import EXTENSIONS, SUPPORTED, safe_filename
from pipeline.states import DocumentStatus
from workers.uploads import ACCEPTED, RECEIVED, REJECTED, TAG_METADATA, UploadRefused, adopt, size_text

if TYPE_CHECKING:
    from infra.bootstrap import App
    from workers.dispatch import SendOn

log = logging.getLogger(__name__)

DIRECT_BUCKET = ""  # the bucket column of direct uploads: they come through no bucket
TAG_FIELD = f"x-amz-meta-{TAG_METADATA}"  # the project tag of a presigned upload, as object metadata
EXPIRY_GRACE = timedelta(minutes=15)  # an upload begun just before its policy expired; clocks apart
_KEY_NAME = re.compile(r"[^A-Za-z0-9._-]")
_REF = re.compile(r"^[0-9a-f]{32}$")
# <name> never '.' or '..'
_UPLOAD_KEY = re.compile(r"^uploads/(?P<slug>[a-z0-9._-]{1,64})/(?P<ref>[0-9a-f]{32})/"
                         r"(?P<name>[A-Za-z0-9_-][A-Za-z0-9._-]{0,199})$")


@dataclass(frozen=True)
class Outcome:
    """What became of one reported object: queued, duplicate, rejected (with why) or ignored."""

    bucket: str
    key: str
    status: str
    reason: str | None = None
    upload_id: str | None = None


def key_name(filename: str | None, content_type: str | None = None) -> str:
    """A file name fit for an upload key: letters, digits and ``._-`` only."""
    name = _KEY_NAME.sub("_", safe_filename(filename, content_type)).strip("._") or "document"
    if "." not in name and content_type in EXTENSIONS:
        name += EXTENSIONS[content_type]
    return name[:120]


def upload_key(slug: str, ref: str, filename: str, content_type: str | None = None) -> str:
    return f"uploads/{slug}/{ref}/{key_name(filename, content_type)}"


def is_upload_ref(ref: str) -> bool:
    return bool(_REF.match(ref))


# -- presigned uploads -------------------------------------------------------------------------


def check_declared(app: App, content_type: str, size: int | None) -> None:
    """Refuse early what the upload would be refused for (the bytes are checked again on arrival)."""
    if content_type not in SUPPORTED:
        raise UploadRefused("unsupported_file_type", f"{content_type or 'This type'} is not accepted: send the "
                                                     "certificate as a PDF, PNG, JPEG or TIFF file.")
    limit = app.settings.upload_max_bytes
    if size is not None and size > limit:
        raise UploadRefused("too_large", f"The file is {size_text(size)}; the limit is {size_text(limit)}.")
    if size is not None and size <= 0:
        raise UploadRefused("empty_file", "The file is empty; choose the certificate file again.")


def presign(app: App, owner: TokenOwner, filename: str, content_type: str, size: int | None,
            tag: str | None = None, sender: str | None = None) -> dict[str, Any]:
    """Where and how the browser sends the file: a presigned S3 POST, or the direct endpoint. A
    ``tag`` rides on the object as ``x-amz-meta-coi-tag``, pinned by the policy."""
    check_declared(app, content_type, size)
    ref = new_id()
    limit = app.settings.upload_max_bytes
    storage = app.storage
    if not isinstance(storage, S3Storage):
        return {"method": "direct", "upload_id": ref, "max_bytes": limit,
                "reason": "This deployment keeps files in a local folder: post the file to the direct endpoint."}
    key = upload_key(owner.account_slug, ref, filename, content_type)
    full_key = f"{storage.prefix}/{key}" if storage.prefix else key
    with app.sessions() as session:  # recorded before it is handed out: the hook takes only what was issued
        session.add(UploadRef(id=ref, account_id=owner.account_id, key=key, sender=sender,
                              expires_at=utcnow() + timedelta(seconds=app.settings.upload_url_expires)))
        session.commit()
    client = _presigner(app.settings.s3_public_endpoint_url or app.settings.s3_endpoint_url, app.settings.s3_region)
    fields = {"Content-Type": content_type, **({TAG_FIELD: tag} if tag else {})}
    post = client.generate_presigned_post(
        Bucket=storage.bucket, Key=full_key, Fields=fields,
        Conditions=[*({k: v} for k, v in fields.items()), ["content-length-range", 1, limit]],
        ExpiresIn=app.settings.upload_url_expires)
    return {"method": "presigned_post", "upload_id": ref, "max_bytes": limit, "url": post["url"],
            "fields": post["fields"], "expires_in": app.settings.upload_url_expires}


@lru_cache(maxsize=4)
def _presigner(endpoint_url: str | None, region: str):
    """An S3 client for signing only (it never connects), addressed as browsers reach S3."""
    import boto3
    from botocore.config import Config

    style = "path" if endpoint_url else "auto"
    return boto3.client("s3", endpoint_url=endpoint_url, region_name=region,
                        config=Config(signature_version="s3v4", s3={"addressing_style": style}))


# -- the S3 hook -------------------------------------------------------------------------------


def report_objects(app: App, send_on: SendOn, objects: Iterable[ObjectCreated]) -> list[Outcome]:
    """Record each reported object once and enqueue it (``send_on``, workers/dispatch.py); refuse
    what is not an account's upload."""
    outcomes: list[Outcome] = []
    handoffs = []
    with app.sessions() as session:
        for obj in objects:
            outcome = _report(app, session, obj)
            outcomes.append(outcome)
            if outcome.status in {"queued", "requeued"}:
                handoffs.append(hand_on(session, "take_upload", outcome.upload_id))
        session.commit()
    send_on(handoffs)  # a broker away leaves them to the workers' relay
    for outcome in outcomes:
        if outcome.status == "rejected":
            log.warning("S3 notification for %r in bucket %r rejected: %s", outcome.key, outcome.bucket,
                        outcome.reason)
    return outcomes


def _report(app: App, session, obj: ObjectCreated) -> Outcome:
    def rejected(reason: str) -> Outcome:
        return Outcome(obj.bucket, obj.key, "rejected", reason)

    storage = app.storage
    if not isinstance(storage, S3Storage):
        return rejected("This deployment keeps files in a local folder and takes no S3 notifications.")
    if obj.bucket != storage.bucket:
        return rejected(f"The bucket {obj.bucket!r} is not this deployment's.")
    key = obj.key
    if storage.prefix:
        if not key.startswith(storage.prefix + "/"):
            return rejected(f"The key is outside this deployment's prefix {storage.prefix + '/'!r}.")
        key = key[len(storage.prefix) + 1:]
    match = _UPLOAD_KEY.match(key)
    if match is None:
        return rejected("The key is outside every account's upload prefix (uploads/<account>/<upload id>/<name>).")
    account = account_by_slug(session, match["slug"])
    if account is None:
        return rejected(f"No account {match['slug']!r} owns this upload prefix.")
    issued = session.get(UploadRef, match["ref"])
    if issued is None or issued.account_id != account.id or issued.key != key:
        return rejected("This upload key was not issued to this account by POST /v1/uploads; the object is left "
                        "in the bucket for an operator.")
    written = obj.event_time or utcnow()
    expires_at = issued.expires_at if issued.expires_at.tzinfo else issued.expires_at.replace(tzinfo=timezone.utc)
    if written > expires_at + EXPIRY_GRACE:
        return rejected("The upload reference had expired when the object was written; start the upload again.")
    limit = app.settings.upload_max_bytes
    too_large = obj.size is not None and obj.size > limit
    row = {"id": new_id(), "account_id": account.id, "bucket": obj.bucket, "key": key, "version": obj.version,
           "size": obj.size, "status": REJECTED if too_large else RECEIVED, "received_at": utcnow(),
           "reason": f"The file is larger than the {size_text(limit)} limit." if too_large else None,
           "document_id": None, "sender": issued.sender}
    insert_ignore(session, Upload, row, ["bucket", "key", "version"])
    upload = session.scalars(select(Upload).where(Upload.bucket == obj.bucket, Upload.key == key,
                                                  Upload.version == obj.version)).one()
    inserted = upload.id == row["id"]  # the UNIQUE constraint decided; whose row it kept tells which
    if inserted:
        status = "rejected" if too_large else "queued"
    else:
        status = "requeued" if upload.status == RECEIVED else "duplicate"
    return Outcome(obj.bucket, obj.key, status, upload.reason if too_large else None, upload.id)


# -- direct uploads ----------------------------------------------------------------------------


def store_direct(app: App, send_on: SendOn, owner: TokenOwner, filename: str | None, data: bytes,
                 tag: str | None = None, sender: str | None = None) -> dict[str, Any]:
    """Take a file posted to the API: stored, recorded, enqueued. UploadRefused when it cannot be.

    The read is a hand-off committed with the document (workers/handoffs.py): a broker away at that
    moment delays it by seconds, where a failed send after the commit would have answered an error
    for a stored file whose next upload is a duplicate, left unread until the sweep."""
    ref = new_id()
    with app.sessions() as session:
        account = session.get(Account, owner.account_id)
        document_id, inserted = adopt(session, account, data, filename or "", tag, storage=app.storage,
                                      max_bytes=app.settings.upload_max_bytes)
        document = session.get(Document, document_id)
        key = f"direct/{owner.account_slug}/{ref}/{key_name(document.filename)}"
        session.add(Upload(id=new_id(), account_id=account.id, bucket=DIRECT_BUCKET, key=key,
                           version=hashlib.sha256(data).hexdigest(), size=len(data), status=ACCEPTED,
                           document_id=document_id, sender=sender))
        # a file the account had already was sent on by its first upload
        handoffs = [hand_on(session, "read_document", document_id)] if inserted else []
        session.commit()
    send_on(handoffs)  # a broker away leaves it to the workers' relay
    return {"upload_id": ref, "status": ACCEPTED, "document_id": document_id, "duplicate": not inserted}


# -- reading back ------------------------------------------------------------------------------


def upload_status(app: App, owner: TokenOwner, ref: str) -> dict[str, Any]:
    """What became of an upload: waiting (nothing reported yet), received, accepted (with its
    document), rejected or failed (with the reason)."""
    with app.sessions() as session:
        prefixes = (f"uploads/{owner.account_slug}/{ref}/", f"direct/{owner.account_slug}/{ref}/")
        upload = session.scalars(select(Upload).where(
            Upload.account_id == owner.account_id,
            or_(*(Upload.key.startswith(p, autoescape=True) for p in prefixes)),
        ).order_by(Upload.received_at.desc()).limit(1)).first()
        if upload is None:
            return {"upload_id": ref, "status": "waiting", "reason": None, "document_id": None, "document": None}
        document = session.get(Document, upload.document_id) if upload.document_id else None
        return {"upload_id": ref, "status": upload.status, "reason": upload.reason, "document_id": upload.document_id,
                "document": document_view(session, document) if document is not None else None}


def find_document(session, owner: TokenOwner, document_id: str) -> Document | None:
    """The document if it is the token's account's; None otherwise (the caller answers 404 either way)."""
    document = session.get(Document, document_id)
    return document if document is not None and document.account_id == owner.account_id else None


def document_view(session, document: Document) -> dict[str, Any]:
    """``coi status`` of the document, with the failed checks picked out and whether an image exists."""
    from infra.admin import document_status
    from pipeline.annotate import failing_marks

    status = document_status(session, document)
    checks = status.get("checks") or []
    failed = [c for c in checks if c.get("outcome") != "pass" and not c.get("waiver")]
    status["failed_checks"] = failed
    status["has_annotated_image"] = bool(failing_marks(checks)) and status.get("status") == DocumentStatus.DECIDED
    return status


def annotated_png(app: App, owner: TokenOwner, document_id: str) -> bytes | None:
    """The certificate page with the failing values boxed; cached beside the document, per set of failures."""
    from pipeline.annotate import annotate_failures, failing_marks

    with app.sessions() as session:
        document = find_document(session, owner, document_id)
        if document is None:
            return None
        view = document_view(session, document)
        storage_key = document.storage_key
    marks = failing_marks(view.get("checks") or [])
    if not marks or not view["has_annotated_image"]:
        return None
    digest = hashlib.sha256(json.dumps([asdict(m) for m in marks], sort_keys=True).encode()).hexdigest()[:16]
    cached = annotated_key(storage_key, digest)
    try:
        return app.storage.get(cached)
    except ObjectMissing:
        pass
    png = annotate_failures(app.storage.get(storage_key), view["checks"], engine=app.ocr_engine)
    if png is not None:
        app.storage.put(cached, png, "image/png")
    return png
