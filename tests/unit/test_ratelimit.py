from __future__ import annotations

from inbox.ratelimit import RateLimiter


def test_the_limit_applies_per_key_within_the_window_and_frees_up_after():
    now = [0.0]
    limiter = RateLimiter(2, 60, clock=lambda: now[0])
    assert [limiter.allow("10.0.0.1") for _ in range(3)] == [True, True, False]
    assert limiter.allow("10.0.0.2")  # another client has its own count
    now[0] = 61.0
    assert limiter.allow("10.0.0.1")


def test_zero_means_no_limit():
    limiter = RateLimiter(0, 60)
    assert all(limiter.allow("x") for _ in range(1000))
