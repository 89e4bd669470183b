"""Rate limits switched on with a clock the test moves (the `rate_limits` fixture).

The suite runs with rate limits off (config/settings/test.py); `RateLimits.configure` turns them
on with the configured defaults, on fresh buckets (a key prefix of their own, also in Redis) and
a fake clock, so a test waits for a refill by moving the clock, never by sleeping.
"""

from __future__ import annotations

import uuid

from parley.core import ratelimit
from tests.support.clock import FakeClock


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

    def reset(self) -> None:
        """Back to the suite's limits (off), the buckets emptied."""
        if self.limiter is not None:
            self.limiter.storage.clear()
        ratelimit.use_limiter(None)
