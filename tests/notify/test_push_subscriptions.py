"""`GET /push/key` and `/push/subscriptions` (PROTOCOL "Web Push"): the key a browser subscribes
with, subscriptions kept for their user through a session (with CSRF) or a token, and every bad
subscription refused with a JSON error and nothing stored."""

import json
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client

from parley.accounts.tokens import token_create
from parley.notify.models import PushSubscription
from tests.notify.push_fixtures import private_allowed, push_settings
from tests.notify.push_service import b64url, unb64url

__all__ = ["private_allowed", "push_settings"]

pytestmark = pytest.mark.django_db

URL = "/push/subscriptions"


def p256_point() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    raw = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(raw)


def subscription(endpoint="https://push.example.net/send/abc", **keys) -> dict:
    return {
        "endpoint": endpoint,
        "keys": {"p256dh": p256_point(), "auth": b64url(os.urandom(16)), **keys},
    }


@pytest.fixture
def public_dns(monkeypatch):
    """push.example.net and friends resolve to a public address (no real DNS in tests)."""
    import socket

    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host.endswith(".example.net"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]
        if host == "intranet.example.org":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.fixture
def browser(ada):
    """ada's signed-in browser, which sends CSRF tokens as a page's script does."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    client.get("/")
    return client


def csrf(client) -> dict:
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


def post(client, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data, content_type="application/json", **extra)


def delete(client, body, **extra):
    return client.delete(URL, json.dumps(body), content_type="application/json", **extra)


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_the_key_is_an_uncompressed_p256_point_kept_across_restarts_in_the_data_folder(
    client, push_settings
):
    from parley.notify import vapid

    first = client.get("/push/key")
    assert first.status_code == 200
    key = first.json()["key"]
    raw = unb64url(key)
    assert len(raw) == 65 and raw[0] == 4
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    vapid._keys.cache_clear()  # as a restarted server: read from the file, not made again
    assert client.get("/push/key").json()["key"] == key


def test_a_key_from_the_environment_is_used_and_a_mismatched_public_key_is_refused(
    client, settings, push_settings
):
    from django.core.exceptions import ImproperlyConfigured

    from parley.notify import vapid

    private = ec.generate_private_key(ec.SECP256R1())
    raw = private.private_numbers().private_value.to_bytes(32, "big")
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    settings.PARLEY_PUSH = {**push_settings, "VAPID_PRIVATE_KEY": b64url(raw)}
    assert client.get("/push/key").json()["key"] == b64url(public)
    settings.PARLEY_PUSH = {
        **push_settings,
        "VAPID_PRIVATE_KEY": b64url(raw),
        "VAPID_PUBLIC_KEY": p256_point(),
    }
    with pytest.raises(ImproperlyConfigured):
        vapid.vapid_keys()


def test_a_signed_in_browser_subscribes_and_unsubscribes(browser, ada, public_dns):
    body = subscription()
    response = post(browser, body, **csrf(browser))
    assert response.status_code == 201
    stored = PushSubscription.objects.get()
    assert (stored.user, stored.endpoint) == (ada, body["endpoint"])
    assert stored.p256dh == body["keys"]["p256dh"]

    assert delete(browser, {"endpoint": body["endpoint"]}, **csrf(browser)).status_code == 204
    assert not PushSubscription.objects.exists()


def test_a_session_request_without_its_csrf_token_is_refused(browser, public_dns):
    response = post(browser, subscription())
    assert response.status_code == 403
    assert error_code(response) == "forbidden"
    assert not PushSubscription.objects.exists()


def test_a_token_subscribes_without_csrf_and_a_wrong_token_or_no_one_is_401(bob, public_dns):
    _token, raw = token_create(user=bob, name="phone")
    client = Client(enforce_csrf_checks=True)
    ok = post(client, subscription(), HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert ok.status_code == 201
    assert PushSubscription.objects.get().user == bob

    wrong = post(client, subscription(), HTTP_AUTHORIZATION="Bearer parley_nope")
    nobody = post(client, subscription())
    assert (wrong.status_code, error_code(wrong)) == (401, "unauthenticated")
    assert (nobody.status_code, error_code(nobody)) == (401, "unauthenticated")
    assert PushSubscription.objects.count() == 1


def test_an_endpoint_subscribed_again_moves_to_whoever_subscribed_last(
    browser, ada, bob, public_dns
):
    body = subscription()
    _token, raw = token_create(user=bob, name="phone")
    assert post(Client(), body, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 201
    renewed = subscription(endpoint=body["endpoint"])
    assert post(browser, renewed, **csrf(browser)).status_code == 201
    stored = PushSubscription.objects.get()
    assert (stored.user, stored.p256dh) == (ada, renewed["keys"]["p256dh"])
    # bob cannot remove what is now ada's.
    delete(Client(), {"endpoint": body["endpoint"]}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert PushSubscription.objects.filter(user=ada).exists()


@pytest.mark.parametrize(
    ("endpoint", "why"),
    [
        ("http://push.example.net/send/1", "not https"),
        ("https://127.0.0.1/send/1", "loopback"),
        ("https://10.0.0.7/send/1", "private"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://[::1]/send/1", "loopback IPv6"),
        ("https://[::ffff:192.168.1.1]/send/1", "private inside IPv6"),
        ("https://intranet.example.org/send/1", "a name resolving to a private address"),
        ("ftp://push.example.net/1", "not http at all"),
        ("https://user:pw@push.example.net/1", "credentials in the URL"),
        ("not a url", "not a URL"),
        ("https://push.example.net/" + "a" * 2000, "too long"),
        ("", "empty"),
        (42, "not a string"),
    ],
)
def test_endpoints_that_are_not_https_on_a_public_address_are_refused(
    browser, public_dns, endpoint, why
):
    response = post(browser, subscription(endpoint=endpoint), **csrf(browser))
    assert response.status_code == 400, why
    assert error_code(response) == "invalid", why
    assert not PushSubscription.objects.exists()


def test_private_endpoints_are_taken_when_private_targets_are_allowed(browser, private_allowed):
    response = post(browser, subscription(endpoint="http://127.0.0.1:9/send/1"), **csrf(browser))
    assert response.status_code == 201


def p384_point() -> str:
    key = ec.generate_private_key(ec.SECP384R1()).public_key()
    return b64url(
        key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )


@pytest.mark.parametrize(
    ("keys", "why"),
    [
        ({"p256dh": p384_point()}, "a P-384 key"),
        ({"p256dh": b64url(b"\x04" + os.urandom(64))}, "65 bytes off the curve"),
        ({"p256dh": b64url(b"\x04" + b"\x01" * 63)}, "too short"),
        ({"p256dh": "!!!not base64!!!"}, "not base64url"),
        ({"p256dh": ""}, "empty"),
        ({"p256dh": None}, "missing"),
        ({"auth": b64url(os.urandom(15))}, "an auth secret of 15 bytes"),
        ({"auth": b64url(os.urandom(32))}, "an auth secret of 32 bytes"),
        ({"auth": 7}, "an auth secret that is not text"),
    ],
)
def test_keys_of_the_wrong_length_or_curve_are_refused(browser, public_dns, keys, why):
    response = post(browser, subscription(**keys), **csrf(browser))
    assert response.status_code == 400, why
    assert error_code(response) == "invalid", why
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps([1, 2]),
        json.dumps({"endpoint": "https://push.example.net/1"}),
        json.dumps({"endpoint": "https://push.example.net/1", "keys": "x"}),
    ],
)
def test_bodies_that_are_not_a_subscription_are_refused(browser, public_dns, body):
    response = post(browser, body, **csrf(browser))
    assert response.status_code == 400
    assert error_code(response) in {"invalid", "bad_frame"}
    assert not PushSubscription.objects.exists()


def test_an_oversized_body_is_413(browser, public_dns):
    body = subscription()
    body["padding"] = "x" * 20_000
    response = post(browser, body, **csrf(browser))
    assert (response.status_code, error_code(response)) == (413, "too_large")


def test_a_thousand_subscriptions_of_one_user_keep_only_the_newest(
    ada, public_dns, settings, push_settings
):
    settings.PARLEY_PUSH = {**push_settings, "MAX_SUBSCRIPTIONS_PER_USER": 20}
    _token, raw = token_create(user=ada, name="script")
    client = Client()
    bodies = [subscription(endpoint=f"https://push.example.net/s/{n}") for n in range(1000)]
    for body in bodies:
        assert post(client, body, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 201
    kept = set(PushSubscription.objects.filter(user=ada).values_list("endpoint", flat=True))
    assert kept == {body["endpoint"] for body in bodies[-20:]}


def test_other_methods_are_405_json(browser):
    response = browser.get(URL)
    assert response.status_code == 405
    assert error_code(response) == "method_not_allowed"


def test_unknown_endpoint_delete_is_204_and_a_bad_one_is_400(browser):
    assert (
        delete(browser, {"endpoint": "https://x.example.net/1"}, **csrf(browser)).status_code == 204
    )
    bad = delete(browser, {"endpoint": 5}, **csrf(browser))
    assert (bad.status_code, error_code(bad)) == (400, "invalid")


def test_the_key_is_public_and_read_only(client):
    assert client.get("/push/key").status_code == 200  # a signed-out page may ask for it
    response = client.post("/push/key")
    assert (response.status_code, error_code(response)) == (405, "method_not_allowed")
