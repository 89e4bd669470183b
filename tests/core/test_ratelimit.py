"""The token buckets: burst and sustained rate, exact retry_after, memory and Redis storage.

Time is a fake clock the test moves. The Redis tests use a private redis-server (skipped where
there is none, failed under CI=true), with two independent limiters standing for two processes.
"""

import pytest
from django.core.exceptions import ImproperlyConfigured

from parley.core import ratelimit
from parley.core.errors import RateLimited
from parley.core.ratelimit import (
    OWN_CLOCK_KEEP_MS,
    Action,
    MemoryStorage,
    Rate,
    RateLimiter,
    RedisStorage,
    parse_rate,
)
from tests.support.clock import FakeClock


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("20,5/s", Rate(burst=20, count=5, period=1.0)),
        ("10,1/s", Rate(burst=10, count=1, period=1.0)),
        ("5,5/10m", Rate(burst=5, count=5, period=600.0)),
        (" 3 , 2 / 1h ", Rate(burst=3, count=2, period=3600.0)),
        ("1,1/0.5s", Rate(burst=1, count=1, period=0.5)),
    ],
)
def test_rates_are_burst_count_and_period(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["off", "OFF", "none", ""])
def test_a_rate_can_be_off(text):
    assert parse_rate(text) is None


@pytest.mark.parametrize("text", ["20", "20/s", "20,5", "0,5/s", "5,0/s", "5,5/0s", "5,5/d", "x"])
def test_a_malformed_rate_stops_the_server(text):
    with pytest.raises(ImproperlyConfigured):
        parse_rate(text)


def limiter(rate: str, clock: FakeClock, storage=None) -> RateLimiter:
    return RateLimiter(
        rates={Action.SEND.value: parse_rate(rate)},
        storage=storage or MemoryStorage(clock),
        enabled=True,
    )


def passes(limiter: RateLimiter, key: str = "u1") -> float:
    """0 if one request passes now, else its retry_after."""
    try:
        limiter.check(Action.SEND, key)
    except RateLimited as exc:
        return exc.retry_after
    return 0


def test_a_full_bucket_lets_the_burst_through_then_refuses():
    clock = FakeClock(5_000.0)
    limits = limiter("20,5/s", clock)

    assert [passes(limits) for _ in range(20)] == [0] * 20
    assert passes(limits) == pytest.approx(0.2)


def test_the_bucket_refills_at_the_sustained_rate_and_never_past_the_burst():
    clock = FakeClock(5_000.0)
    limits = limiter("4,2/s", clock)
    for _ in range(4):
        passes(limits)

    clock.now += 1.0  # two tokens
    assert [passes(limits) for _ in range(3)] == [0, 0, pytest.approx(0.5)]
    clock.now += 3600  # idle for an hour: full again, but only to the burst
    assert [passes(limits) for _ in range(5)] == [0, 0, 0, 0, pytest.approx(0.5)]


def test_retry_after_is_exact_and_refusals_take_nothing():
    clock = FakeClock(5_000.0)
    limits = limiter("1,1/10s", clock)
    assert passes(limits) == 0
    assert passes(limits) == pytest.approx(10.0)
    clock.now += 4
    assert passes(limits) == pytest.approx(6.0)
    assert passes(limits) == pytest.approx(6.0)  # the refusals did not push it further
    clock.now += 6
    assert passes(limits) == 0


def test_retry_after_is_never_zero():
    clock = FakeClock(5_000.0)
    limits = limiter("1,1/s", clock)
    passes(limits)
    clock.now += 1 - 1e-7
    assert passes(limits) == 0.001


def test_buckets_are_per_key_and_per_action():
    clock = FakeClock(5_000.0)
    limits = RateLimiter(
        rates={"send": parse_rate("1,1/m"), "membership": parse_rate("1,1/m")},
        storage=MemoryStorage(clock),
        enabled=True,
    )
    limits.check(Action.SEND, "u1")
    limits.check(Action.SEND, "u2")
    limits.check(Action.MEMBERSHIP, "u1")
    with pytest.raises(RateLimited):
        limits.check(Action.SEND, "u1")


def test_a_disabled_limiter_or_an_action_that_is_off_counts_nothing():
    clock = FakeClock(5_000.0)
    off = RateLimiter(
        rates={"send": parse_rate("1,1/m")}, storage=MemoryStorage(clock), enabled=False
    )
    unlimited = RateLimiter(rates={"send": None}, storage=MemoryStorage(clock), enabled=True)
    for _ in range(100):
        off.check(Action.SEND, "u1")
        unlimited.check(Action.SEND, "u1")
    assert off.storage._tats == {} and unlimited.storage._tats == {}


def test_memory_forgets_full_buckets():
    clock = FakeClock(5_000.0)
    storage = MemoryStorage(clock)
    limits = limiter("2,1/s", clock, storage)
    for n in range(MemoryStorage.PRUNE_EVERY - 1):
        passes(limits, key=f"u{n}")
    assert len(storage._tats) == MemoryStorage.PRUNE_EVERY - 1
    clock.now += 10
    passes(limits, key="last")
    assert list(storage._tats) == ["send:last"]


def test_settings_build_the_limiter_and_a_change_rebuilds_it(settings):
    settings.REDIS_URL = ""
    settings.PARLEY_RATE_LIMITS = {
        **settings.PARLEY_RATE_LIMITS,
        "ENABLED": True,
        "RATES": {**settings.PARLEY_RATE_LIMITS["RATES"], "send": "2,1/m", "read": "off"},
    }
    built = ratelimit.get_limiter()
    assert built.enabled
    assert built.rates["send"] == Rate(burst=2, count=1, period=60.0)
    assert built.rates["read"] is None
    assert isinstance(built.storage, MemoryStorage)

    settings.PARLEY_RATE_LIMITS = {**settings.PARLEY_RATE_LIMITS, "ENABLED": False}
    assert ratelimit.get_limiter() is not built
    assert not ratelimit.enabled()


# -- Redis: shared by every process ------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url():
    from tests.e2e.services import RedisServer

    server = RedisServer()
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def test_two_processes_share_their_buckets_in_redis(redis_url):
    clock = FakeClock(5_000.0)
    first = limiter("20,5/s", clock, RedisStorage(redis_url, prefix="t-share", clock=clock))
    second = limiter("20,5/s", clock, RedisStorage(redis_url, prefix="t-share", clock=clock))

    results = [passes(first if n % 2 else second) for n in range(30)]

    assert results[:20] == [0] * 20
    assert results[20:] == [pytest.approx(0.2)] * 10
    clock.now += 0.4
    assert [passes(first), passes(second), passes(first)] == [0, 0, pytest.approx(0.2)]


def test_redis_buckets_run_on_redis_time_without_a_test_clock(redis_url):
    """The script then reads Redis's own clock, the same for every process."""
    first = limiter("2,1/m", FakeClock(5_000.0), RedisStorage(redis_url, prefix="t-time"))
    second = limiter("2,1/m", FakeClock(5_000.0), RedisStorage(redis_url, prefix="t-time"))
    waits = [passes(first), passes(second), passes(first)]
    assert waits[:2] == [0, 0]
    assert 55 < waits[2] <= 60


def test_redis_buckets_expire(redis_url):
    import redis

    storage = RedisStorage(redis_url, prefix="t-expire")
    limits = limiter("5,1/s", FakeClock(5_000.0), storage)
    passes(limits, key="u7")
    ttl = redis.Redis.from_url(redis_url).pttl("t-expire:send:u7")
    assert 0 < ttl <= 1001


def test_buckets_on_a_clock_of_the_callers_own_outlive_redis_expiry(redis_url):
    """A test clock stands still while Redis expires keys in real time: a bucket that expired
    between two sends of a slow test would hand its tokens back."""
    import redis

    clock = FakeClock(5_000.0)
    limits = limiter("5,1/s", clock, RedisStorage(redis_url, prefix="t-own", clock=clock))
    passes(limits, key="u7")
    ttl = redis.Redis.from_url(redis_url).pttl("t-own:send:u7")
    assert OWN_CLOCK_KEEP_MS - 5_000 < ttl <= OWN_CLOCK_KEEP_MS


def test_an_unreachable_redis_falls_back_to_this_process_and_does_not_fail():
    from tests.e2e.live import free_port

    clock = FakeClock(5_000.0)
    storage = RedisStorage(f"redis://127.0.0.1:{free_port()}/0", prefix="t-down", clock=clock)
    limits = limiter("2,1/m", clock, storage)

    assert [passes(limits), passes(limits)] == [0, 0]
    assert passes(limits) == pytest.approx(60.0)


def test_clear_empties_only_its_own_prefix(redis_url):
    clock = FakeClock(5_000.0)
    mine = RedisStorage(redis_url, prefix="t-mine", clock=clock)
    other = RedisStorage(redis_url, prefix="t-other", clock=clock)
    rate = parse_rate("1,1/m")
    mine.acquire("k", rate)
    other.acquire("k", rate)

    mine.clear()

    assert mine.acquire("k", rate) == 0
    assert other.acquire("k", rate) == pytest.approx(60.0)


def test_a_mistyped_limit_fails_the_system_check(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.PARLEY_RATE_LIMITS = {
        **settings.PARLEY_RATE_LIMITS,
        "RATES": {**settings.PARLEY_RATE_LIMITS["RATES"], "send": "20/5"},
    }
    with pytest.raises(SystemCheckError, match=r"parley\.E001"):
        call_command("check")


def test_the_default_limits_pass_the_system_check():
    from parley.core.checks import check_rate_limits

    assert check_rate_limits() == []
