"""A room's export (parley/rooms/export.py): one JSON document holding the timeline as it is now,
read in batches; who may export; `manage.py export_room`."""

import itertools
import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from parley.core.errors import Forbidden, RoomNotFound
from parley.rooms import services
from parley.rooms.export import room_export, room_export_access
from parley.rooms.models import Item, Room
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db

_ids = itertools.count(1)


def cid() -> str:
    return f"export-{next(_ids)}"


def post(user, body="hello", *, room="general", thread=None) -> Item:
    return services.message_post(
        user=user, room_slug=room, body=body, client_id=cid(), thread=thread
    ).item


def export(room: Room, *, by=None, **options) -> dict:
    return json.loads(b"".join(room_export(room=room, by=by, **options)))


def by_seq(document: dict) -> dict[int, dict]:
    return {item["seq"]: item for item in document["items"]}


@pytest.fixture
def conversation(general_with_bob, ada, bob):
    """general: ada's join (1), bob's join (2), then messages, a reply, an edit, a deletion,
    reactions, a file and bob leaving."""
    room = general_with_bob
    first = post(ada, "first draft")  # 3
    post(bob, "a reply", thread=first.seq)  # 4
    services.message_edit(
        user=ada, room_slug="general", target=first.seq, body="first, edited", client_id=cid()
    )  # 5
    secret = post(bob, "secret")  # 6
    services.message_delete(user=bob, room_slug="general", target=secret.seq, client_id=cid())
    for user, emoji in ((bob, "👍"), (ada, "👍"), (ada, "🎉")):
        services.reaction_set(
            user=user, room_slug="general", target=first.seq, emoji=emoji, op="add",
            client_id=cid(),
        )  # fmt: skip
    services.attachment_post(
        user=ada,
        room_slug="general",
        upload=SimpleUploadedFile("notes.txt", b"some notes\n", "text/plain"),
        body="the notes",
    )
    services.room_leave(user=bob, room=room)
    room.refresh_from_db()
    return room


def test_the_document_holds_the_room_and_who_exported_it(conversation, ada):
    at = datetime(2026, 12, 7, 12, 30, tzinfo=UTC)
    document = export(conversation, by=ada, now=at)
    assert document["room"] == {
        "slug": "general",
        "name": "General",
        "kind": "public",
        "topic": "",
        "staff_only": False,
        "created_at": document["room"]["created_at"],
        "owner": "ada",
        "last_seq": conversation.last_seq,
    }
    assert document["room"]["created_at"].endswith("Z")
    assert document["exported_at"] == "2026-12-07T12:30:00.000Z"
    assert document["exported_by"] == "ada"
    assert document["members"] == [
        {"username": "ada", "role": "owner", "joined_at": document["members"][0]["joined_at"]}
    ]


def test_messages_are_exported_as_they_are_now_and_change_items_are_left_out(conversation):
    document = export(conversation)
    kinds = [(item["seq"], item["kind"]) for item in document["items"]]
    stored = Item.objects.filter(room=conversation).exclude(
        kind__in=[Item.Kind.EDIT, Item.Kind.DELETE, Item.Kind.REACTION]
    )
    assert kinds == [(item.seq, item.kind) for item in stored.order_by("seq")]
    assert [seq for seq, _ in kinds] == sorted(seq for seq, _ in kinds)
    assert {kind for _, kind in kinds} == {"join", "leave", "message"}
    items = by_seq(document)

    edited = items[3]
    assert edited["body"] == "first, edited" and edited["html"] == "<p>first, edited</p>"
    assert edited["edited_at"] is not None and edited["deleted"] is False
    assert edited["author"] == {"username": "ada", "display_name": None, "bot": False}
    assert edited["reactions"] == [
        {"emoji": "👍", "users": ["bob", "ada"]},
        {"emoji": "🎉", "users": ["ada"]},
    ]
    assert edited["replies"] == 1 and edited["thread"] is None

    reply = items[4]
    assert reply["thread"] == 3 and reply["body"] == "a reply"
    assert reply["author"]["username"] == "bob"

    deleted = items[6]
    assert deleted["deleted"] is True
    assert deleted["body"] == "" and deleted["html"] == "" and deleted["attachment"] is None
    assert "secret" not in json.dumps(document)

    with_file = next(item for item in document["items"] if item.get("attachment"))
    assert with_file["body"] == "the notes"
    attachment = with_file["attachment"]
    assert attachment["name"] == "notes.txt" and attachment["size"] == len(b"some notes\n")
    assert attachment["content_type"].startswith("text/plain")
    assert attachment["url"].startswith("/files/") and attachment["url"].endswith("/notes.txt")

    assert items[1] == {"seq": 1, "kind": "join", "ts": items[1]["ts"], "user": edited["author"]}
    leave = document["items"][-1]
    assert leave["kind"] == "leave" and leave["user"]["username"] == "bob"


def test_attachment_urls_are_absolute_given_the_site_url(conversation):
    document = export(conversation, site_url="https://chat.example.com/")
    urls = [item["attachment"]["url"] for item in document["items"] if item.get("attachment")]
    assert len(urls) == 1 and urls[0].startswith("https://chat.example.com/files/")


def test_awkward_bodies_round_trip(general, ada):
    bodies = [
        'She said "hi" and left\\',
        "line one\nline two\r\n\ttabbed",
        "ünïcödé 🎉 日本語 \u2028 \u2029 and a bell \x07 and escape \x1b[31m",
        "</script><script>alert(1)</script>",
    ]
    for body in bodies:
        post(ada, body)
    document = export(general)
    assert [item["body"] for item in document["items"] if item["kind"] == "message"] == bodies


def test_a_webhook_message_shows_the_name_it_posted_under(general, ada):
    services.message_post(
        user=ada, room_slug="general", body="deployed", client_id=cid(), display_name="CI"
    )
    message = export(general)["items"][-1]
    assert message["author"] == {"username": "ada", "display_name": "CI", "bot": False}


def test_a_deleted_account_leaves_its_messages_without_an_author(general, ada):
    carol = UserFactory(username="carol")
    services.room_join(user=carol, room=general)
    post(carol, "bye")
    carol.delete()
    items = export(general)["items"]
    assert items[-1]["body"] == "bye" and items[-1]["author"] is None
    assert items[-2] == {"seq": 2, "kind": "join", "ts": items[-2]["ts"], "user": None}


def test_the_export_reads_in_batches_of_items_not_one_query_per_item(
    general, ada, django_assert_max_num_queries
):
    authors = [UserFactory(username=f"writer{n}") for n in range(5)]
    Item.objects.bulk_create(
        Item(room=general, seq=seq, kind=Item.Kind.MESSAGE, user=authors[seq % 5], body=f"#{seq}")
        for seq in range(2, 3002)
    )
    Room.objects.filter(pk=general.pk).update(last_seq=3001)
    # The room, 4 batches of 1000 (the last one short), the members.
    with django_assert_max_num_queries(6):
        chunks = list(room_export(room=general, by=ada, batch_size=1000))
    document = json.loads(b"".join(chunks))
    assert [item["seq"] for item in document["items"]] == list(range(1, 3002))
    assert document["items"][-1]["body"] == "#3001"
    assert len(chunks) == 1 + 4 + 1  # the head, one chunk per batch, the members


def test_the_export_covers_the_timeline_up_to_where_it_started(general, ada):
    post(ada, "before")
    chunks = room_export(room=general, by=ada, batch_size=1)
    head = next(chunks)
    post(ada, "during")
    document = json.loads(head + b"".join(chunks))
    assert [item["body"] for item in document["items"][1:]] == ["before"]
    assert document["room"]["last_seq"] == 2


def test_the_owner_and_staff_may_export_but_not_another_member(general_with_bob, ada, bob):
    staff = UserFactory(username="root", is_staff=True)
    assert room_export_access(user=ada, slug="general") == general_with_bob
    assert room_export_access(user=staff, slug="general") == general_with_bob
    with pytest.raises(Forbidden):
        room_export_access(user=bob, slug="general")
    with pytest.raises(Forbidden):
        room_export(room=general_with_bob, by=bob)  # refused before any chunk exists


def test_a_private_room_is_not_found_for_someone_who_cannot_see_it(ada, bob):
    make_room(ada, slug="secret", visibility="private")
    with pytest.raises(RoomNotFound):
        room_export_access(user=bob, slug="secret")


def test_direct_conversations_are_not_exported_through_the_rules(ada, bob):
    direct = services.direct_room_open(user=ada, usernames=["bob"]).room
    with pytest.raises(Forbidden):
        room_export(room=direct, by=ada)


def test_the_command_writes_the_same_document_to_a_file(conversation, tmp_path):
    target = tmp_path / "general.json"
    call_command("export_room", "general", "--output", str(target), stderr=StringIO())
    written = json.loads(target.read_bytes())
    expected = export(conversation)
    written.pop("exported_at"), expected.pop("exported_at")
    assert written == expected and written["exported_by"] is None
    assert [path.name for path in tmp_path.iterdir()] == ["general.json"]  # no temporary left


def test_the_command_writes_to_standard_output_by_default(conversation):
    out = StringIO()
    call_command("export_room", "general", stdout=out)
    assert json.loads(out.getvalue())["items"][2]["body"] == "first, edited"


def test_the_command_refuses_an_unknown_room(db):
    with pytest.raises(CommandError, match="No room"):
        call_command("export_room", "nowhere")
