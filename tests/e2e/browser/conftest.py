"""Fixtures for the browser tests: a real server process, Debian's Chromium, one context per user.

Without Playwright or /usr/bin/chromium the tests skip with the reason; under CI=true they fail.
"""

import uuid

import pytest

from tests.conftest import skip_or_fail
from tests.e2e.browser.tooling import EXPECT_TIMEOUT_MS, Person, launch, missing, unique
from tests.e2e.live import LiveServer


@pytest.fixture(scope="module")
def browser():
    reason = missing()
    if reason:
        skip_or_fail(f"browser tests need Playwright and Chromium: {reason}")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def _server(browser, tmp_path_factory, request):
    # Not a rate-limit test: seeding a long history must not be throttled. A test module may add
    # settings of its own with a module-level SERVER_ENV dict (each module gets its own server).
    # With REDIS_URL, rate buckets and the channel layer live in Redis, keyed by user and room
    # ids that every module's fresh database hands out again: each server has its own prefix.
    env = {
        "PARLEY_RATE_LIMITS": "off",
        "PARLEY_REDIS_PREFIX": f"browser-{uuid.uuid4().hex[:8]}",
        **getattr(request.module, "SERVER_ENV", {}),
    }
    live = LiveServer(tmp_path_factory.mktemp("browser"), env=env)
    live.prepare()
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
def server(_server):
    """The module's server, started again if an earlier test left it stopped."""
    if _server.process is None or _server.process.poll() is not None:
        _server.start()
    return _server


@pytest.fixture
def person(browser, server):
    """person("ada") -> a Person in a fresh browser context; every context closes at the end.

    The username gets a random suffix (tests share one server); the page must not have thrown.
    """
    people: list[Person] = []

    def make(prefix: str, **options) -> Person:
        someone = Person(browser, server.base_url, unique(prefix), **options)
        people.append(someone)
        return someone

    yield make
    errors = {p.username: p.errors for p in people if p.errors}
    for someone in people:
        someone.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def _stop_hub():
    """The browser tests talk to a server process: there is no in-process hub to stop.

    (Overrides the autouse async fixture of tests/conftest.py, whose event loop would otherwise
    run around Playwright's synchronous API.)
    """
    yield
