"""`manage.py rerender_messages`: stored messages and edits rendered again with their stored
mentions; only changed rows written; deleted messages and other rooms left alone."""

from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parley.rooms import services
from parley.rooms.management.commands import rerender_messages
from parley.rooms.markdown import render_body
from parley.rooms.models import Item
from tests.factories import make_room

STALE = "<p>rendered by an older renderer</p>"


def post(user, body, *, room="general", client_id):
    return services.message_post(user=user, room_slug=room, body=body, client_id=client_id).item


def rerender(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("rerender_messages", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def html_of(item: Item) -> str:
    return Item.objects.values_list("html", flat=True).get(pk=item.pk)


def make_stale(*items: Item) -> None:
    Item.objects.filter(pk__in=[i.pk for i in items]).update(html=STALE)


def updates(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]


def test_changed_rows_get_new_html_and_the_rest_are_not_written(ada, bob, general_with_bob):
    fresh = post(ada, "**kept**", client_id="c1")
    stale = post(ada, "hi @bob, see *this*", client_id="c2")
    stale_too = post(bob, "```python\nx = 1\n```", client_id="c3")
    make_stale(stale, stale_too)

    with CaptureQueriesContext(connection) as queries:
        out, err = rerender("--batch-size", "2")

    chip = '<span class="mention" data-user="bob">@bob</span>'
    assert html_of(stale) == f"<p>hi {chip}, see <em>this</em></p>"
    assert html_of(stale_too) == render_body("```python\nx = 1\n```")
    assert html_of(fresh) == fresh.html
    assert len(updates(queries.captured_queries)) == 2
    assert out.strip() == "2 re-rendered (html changed), of 3 items."
    assert "3/3" in err  # the progress bar, on stderr


def test_the_stored_mentions_decide_the_chips(ada, bob, general_with_bob):
    item = post(ada, "@bob and @ada", client_id="c1")
    Item.objects.filter(pk=item.pk).update(html=STALE, mentions=["ada"])

    rerender()

    assert html_of(item) == '<p>@bob and <span class="mention" data-user="ada">@ada</span></p>'


def test_edits_are_rerendered_and_deleted_messages_are_not(ada, general):
    edited = post(ada, "first", client_id="c1")
    edit = services.message_edit(
        user=ada, room_slug="general", target=edited.seq, body="*second*", client_id="c2"
    ).item
    gone = post(ada, "soon gone", client_id="c3")
    services.message_delete(user=ada, room_slug="general", target=gone.seq, client_id="c4")
    make_stale(edited, edit, gone)

    out, _ = rerender()

    assert html_of(edited) == html_of(edit) == "<p><em>second</em></p>"
    assert html_of(gone) == STALE
    assert out.strip() == "2 re-rendered (html changed), of 2 items."


def test_room_limits_it_to_one_room(ada, general):
    make_room(ada, slug="other")
    here = post(ada, "*here*", client_id="c1")
    there = post(ada, "*there*", room="other", client_id="c2")
    make_stale(here, there)

    rerender("--room", "other")

    assert (html_of(here), html_of(there)) == (STALE, "<p><em>there</em></p>")


def test_a_row_edited_while_it_runs_keeps_what_the_edit_stored(ada, general):
    item = post(ada, "*old*", client_id="c1")
    make_stale(item)

    def render_then_edit(body, *, mentions):
        html = render_body(body, mentions=mentions)
        services.message_edit(
            user=ada, room_slug="general", target=item.seq, body="*new*", client_id="c2"
        )
        return html

    with mock.patch.object(rerender_messages, "render_body", render_then_edit):
        out, _ = rerender()

    assert html_of(item) == "<p><em>new</em></p>"
    assert out.startswith("0 re-rendered")


@pytest.mark.parametrize(("args", "message"), [
    (("--room", "nowhere"), "No room 'nowhere'."),
    (("--batch-size", "0"), "--batch-size must be at least 1."),
])  # fmt: skip
def test_bad_arguments_are_refused(db, args, message):
    with pytest.raises(CommandError, match=message):
        rerender(*args)
