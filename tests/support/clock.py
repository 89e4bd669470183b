"""A clock that moves only when the test says so: rate limit buckets, the typing throttle."""


class FakeClock:
    """Seconds that pass only when the test says so (`advance`, or setting `now`)."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
