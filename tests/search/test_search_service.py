"""The search service on the real database: the same cases on SQLite (FTS5) and PostgreSQL
(pg_trgm) are the proof that both answer the same; each also runs with the plain scan that other
databases get. Data is made through the services (send, edit, delete)."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from parley.core.errors import InvalidInput, RateLimited, RoomNotFound
from parley.rooms import services
from parley.rooms.models import Item
from parley.search import engines
from parley.search.service import search_messages
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["native", "window", "scan"], autouse=True)
def engine(request, monkeypatch):
    """Each case runs with this database's engine, with PostgreSQL's first window cut to 2 items
    (so pages are filled from both the window and the index), and with the plain scan."""
    if request.param == "window":
        if connection.vendor != "postgresql":
            pytest.skip("PostgreSQL's window")
        monkeypatch.setattr(engines, "WINDOW_ITEMS", 2)
    if request.param == "scan":
        monkeypatch.setattr(engines, "ENGINES", {})
    return request.param


def send(user, room, body):
    result = services.message_post(
        user=user, room_slug=room.slug, body=body, client_id=uuid.uuid4().hex
    )
    return result.item


def edit(user, room, message, body):
    services.message_edit(
        user=user, room_slug=room.slug, target=message.seq, body=body, client_id=uuid.uuid4().hex
    )


def delete(user, room, message):
    services.message_delete(
        user=user, room_slug=room.slug, target=message.seq, client_id=uuid.uuid4().hex
    )


def found(user, q, **options):
    """The bodies found, in the order given."""
    return [item.body for item in search_messages(user=user, q=q, **options).items]


def test_a_word_is_found_inside_longer_words_newest_first(ada, general):
    send(ada, general, "a search engine")
    send(ada, general, "nothing to see")
    send(ada, general, "Architecture review")
    assert found(ada, "arch") == ["Architecture review", "a search engine"]


def test_case_does_not_matter(ada, general):
    send(ada, general, "Search ME")
    assert found(ada, "sEaRcH me") == ["Search ME"]


def test_case_does_not_matter_beyond_ascii(ada, general, engine):
    if engine == "scan" and connection.vendor == "sqlite":
        pytest.skip("SQLite's LIKE folds ASCII letters only")
    send(ada, general, "Ünïcode text")
    assert found(ada, "ÜNÏCODE") == ["Ünïcode text"]
    assert found(ada, "ünïcode") == ["Ünïcode text"]


def test_every_word_must_occur(ada, general):
    send(ada, general, "alpha only")
    send(ada, general, "beta only")
    send(ada, general, "alpha and beta")
    assert found(ada, "beta alpha") == ["alpha and beta"]


def test_short_words_are_ignored_while_others_remain(ada, general):
    send(ada, general, "deploy the thing")
    assert found(ada, "to a deploy") == ["deploy the thing"]


def test_a_query_of_short_words_only_is_invalid(ada, general):
    send(ada, general, "to be or not")
    with pytest.raises(InvalidInput):
        search_messages(user=ada, q="to be or")


@pytest.mark.parametrize(
    "body",
    [
        'she said "hello"',
        "a*b* glob",
        "NEAR(x, y)",
        "it's mine",
        "50%_off today",
        "back\\slash path",
        "-- a comment",
        "col:umn ^start",
    ],
)
def test_syntax_characters_are_plain_text(ada, general, body):
    send(ada, general, body)
    send(ada, general, "a decoy message with plenty of letters")
    for word in body.split():
        if len(word) >= 3:
            assert found(ada, word) == [body], word


@pytest.mark.parametrize("wildcards", ["%%%", "___", "\\\\\\", "_%_"])
def test_like_wildcards_match_only_themselves(ada, general, wildcards):
    send(ada, general, "abc and plain words")
    send(ada, general, f"x{wildcards}y")
    assert found(ada, wildcards) == [f"x{wildcards}y"]


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"""',
        "***",
        "NEAR(",
        "NEAR(a b",
        "'''",
        "%",
        "_",
        "--",
        "\\",
        "x" * 10_000,
        "a\x00bc",
        "AND OR NOT",
        '" OR "',
        "col:abc",
        "^abc",
        "abc*",
        "{abc}",
        "(((",
        ")))",
    ],
)
def test_bad_inputs_are_answered_never_a_database_error(ada, general, q):
    send(ada, general, "some ordinary text AND OR NOT")
    try:
        page = search_messages(user=ada, q=q)
    except InvalidInput:
        return
    assert all(isinstance(item, Item) for item in page.items)


def test_only_rooms_the_user_may_read_are_searched(ada, bob):
    carol = UserFactory(username="carol")
    staff = UserFactory(username="staff", is_staff=True)
    public = make_room(ada, slug="public")
    private = make_room(ada, slug="private", visibility="private")
    staff_only = make_room(staff, slug="staff-only", staff_only=True)
    direct = services.direct_room_open(user=ada, usernames=["bob"]).room
    send(ada, public, "needle in public")
    send(ada, private, "needle in private")
    send(staff, staff_only, "needle for staff")
    send(ada, direct, "needle in direct")

    assert found(carol, "needle") == ["needle in public"]  # not a member: public rooms only
    assert found(bob, "needle") == ["needle in direct", "needle in public"]
    assert found(ada, "needle") == ["needle in direct", "needle in private", "needle in public"]
    # Staff see what they see elsewhere: every room but other people's direct rooms.
    assert found(staff, "needle") == ["needle for staff", "needle in private", "needle in public"]


def test_a_member_removed_from_a_private_room_no_longer_finds_it(ada, bob):
    private = make_room(ada, slug="private", visibility="private")
    services.membership_add(actor=ada, room=private, username="bob")
    send(ada, private, "secret plans")
    assert found(bob, "secret") == ["secret plans"]
    services.membership_remove(actor=ada, room=private, username="bob")
    assert found(bob, "secret") == []


def test_a_room_the_user_may_not_read_is_not_found_like_a_missing_one(ada, bob):
    private = make_room(ada, slug="private", visibility="private")
    direct = services.direct_room_open(user=ada, usernames=["bob"]).room
    send(ada, private, "secret plans")
    staff = UserFactory(username="staff", is_staff=True)
    refusals = []
    for user, slug in [
        (bob, "private"),
        (staff, direct.slug),
        (bob, "no-such-room"),
        (bob, "../x"),
    ]:
        with pytest.raises(RoomNotFound) as refusal:
            search_messages(user=user, q="secret", room=slug)
        refusals.append((refusal.value.code, refusal.value.message))
    assert len(set(refusals)) == 1


def test_deleted_messages_are_never_found(ada, general):
    message = send(ada, general, "regrettable words")
    delete(ada, general, message)
    assert found(ada, "regrettable") == []


def test_an_edited_message_is_found_by_its_current_text_only(ada, general):
    message = send(ada, general, "first draft wording")
    edit(ada, general, message, "final version")
    assert found(ada, "draft") == []
    assert found(ada, "final") == ["final version"]
    edit(ada, general, message, "third text")
    assert found(ada, "final") == []
    assert [item.pk for item in search_messages(user=ada, q="third").items] == [message.pk]


def test_filters_room_author_and_file(ada, bob, general_with_bob):
    other = make_room(bob, slug="other")
    send(ada, general_with_bob, "report by ada")
    send(bob, general_with_bob, "report by bob")
    send(bob, other, "report elsewhere")
    upload = SimpleUploadedFile("notes.txt", b"plain notes", "text/plain")
    services.attachment_post(user=ada, room_slug="general", upload=upload, body="report attached")

    assert found(ada, "report", room="general") == [
        "report attached",
        "report by bob",
        "report by ada",
    ]
    assert found(ada, "report", author="bob") == ["report elsewhere", "report by bob"]
    assert found(ada, "report", author="bob", room="other") == ["report elsewhere"]
    assert found(ada, "report", author="nobody") == []
    assert found(ada, "report", has_file=True) == ["report attached"]
    page = search_messages(user=ada, q="attached")
    assert page.items[0].attachment.name == "notes.txt"


def test_pages_follow_each_other_newest_first_without_repeats_or_gaps(ada, general):
    matching = [send(ada, general, f"page item {n}") for n in range(7)]
    send(ada, general, "something else")
    seen = []
    cursor = None
    for _ in range(5):
        page = search_messages(user=ada, q="item", limit=3, before=cursor)
        seen += [item.pk for item in page.items]
        cursor = page.next
        if cursor is None:
            break
    assert seen == [message.pk for message in reversed(matching)]
    assert len(search_messages(user=ada, q="item", limit=7).items) == 7
    assert search_messages(user=ada, q="item", limit=7).next is None


@pytest.mark.parametrize("limit", [0, -1, 51, 10**30])
def test_limit_outside_1_to_50_is_invalid(ada, general, limit):
    with pytest.raises(InvalidInput):
        search_messages(user=ada, q="anything", limit=limit)


@pytest.mark.parametrize("cursor", ["", "nope", "aTA", "=" * 5])
def test_a_malformed_cursor_is_invalid(ada, general, cursor):
    with pytest.raises(InvalidInput):
        search_messages(user=ada, q="anything", before=cursor)


def test_search_counts_against_the_search_limit(ada, general, rate_limits):
    rate_limits.configure(search="2,1/m")
    search_messages(user=ada, q="anything")
    search_messages(user=ada, q="anything")
    with pytest.raises(RateLimited):
        search_messages(user=ada, q="anything")


# -- the index kept in step ----------------------------------------------------------------------


def live_message_ids():
    return set(Item.objects.filter(kind="message", deleted=False).values_list("pk", flat=True))


def indexed():
    """The ids the SQLite index holds, read from FTS5's own table (one row per indexed row),
    not through rooms_item."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM search_item_fts_docsize")
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def sqlite(engine):
    if connection.vendor != "sqlite" or engine != "native":
        pytest.skip("the FTS5 index of SQLite")


def test_the_index_holds_exactly_the_live_messages_after_every_kind_of_write(sqlite, ada, general):
    one = send(ada, general, "first message")
    two = send(ada, general, "second message")
    three = send(ada, general, "third message")
    edit(ada, general, one, "first edited")
    delete(ada, general, two)
    services.reaction_set(
        user=ada,
        room_slug="general",
        target=three.seq,
        emoji="👍",
        op="add",
        client_id=uuid.uuid4().hex,
    )
    assert indexed() == live_message_ids() == {one.pk, three.pk}
    with pytest.raises(RuntimeError), transaction.atomic():
        send(ada, general, "rolled back")
        edit(ada, general, three, "rolled back edit")
        raise RuntimeError
    assert indexed() == live_message_ids()
    assert found(ada, "rolled") == []
    assert found(ada, "third") == ["third message"]


def test_writes_that_bypass_the_services_keep_the_index_in_step(sqlite, ada, general):
    kept = send(ada, general, "kept message")
    Item.objects.bulk_create(
        [
            Item(room=general, seq=100 + n, kind="message", user=ada, body=f"bulk {n}")
            for n in range(3)
        ]
    )
    Item.objects.filter(body="bulk 0").update(body="bulk zero updated")
    Item.objects.filter(body="bulk 1").update(deleted=True, body="")
    Item.objects.filter(body="bulk 2").update(kind="edit")  # no longer a message
    Item.objects.filter(body="bulk zero updated").update(kind="message", deleted=False)
    assert indexed() == live_message_ids()
    assert found(ada, "bulk") == ["bulk zero updated"]
    assert found(ada, "zero") == ["bulk zero updated"]
    Item.objects.filter(pk=kept.pk).delete()
    assert indexed() == live_message_ids()
    general.delete()  # its items go by cascade
    assert indexed() == set()


def test_the_triggers_exist_after_every_migration(sqlite):
    from parley.search import index

    assert index.sqlite_triggers(connection) == set(index.TRIGGERS)


def test_repair_puts_lost_triggers_back_and_rebuilds_the_index(sqlite, ada, general):
    from parley.search import index

    send(ada, general, "before the loss")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER search_item_fts_insert")
    lost = send(ada, general, "written while lost")
    assert lost.pk not in indexed()
    assert index.repair(connection) is True
    assert index.repair(connection) is False
    assert indexed() == live_message_ids()
    assert found(ada, "while lost") == ["written while lost"]


def test_postgresql_has_the_partial_trigram_index(engine):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's index")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_item_body_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition and "deleted" in definition


@pytest.mark.django_db(transaction=True)
def test_the_migration_indexes_existing_messages_and_its_reverse_drops_everything(
    sqlite, ada, general
):
    from django.db.migrations.executor import MigrationExecutor

    kept = send(ada, general, "kept message")
    gone = send(ada, general, "gone message")
    delete(ada, general, gone)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("search")
    try:
        MigrationExecutor(connection).migrate([("search", None)])
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'search_item_fts%'")
            assert cursor.fetchall() == []
    finally:
        MigrationExecutor(connection).migrate(latest)
    assert indexed() == live_message_ids() == {kept.pk}
    assert found(ada, "message") == ["kept message"]
