"""Pages show a message's stored `html` (docs/protocol.md, "Markdown"): the room's rows, the
thread's root and the Mentions page; the JS row templates hold an empty block for it."""

import re

import pytest
from django.urls import reverse

from parley.rooms import services
from parley.rooms.models import Item
from tests.factories import make_room

pytestmark = pytest.mark.django_db


def post(user, room, body, client_id):
    return services.message_post(
        user=user, room_slug=room.slug, body=body, client_id=client_id
    ).item


def row_of(page: str, seq: int) -> str:
    start = page.index(f'data-seq="{seq}"')
    return page[start : page.index("</li>", start)]


def test_room_page_shows_rendered_markdown_and_raw_html_as_text(ada_client, ada):
    room = make_room(ada, slug="design")
    bold = post(ada, room, "this is **bold**", "m1")
    raw = post(ada, room, "<b>x</b> <script>alert(1)</script>", "m2")

    page = ada_client.get(reverse("room", args=["design"])).content.decode()
    row = row_of(page, bold.seq)
    assert re.search(r'<div class="item__text"><p>this is <strong>bold</strong></p>', row)
    row = row_of(page, raw.seq)
    assert "&lt;b&gt;x&lt;/b&gt;" in row
    assert "<b>x</b>" not in row and "<script>alert" not in row


def test_an_edit_shows_the_edits_html(ada_client, ada):
    room = make_room(ada, slug="design")
    message = post(ada, room, "first", "m1")
    services.message_edit(
        user=ada, room_slug="design", target=message.seq, body="now _italic_", client_id="e1"
    )
    row = row_of(ada_client.get(reverse("room", args=["design"])).content.decode(), message.seq)
    assert "<em>italic</em>" in row and "first" not in row
    assert "(edited)" in row


def test_a_message_without_html_shows_its_body_as_text(ada_client, ada):
    room = make_room(ada, slug="design")
    message = post(ada, room, "plain <i>words</i>", "m1")
    Item.objects.filter(pk=message.pk).update(html="")
    row = row_of(ada_client.get(reverse("room", args=["design"])).content.decode(), message.seq)
    assert '<p class="item__plain">plain &lt;i&gt;words&lt;/i&gt;</p>' in row


def test_row_template_has_an_empty_block_for_the_words(ada_client, ada):
    make_room(ada, slug="design")
    page = ada_client.get(reverse("room", args=["design"])).content.decode()
    template = page[page.index('<template id="item-template-message">') :]
    template = template[: template.index("</template>")]
    assert '<div class="item__text"></div>' in template


def test_mentions_page_shows_the_html_outside_the_entrys_link(client, ada, bob):
    room = make_room(ada, slug="ops")
    services.room_join(user=bob, room=room)
    mention = post(ada, room, "@bob see **this** at https://example.com", "m1")
    client.force_login(bob)
    page = client.get(reverse("mentions")).content.decode()
    entry = page[page.index('class="mentions-page__entry"') :]
    entry = entry[: entry.index("</li>")]
    link = entry[entry.index("<a ") : entry.index("</a>") + 4]
    assert f'href="/rooms/ops/?seq={mention.seq}"' in link
    body = entry[entry.index("mentions-page__body") :]
    assert "<strong>this</strong>" in body
    # The message's own link is not nested in the entry's.
    assert "https://example.com" not in link and 'href="https://example.com"' in body
