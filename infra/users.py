"""People who sign in to the desk: one account each, a role, an argon2 password hash.

    user, link = add_user(session, "ana@acme.example", "acme", "reviewer")   # link: set the password once
    person = sign_in(session, "ana@acme.example", "correct horse")           # SignInRefused when wrong

Roles: ``admin`` (everything a reviewer does, and the account's users), ``reviewer`` (corrects values,
waives checks, overrides decisions), ``viewer`` (reads). Passwords are hashed with argon2id
(argon2-cffi's defaults); a one-time link to set one is kept only as its SHA-256, like upload tokens.
A user's API token (``coi user token``) lets scripts correct values through ``PATCH
/v1/documents/{id}/values`` as that user; only its SHA-256 is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from infra.admin import AdminError, audit, require_account
from infra.models import Account, PasswordLink, User, utcnow

LINK_LIFETIME = timedelta(days=3)
MIN_PASSWORD = 10
TOKEN_PREFIX = "coiu_"
_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a wrong address costs as long as a wrong password."""
    return _HASHER.hash(secrets.token_urlsafe(16))


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    VIEWER = "viewer"


DECIDES = frozenset({Role.ADMIN, Role.REVIEWER})  # may correct, waive, override and undo


class SignInRefused(Exception):
    """Wrong email or password (the same sentence for both), or a disabled user."""


@dataclass(frozen=True)
class Person:
    """Who is signed in (or whose API token was presented): what every desk route is scoped by."""

    user_id: int
    email: str
    role: Role
    account_id: int
    account_slug: str
    account_name: str

    @property
    def decides(self) -> bool:
        return self.role in DECIDES


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AdminError(f"A password has at least {MIN_PASSWORD} characters.")


def add_user(session: Session, email: str, account_slug: str, role: str, password: str | None = None,
             *, by: str = "cli") -> tuple[User, str | None]:
    """A user of the account. With no password, returns a one-time token for the set-password link."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise AdminError(f"{email!r} is not an email address.")
    if role not in {r.value for r in Role}:
        raise AdminError(f"A role is one of {', '.join(r.value for r in Role)}, not {role!r}.")
    account = require_account(session, account_slug)
    if session.scalars(select(User).where(User.email == email)).first() is not None:
        raise AdminError(f"A user {email} exists already.")
    if password is not None:
        check_password(password)
    user = User(account_id=account.id, email=email, role=role,
                password_hash=_HASHER.hash(password) if password is not None else None)
    session.add(user)
    session.flush()
    token = None if password is not None else _new_link(session, user)
    audit(session, account.id, by, "user.added", f"user:{user.id}", {"email": email, "role": role})
    session.commit()
    return user, token


def _new_link(session: Session, user: User) -> str:
    token = secrets.token_urlsafe(32)
    session.add(PasswordLink(user_id=user.id, token_hash=_digest(token), expires_at=utcnow() + LINK_LIFETIME))
    return token


def link_user(session: Session, token: str) -> User | None:
    """The user a set-password link is for, while it is unused and unexpired."""
    link = session.scalars(select(PasswordLink).where(PasswordLink.token_hash == _digest(token))).first()
    if link is None or link.used_at is not None or _aware(link.expires_at) < utcnow():
        return None
    return session.get(User, link.user_id)


def set_password(session: Session, token: str, password: str) -> User:
    """Use a set-password link once."""
    user = link_user(session, token)
    if user is None:
        raise AdminError("This link was used already or has expired; ask an admin for a new one "
                         "(`coi user add` or `coi user link`).")
    check_password(password)
    user.password_hash = _HASHER.hash(password)
    for link in session.scalars(select(PasswordLink).where(PasswordLink.user_id == user.id,
                                                           PasswordLink.used_at.is_(None))):
        link.used_at = utcnow()
    audit(session, user.account_id, user.email, "user.password_set", f"user:{user.id}", {})
    session.commit()
    return user


def new_link(session: Session, email: str) -> str:
    """A fresh set-password link for an existing user (a forgotten password)."""
    user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise AdminError(f"No user {email}.")
    token = _new_link(session, user)
    session.commit()
    return token


def sign_in(session: Session, email: str, password: str) -> Person:
    user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    try:
        _HASHER.verify(user.password_hash if user and user.password_hash else _dummy_hash(), password)
    except (VerificationError, InvalidHashError) as e:
        raise SignInRefused("Wrong email or password.") from e
    if user is None or user.password_hash is None:
        raise SignInRefused("Wrong email or password.")
    if user.disabled_at is not None:
        raise SignInRefused("This user is disabled; ask an admin of your account.")
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
        session.commit()
    return person_of(session, user)


def person_of(session: Session, user: User) -> Person:
    account = session.get(Account, user.account_id)
    return Person(user.id, user.email, Role(user.role), account.id, account.slug, account.name)


def current_person(session: Session, user_id: int) -> Person | None:
    """The person of a session cookie, or None when the user was removed or disabled since."""
    user = session.get(User, user_id)
    if user is None or user.disabled_at is not None:
        return None
    return person_of(session, user)


def account_users(session: Session, account_id: int) -> list[User]:
    return list(session.scalars(select(User).where(User.account_id == account_id).order_by(User.email)))


def disable_user(session: Session, user_id: int, *, account_id: int, by: str) -> User:
    """Stop a user of the account signing in (their sessions and API token stop at once)."""
    user = session.get(User, user_id)
    if user is None or user.account_id != account_id:
        raise AdminError(f"No user {user_id} in this account.")
    if user.email == by:
        raise AdminError("You cannot disable yourself; ask another admin.")
    if user.disabled_at is None:
        user.disabled_at = utcnow()
        audit(session, account_id, by, "user.disabled", f"user:{user.id}", {"email": user.email})
        session.commit()
    return user


def new_api_token(session: Session, email: str) -> str:
    """A new API token for the user (replacing any earlier one); shown once."""
    user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise AdminError(f"No user {email}.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user.api_token_hash = _digest(token)
    audit(session, user.account_id, "cli", "user.token_issued", f"user:{user.id}", {"email": user.email})
    session.commit()
    return token


def is_user_token(token: str | None) -> bool:
    return bool(token) and token.startswith(TOKEN_PREFIX)


def person_by_token(session: Session, token: str) -> Person | None:
    digest = _digest(token.strip())
    user = session.scalars(select(User).where(User.api_token_hash == digest)).first()
    if user is None or not hmac.compare_digest(user.api_token_hash or "", digest) or user.disabled_at is not None:
        return None
    return person_of(session, user)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
