from __future__ import annotations

import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from inbox.ratelimit import ByteBudget, RateLimiter, RedisRateLimiter
from services import free_port


@pytest.fixture
def now(monkeypatch) -> list[float]:
    """The wall clock the ``limits`` library reads (time.time), set by the test."""
    clock = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    return clock


def test_the_limit_applies_per_key_within_the_window_and_frees_up_after(now):
    limiter = RateLimiter(2, 60)
    assert [limiter.allow("10.0.0.1") for _ in range(3)] == [True, True, False]
    assert limiter.allow("10.0.0.2")  # another client has its own count
    now[0] += 61.0
    assert limiter.allow("10.0.0.1")


def test_a_byte_budget_counts_bytes_per_key_and_frees_up_as_the_window_slides():
    now = [0.0]
    budget = ByteBudget(1000, 60, clock=lambda: now[0])
    assert budget.take("a", 600) == 0.0
    now[0] = 10.0
    assert budget.take("a", 500) == 50.0  # refused, not counted: 600 bytes leave the window at 60 s
    assert (budget.left("a"), budget.left("b")) == (400, 1000)
    assert budget.take("a", 400) == 0.0
    now[0] = 60.0
    assert budget.left("a") == 600
    assert ByteBudget(0, 60).take("a", 10**12) == 0.0 and ByteBudget(0, 60).left("a") is None


def test_a_byte_budget_lets_an_idle_client_send_one_message_larger_than_the_budget():
    now = [0.0]
    budget = ByteBudget(1000, 60, clock=lambda: now[0])
    assert budget.take("a", 5000) == 0.0
    assert budget.take("a", 1) > 0 and budget.left("a") == 0


def test_zero_means_no_limit():
    limiter = RateLimiter(0, 60)
    assert all(limiter.allow("x") for _ in range(1000))


def test_a_refusal_says_when_a_place_frees_up_and_is_not_counted(now):
    start = now[0]
    limiter = RateLimiter(2, 60)
    assert [limiter.hit("k"), limiter.hit("k")] == [0.0, 0.0]
    now[0] = start + 45.0
    assert limiter.hit("k") == pytest.approx(15.0)
    assert limiter.hit("k") == pytest.approx(15.0)  # refused tries do not push the wait further out
    now[0] = start + 60.001
    assert limiter.hit("k") == 0.0


def test_given_redis_is_unavailable_then_the_limit_is_counted_in_this_process(caplog):
    nobody = redis.Redis(host="127.0.0.1", port=free_port(), retry=Retry(NoBackoff(), 0))  # nothing listens there
    limiter = RedisRateLimiter(lambda: nobody, 2, 60, prefix="test:")
    assert [limiter.allow("k") for _ in range(3)] == [True, True, False]
    assert limiter.allow("other")
    warnings = [r.message for r in caplog.records if r.message.startswith("rate limit test:: Redis is unavailable")]
    assert len(warnings) == 1 and warnings[0].endswith("counting in this process until it is back")


def test_given_zero_then_redis_is_not_asked():
    def no_redis():
        raise AssertionError("asked Redis")

    assert all(RedisRateLimiter(no_redis, 0, 60, prefix="test:").allow("k") for _ in range(100))
