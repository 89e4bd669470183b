"""history: pages of the timeline, oldest first, messages and events together."""

import pytest

from tests.support.data import join, make_user, post, post_many
from tests.support.socket import connect, error_code, seqs

pytestmark = pytest.mark.django_db(transaction=True)


def history(**fields) -> dict:
    return {"type": "history", "room": "general", **fields}


async def test_history_defaults_to_the_newest_50_items_oldest_first(ada, bob, general_with_bob):
    await post_many(bob, "general", 58)  # seqs 3..60
    async with connect(ada) as client:
        page = await client.request(history(ref="h"))
        assert (page["type"], page["room"], page["ref"]) == ("history", "general", "h")
        assert seqs(page["items"]) == list(range(11, 61))
        assert page["has_more"] is True
        await client.assert_quiet()


async def test_history_pages_backwards_with_before_until_has_more_is_false(
    ada, bob, general_with_bob
):
    await post_many(bob, "general", 23)  # seqs 3..25
    async with connect(ada) as client:
        seen: list[int] = []
        before = None
        while True:
            frame = history(limit=10) if before is None else history(limit=10, before=before)
            page = await client.request(frame)
            assert len(page["items"]) <= 10
            seen = seqs(page["items"]) + seen
            if not page["has_more"]:
                break
            before = page["items"][0]["seq"]
        assert seen == list(range(1, 26))


async def test_history_returns_messages_and_events_together_like_the_live_frames(
    ada, bob, general_with_bob
):
    carol = await make_user("carol")
    async with connect(ada) as client:
        await client.subscribe("general")
        await post(bob, "general", "hello", "b1")
        await join(carol, "general")
        await post(carol, "general", "hi all", "c1")
        live = await client.items("general", 3)
        page = await client.request(history())
        assert seqs(page["items"]) == [1, 2, 3, 4, 5]
        assert [i["type"] for i in page["items"]] == [
            "event",
            "event",
            "message",
            "event",
            "message",
        ]
        assert page["items"][2:] == live  # the same item, the same frame, however it comes
        assert page["has_more"] is False


PAGES = [
    ({"limit": 1}, [12], True),
    ({"limit": 3}, [10, 11, 12], True),
    ({"limit": 12}, list(range(1, 13)), False),
    ({"limit": 200}, list(range(1, 13)), False),
    ({"before": 5}, [1, 2, 3, 4], False),
    ({"before": 5, "limit": 2}, [3, 4], True),
    ({"before": 3, "limit": 2}, [1, 2], False),
    ({"before": 1}, [], False),
    ({"before": 0}, [], False),
    ({"before": 13}, list(range(1, 13)), False),
    ({"before": 1000, "limit": 2}, [11, 12], True),
    ({"before": 2**63 - 1, "limit": 1}, [12], True),
    ({"before": 2**64 - 1, "limit": 1}, [12], True),
    ({"before": 2**64, "limit": 1}, [12], True),
    ({"before": 10**30, "limit": 1}, [12], True),
]


async def test_history_limit_and_before(ada, bob, general_with_bob):
    await post_many(bob, "general", 10)  # seqs 3..12
    async with connect(ada) as client:
        for fields, expected, has_more in PAGES:
            page = await client.request(history(**fields))
            assert page["type"] == "history", (fields, page)
            assert (seqs(page["items"]), page["has_more"]) == (expected, has_more), fields


async def test_history_limit_of_200_is_honoured(ada, bob, general_with_bob):
    await post_many(bob, "general", 248)  # seqs 3..250
    async with connect(ada) as client:
        page = await client.request(history(limit=200))
        assert seqs(page["items"]) == list(range(51, 251))
        assert page["has_more"] is True


OUT_OF_RANGE = [
    {"limit": 0},
    {"limit": 201},
    {"limit": -1},
    {"limit": 10**6},
    {"limit": 2**64},
    {"limit": -(2**64)},
    {"before": -1},
    {"before": -(2**64)},
]
WRONG_TYPES = [{"limit": "50"}, {"limit": 1.5}, {"limit": True}, {"before": "3"}, {"before": 2.0}]


async def test_history_bounds_out_of_range_are_invalid(ada, general_with_bob):
    async with connect(ada) as client:
        for n, fields in enumerate(OUT_OF_RANGE):
            reply = await client.request(history(ref=f"x{n}", **fields))
            assert (error_code(reply), reply["ref"]) == ("invalid", f"x{n}"), fields
        await client.ping_works()


async def test_history_bounds_of_the_wrong_type_are_bad_frame(ada, general_with_bob):
    async with connect(ada) as client:
        for fields in WRONG_TYPES:
            assert error_code(await client.request(history(**fields))) == "bad_frame", fields
        await client.ping_works()


async def test_history_of_a_public_room_needs_no_membership(ada, bob, general_with_bob):
    carol = await make_user("carol")
    await post(bob, "general", "public words", "b1")
    async with connect(carol) as client:
        page = await client.request(history())
        assert [i.get("body") for i in page["items"]] == [None, None, "public words"]
