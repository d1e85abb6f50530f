"""What is already on file for a document when it is first scored, read in one SELECT.

Scoring a new certificate used to ask the database, one statement each, for the document's certificate,
its evaluations, overrides, corrections and waivers, the account and the sender its event names, its
vendor link, the threads its mail answers and the account's vendors: ten round trips, most of them
answered "nothing" for a certificate just read. :func:`on_file` reads the certificate, the account and
the sender, and asks of every other table only whether it holds a row for the document (or the account)
with an ``EXISTS``; the scoring reads a table only when its flag says it has something
(workers/decisions.py ``score``, workers/vendors.py ``link_document``). What is decided is the same:
a table whose flag is false would have given an empty list.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, String, bindparam, exists, select
from sqlalchemy.orm import Session

from infra.models import (REQUIREMENTS_VERSION, Account, Certificate, Correction, Document, Evaluation, InboundMessage,
                          MessageDocument, MessageThread, Override, Upload, Vendor, VendorDocument, Waiver)
from infra.repo import know_sender
from workers.selection import Version

_DOCUMENT = bindparam("document_id", type_=String)
_ACCOUNT = bindparam("account_id", type_=Integer)
_MESSAGE = bindparam("message_id", type_=String)

# Built once: a statement is constructed (and its cache key made) on first use, not on every scoring.
ON_FILE = (
    select(
        Certificate, Account,
        # not an attribute of Account (infra/models.py): read as committed now, whatever the session holds
        REQUIREMENTS_VERSION.label("requirements_version"),
        select(InboundMessage.sender).where(InboundMessage.id == _MESSAGE).scalar_subquery().label("mailed_by"),
        select(Upload.sender).where(Upload.document_id == _DOCUMENT, Upload.sender.is_not(None))
        .limit(1).scalar_subquery().label("uploaded_by"),
        exists().where(Evaluation.document_id == _DOCUMENT).label("evaluations"),
        exists().where(Override.document_id == _DOCUMENT).label("overrides"),
        exists().where(Correction.document_id == _DOCUMENT).label("corrections"),
        exists().where(Waiver.document_id == _DOCUMENT).label("waivers"),
        exists().where(VendorDocument.document_id == _DOCUMENT).label("vendor_link"),
        exists().where(MessageThread.message_id == MessageDocument.message_id,
                       MessageDocument.document_id == _DOCUMENT).label("threads"),
        exists().where(Vendor.account_id == _ACCOUNT).label("vendors"),
    )
    .select_from(Certificate).join(Account, Account.id == _ACCOUNT)
    .where(Certificate.document_id == _DOCUMENT)
)


@dataclass(frozen=True)
class OnFile:
    """A document's certificate and what else the database holds for it, as its scoring began.

    ``account`` is held here so that the session's identity map (which holds its objects weakly) keeps
    it: the decision event's ``document_ref`` gets it without reading it again. Each flag is True when
    the table has at least one row for the document (``vendors``: for the account); False means a look-up
    there would find nothing, and is skipped."""

    certificate: Certificate
    account: Account
    evaluations: bool
    overrides: bool
    corrections: bool
    waivers: bool
    vendor_link: bool
    threads: bool  # the mails that carried the document answer others (In-Reply-To, References)
    vendors: bool
    requirements: Version | None = None  # the account's requirements version as this SELECT saw it


def on_file(session: Session, document: Document) -> OnFile:
    """One SELECT: the certificate, the account, who sent the document (kept for the event and the
    vendor match: ``infra.repo.document_sender``) and a flag per table."""
    row = session.execute(ON_FILE, {"document_id": document.id, "account_id": document.account_id,
                                    "message_id": document.message_id}).one()
    # as infra.repo.document_sender: the message's envelope sender, else the email its uploader gave
    know_sender(session, document, row.mailed_by if document.message_id else row.uploaded_by)
    return OnFile(certificate=row.Certificate, account=row.Account, evaluations=row.evaluations,
                  overrides=row.overrides, corrections=row.corrections, waivers=row.waivers,
                  vendor_link=row.vendor_link, threads=row.threads, vendors=row.vendors,
                  requirements=Version(row.Account.id, row.Account.created_at, row.requirements_version))
