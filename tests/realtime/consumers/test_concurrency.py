"""Many writers at once: one gapless order, seen whole and once by every subscriber."""

from contextlib import AsyncExitStack

import pytest

from tests.support.data import make_room, make_user, stored, stored_messages
from tests.support.socket import connect, seqs

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 5
MESSAGES_EACH = 20


async def test_concurrent_senders_get_one_gapless_order_seen_whole_by_every_subscriber():
    users = [await make_user(f"writer{n}") for n in range(WRITERS)]
    await make_room(users[0], "general", members=users[1:])  # seqs 1..5: the joins
    reader = await make_user("reader")
    async with AsyncExitStack() as stack:
        writers = [await stack.enter_async_context(connect(user)) for user in users]
        readers = [await stack.enter_async_context(connect(reader)) for _ in range(2)]
        for socket in writers + readers:
            await socket.subscribe("general")
        # Every writer fires its frames without waiting for a single ack.
        for n in range(MESSAGES_EACH):
            for w, socket in enumerate(writers):
                await socket.send(
                    {
                        "type": "send",
                        "room": "general",
                        "body": f"w{w} m{n}",
                        "client_id": f"w{w}-m{n}",
                        "ref": f"w{w}-m{n}",
                    }
                )
        acks: dict[str, dict] = {}
        for w, socket in enumerate(writers):
            for n in range(MESSAGES_EACH):
                ack = await socket.wait_for(lambda f, ref=f"w{w}-m{n}": f.get("ref") == ref)
                assert ack["type"] == "ack", ack
                acks[ack["client_id"]] = ack
        total = WRITERS * MESSAGES_EACH
        expected = list(range(WRITERS + 1, WRITERS + 1 + total))
        for socket in writers + readers:
            items = await socket.items("general", total)
            assert seqs(items) == expected  # strictly increasing, no gap, no repeat
            await socket.assert_quiet()
        # Each writer's own messages keep the order it sent them in.
        order = {item["client_id"]: item["seq"] for item in items}
        for w in range(WRITERS):
            mine = [order[f"w{w}-m{n}"] for n in range(MESSAGES_EACH)]
            assert mine == sorted(mine)
    rows = await stored_messages("general")
    assert len(rows) == total
    for row in rows:
        ack = acks[row.client_id]
        assert (ack["seq"], ack["id"]) == (row.seq, row.id)
        assert row.body == row.client_id.replace("-", " ")
    assert [row.seq for row in await stored("general")] == list(range(1, total + WRITERS + 1))


async def test_the_same_client_id_at_once_on_two_sockets_is_stored_once_with_one_ack():
    ada = await make_user("ada")
    await make_room(ada, "general")
    async with connect(ada) as tab1, connect(ada) as tab2, connect(ada) as reader:
        await reader.subscribe("general")
        frame = {"type": "send", "room": "general", "body": "once", "client_id": "same"}
        for n in range(10):
            await tab1.send({**frame, "client_id": f"same-{n}", "ref": "t1"})
            await tab2.send({**frame, "client_id": f"same-{n}", "ref": "t2"})
        for n in range(10):
            first = await tab1.wait_for(lambda f: f.get("ref") == "t1")
            second = await tab2.wait_for(lambda f: f.get("ref") == "t2")
            assert first["type"] == second["type"] == "ack"
            assert first["client_id"] == second["client_id"] == f"same-{n}"
            assert (first["seq"], first["id"], first["ts"]) == (
                second["seq"],
                second["id"],
                second["ts"],
            )
        assert seqs(await reader.items("general", 10)) == list(range(2, 12))
        # The reader is a tab of the author: each stored message moved its read pointer once.
        reads = [await reader.wait_for(lambda f: f["type"] == "read") for _ in range(10)]
        assert seqs(reads) == list(range(2, 12))
        await reader.assert_quiet()
    assert len(await stored_messages("general")) == 10
