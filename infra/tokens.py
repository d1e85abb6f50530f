"""Upload tokens: per-account bearer tokens for the upload form and the API.

A token is shown once, when it is created; only its SHA-256 is kept, with a short ``hint`` (its
first characters) to tell tokens apart in listings. A token lets its holder upload to one account
and read that account's documents, nothing more: it is pasted into public web pages by design.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infra.admin import AdminError, require_account
from infra.models import Account, UploadToken, utcnow

PREFIX = "coi_"
HINT_LENGTH = 10  # "coi_" and six characters of the secret part
_TOUCH_EVERY = timedelta(minutes=5)  # last_used_at is refreshed at most this often
UPLOAD, READ = "upload", "read"
SCOPES = (UPLOAD, READ)  # a form's token uploads (public by design); a read token also lists and reports


class TokenRejected(Exception):
    """The token cannot be used; ``code`` is stable, the message says what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TokenOwner:
    """Who a verified token speaks for."""

    token_id: int
    account_id: int
    account_slug: str
    scope: str = "upload"  # "read": may also list, search and report on the account's documents

    @property
    def reads_account(self) -> bool:
        return self.scope == READ


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, account_slug: str, label: str, scope: str = UPLOAD) -> tuple[UploadToken, str]:
    """A new token for the account; returns the row and the token itself (shown once, never stored)."""
    account = require_account(session, account_slug)
    if scope not in SCOPES:
        raise AdminError(f"A token's scope is {' or '.join(SCOPES)}, not {scope!r}.")
    token = PREFIX + secrets.token_urlsafe(32)
    row = UploadToken(account_id=account.id, label=label, token_hash=hash_token(token), hint=token[:HINT_LENGTH],
                      scope=scope)
    session.add(row)
    session.commit()
    return row, token


def verify_token(session: Session, token: str | None) -> TokenOwner:
    """The account a presented token belongs to; TokenRejected when it is missing, unknown or revoked."""
    if not token:
        raise TokenRejected("token_missing", "Send the upload token as 'Authorization: Bearer <token>'.")
    digest = hash_token(token.strip())
    row = session.scalars(select(UploadToken).where(UploadToken.token_hash == digest)).one_or_none()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        raise TokenRejected("token_unknown", "The upload token is not known here; check it was copied whole, "
                                             "or ask the account's administrator for a new one.")
    if row.revoked_at is not None:
        raise TokenRejected("token_revoked", "The upload token was revoked; ask the account's administrator "
                                             "for a new one.")
    now = utcnow()
    if row.last_used_at is None or _aware(row.last_used_at) < now - _TOUCH_EVERY:
        row.last_used_at = now
        session.commit()
    slug = session.scalar(select(Account.slug).where(Account.id == row.account_id))
    return TokenOwner(row.id, row.account_id, slug, row.scope)


def revoke_token(session: Session, which: str, account_slug: str | None = None) -> UploadToken:
    """Revoke a token by its id or its hint; revoking twice is harmless."""
    query = select(UploadToken)
    query = query.where(UploadToken.id == int(which)) if which.isdigit() else query.where(UploadToken.hint == which)
    if account_slug:
        query = query.where(UploadToken.account_id == require_account(session, account_slug).id)
    rows = session.scalars(query).all()
    if not rows:
        raise AdminError(f"No upload token {which!r}; `coi token list` shows ids and hints.")
    if len(rows) > 1:
        raise AdminError(f"Several tokens match {which!r}; revoke by id (`coi token list`).")
    row = rows[0]
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.commit()
    return row


def list_tokens(session: Session, account_slug: str | None = None) -> list[dict[str, Any]]:
    query = select(UploadToken, Account.slug).join(Account, Account.id == UploadToken.account_id)
    if account_slug:
        query = query.where(Account.slug == account_slug.lower())
    rows = session.execute(query.order_by(UploadToken.id)).all()
    return [{"id": t.id, "account": slug, "label": t.label, "hint": t.hint + "…", "scope": t.scope,
             "created_at": _iso(t.created_at), "last_used_at": _iso(t.last_used_at),
             "revoked_at": _iso(t.revoked_at)} for t, slug in rows]


def _aware(moment: datetime) -> datetime:
    from datetime import timezone

    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite drops the zone


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
