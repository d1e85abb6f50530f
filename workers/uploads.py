"""The upload door's actor: an object reported by S3 becomes a document, once.

``take_upload(upload_id)`` reads the object an ``uploads`` row points to, checks it (size, type by
its bytes), stores it under the account's document key, adds the document (the same bytes twice
in an account are one document, whichever door they came through), marks the row ``accepted`` and
hands the document to ``read_document``: a hand-off recorded in the same transaction and enqueued
after commit (workers/handoffs.py), so a broker away at that moment delays the read by seconds.
Run twice, it changes nothing the second time: the row's status moves only from ``received`` (a
conditional UPDATE decides), and a redelivered message for an accepted row only re-sends the read
of a document still waiting to be read.

:func:`adopt` is the shared core: the direct upload endpoint calls it with the bytes it received.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import dramatiq
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from infra.keys import document_key
from infra.models import Account, Document, Handoff, Upload
from infra.repo import add_document, hand_on
from infra.storage import ObjectMissing
from pipeline.addresses import TAG
from pipeline.filetypes import SUPPORTED, safe_filename, sniff
from pipeline.states import DocumentStatus, Source
from workers import outcomes
from workers.handoffs import dispatch

if TYPE_CHECKING:
    from infra.storage import Storage

log = logging.getLogger(__name__)

RECEIVED, ACCEPTED, REJECTED, FAILED = "received", "accepted", "rejected", "failed"
TAG_METADATA = "coi-tag"  # object metadata (x-amz-meta-coi-tag) holding a presigned upload's project tag
MiB = 1024 * 1024


class UploadRefused(Exception):
    """The file cannot be taken; ``code`` is stable and the message tells the uploader what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def size_text(n: int) -> str:
    """Bytes as a person reads them: 50 MB, 1.5 MB, 98 KB."""
    if n >= MiB:
        return f"{n / MiB:.0f} MB" if n % MiB == 0 else f"{n / MiB:.1f} MB"
    return f"{max(1, round(n / 1024))} KB"


def check_file(data: bytes, max_bytes: int) -> str:
    """The file's type, judged by its bytes; UploadRefused when it is empty, too large or not supported."""
    if not data:
        raise UploadRefused("empty_file", "The file is empty; choose the certificate file again.")
    if len(data) > max_bytes:
        raise UploadRefused("too_large", f"The file is {size_text(len(data))}; the limit is {size_text(max_bytes)}. "
                                         "Send a smaller scan or a PDF.")
    kind = sniff(data)
    if kind not in SUPPORTED:
        raise UploadRefused("unsupported_file_type", "The file is not a PDF, PNG, JPEG or TIFF; send the "
                                                     "certificate of insurance in one of those formats.")
    return kind


def adopt(session: Session, account: Account, data: bytes, filename: str, tag: str | None = None, *,
          storage: Storage, max_bytes: int) -> tuple[str, bool]:
    """Store checked bytes as a document of ``account`` (not committed); returns (document id, new).

    Bytes the account already has are not stored again: the existing document is returned. (Two
    uploads of the same bytes at the same moment both store them; the UNIQUE constraint keeps one row.)
    """
    kind = check_file(data, max_bytes)
    sha = hashlib.sha256(data).hexdigest()
    existing = session.scalar(select(Document.id).where(Document.account_id == account.id, Document.sha256 == sha))
    if existing is not None:
        return existing, False
    name = safe_filename(filename, kind)
    key = document_key(account.slug, sha, name)
    storage.put(key, data, kind)
    document_id, _ = add_document(session, account_id=account.id, sha256=sha, values={
        "source": Source.UPLOAD.value, "filename": name, "content_type": kind, "size": len(data),
        "storage_key": key, "tag": tag})
    return document_id, True


def declare(actor, *, broker: dramatiq.Broker, sessions: sessionmaker[Session], storage: Storage,
            max_bytes: int) -> dramatiq.Actor:
    """Declare ``take_upload`` (and its give-up handler) with the chain's ``actor`` helper."""
    taker = UploadTaker(broker=broker, sessions=sessions, storage=storage, max_bytes=max_bytes)
    take = actor(taker.take_upload, failure=taker.fail_upload, on_retry_exhausted="upload_gave_up",
                 **outcomes.RETRY_OPTIONS)
    actor(taker.upload_gave_up, max_retries=3)
    return take


@dataclass(kw_only=True)
class UploadTaker:
    broker: dramatiq.Broker  # the read is enqueued on it
    sessions: sessionmaker[Session]
    storage: Storage
    max_bytes: int  # COI_UPLOAD_MAX_BYTES

    def take_upload(self, upload_id: str) -> None:
        """Errors go up to StageGuard (workers/guard.py): a permanent one ends in :meth:`fail_upload`."""
        handoff = self._take(upload_id)
        if handoff is not None:
            dispatch([handoff], broker=self.broker, sessions=self.sessions)

    def fail_upload(self, upload_id: str, exc: BaseException) -> None:
        self._finish(upload_id, FAILED, f"An unexpected error stopped taking the file "
                                        f"({type(exc).__name__}); the operators have the details in the log.")

    def _take(self, upload_id: str) -> Handoff | None:
        """The committed hand-off of the document to ``read_document``, if it is owed."""
        with self.sessions() as session:
            upload = session.get(Upload, upload_id)
            if upload is None:
                log.warning("upload %s not found; nothing to take", upload_id)
                return None
            if upload.status == ACCEPTED:  # a redelivered message: hand on again if still unread
                document = session.get(Document, upload.document_id)
                if document is None or document.status != DocumentStatus.STORED:
                    return None
                handoff = hand_on(session, "read_document", document.id)
                session.commit()
                return handoff
            if upload.status != RECEIVED:
                return None
            account = session.get(Account, upload.account_id)
            try:
                data = self.storage.get(upload.key)
                tag = self.storage.metadata(upload.key).get(TAG_METADATA)
                document_id, inserted = adopt(session, account, data, upload.key.rsplit("/", 1)[-1],
                                              tag if tag and TAG.match(tag) else None,
                                              storage=self.storage, max_bytes=self.max_bytes)
            except ObjectMissing:
                session.rollback()
                self._finish(upload_id, REJECTED, "The uploaded file is no longer in the bucket; upload it again.")
                return None
            except UploadRefused as refused:
                session.rollback()
                self._finish(upload_id, REJECTED, refused.message)
                return None
            taken = session.execute(update(Upload).where(Upload.id == upload_id, Upload.status == RECEIVED).values(
                status=ACCEPTED, document_id=document_id, size=len(data), reason=None)).rowcount
            handoff = hand_on(session, "read_document", document_id) if inserted and taken else None
            session.commit()  # accepted, and its read owed, together
        if not inserted:  # its first upload (or email) already sent it on
            log.info("upload %s holds bytes the account already has: document %s", upload.key, document_id)
        if taken:
            self._discard(upload.key)
        return handoff

    def _discard(self, key: str) -> None:
        """The object was copied under its document key; the upload area is only a way in."""
        try:
            self.storage.delete(key)
        except Exception:  # noqa: BLE001 - a leftover object costs space, not correctness
            log.warning("could not delete the uploaded object %s; it stays in the upload area", key, exc_info=True)

    def _finish(self, upload_id: str, status: str, reason: str) -> None:
        with self.sessions() as session:
            session.execute(update(Upload).where(Upload.id == upload_id, Upload.status == RECEIVED).values(
                status=status, reason=reason))
            session.commit()
        log.info("upload %s: %s", status, reason)

    def upload_gave_up(self, message_data: dict[str, Any], retry_info: dict[str, Any]) -> None:
        """Retries ran out on a transient error: record it, so the uploader is not left waiting."""
        args = message_data.get("args") or []
        log.warning("take_upload gave up after %s retries", retry_info.get("retries"))
        if args:
            self._finish(args[0], FAILED, "Storage or the database stayed unavailable through every retry; "
                                          "upload the file again later.")
