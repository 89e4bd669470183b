"""The digest loop starts with a server process (config/asgi.py), once, unless turned off."""

import threading

from parley.notify import background


def test_the_digest_loop_does_not_start_when_turned_off(settings, monkeypatch):
    settings.PARLEY_EMAIL_DIGESTS = False
    monkeypatch.setattr(background, "_thread", None)
    assert background.start_background() is False
    assert background._thread is None


def test_the_digest_loop_starts_once_in_a_thread_of_its_own(settings, monkeypatch):
    settings.PARLEY_EMAIL_DIGESTS = True
    monkeypatch.setattr(background, "_thread", None)
    ran = threading.Event()
    runs = []

    async def loop():
        runs.append(threading.current_thread().name)
        ran.set()

    monkeypatch.setattr(background, "digest_loop", loop)
    assert background.start_background() is True
    assert background.start_background() is True
    assert ran.wait(10)
    background._thread.join(10)
    assert runs == ["parley-digests"]
