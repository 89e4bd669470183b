"""Web Push end to end in the process: a message posted through the service reaches the push
worker, which POSTs real pywebpush output to a fake push service on 127.0.0.1. The tests
decrypt it with the subscriber's keys, verify the VAPID token against `GET /push/key`, and
check who gets a push (levels, mentions, preferences, presence), coalescing, and what 410 and a
hanging service do."""

import asyncio
import itertools
import math
import re
import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import timezone

from parley.accounts.bots import bot_create
from parley.accounts.models import NotificationPrefs
from parley.notify import worker
from parley.notify.models import PushSubscription
from parley.notify.subscriptions import subscription_add
from parley.rooms import services
from parley.rooms.models import Item, Membership
from tests.factories import UserFactory
from tests.notify.push_fixtures import private_allowed, push_service, push_settings
from tests.notify.push_service import Browser, vapid_token
from tests.support.socket import connect

__all__ = ["private_allowed", "push_service", "push_settings"]

pytestmark = pytest.mark.django_db(transaction=True)


def subscribed(user, service, name: str | None = None, *, status: int = 201) -> Browser:
    browser = Browser(service, f"/push/{name or user.username}", status=status)
    subscription_add(user=user, data=browser.subscription())
    return browser


def post(user, room, body: str) -> Item:
    return services.message_post(
        user=user, room_slug=room.slug, body=body, client_id=f"c-{Item.objects.count()}"
    ).item


def member(user, room, level: str = "") -> None:
    services.room_join(user=user, room=room)
    if level:
        Membership.objects.filter(room=room, user=user).update(level=level)


def idle() -> None:
    assert worker.wait_idle(20)


def test_a_mention_is_pushed_encrypted_to_the_subscriber_with_a_valid_vapid_token(
    push_service, general_with_bob, ada, bob
):
    server_key = Client().get("/push/key").json()["key"]
    phone = subscribed(bob, push_service)

    message = post(ada, general_with_bob, "@bob the   deploy\nis done")
    [request] = push_service.wait_for_requests(1)

    assert request.method == "POST" and request.path == phone.path
    assert phone.decrypt(request) == {
        "title": "ada in #general",
        "body": "@bob the deploy is done",
        "url": f"/rooms/general/?seq={message.seq}",
        "room": "general",
        "seq": message.seq,
    }
    assert request.headers["TTL"] == "86400"
    assert request.headers["Urgency"] == "high"
    token = vapid_token(request, server_key=server_key)
    assert token.key == server_key
    assert token.header == {"typ": "JWT", "alg": "ES256"}
    assert token.claims["aud"] == f"http://127.0.0.1:{push_service.port}"
    assert token.claims["sub"] == "mailto:ops@example.com"
    assert time.time() < token.claims["exp"] <= time.time() + 24 * 3600
    idle()
    assert PushSubscription.objects.get().last_success_at is not None


def test_each_of_a_users_browsers_gets_the_push(push_service, general_with_bob, ada, bob):
    laptop, phone = subscribed(bob, push_service, "laptop"), subscribed(bob, push_service, "phone")
    post(ada, general_with_bob, "hello @bob")
    push_service.wait_for_requests(2)
    assert [p["body"] for p in laptop.payloads()] == ["hello @bob"]
    assert [p["body"] for p in phone.payloads()] == ["hello @bob"]


def test_a_direct_message_notifies_by_default_with_the_authors_name_as_title(
    push_service, ada, bob
):
    phone = subscribed(bob, push_service)
    room = services.direct_room_open(user=ada, usernames=["bob"]).room
    post(ada, room, "lunch?")
    push_service.wait_for_requests(1)
    [payload] = phone.payloads()
    assert (payload["title"], payload["body"], payload["room"]) == ("ada", "lunch?", room.slug)


def test_only_those_the_rules_say_are_pushed_to(push_service, settings, general, ada):
    """Everyone here is subscribed and mentioned; only dana should hear of it."""
    names = ["dana", "muted", "quiet", "paused", "gone", "mentionsonly"]
    people = {name: UserFactory(username=name) for name in names}
    robot = bot_create(username="robot", owner=ada, outgoing_url="")
    member(people["dana"], general, "all")
    member(people["muted"], general, "none")
    member(people["quiet"], general, "all")
    member(people["paused"], general, "all")
    member(people["gone"], general, "all")
    member(people["mentionsonly"], general, "mentions")
    member(robot, general, "all")
    NotificationPrefs.objects.create(user=people["quiet"], push_notify=False)
    NotificationPrefs.objects.create(
        user=people["paused"], dnd_until=timezone.now() + timedelta(hours=1)
    )
    browsers = {name: subscribed(user, push_service) for name, user in people.items()}
    browsers["robot"] = subscribed(robot, push_service)
    browsers["ada"] = subscribed(ada, push_service)
    people["gone"].is_active = False
    people["gone"].save()

    post(ada, general, "@muted @quiet @paused @gone @robot @ada: status?")
    push_service.wait_for_requests(1)
    idle()

    assert [r.path for r in push_service.received] == [browsers["dana"].path]


def test_mentions_level_hears_a_room_mention_and_a_past_dnd_does_not_pause(
    push_service, general, ada
):
    eve = UserFactory(username="eve")
    member(eve, general, "mentions")
    NotificationPrefs.objects.create(user=eve, dnd_until=timezone.now() - timedelta(minutes=1))
    phone = subscribed(eve, push_service)
    post(ada, general, "no mention here")
    post(ada, general, "@room standup in 5")
    push_service.wait_for_requests(1)
    idle()
    assert [p["body"] for p in phone.payloads()] == ["@room standup in 5"]


def test_a_subscription_answered_410_or_404_is_deleted(push_service, general_with_bob, ada, bob):
    gone = subscribed(bob, push_service, "gone", status=410)
    missing = subscribed(bob, push_service, "missing", status=404)
    kept = subscribed(bob, push_service, "kept")
    post(ada, general_with_bob, "@bob ping")
    push_service.wait_for_requests(3)
    idle()
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [kept.endpoint]
    assert len(gone.received()) == len(missing.received()) == 1


def test_a_failing_service_is_retried_then_counted_and_dropped_past_the_limit(
    push_service, general_with_bob, ada, bob, settings, push_settings
):
    settings.PARLEY_PUSH = {**push_settings, "RETRIES": 2, "MAX_FAILURES": 2}
    broken = subscribed(bob, push_service, "broken", status=503)
    post(ada, general_with_bob, "@bob one")
    push_service.wait_for_requests(3)  # the first try and two retries
    idle()
    assert len(broken.received()) == 3
    assert PushSubscription.objects.get().failures == 1
    settings.PARLEY_PUSH = {**settings.PARLEY_PUSH, "COALESCE_SECONDS": 0}
    post(ada, general_with_bob, "@bob two")
    push_service.wait_for_requests(6)
    idle()
    assert not PushSubscription.objects.exists()


def test_a_refusal_other_than_404_or_410_is_not_retried_but_counted(
    push_service, general_with_bob, ada, bob
):
    refused = subscribed(bob, push_service, "refused", status=400)
    post(ada, general_with_bob, "@bob hi")
    push_service.wait_for_requests(1)
    idle()
    assert len(refused.received()) == 1
    assert PushSubscription.objects.get().failures == 1


def test_a_burst_of_50_messages_is_coalesced_to_one_push_per_window(
    push_service, general, ada, push_settings
):
    window = push_settings["COALESCE_SECONDS"]
    fay = UserFactory(username="fay")
    member(fay, general, "all")
    phone = subscribed(fay, push_service)

    started = time.monotonic()
    items = [post(ada, general, f"message {n}") for n in range(50)]
    posting = time.monotonic() - started
    idle()

    payloads = phone.payloads()
    assert payloads[0]["body"] == "message 0"
    assert payloads[0]["seq"] == items[0].seq
    counted = 1
    for payload in payloads[1:]:
        found = re.fullmatch(r"(\d+) new messages in #general", payload["body"])
        assert found, payload
        assert payload["title"] == "#general"
        assert payload["seq"] == items[counted].seq  # where the user has to start reading
        counted += int(found.group(1))
    assert counted == 50
    times = push_service.received.times
    # Without coalescing they would be milliseconds apart; the slack is for a busy machine.
    assert all(b - a >= window - 0.5 for a, b in itertools.pairwise(times))
    # The first at once, then one per window while messages keep coming, and the last summary:
    # 2 or 3 when the 50 are posted within a window or two (a slow machine posts slower).
    assert 2 <= len(payloads) <= 2 + math.ceil(posting / window)
    assert len(payloads) < 10


def test_rooms_coalesce_separately(push_service, general, ada, push_settings):
    fay = UserFactory(username="fay")
    member(fay, general, "all")
    other = services.room_create(owner=ada, name="Ops", slug="ops", visibility="public")
    member(fay, other, "all")
    phone = subscribed(fay, push_service)
    post(ada, general, "in general")
    post(ada, other, "in ops")
    push_service.wait_for_requests(2)
    assert sorted(p["body"] for p in phone.payloads()) == ["in general", "in ops"]


@pytest.mark.asyncio
async def test_a_user_with_an_open_socket_gets_no_push_while_one_without_does(
    push_service, general_with_bob, ada, bob
):
    carol = await database_sync_to_async(UserFactory)(username="carol")
    await database_sync_to_async(member)(carol, general_with_bob, "all")
    carols = await database_sync_to_async(subscribed)(carol, push_service)
    bobs = await database_sync_to_async(subscribed)(bob, push_service)

    async with connect(carol) as socket:
        await socket.ping_works()
        await database_sync_to_async(post)(ada, general_with_bob, "@bob @carol look")
        await asyncio.to_thread(push_service.wait_for_requests, 1)
        assert await asyncio.to_thread(worker.wait_idle, 20)

    assert len(bobs.received()) == 1
    assert carols.received() == []


@pytest.mark.asyncio
async def test_someone_who_closed_their_last_socket_a_moment_ago_is_pushed_within_10_s(
    push_service, general_with_bob, ada, bob
):
    carol = await database_sync_to_async(UserFactory)(username="carol")
    await database_sync_to_async(member)(carol, general_with_bob, "all")
    carols_phone = await database_sync_to_async(subscribed)(carol, push_service)

    async with connect(carol) as socket:
        await socket.ping_works()
    # Her socket is closed, but she counts as online for the presence grace: the worker asks
    # again once it has passed.
    sent = time.monotonic()
    await database_sync_to_async(post)(ada, general_with_bob, "@carol are you there?")
    await asyncio.to_thread(push_service.wait_for_requests, 1, timeout=15)
    assert time.monotonic() - sent < 10
    [pushed] = carols_phone.payloads()
    assert pushed["body"] == "@carol are you there?"
    assert await asyncio.to_thread(worker.wait_idle, 20)


@pytest.mark.asyncio
async def test_someone_who_read_the_message_before_leaving_is_not_pushed(
    push_service, general_with_bob, ada, bob
):
    carol = await database_sync_to_async(UserFactory)(username="carol")
    await database_sync_to_async(member)(carol, general_with_bob, "all")
    carols_phone = await database_sync_to_async(subscribed)(carol, push_service)
    bobs_phone = await database_sync_to_async(subscribed)(bob, push_service)

    async with connect(carol) as socket:
        await socket.subscribe("general")
        item = await database_sync_to_async(post)(ada, general_with_bob, "@bob @carol read me")
        answer = await socket.request({"type": "read", "room": "general", "seq": item.seq})
        assert answer["type"] == "read", answer
    # Bob, away all along, is pushed at once; Carol read it and then left: nothing for her
    # when the worker asks again after the grace.
    await asyncio.to_thread(push_service.wait_for_requests, 1)
    assert await asyncio.to_thread(worker.wait_idle, 20)
    assert len(bobs_phone.received()) == 1
    assert carols_phone.received() == []


@pytest.mark.asyncio
async def test_a_hanging_push_service_times_out_while_the_server_keeps_answering(
    push_service, general_with_bob, ada, bob, settings, push_settings
):
    settings.PARLEY_PUSH = {**push_settings, "TIMEOUT_SECONDS": 2.0, "RETRIES": 1}
    slow = Browser(push_service, "/push/slow")
    push_service.hang("/push/slow")
    await database_sync_to_async(subscription_add)(user=bob, data=slow.subscription())

    async with connect(ada) as socket:
        await socket.subscribe("general")
        await socket.request(
            {"type": "send", "room": "general", "body": "@bob hi", "client_id": "h1"}
        )
        await asyncio.to_thread(push_service.wait_for_requests, 1)
        # The push hangs (for 2 s, then its retry for 2 s more); the server's loop answers now,
        # well before the hang could have ended (the margin is for a busy machine).
        began = time.monotonic()
        await socket.ping_works()
        assert time.monotonic() - began < 1.0
        reply = await socket.request(
            {"type": "send", "room": "general", "body": "still here", "client_id": "h2"}
        )
        assert reply["type"] == "ack", reply
        assert await asyncio.to_thread(worker.wait_idle, 20)

    assert len(slow.received()) == 2  # the try and its retry, each given up after 2 s
    stored = await database_sync_to_async(PushSubscription.objects.get)()
    assert stored.failures == 1


def test_dropping_pending_work_ends_a_waiting_window_without_its_push(
    push_service, general, ada, push_settings
):
    """What a test's teardown does before the test database is emptied: the summary waiting
    for its window is dropped, nothing of the worker is left running, and it works on after."""
    fay = UserFactory(username="fay")
    member(fay, general, "all")
    phone = subscribed(fay, push_service)
    post(ada, general, "first")
    push_service.wait_for_requests(1)  # the first of a quiet room goes at once
    post(ada, general, "second")  # waits for the window to end
    assert not worker.wait_idle(0.05)

    assert worker.worker.drop_pending(10)

    assert worker.wait_idle(0)
    worker.worker.forget_windows()
    post(ada, general, "third")
    push_service.wait_for_requests(2)
    assert [p["body"] for p in phone.payloads()] == ["first", "third"]
