"""`POST /hooks/<token>` through the real app (Django's test client): Slack's answers, the message
as every client sees it."""

import json

import pytest
from django.test import Client

from parley.rooms import selectors, services
from parley.rooms.models import Item
from parley.rooms.values import item_value
from parley.wire import frames

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook(ada, general):
    webhook, token = services.webhook_create(room=general, by=ada, name="Alerts")
    return webhook, token


@pytest.fixture
def outsider():
    """No session, no cookie, CSRF checks on: as a monitoring tool calls."""
    return Client(enforce_csrf_checks=True)


def post_json(client, token, payload, **extra):
    return client.post(f"/hooks/{token}", json.dumps(payload), "application/json", **extra)


def last_message(room):
    item = room.items.filter(kind=Item.Kind.MESSAGE).order_by("-seq").first()
    return frames.item(item_value(item, room_slug=room.slug)) if item else None


def test_json_payload_posts_and_answers_ok_as_text(outsider, general, hook):
    webhook, token = hook

    response = post_json(outsider, token, {"text": "Deploy *done* <https://ci.test|logs>"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"ok"
    frame = last_message(general)
    assert frame["author"] == {
        "username": webhook.user.username,
        "display_name": "Alerts",
        "bot": True,
    }
    assert frame["body"] == "Deploy **done** [logs](https://ci.test)"
    assert "<strong>done</strong>" in frame["html"]
    assert 'href="https://ci.test"' in frame["html"]


def test_form_field_payload_posts_like_json(outsider, general, hook):
    _, token = hook
    payload = json.dumps({"text": "from a form", "username": "Apprise"})

    response = outsider.post(f"/hooks/{token}", {"payload": payload})

    assert (response.status_code, response.content) == (200, b"ok")
    frame = last_message(general)
    assert (frame["body"], frame["author"]["display_name"]) == ("from a form", "Apprise")


def test_json_without_a_content_type_is_read_as_json(outsider, general, hook):
    _, token = hook
    response = outsider.generic(
        "POST", f"/hooks/{token}", json.dumps({"text": "curl -d"}), content_type=""
    )
    assert response.status_code == 200
    assert last_message(general)["body"] == "curl -d"


def test_blocks_and_attachments_become_markdown(outsider, general, hook):
    _, token = hook
    payload = {
        "text": "fallback",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Release"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "_v2_ is out"}},
        ],
        "attachments": [{"title": "Notes", "title_link": "https://x.test/n", "text": "~old~"}],
    }

    assert post_json(outsider, token, payload).status_code == 200

    frame = last_message(general)
    assert frame["body"] == (
        "**Release**\n\n*v2* is out\n\n**[Notes](https://x.test/n)**\n\n~~old~~"
    )
    assert "<em>v2</em>" in frame["html"] and "<s>old</s>" in frame["html"]


def test_mattermost_fields_are_ignored(outsider, general, hook):
    _, token = hook
    payload = {"text": "hi", "channel": "#other", "icon_url": "https://x.test/i.png"}
    assert post_json(outsider, token, payload).status_code == 200
    assert last_message(general)["body"] == "hi"


def test_markup_in_a_payload_is_never_markup_in_the_page(outsider, general, hook):
    _, token = hook
    post_json(outsider, token, {"text": "&lt;script&gt;alert(1)&lt;/script&gt; <b>x</b>"})
    html = last_message(general)["html"]
    assert "<script>" not in html and "<b>" not in html


@pytest.mark.parametrize(
    ("body", "content_type", "answer"),
    [
        ('{"text": ""}', "application/json", b"no_text"),
        ('{"attachments": [{"color": "good"}]}', "application/json", b"no_text"),
        ("not json", "application/json", b"invalid_payload"),
        ("[1, 2]", "application/json", b"invalid_payload"),
        ("NaN", "application/json", b"invalid_payload"),
        ("[" * 20_000 + "]" * 20_000, "text/plain", b"invalid_payload"),
        ("payload=not+json", "application/x-www-form-urlencoded", b"invalid_payload"),
        ("other=1", "application/x-www-form-urlencoded", b"invalid_payload"),
    ],
)
def test_refused_payloads_answer_400_as_text(outsider, general, hook, body, content_type, answer):
    _, token = hook
    count = general.items.count()

    response = outsider.generic("POST", f"/hooks/{token}", body, content_type=content_type)

    assert (response.status_code, response.content) == (400, answer)
    assert response["Content-Type"].startswith("text/plain")
    assert general.items.count() == count


def test_nul_in_a_payload_is_dropped(outsider, general, hook):
    _, token = hook
    payload = {"text": "a\u0000b", "username": "x\u0000y"}
    assert post_json(outsider, token, payload).status_code == 200
    frame = last_message(general)
    assert (frame["body"], frame["author"]["display_name"]) == ("ab", "x y")


def test_deep_nesting_is_refused_not_a_server_error(outsider, hook, settings):
    _, token = hook
    settings.PARLEY = {**settings.PARLEY, "MAX_FORM_BYTES": 1_000_000}
    body = '{"text": "x", "a": ' + "[" * 10_000 + "]" * 10_000 + "}"
    response = outsider.generic("POST", f"/hooks/{token}", body, content_type="application/json")
    assert response.status_code in (200, 400)


def test_unknown_or_malformed_token_is_404(outsider, hook):
    _, token = hook
    for bad in ("nope", token[:-2] + "xx", "a" * 500):
        response = post_json(outsider, bad, {"text": "x"})
        assert (response.status_code, response.content) == (404, b"no_service")


def test_deleted_webhook_is_404_and_posts_nothing(outsider, ada, general, hook):
    webhook, token = hook
    services.webhook_delete(webhook=webhook, by=ada)
    count = general.items.count()

    assert post_json(outsider, token, {"text": "x"}).status_code == 404
    assert general.items.count() == count


def test_regenerated_webhook_refuses_its_old_token(outsider, ada, hook):
    webhook, old = hook
    new = services.webhook_regenerate(webhook=webhook, by=ada)
    assert post_json(outsider, old, {"text": "x"}).status_code == 404
    assert post_json(outsider, new, {"text": "x"}).status_code == 200


def test_body_over_the_limit_is_413_before_it_is_read(outsider, general, hook, settings):
    _, token = hook
    limit = settings.PARLEY["MAX_FORM_BYTES"]
    text = "x" * limit

    response = post_json(outsider, token, {"text": text})

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
    assert not general.items.filter(kind=Item.Kind.MESSAGE).exists()


def test_long_text_is_cut_to_the_message_limit_not_refused(outsider, general, hook, settings):
    _, token = hook
    limit = settings.PARLEY["MAX_BODY_CHARS"]

    assert post_json(outsider, token, {"text": "y" * (limit + 500)}).status_code == 200

    body = last_message(general)["body"]
    assert len(body) == limit and body.endswith("…")


def test_rate_limited_webhook_gets_429_with_retry_after(outsider, general, hook, rate_limits):
    _, token = hook
    rate_limits.configure(send="2,1/m")
    assert post_json(outsider, token, {"text": "1"}).status_code == 200
    assert post_json(outsider, token, {"text": "2"}).status_code == 200

    response = post_json(outsider, token, {"text": "3"})

    assert (response.status_code, response.content) == (429, b"rate_limited")
    assert int(response["Retry-After"]) >= 1
    assert general.items.filter(kind=Item.Kind.MESSAGE).count() == 2


def test_bot_removed_from_the_room_is_403(outsider, ada, general, hook):
    webhook, token = hook
    services.membership_remove(actor=ada, room=general, username=webhook.user.username)
    response = post_json(outsider, token, {"text": "x"})
    assert (response.status_code, response.content) == (403, b"action_prohibited")


def test_get_is_not_allowed(outsider, hook):
    _, token = hook
    response = outsider.get(f"/hooks/{token}")
    assert (response.status_code, response["Allow"]) == (405, "POST")


def test_refusals_are_logged_without_the_secret(outsider, hook, caplog):
    webhook, token = hook
    caplog.set_level("INFO")

    outsider.get(f"/hooks/{token}")
    post_json(outsider, token, {"text": ""})

    secret = token.split("_", 1)[1]
    assert all(secret not in record.getMessage() for record in caplog.records)
    assert sum(webhook.prefix in record.getMessage() for record in caplog.records) == 2


def test_history_shows_the_webhook_message_with_its_author(outsider, ada, general, hook):
    webhook, token = hook
    post_json(outsider, token, {"text": "in history", "username": "Grafana"})

    _, page = selectors.room_history(user=ada, slug="general", before=None, limit=10)
    frame = frames.item(item_value(page.items[-1], room_slug="general"))

    assert frame["author"] == {
        "username": webhook.user.username,
        "display_name": "Grafana",
        "bot": True,
    }
