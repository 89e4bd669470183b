"""Incoming webhooks, the domain (parley/rooms/services/webhooks.py): made by a room's owner, a bot
user of their own in the room, a token stored as prefix + SHA-256, posting through message_post."""

import hashlib

import pytest
from django.contrib.auth import get_user_model

from parley.accounts.bots import bot_create
from parley.accounts.models import Bot
from parley.core.errors import Forbidden, InvalidInput, NotAMember, RateLimited
from parley.rooms import selectors, services
from parley.rooms.models import IncomingWebhook, Item, Membership
from parley.rooms.values import item_value
from parley.wire import frames
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook(ada, general):
    webhook, token = services.webhook_create(room=general, by=ada, name="Alerts")
    return webhook, token


def test_owner_makes_a_webhook_whose_bot_user_joins_the_room(ada, general, hook):
    webhook, token = hook

    bot = webhook.user
    assert bot.username == f"hook-{webhook.prefix}"
    assert not bot.has_usable_password()
    assert Bot.objects.get(user=bot).owner == ada
    assert Membership.objects.filter(room=general, user=bot).exists()
    join = general.items.order_by("-seq").first()
    assert (join.kind, join.user) == (Item.Kind.JOIN, bot)
    assert webhook.created_by == ada and webhook.name == "Alerts"


def test_token_is_stored_only_as_its_prefix_and_digest(hook):
    webhook, token = hook

    assert token.startswith(webhook.prefix + "_")
    assert webhook.digest == hashlib.sha256(token.encode()).hexdigest()
    row = IncomingWebhook.objects.filter(pk=webhook.pk).values().get()
    assert all(token not in str(value) for value in row.values())


def test_lookup_finds_the_webhook_by_its_token_and_nothing_by_a_wrong_one(hook):
    webhook, token = hook

    assert services.webhook_lookup(token) == webhook
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (wrong, "", "x" * 10_000, token + "\n", token[:20], None, "a\x00b"):
        assert services.webhook_lookup(bad) is None


def test_non_owner_cannot_make_a_webhook(bob, general_with_bob):
    with pytest.raises(Forbidden):
        services.webhook_create(room=general_with_bob, by=bob, name="Mine")
    assert not IncomingWebhook.objects.exists()


def test_staff_may_make_a_webhook_in_a_room_they_do_not_own(general):
    staff = UserFactory(username="root", is_staff=True)
    webhook, _ = services.webhook_create(room=general, by=staff, name="Ops")
    assert webhook.room == general


@pytest.mark.parametrize("name", ["", "   ", "n" * 81, "a\x00b"])
def test_webhook_name_must_be_one_to_eighty_characters(ada, general, name):
    with pytest.raises(InvalidInput):
        services.webhook_create(room=general, by=ada, name=name)
    assert not IncomingWebhook.objects.exists()
    assert not Bot.objects.exists()


def test_a_staff_only_room_has_no_webhooks_and_nothing_is_left_behind():
    staff = UserFactory(username="root", is_staff=True)
    room = make_room(staff, slug="ops", staff_only=True)
    users = get_user_model().objects.count()
    with pytest.raises(InvalidInput):
        services.webhook_create(room=room, by=staff, name="Ops")
    assert get_user_model().objects.count() == users


def test_post_stores_the_message_as_the_bot_with_the_display_name(general, hook):
    webhook, _ = hook

    result = services.webhook_post(webhook=webhook, body="**deploy** done", display_name="")

    item = Item.objects.get(pk=result.item.pk)
    assert (item.user, item.display_name, item.body) == (webhook.user, "Alerts", "**deploy** done")
    assert "<strong>deploy</strong>" in item.html


def test_payload_username_names_that_one_message(general, hook):
    webhook, _ = hook

    first = services.webhook_post(webhook=webhook, body="one", display_name="CI").item
    second = services.webhook_post(webhook=webhook, body="two", display_name="").item

    assert (first.display_name, second.display_name) == ("CI", "Alerts")


def test_item_frame_carries_display_name_and_bot_flag(general, hook, ada):
    webhook, _ = hook
    services.webhook_post(webhook=webhook, body="hello", display_name="Grafana")
    services.message_post(user=ada, room_slug="general", body="hi", client_id="c1")

    items = selectors.room_latest_items(general.pk, limit=10)
    authors = [frames.item(item_value(i, room_slug="general")) for i in items]
    message_authors = [f["author"] for f in authors if f["type"] == "message"]

    assert message_authors == [
        {"username": webhook.user.username, "display_name": "Grafana", "bot": True},
        {"username": "ada"},
    ]
    join = next(f for f in authors if f["type"] == "event" and f["user"]["username"] != "ada")
    assert join["user"] == {"username": webhook.user.username, "bot": True}


def test_reading_items_asks_nothing_per_item_for_the_bot_flag(
    general, hook, django_assert_max_num_queries
):
    webhook, _ = hook
    for n in range(5):
        services.webhook_post(webhook=webhook, body=f"m{n}", display_name="")

    with django_assert_max_num_queries(1):
        items = selectors.room_latest_items(general.pk, limit=50)
        values = [item_value(i, room_slug="general") for i in items]

    assert sum(v.bot for v in values) == 6  # the bot's join and its five messages


def test_regenerate_replaces_the_token(ada, hook):
    webhook, old = hook

    new = services.webhook_regenerate(webhook=webhook, by=ada)

    assert new != old and new.startswith(webhook.prefix + "_")
    assert services.webhook_lookup(old) is None
    assert services.webhook_lookup(new) == webhook


def test_delete_revokes_the_token_and_the_bot_leaves(ada, general, hook):
    webhook, token = hook

    services.webhook_delete(webhook=webhook, by=ada)

    assert services.webhook_lookup(token) is None
    assert not Membership.objects.filter(room=general, user=webhook.user).exists()
    assert general.items.order_by("-seq").first().kind == Item.Kind.LEAVE
    assert IncomingWebhook.objects.get(pk=webhook.pk).revoked_at is not None
    assert list(services.room_webhooks(general)) == []


def test_non_owner_cannot_regenerate_or_delete(bob, general_with_bob, ada):
    webhook, token = services.webhook_create(room=general_with_bob, by=ada, name="A")
    with pytest.raises(Forbidden):
        services.webhook_regenerate(webhook=webhook, by=bob)
    with pytest.raises(Forbidden):
        services.webhook_delete(webhook=webhook, by=bob)
    assert services.webhook_lookup(token) == webhook


def test_bot_removed_from_the_room_cannot_post(ada, general, hook):
    webhook, _ = hook
    services.membership_remove(actor=ada, room=general, username=webhook.user.username)

    with pytest.raises(NotAMember):
        services.webhook_post(webhook=webhook, body="still here?", display_name="")


def test_webhook_posts_count_against_its_own_send_limit(general, hook, rate_limits):
    webhook, _ = hook
    rate_limits.configure(send="2,1/m")
    services.webhook_post(webhook=webhook, body="1", display_name="")
    services.webhook_post(webhook=webhook, body="2", display_name="")

    with pytest.raises(RateLimited) as refused:
        services.webhook_post(webhook=webhook, body="3", display_name="")
    assert refused.value.retry_after > 0


def test_post_notes_the_last_use(hook):
    webhook, _ = hook
    assert webhook.last_used_at is None

    services.webhook_post(webhook=webhook, body="x", display_name="")

    assert IncomingWebhook.objects.get(pk=webhook.pk).last_used_at is not None


def test_plain_messages_still_post_through_the_fast_path_without_a_display_name(ada, general):
    item = services.message_post(user=ada, room_slug="general", body="x", client_id="c").item
    assert Item.objects.get(pk=item.pk).display_name == ""


def test_a_bot_made_by_staff_posts_with_the_bot_flag_and_no_display_name(general):
    bot = bot_create(username="deploybot", owner=None)
    services.room_join(user=bot, room=general)

    item = services.message_post(user=bot, room_slug="general", body="hi", client_id="b1").item

    assert frames.item(item_value(item, room_slug="general"))["author"] == {
        "username": "deploybot",
        "bot": True,
    }


def test_staff_revoke_a_webhook_in_the_admin_and_its_bot_leaves(admin_client, general, hook):
    webhook, token = hook

    listed = admin_client.get("/admin/rooms/incomingwebhook/")
    assert listed.status_code == 200 and "Alerts" in listed.content.decode()
    assert token not in listed.content.decode() and webhook.digest not in listed.content.decode()
    response = admin_client.post(
        "/admin/rooms/incomingwebhook/",
        {"action": "revoke", "_selected_action": [webhook.pk]},
    )

    assert response.status_code == 302
    assert services.webhook_lookup(token) is None
    assert not Membership.objects.filter(room=general, user=webhook.user).exists()
    assert general.items.order_by("-seq").first().kind == Item.Kind.LEAVE
