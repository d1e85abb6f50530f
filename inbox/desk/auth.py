"""Who is signed in to the desk, and the guards every desk route goes through.

The session is a cookie signed by starlette's ``SessionMiddleware`` (itsdangerous) with a key
derived from ``COI_SECRET_KEY``: it holds the user's id, when it was signed in and a CSRF token;
the user is looked up again on every request, so a removed or disabled user is out at once. Every
POST must carry the session's CSRF token in the form (``csrf``) and, when the browser sends one,
an ``Origin`` of this site. Sign-in tries are limited per client IP and per email address in Redis,
shared by every API process.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from typing import TYPE_CHECKING

from fastapi import Request

from inbox.ratelimit import RedisRateLimiter
from infra.secrets import load_key
from infra.users import Person, current_person

if TYPE_CHECKING:
    from infra.bootstrap import App

COOKIE = "coi_desk"


class DeskError(Exception):
    """Answered as a page with ``status`` and a sentence (never a traceback)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


class SignInNeeded(Exception):
    """No one is signed in: the page sends the browser to the sign-in form."""


def session_secret(app: App) -> str:
    """The cookie-signing key: derived from the secret key, never the key itself."""
    key = load_key(app.settings.secret_key, app.settings.var_dir)
    return hmac.new(key, b"coi-desk-session-v1", hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def same_origin(request: Request) -> None:
    """A POST whose browser names another site as its origin is refused (cross-site forgery)."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and origin.rstrip("/") != f"{request.url.scheme}://{request.url.netloc}":
        raise DeskError(403, "This form was sent from another site; open the desk and try again.")


def check_csrf(request: Request, presented: str | None) -> None:
    same_origin(request)
    expected = request.session.get("csrf")
    if not expected or not presented or not hmac.compare_digest(expected.encode(), str(presented).encode()):
        raise DeskError(403, "The form has expired or did not come from the desk; reload the page and try again.")


def signed_in(app: App, request: Request) -> Person:
    user_id = request.session.get("user_id")
    if user_id is None:
        raise SignInNeeded()
    with app.sessions() as session:
        person = current_person(session, int(user_id))
    if person is None:
        request.session.clear()
        raise SignInNeeded()
    return person


def deciding(person: Person) -> None:
    if not person.decides:
        raise DeskError(403, f"You are a {person.role.value} of this account: only reviewers and admins can "
                             "correct values, waive checks or override decisions.")


class LoginLimits:
    """Sign-in tries per minute, per client IP and per email address (COI_DESK_LOGINS_PER_MINUTE)."""

    def __init__(self, app: App) -> None:
        limit = app.settings.desk_logins_per_minute
        self.per_ip = RedisRateLimiter(lambda: app.redis, limit, 60.0, prefix="coi:ratelimit:desk:ip:")
        self.per_email = RedisRateLimiter(lambda: app.redis, limit, 60.0, prefix="coi:ratelimit:desk:email:")

    def hit(self, request: Request, email: str) -> None:
        ip = request.client.host if request.client else "unknown"
        wait = self.per_ip.hit(ip) or self.per_email.hit(hashlib.sha256(email.lower().encode()).hexdigest())
        if wait:
            seconds = max(1, math.ceil(wait))
            raise DeskError(429, f"Too many sign-in tries: wait {seconds} seconds, then try again.",
                            {"Retry-After": str(seconds)})
