"""Every page carries a Content-Security-Policy without inline scripts, and the usual security
headers; production settings pass `manage.py check --deploy` with no warning."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import UserFactory, make_room
from tests.web.test_pages import assert_no_inline_code

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_safe_headers(response) -> None:
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no host
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["connect-src"] == ["'self'"]
    assert set(csp["img-src"]) == {"'self'", "data:"}
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.fixture
def world():
    ada = UserFactory(username="ada")
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    room = make_room(ada, slug="general")
    return ada, root, room


ANONYMOUS_PAGES = [
    ("/accounts/login/", 200),
    ("/accounts/signup/", 200),
    ("/", 302),
    ("/healthz", 200),
    ("/admin/login/", 200),
]
USER_PAGES = [
    ("/", 200),
    ("/rooms/new/", 200),
    ("/rooms/general/", 200),
    ("/rooms/general/settings/", 200),
    ("/rooms/no-such-room/", 404),
    ("/accounts/password_change/", 200),
    ("/accounts/password_change/done/", 200),
]
ADMIN_PAGES = [
    ("/admin/", 200),
    ("/admin/rooms/room/", 200),
    ("/admin/rooms/room/add/", 200),
    ("/admin/auth/user/", 200),
    ("/admin/rooms/membership/add/", 200),
]


@pytest.mark.parametrize(("path", "status"), ANONYMOUS_PAGES)
def test_anonymous_pages_carry_the_policy_and_headers(world, path, status):
    response = Client().get(path)
    assert response.status_code == status
    assert_safe_headers(response)


@pytest.mark.parametrize(("path", "status"), USER_PAGES)
def test_signed_in_pages_carry_the_policy_and_headers_and_no_inline_code(world, path, status):
    ada, _, _ = world
    client = Client()
    client.force_login(ada)
    response = client.get(path)
    assert response.status_code == status
    assert_safe_headers(response)
    if status == 200:
        assert_no_inline_code(response.text)


@pytest.mark.parametrize(("path", "status"), ADMIN_PAGES)
def test_admin_pages_carry_the_same_policy(world, path, status):
    _, root, _ = world
    client = Client()
    client.force_login(root)
    response = client.get(path)
    assert response.status_code == status
    assert_safe_headers(response)
    assert_admin_has_no_inline_script(response.text)


def assert_admin_has_no_inline_script(html: str) -> None:
    """The admin's own scripts are files (with data in data- attributes): the policy holds."""
    from tests.web.test_pages import tags_of

    scripts = [attrs for tag, attrs in tags_of(html) if tag == "script"]
    assert scripts, "expected the admin's scripts"
    for attrs in scripts:
        assert attrs.get("src") or attrs.get("type") == "application/json", attrs


def test_refusal_pages_carry_the_policy(world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 1
    locked = Client().post("/accounts/login/", {"username": "ada", "password": "wrong"})
    assert locked.status_code == 429
    assert_safe_headers(locked)
    assert_no_inline_code(locked.text)


def test_markup_in_names_and_bodies_is_text_on_every_page(world):
    from parley.rooms import services

    ada, _, _ = world
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    mallory = UserFactory(username="mallory")
    room = make_room(mallory, slug="evil", name=f"Room {evil}")
    services.room_join(user=ada, room=room)
    services.message_post(user=mallory, room_slug="evil", body=evil, client_id="x1")
    client = Client()
    client.force_login(ada)

    for path in ("/", "/rooms/evil/", "/rooms/general/"):
        page = client.get(path)
        assert "<script>alert" not in page.text
        assert "<img src=x" not in page.text
        assert_no_inline_code(page.text)
    room_page = client.get("/rooms/evil/").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in room_page


# -- production settings -------------------------------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "x7Qm2-production-like-secret-key-9pLr4vTz8KbW3nYc6HdF1sJa5GuE0oRi",
    "ALLOWED_HOSTS": "chat.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://chat.example.com",
}


def run_with_production_settings(args: list[str], tmp_path, **env) -> subprocess.CompletedProcess:
    """Run Python with production settings; an `env` value of None removes that variable."""
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        **PRODUCTION_ENV,
        "PARLEY_DATA_DIR": str(tmp_path),
        **env,
    }
    environment = {k: v for k, v in environment.items() if v is not None}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    result = run_with_production_settings(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("secret_key", [None, "", "short-key"], ids=["unset", "empty", "short"])
def test_production_settings_refuse_to_start_without_a_real_secret_key(tmp_path, secret_key):
    result = run_with_production_settings(["manage.py", "check"], tmp_path, SECRET_KEY=secret_key)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


PRINT_SETTINGS = """
import django, json
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in [
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "CSRF_TRUSTED_ORIGINS", "SECURE_PROXY_SSL_HEADER", "AXES_ENABLED",
]} | {"RATE_LIMITS": s.PARLEY_RATE_LIMITS["ENABLED"]}))
"""


def production_settings(tmp_path, **env) -> dict:
    result = run_with_production_settings(["-c", PRINT_SETTINGS], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_hardening_is_on_by_default(tmp_path):
    values = production_settings(tmp_path)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://chat.example.com"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["AXES_ENABLED"] is True
    assert values["RATE_LIMITS"] is True


def test_production_hardening_is_configurable(tmp_path):
    values = production_settings(
        tmp_path,
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_PRELOAD="false",
        CSRF_TRUSTED_ORIGINS="https://a.example,https://b.example",
        PARLEY_RATE_LIMITS="off",
    )
    assert values["SECURE_HSTS_SECONDS"] == 3600
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://a.example", "https://b.example"]
    assert values["RATE_LIMITS"] is False
