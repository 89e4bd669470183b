"""Fixtures for the security tests: rate limits switched on with a clock the test moves.

The suite runs with rate limits off (config/settings/test.py); `rate_limits` turns them on with
the configured defaults, on fresh buckets (a key prefix of their own, also in Redis) and a fake
clock, so a test waits for a refill by moving the clock, never by sleeping.
"""

from __future__ import annotations

import uuid

import pytest

from parley.core import ratelimit


class FakeClock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class RateLimits:
    def __init__(self, settings) -> None:
        self.settings = settings
        self.clock = FakeClock()
        self.limiter: ratelimit.RateLimiter | None = None

    def configure(self, *, enabled: bool = True, **overrides) -> ratelimit.RateLimiter:
        """Limits on (or off); `send="3,1/s"` replaces one rate, `MAX_STRIKES=2` one option."""
        config = self.settings.PARLEY_RATE_LIMITS
        rates = {**config["RATES"], **{k: v for k, v in overrides.items() if k.islower()}}
        options = {k: v for k, v in overrides.items() if k.isupper()}
        self.settings.PARLEY_RATE_LIMITS = {
            **config,
            **options,
            "RATES": rates,
            "ENABLED": enabled,
            "KEY_PREFIX": f"test-rate:{uuid.uuid4().hex}",
        }
        if self.limiter is not None:
            self.limiter.storage.clear()
        self.limiter = ratelimit.RateLimiter.from_settings(clock=self.clock)
        ratelimit.use_limiter(self.limiter)
        return self.limiter

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)


@pytest.fixture
def rate_limits(settings):
    limits = RateLimits(settings)
    limits.configure()
    yield limits
    if limits.limiter is not None:
        limits.limiter.storage.clear()
    ratelimit.use_limiter(None)
