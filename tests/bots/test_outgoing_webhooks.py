"""Outgoing webhooks of bots (parley/bots), end to end in the process: a message is posted through
the service, the bot's URL (a real local HTTP server) is called from the worker pool, and its
answer appears as the bot's message."""

import json
import threading

import pytest

from parley.accounts.bots import bot_create
from parley.accounts.models import Bot
from parley.bots import dispatch
from parley.bots.webhook import deliver, deliveries_for
from parley.rooms import services
from parley.rooms.changes import item_added
from parley.rooms.models import Item
from tests.core.http_target import HttpTarget

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def target():
    with HttpTarget() as server:
        yield server


@pytest.fixture(autouse=True)
def _deliveries_finish():
    yield
    assert dispatch.wait_idle(10)


@pytest.fixture
def private_allowed(settings):
    settings.PARLEY_ALLOW_PRIVATE_TARGETS = True


def make_bot(username, *, url="", owner=None, room=None):
    user = bot_create(username=username, owner=owner, outgoing_url=url)
    bot = Bot.objects.get(user=user)
    if room is not None:
        services.room_join(user=user, room=room)
    return bot


def post(user, room, body, *, thread=None, client_id=None):
    result = services.message_post(
        user=user,
        room_slug=room.slug,
        body=body,
        client_id=client_id or f"c-{Item.objects.count()}",
        thread=thread,
    )
    return result.item


def delivered():
    """Wait for the deliveries the posts queued (they run in the worker pool)."""
    assert dispatch.wait_idle(10)


def bot_messages(bot):
    return list(Item.objects.filter(user=bot.user, kind=Item.Kind.MESSAGE).order_by("seq"))


def test_a_mentioned_bot_gets_the_message_and_its_answer_is_posted_in_the_thread(
    target, private_allowed, settings, general
):
    settings.PARLEY_SITE_URL = "https://chat.example.com"
    target.answer("/hook", "You rolled **7**", content_type="text/markdown")
    bot = make_bot("dice", url=target.url("/hook"), room=general)
    ada = general.owner

    message = post(ada, general, "@dice roll 2d6 please")
    delivered()

    [received] = target.received
    assert received.method == "POST"
    assert received.json() == {
        "bot": {"username": "dice"},
        "user": {"username": "ada"},
        "room": {"slug": "general", "name": general.name},
        "message": {
            "seq": message.seq,
            "body": "@dice roll 2d6 please",
            "html": message.html,
            "thread": None,
        },
        "reply_url": "https://chat.example.com/api/v1/rooms/general/messages",
    }
    [answer] = bot_messages(bot)
    assert answer.body == "You rolled **7**"
    assert answer.thread_seq == message.seq
    assert answer.client_id == f"bot-reply-{general.pk}-{message.seq}"


def test_a_mention_inside_a_thread_is_answered_in_that_thread(target, private_allowed, general):
    target.answer("/hook", "here")
    bot = make_bot("helper", url=target.url("/hook"), room=general)
    ada = general.owner
    root = post(ada, general, "a question")
    reply = post(ada, general, "@helper any idea?", thread=root.seq)
    delivered()

    assert target.received[0].json()["message"]["thread"] == root.seq
    [answer] = bot_messages(bot)
    assert answer.thread_seq == root.seq
    assert answer.client_id == f"bot-reply-{general.pk}-{reply.seq}"


def test_a_direct_message_to_a_bot_reaches_it_without_a_mention(target, private_allowed, ada):
    target.answer("/hook", "echo: hello")
    bot = make_bot("echo", url=target.url("/hook"))
    direct = services.direct_room_open(user=ada, usernames=["echo"]).room

    post(ada, direct, "hello")
    delivered()

    assert target.received[0].json()["message"]["body"] == "hello"
    assert [m.body for m in bot_messages(bot)] == ["echo: hello"]


def test_a_json_answer_with_text_is_posted(target, private_allowed, general):
    target.answer("/hook", json.dumps({"text": "from json"}), content_type="application/json")
    bot = make_bot("jsonbot", url=target.url("/hook"), room=general)
    post(general.owner, general, "@jsonbot hi")
    delivered()
    assert [m.body for m in bot_messages(bot)] == ["from json"]


def test_an_empty_answer_posts_nothing_and_is_no_error(target, private_allowed, general):
    target.answer("/hook", "", status=204)
    bot = make_bot("quiet", url=target.url("/hook"), room=general)
    post(general.owner, general, "@quiet hi")
    delivered()
    assert len(target.received) == 1
    assert bot_messages(bot) == []
    bot.refresh_from_db()
    assert bot.last_error == ""


def test_messages_that_do_not_concern_the_bot_are_not_sent_to_it(
    target, private_allowed, general_with_bob, bob
):
    target.answer("/hook", "")
    make_bot("watcher", url=target.url("/hook"), room=general_with_bob)
    ada = general_with_bob.owner
    post(ada, general_with_bob, "no mention here")
    post(ada, general_with_bob, "@bob only")
    post(ada, general_with_bob, "@room everyone")
    post(ada, general_with_bob, "@watcher this one")
    delivered()
    assert [r.json()["message"]["body"] for r in target.received] == ["@watcher this one"]


def test_a_bot_that_is_not_a_member_of_the_room_is_not_sent_its_messages(
    target, private_allowed, general
):
    target.answer("/hook", "should not be asked")
    bot = make_bot("outsider", url=target.url("/hook"))
    ada = general.owner
    post(ada, general, "@outsider hello")
    delivered()
    services.room_join(user=bot.user, room=general)
    post(ada, general, "@outsider now?")
    delivered()
    assert [r.json()["message"]["body"] for r in target.received] == ["@outsider now?"]


def test_a_bot_never_answers_a_bot_nor_itself(target, private_allowed, general):
    target.answer("/a", "@beta ping")
    target.answer("/b", "@alpha pong")
    alpha = make_bot("alpha", url=target.url("/a"), room=general)
    beta = make_bot("beta", url=target.url("/b"), room=general)

    # alpha answers a person; its answer mentions beta, which is not told (no loops).
    post(general.owner, general, "@alpha start")
    delivered()
    post(beta.user, general, "@alpha @beta from a bot")
    delivered()

    assert [r.path for r in target.received] == ["/a"]
    assert [m.body for m in bot_messages(alpha)] == ["@beta ping"]


def test_a_bot_that_does_not_answer_in_time_is_recorded_and_nothing_is_posted(
    target, private_allowed, settings, general
):
    settings.PARLEY_BOTS = {**settings.PARLEY_BOTS, "TIMEOUT_SECONDS": 0.3}
    target.hang("/slow")
    bot = make_bot("sloth", url=target.url("/slow"), room=general)

    post(general.owner, general, "@sloth are you there?")
    delivered()

    assert len(target.received) == 1
    bot.refresh_from_db()
    assert bot.last_error == "no answer within 0.3 s"
    assert bot.last_error_at is not None
    assert bot_messages(bot) == []


def test_a_ten_megabyte_answer_is_refused_and_recorded(target, private_allowed, general):
    target.huge("/big", 10 * 1024 * 1024)
    bot = make_bot("blabber", url=target.url("/big"), room=general)
    post(general.owner, general, "@blabber talk")
    delivered()
    bot.refresh_from_db()
    assert "larger than 65536 bytes" in bot.last_error
    assert bot_messages(bot) == []


def test_a_bot_url_resolving_to_loopback_is_refused_when_private_targets_are_off(
    target, settings, general
):
    settings.PARLEY_ALLOW_PRIVATE_TARGETS = False
    target.answer("/hook", "must not be asked")
    bot = make_bot("local", url=target.url("/hook", host="localhost"), room=general)
    post(general.owner, general, "@local hi")
    delivered()
    assert target.received == []
    bot.refresh_from_db()
    assert "localhost resolves to" in bot.last_error
    assert "loopback" in bot.last_error
    assert bot_messages(bot) == []


@pytest.mark.parametrize(
    ("status", "content_type", "body", "error"),
    [
        (500, "text/plain", "boom", "the bot answered HTTP 500"),
        (200, "text/html", "<p>hi</p>", "the bot answered text/html"),
        (200, "application/json", "[1, 2]", 'string "text"'),
        (200, "text/plain", "x" * 5000, "at most 4000 characters"),
    ],
)
def test_an_answer_parley_cannot_post_is_recorded_for_the_owner(
    target, private_allowed, general, status, content_type, body, error
):
    target.answer("/hook", body, status=status, content_type=content_type)
    bot = make_bot("odd", url=target.url("/hook"), room=general)
    post(general.owner, general, "@odd hi")
    delivered()
    bot.refresh_from_db()
    assert error in bot.last_error
    assert bot_messages(bot) == []


def test_the_same_message_delivered_twice_is_answered_once(target, private_allowed, general):
    target.answer("/hook", "once")
    bot = make_bot("twice", url=target.url("/hook"), room=general)
    message = post(general.owner, general, "@twice hi")
    delivered()

    [delivery] = deliveries_for(item_added(message, room=general))
    deliver(delivery)

    assert len(target.received) == 2
    assert [m.body for m in bot_messages(bot)] == ["once"]


def test_posting_does_not_wait_for_the_bot(target, private_allowed, general):
    target.hang("/slow")
    make_bot("later", url=target.url("/slow"), room=general)
    post(general.owner, general, "@later take your time")
    # The post returned while the bot holds its request open.
    target.wait_for_requests(1)
    assert not target.release.is_set()
    target.release.set()


def test_a_bot_without_url_is_not_called(target, private_allowed, general):
    make_bot("mute", room=general)
    message = post(general.owner, general, "@mute hi")
    assert deliveries_for(item_added(message, room=general)) == []


def test_a_deactivated_bot_is_not_called_even_in_its_direct_room(target, private_allowed, ada):
    target.answer("/hook", "")
    bot = make_bot("retired", url=target.url("/hook"))
    direct = services.direct_room_open(user=ada, usernames=["retired"]).room
    type(bot.user).objects.filter(pk=bot.pk).update(is_active=False)
    message = post(ada, direct, "still there?")
    assert deliveries_for(item_added(message, room=direct)) == []


def test_messages_beyond_the_pending_bound_are_not_delivered(
    target, private_allowed, general, monkeypatch, caplog
):
    target.hang("/slow")
    make_bot("busy", url=target.url("/slow"), room=general)
    dispatch._executor()
    monkeypatch.setattr(dispatch, "_slots", threading.BoundedSemaphore(1))

    post(general.owner, general, "@busy one")
    target.wait_for_requests(1)
    post(general.owner, general, "@busy two")

    assert "outgoing webhooks skipped: too many pending" in caplog.text
    target.release.set()
    delivered()
    assert [r.json()["message"]["body"] for r in target.received] == ["@busy one"]
