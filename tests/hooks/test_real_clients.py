"""Real webhook clients from PyPI against a real server process (uvicorn, as `make serve` runs
it): Slack's `slack_sdk`, Apprise's Mattermost target, and plain HTTP posts shaped like
Alertmanager's and GitHub Actions' Slack payloads. None of them knows Parley."""

import html
import json
import re
import uuid

import apprise
import httpx
import pytest
from slack_sdk.webhook import WebhookClient

from tests.e2e.live import HttpSession, LiveServer

pytestmark = pytest.mark.live

HOOK_URL = re.compile(r'value="(http://127\.0\.0\.1:\d+/hooks/([a-z0-9]{12}_[A-Za-z0-9_-]{43}))"')
INITIAL_ITEMS = re.compile(
    r'<script id="initial-items" type="application/json">(.*?)</script>', re.S
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # A room per test: more rooms than one user may make by default in ten minutes.
    live = LiveServer(
        tmp_path_factory.mktemp("hooks-live"), env={"PARLEY_RATE_ROOM_CREATE": "50,50/m"}
    )
    live.prepare()
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def owner(server):
    session = HttpSession(server.base_url)
    session.signup(f"ada{uuid.uuid4().hex[:8]}")
    return session


@pytest.fixture
def room(owner):
    slug = f"ops-{uuid.uuid4().hex[:8]}"
    status, _, url = owner.post_form(
        "/rooms/new/", {"name": "Ops", "slug": slug, "visibility": "public"}
    )
    assert url.endswith(f"/rooms/{slug}/"), (status, url)
    return slug


def make_webhook(owner, slug, name="Monitoring"):
    """The webhook's secret URL, as the settings page shows it once."""
    status, page, _ = owner.post_form(
        f"/rooms/{slug}/settings/", {"action": "webhook", "name": name}
    )
    assert status == 200
    (url, token) = HOOK_URL.search(page).groups()
    return html.unescape(url), token


def room_messages(owner, slug):
    """The room's messages as the room page hands them to its script."""
    status, page = owner.get(f"/rooms/{slug}/")
    assert status == 200
    items = json.loads(html.unescape(INITIAL_ITEMS.search(page).group(1)))
    return [item for item in items if item["type"] == "message"]


def test_slack_sdk_webhook_client_posts_text_and_blocks(owner, room):
    url, _ = make_webhook(owner, room, name="Slack SDK")

    response = WebhookClient(url).send(
        text="fallback text",
        blocks=[
            {"type": "header", "text": {"type": "plain_text", "text": "Deploy finished"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "*prod* is <https://x.test|up>"},
            },
        ],
    )

    assert (response.status_code, response.body) == (200, "ok")
    (message,) = room_messages(owner, room)
    assert message["body"] == "**Deploy finished**\n\n**prod** is [up](https://x.test)"
    assert message["author"]["display_name"] == "Slack SDK"
    assert message["author"]["bot"] is True
    assert "<strong>prod</strong>" in message["html"]


def test_slack_sdk_sees_slacks_answers_for_refusals(owner, room, server):
    url, token = make_webhook(owner, room)

    empty = WebhookClient(url).send(text="")
    unknown = WebhookClient(url.replace(token, token[:-3] + "abc")).send(text="x")

    assert (empty.status_code, empty.body) == (400, "no_text")
    assert (unknown.status_code, unknown.body) == (404, "no_service")


def test_apprise_mattermost_target_delivers(owner, room, server):
    _, token = make_webhook(owner, room, name="Apprise hook")
    notifier = apprise.Apprise()
    assert notifier.add(f"mmost://127.0.0.1:{server.port}/{token}")

    assert notifier.notify(title="Backup", body="Nightly backup finished")

    (message,) = room_messages(owner, room)
    assert "Nightly backup finished" in message["body"]
    assert message["author"]["bot"] is True
    # Apprise names itself as the message's `username`: that one message shows it.
    assert message["author"]["display_name"]


def test_alertmanager_shaped_payload_arrives(owner, room):
    url, _ = make_webhook(owner, room, name="Alertmanager")
    # What Alertmanager's slack_configs post with their default templates (attachments).
    payload = {
        "channel": "#ops",
        "username": "Alertmanager",
        "icon_emoji": ":rotating_light:",
        "link_names": False,
        "attachments": [
            {
                "title": "[FIRING:1] HighCPU (web-1 critical)",
                "title_link": "http://alertmanager:9093/#/alerts?receiver=parley",
                "pretext": "",
                "text": "*Alert:* CPU over 90% - `critical`\n*Description:* web-1 at 97%",
                "fallback": "[FIRING:1] HighCPU | http://alertmanager:9093/",
                "callback_id": "",
                "footer": "",
                "color": "danger",
                "mrkdwn_in": ["fallback", "pretext", "text"],
                "fields": [{"title": "severity", "value": "critical", "short": True}],
                "actions": [],
            }
        ],
    }

    response = httpx.post(url, json=payload, timeout=10)

    assert (response.status_code, response.text) == (200, "ok")
    assert response.headers["content-type"].startswith("text/plain")
    (message,) = room_messages(owner, room)
    assert message["author"]["display_name"] == "Alertmanager"
    assert message["body"].startswith(
        "**[\\[FIRING:1\\] HighCPU (web-1 critical)](http://alertmanager:9093/#/alerts?receiver=parley)**"
    )
    assert "**Alert:** CPU over 90% - `critical`" in message["body"]
    assert "**severity**: critical" in message["body"]


def test_github_actions_slack_payload_arrives(owner, room):
    url, _ = make_webhook(owner, room, name="GitHub Actions")
    # slackapi/slack-github-action with `webhook-type: incoming-webhook` posts its `payload`.
    payload = {
        "text": "*GitHub Action build result*: success\nhttps://github.com/o/r/commit/abc",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "GitHub Action build result: success\nhttps://github.com/o/r/commit/abc",
                },
            }
        ],
    }

    response = httpx.post(url, json=payload, timeout=10)

    assert (response.status_code, response.text) == (200, "ok")
    (message,) = room_messages(owner, room)
    assert message["body"] == (
        "GitHub Action build result: success\nhttps://github.com/o/r/commit/abc"
    )
    assert message["author"] == {
        "username": message["author"]["username"],
        "display_name": "GitHub Actions",
        "bot": True,
    }


def test_curl_form_post_and_oversized_body(owner, room):
    url, _ = make_webhook(owner, room, name="curl")

    form = httpx.post(url, data={"payload": json.dumps({"text": "from a form"})}, timeout=10)
    huge = httpx.post(url, content=b"{" + b" " * (1024 * 1024) + b"}", timeout=10)

    assert (form.status_code, form.text) == (200, "ok")
    assert huge.status_code == 413
    assert [m["body"] for m in room_messages(owner, room)] == ["from a form"]
