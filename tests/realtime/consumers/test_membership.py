"""join / leave, private and staff-only rooms, and losing access while subscribed."""

import pytest

from parley.realtime import subscribe as subscribing
from tests.support.data import (
    join,
    leave,
    make_room,
    make_user,
    post,
    remove_member,
    stored,
    stored_messages,
)
from tests.support.socket import connect, error_code, seqs

pytestmark = pytest.mark.django_db(transaction=True)


async def member_names(slug: str, client) -> list[str]:
    reply = await client.subscribe(slug)
    return sorted(member["username"] for member in reply["members"])


# -- join and leave ------------------------------------------------------------------------------


async def test_the_creator_is_the_first_member_and_its_join_is_seq_1(ada, general):
    async with connect(ada) as client:
        assert await member_names("general", client) == ["ada"]
        await client.request({"type": "unsubscribe", "room": "general"})
        await client.subscribe("general", after=0)
        first = await client.item("general")
        assert (first["seq"], first["type"], first["kind"], first["user"]) == (
            1,
            "event",
            "join",
            {"username": "ada"},
        )


async def test_join_answers_joined_and_sends_one_join_event_to_subscribers(ada, bob, general):
    async with connect(ada) as watcher, connect(bob) as client:
        await watcher.subscribe("general")
        await client.subscribe("general")
        reply = await client.request({"type": "join", "room": "general", "ref": "j"})
        assert reply == {"type": "joined", "room": "general", "ref": "j"}
        for socket in (watcher, client):
            event = await socket.item("general")
            assert {k: event[k] for k in ("type", "room", "seq", "kind", "user")} == {
                "type": "event",
                "room": "general",
                "seq": 2,
                "kind": "join",
                "user": {"username": "bob"},
            }
            assert event["ts"].endswith("Z")
            await socket.assert_quiet()
        assert await member_names("general", watcher) == ["ada", "bob"]


async def test_joining_twice_answers_joined_again_without_a_second_event(ada, bob, general):
    async with connect(ada) as watcher, connect(bob) as client:
        await watcher.subscribe("general")
        assert (await client.request({"type": "join", "room": "general"}))["type"] == "joined"
        assert seqs(await watcher.items("general", 1)) == [2]
        assert (await client.request({"type": "join", "room": "general"}))["type"] == "joined"
        await watcher.assert_quiet()
        await client.assert_quiet()
    assert [item.seq for item in await stored("general")] == [1, 2]


async def test_leave_answers_left_and_sends_a_leave_event(ada, bob, general):
    await join(bob, "general")
    async with connect(ada) as watcher, connect(bob) as client:
        await watcher.subscribe("general")
        reply = await client.request({"type": "leave", "room": "general", "ref": "l"})
        assert reply == {"type": "left", "room": "general", "ref": "l"}
        event = await watcher.item("general")
        assert (event["seq"], event["kind"], event["user"]) == (3, "leave", {"username": "bob"})
        await watcher.assert_quiet()
        assert await member_names("general", watcher) == ["ada"]


async def test_leaving_a_room_one_is_not_a_member_of_sends_no_event(ada, bob, general):
    async with connect(ada) as watcher, connect(bob) as client:
        await watcher.subscribe("general")
        assert (await client.request({"type": "leave", "room": "general"}))["type"] == "left"
        await watcher.assert_quiet()
    assert [item.seq for item in await stored("general")] == [1]


async def test_after_leaving_sending_is_forbidden(ada, bob, general):
    await join(bob, "general")
    async with connect(bob) as client:
        await client.request({"type": "leave", "room": "general"})
        reply = await client.request(
            {"type": "send", "room": "general", "body": "still here?", "client_id": "c1"}
        )
        assert error_code(reply) == "forbidden"
    assert await stored_messages("general") == []


async def test_leaving_a_public_room_keeps_the_subscription(ada, bob, general):
    # Anyone may read a public room: leaving it is not losing access to it.
    await join(bob, "general")
    async with connect(bob) as client:
        await client.subscribe("general")
        await client.request({"type": "leave", "room": "general"})
        assert [i["kind"] for i in await client.items("general", 1)] == ["leave"]
        await post(ada, "general", "still readable", "c1")
        assert [i["body"] for i in await client.items("general", 1)] == ["still readable"]
        await client.assert_quiet()


# -- private and staff-only rooms --------------------------------------------------------------


def _frames_for(slug: str) -> list[dict]:
    return [
        {"type": "subscribe", "room": slug},
        {"type": "subscribe", "room": slug, "after": 0},
        {"type": "history", "room": slug},
        {"type": "join", "room": slug},
        {"type": "leave", "room": slug},
        {"type": "unsubscribe", "room": slug},
        {"type": "send", "room": slug, "body": "hello?", "client_id": "probe"},
    ]


async def _answers(client, slug: str) -> list[dict]:
    answers = []
    for n, frame in enumerate(_frames_for(slug)):
        answers.append(await client.request({**frame, "ref": f"p{n}"}))
    return answers


@pytest.mark.parametrize("kind", ["private", "staff-only"])
async def test_hidden_room_is_room_not_found_exactly_like_an_unknown_one(ada, bob, kind):
    staff = await make_user("root", is_staff=True)
    if kind == "private":
        await make_room(ada, "secret", visibility="private")
    else:
        await make_room(staff, "secret", staff_only=True)
    async with connect(bob) as client:
        hidden = await _answers(client, "secret")
        unknown = await _answers(client, "no-such-room")
        assert [error_code(answer) for answer in hidden] == ["room_not_found"] * 7
        assert hidden == unknown  # same code, same message, same ref: nothing tells them apart
        await client.ping_works()
        await client.assert_quiet()
    assert await stored_messages("secret") == []
    assert [item.kind for item in await stored("secret")] == ["join"]


async def test_non_member_of_a_private_room_cannot_join_it(ada, bob):
    await make_room(ada, "secret", visibility="private")
    async with connect(bob) as client:
        reply = await client.request({"type": "join", "room": "secret"})
        assert error_code(reply) == "room_not_found"
    async with connect(ada) as owner:
        assert await member_names("secret", owner) == ["ada"]


async def test_member_of_a_private_room_uses_it_like_any_room(ada, bob):
    await make_room(ada, "secret", visibility="private", members=[bob])
    async with connect(bob) as client:
        reply = await client.subscribe("secret", after=0)
        assert reply["last_seq"] == 2
        assert seqs(await client.items("secret", 2)) == [1, 2]
        ack = await client.request(
            {"type": "send", "room": "secret", "body": "psst", "client_id": "c1"}
        )
        assert (ack["type"], ack["seq"]) == ("ack", 3)
        history = await client.request({"type": "history", "room": "secret"})
        assert seqs(history["items"]) == [1, 2, 3]


@pytest.mark.parametrize("kind", ["private", "staff-only"])
async def test_staff_can_see_read_and_join_hidden_rooms(ada, kind):
    staff = await make_user("root", is_staff=True)
    owner = ada if kind == "private" else await make_user("boss", is_staff=True)
    await make_room(
        owner,
        "secret",
        visibility="private" if kind == "private" else "public",
        staff_only=kind == "staff-only",
    )
    await post(owner, "secret", "for members", "c1")
    async with connect(staff) as client:
        reply = await client.subscribe("secret", after=0)
        assert reply["last_seq"] == 2
        assert seqs(await client.items("secret", 2)) == [1, 2]
        history = await client.request({"type": "history", "room": "secret"})
        assert [item["seq"] for item in history["items"]] == [1, 2]
        # Seeing is not membership: a staff member must join before sending.
        refused = await client.request(
            {"type": "send", "room": "secret", "body": "hi", "client_id": "s1"}
        )
        assert error_code(refused) == "forbidden"
        assert (await client.request({"type": "join", "room": "secret"}))["type"] == "joined"
        assert [i["kind"] for i in await client.items("secret", 1)] == ["join"]
        ack = await client.request(
            {"type": "send", "room": "secret", "body": "hi", "client_id": "s1"}
        )
        assert (ack["type"], ack["seq"]) == ("ack", 4)


async def test_non_staff_cannot_join_a_staff_only_room_even_if_told_its_name(bob):
    staff = await make_user("root", is_staff=True)
    await make_room(staff, "ops", staff_only=True)
    async with connect(bob) as client:
        assert error_code(await client.request({"type": "join", "room": "ops"})) == (
            "room_not_found"
        )
    assert [item.username for item in await stored("ops")] == ["root"]


# -- losing access while subscribed ------------------------------------------------------------


async def _assert_cut_off(socket, slug: str, *, leave_seq: int) -> None:
    """The socket got the leave event, then `unsubscribed` with reason `removed`."""
    event = await socket.item(slug)
    assert (event["seq"], event["kind"]) == (leave_seq, "leave")
    notice = await socket.wait_for(lambda f: f["type"] == "unsubscribed")
    assert notice == {"type": "unsubscribed", "room": slug, "reason": "removed"}
    assert socket.position(event) < socket.position(notice)


async def test_leaving_a_private_room_stops_every_socket_of_that_user_at_once(ada, bob):
    await make_room(ada, "secret", visibility="private", members=[bob])  # seqs 1, 2
    async with connect(ada) as owner, connect(bob) as tab1, connect(bob) as tab2:
        for socket in (owner, tab1, tab2):
            await socket.subscribe("secret")
        assert (await tab1.request({"type": "leave", "room": "secret"}))["type"] == "left"
        await _assert_cut_off(tab1, "secret", leave_seq=3)
        await _assert_cut_off(tab2, "secret", leave_seq=3)
        assert seqs(await owner.items("secret", 1)) == [3]
        await post(ada, "secret", "after bob left", "c1")
        assert seqs(await owner.items("secret", 1)) == [4]
        await tab1.assert_quiet()
        await tab2.assert_quiet()
        # And the room is gone for bob, on every frame.
        again = await tab2.request({"type": "subscribe", "room": "secret", "after": 0})
        assert error_code(again) == "room_not_found"
        await tab2.assert_quiet()


async def test_a_removed_member_stops_receiving_the_room_at_once(ada, bob):
    await make_room(ada, "secret", visibility="private", members=[bob])
    await make_room(ada, "general", members=[bob])
    async with connect(ada) as owner, connect(bob) as client:
        await owner.subscribe("secret")
        await client.subscribe("secret")
        await client.subscribe("general")
        await remove_member(ada, "secret", "bob")
        await _assert_cut_off(client, "secret", leave_seq=3)
        await post(ada, "secret", "bob is gone", "c1")
        await post(ada, "general", "bob still reads this", "g1")
        assert seqs(await owner.items("secret", 2)) == [3, 4]
        general_item = await client.item("general")
        assert general_item["body"] == "bob still reads this"
        await client.assert_quiet()
        refused = await client.request(
            {"type": "send", "room": "secret", "body": "let me back", "client_id": "b1"}
        )
        assert error_code(refused) == "room_not_found"
        history = await client.request({"type": "history", "room": "secret"})
        assert error_code(history) == "room_not_found"


async def test_leaving_outside_the_socket_cuts_off_a_resumed_subscription(ada, bob):
    """A leave made elsewhere (another page, the admin) reaches a socket subscribed with `after`."""
    await make_room(ada, "secret", visibility="private", members=[bob])
    async with connect(bob) as client:
        await client.subscribe("secret", after=0)
        assert seqs(await client.items("secret", 2)) == [1, 2]
        await leave(bob, "secret")
        await _assert_cut_off(client, "secret", leave_seq=3)
        await post(ada, "secret", "private", "c1")
        await client.assert_quiet()


async def test_staff_keep_their_subscription_when_leaving_a_private_room(ada):
    staff = await make_user("root", is_staff=True)
    await make_room(ada, "secret", visibility="private", members=[staff])
    async with connect(staff) as client:
        await client.subscribe("secret")
        assert (await client.request({"type": "leave", "room": "secret"}))["type"] == "left"
        assert [i["kind"] for i in await client.items("secret", 1)] == ["leave"]
        await post(ada, "secret", "staff still read this", "a1")
        assert [i["body"] for i in await client.items("secret", 1)] == ["staff still read this"]
        await client.assert_quiet()  # no `unsubscribed`


@pytest.mark.parametrize("owner_watching", [True, False], ids=["watched", "first-subscriber"])
async def test_removal_while_subscribing_leaks_nothing_posted_after_it(
    ada, bob, monkeypatch, owner_watching
):
    """Bob is removed between the access check and the backlog read of his subscribe."""
    await make_room(ada, "secret", visibility="private", members=[bob])  # seqs 1, 2
    async with connect(ada) as owner, connect(bob) as client:
        if owner_watching:
            await owner.subscribe("secret")
        read_backlog = subscribing._backlog

        async def removal_then_backlog(*args):
            await remove_member(ada, "secret", "bob")  # 3
            await post(ada, "secret", "after bob left", "a1")  # 4
            if owner_watching:  # the process has forwarded both before the read
                assert seqs(await owner.items("secret", 2)) == [3, 4]
            return await read_backlog(*args)

        monkeypatch.setattr(subscribing, "_backlog", removal_then_backlog)
        reply = await client.request({"type": "subscribe", "room": "secret", "after": 0})
        monkeypatch.undo()
        assert error_code(reply) == "room_not_found"
        if not owner_watching:
            await owner.subscribe("secret")
        await post(ada, "secret", "much later", "a2")  # 5
        assert seqs(await owner.items("secret", 1)) == [5]
        # Bob may have been told `unsubscribed` (removed); no item of the room reached him.
        for frame in await client.drain():
            assert frame == {"type": "unsubscribed", "room": "secret", "reason": "removed"}


async def test_removal_just_after_the_backlog_read_does_not_leave_a_dead_subscription(
    ada, bob, monkeypatch
):
    """The leave lands after the backlog was read but before the subscribe is answered."""
    await make_room(ada, "secret", visibility="private", members=[bob])  # seqs 1, 2
    async with connect(ada) as owner, connect(bob) as client:
        await owner.subscribe("secret")
        read_backlog = subscribing._backlog

        async def backlog_then_removal(*args):
            result = await read_backlog(*args)
            await remove_member(ada, "secret", "bob")  # 3
            assert seqs(await owner.items("secret", 1)) == [3]
            return result

        monkeypatch.setattr(subscribing, "_backlog", backlog_then_removal)
        reply = await client.request({"type": "subscribe", "room": "secret", "after": 0})
        monkeypatch.undo()
        await post(ada, "secret", "after bob left", "a1")  # 4
        assert seqs(await owner.items("secret", 1)) == [4]
        await client.drain()
        frames = client.frames
        assert not [f for f in frames if f.get("seq", 0) > 3], frames
        # Whatever came, the socket's last word about the room is not "subscribed": the client
        # must not believe it still follows a room it was removed from.
        about_room = [f for f in frames if f.get("room") == "secret" and "seq" not in f]
        if reply["type"] == "subscribed":
            assert about_room[-1]["type"] == "unsubscribed", frames
        else:
            assert error_code(reply) == "room_not_found"
