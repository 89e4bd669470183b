"""A message that shows nothing is blank: white space, zero-width characters and the like are
refused (`invalid`) like an empty body, and nothing is stored; visible text around them is fine."""

import pytest

from tests.support.data import make_room, make_user, stored_messages
from tests.support.socket import connect, error_code

pytestmark = pytest.mark.django_db(transaction=True)

BLANK = [
    "\u200b",  # zero-width space
    "\u200b\u200c\u200d\u2060\ufeff",  # zero-width space, non-joiner, joiner, word joiner, BOM
    " \u200b\n\t\u200b ",
    "\u00ad\u034f",  # soft hyphen, combining grapheme joiner
    "\u3164\u3164",  # Hangul fillers
    "\u2800",  # blank Braille pattern
    "\ufe0f\u200e",  # a variation selector, a bidi mark
]


async def test_bodies_of_only_invisible_characters_are_invalid_and_not_stored():
    ada = await make_user("ada")
    await make_room(ada, "town")
    async with connect(ada) as socket:
        for n, body in enumerate(BLANK):
            frame = {"type": "send", "room": "town", "body": body, "client_id": f"b-{n}"}
            assert error_code(await socket.request(frame)) == "invalid", repr(body)
        visible = {
            "type": "send",
            "room": "town",
            "body": "a\u200bb \U0001f44d\ufe0f",
            "client_id": "v",
        }
        assert (await socket.request(visible))["type"] == "ack"
    assert [m.body for m in await stored_messages("town")] == [visible["body"]]
