"""What every route module of the API shares: the error every route answers with, and the
per-token and per-IP request limits. Route modules (inbox/listing.py, inbox/api_vendors.py, the
desk's values API) import these from here, never from ``inbox.api``, which imports them to add
their routes: that would be an import circle (tests/unit/test_import_cycles.py)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from fastapi import Request

from inbox.ratelimit import RedisRateLimiter
from infra.tokens import TokenOwner

if TYPE_CHECKING:
    from infra.bootstrap import App


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


class RequestLimits:
    """Requests per minute, per upload token and per client IP, counted in the app's Redis."""

    def __init__(self, app: App) -> None:
        settings = app.settings
        self.per_token = RedisRateLimiter(lambda: app.redis, settings.api_requests_per_minute, 60.0,
                                          prefix="coi:ratelimit:api:token:")
        self.per_ip = RedisRateLimiter(lambda: app.redis, settings.api_ip_requests_per_minute, 60.0,
                                       prefix="coi:ratelimit:api:ip:")

    def token(self, who: TokenOwner) -> None:
        _within(self.per_token, str(who.token_id), "with this upload token")

    def client(self, request: Request) -> None:
        _within(self.per_ip, request.client.host if request.client else "unknown", "from your address")


def _within(limiter: RedisRateLimiter, key: str, whose: str) -> None:
    wait = limiter.hit(key)
    if wait:
        seconds = max(1, math.ceil(wait))
        raise ApiError(429, "rate_limited", f"Too many requests {whose}: at most {limiter.limit} a minute. "
                                            f"Try again in {seconds} s.", {"Retry-After": str(seconds)})


def bearer(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    if authorization and authorization.lower().startswith("bearer "):
        return authorization.split(" ", 1)[1].strip() or None
    return None


def person_of_token(app: App, token: str | None):
    """The person (infra.users.Person) whose own API token (``coi user token``) this is, else None."""
    from infra.users import is_user_token, person_by_token

    if not token or not is_user_token(token):
        return None
    with app.sessions() as session:
        return person_by_token(session, token)
