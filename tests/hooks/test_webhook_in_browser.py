"""A webhook's messages in a real browser: the owner makes the webhook on the settings page, a
program posts, and the room shows the display name with a "BOT" badge, live (the script's rows)
and after a reload (the server's rows) alike."""

from __future__ import annotations

import re

import httpx
import pytest

# The browser tests' fixtures (a Chromium, a live server, one browser context per person).
from tests.e2e.browser.conftest import _server, _stop_hub, browser, person, server  # noqa: F401
from tests.e2e.browser.tooling import unique

pytestmark = pytest.mark.live


def bot_row_looks_right(ada, text: str, name: str) -> None:
    row = ada.message(text)
    ada.expect(row.locator(".item__author")).to_have_text(name)
    ada.expect(row.locator(".item__bot")).to_be_visible()
    ada.expect(row.locator(".item__bot")).to_have_text("BOT")
    ada.expect(row.locator(".item__avatar")).to_have_text(name[0].upper())


def test_webhook_message_shows_its_name_and_a_bot_badge(person, server):  # noqa: F811
    ada = person("ada").sign_up()
    slug = unique("hooks-")
    ada.create_room("Hooks", slug)

    page = ada.page
    page.goto(f"/rooms/{slug}/settings/")
    page.fill("#webhook-name", "Alertmanager")
    page.get_by_role("button", name="Make webhook").click()
    url = page.locator("#new-webhook-url").input_value()
    assert re.fullmatch(rf"{re.escape(server.base_url)}/hooks/[a-z0-9]{{12}}_[\w-]{{43}}", url)

    ada.open_room(slug)
    ada.say("my own words")
    ada.expect(ada.message("my own words")).to_have_count(1)
    response = httpx.post(url, json={"text": "disk *full*", "username": "Grafana"}, timeout=10)
    assert (response.status_code, response.text) == (200, "ok")

    bot_row_looks_right(ada, "disk full", "Grafana")
    ada.expect(ada.message("disk full").locator("strong")).to_have_text("full")
    ada.expect(ada.message("my own words").locator(".item__bot")).to_be_hidden()

    page.reload()
    ada.wait_live()
    bot_row_looks_right(ada, "disk full", "Grafana")
    ada.expect(ada.message("my own words").locator(".item__bot")).to_be_hidden()
    assert ada.errors == []
