"""Generated chat history for the `search` and `history` scenarios, bulk-loaded into Parley.

Text: a vocabulary of pronounceable pseudo-words built from syllables (fixed seed) after a few
hundred common English words, drawn with Zipf weights (rank r has weight 1/r), so a few words
are everywhere and most are rare, as in real chat; a message is one sentence of 3-25 words.

Rows go straight into Parley's tables after `migrate` (SQLite: `executemany` in large
transactions; PostgreSQL: `COPY`), with the search index's triggers or GIN index in place, so
the load time includes keeping the index. Only the columns without a database default are
written: `kind` = message, `body`, an escaped `<p>` as `html`, the author, increasing
`created_at`, `seq` 1, 2, 3, … per room, and at the end each room's `last_seq` and its
members' read pointers (all read).

Rooms (`search` scenario): `rooms` rooms of uneven sizes (room i's share ∝ 1/(i+1)^0.8); the
search user (the first seeded user) may read every tenth one: half of those are public, half
private with the user as a member; all other rooms are private without them. Each room has
`AUTHORS_PER_ROOM` other seeded users as members, who write its messages.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import math
import random
import sqlite3
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

SEED = 19
VOCABULARY = 30_000
ZIPF_EXPONENT = 1.0
SENTENCE_WORDS = (3, 25)
ROOM_SKEW = 0.8
AUTHORS_PER_ROOM = 8
BATCH = 20_000
LOADER_CACHE_KIB = 256 * 1024
# The search index (parley/search): SQLite's FTS5 table (its shadow tables and triggers share
# the prefix), PostgreSQL's pg_trgm GIN index on the item body.
FTS_TABLE = "search_item_fts"
TRGM_INDEX = "search_item_body_trgm"
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
SECONDS_APART = 20  # between two consecutive messages of the whole corpus

COMMON_TEXT = """the of and to a in is it you that he was for on are with as I his they be at one
have this from or had by hot word but what some we can out other were all there when up use your
how said an each she which do their time if will way about many then them write would like so
these her long make thing see him two has look more day could go come did number sound no most
people my over know water than call first who may down side been now find any new work part take
get place made live where after back little only round man year came show every good me give our
under name very through just form sentence great think say help low line differ turn cause much
mean before move right boy old too same tell does set three want air well also play small end put
home read hand port large spell add even land here must big high such follow act why ask men
change went light kind off need house picture try us again animal point mother world near build
self earth father head stand own page should country found answer school grow study still learn
plant cover food sun four between state keep eye never last let thought city tree cross farm
hard start might story saw far sea draw left late run don't while press close night real life
few north open seem together next white children begin got walk example ease paper group always
music those both mark often letter until mile river car feet care second book carry took science
eat room friend began idea fish mountain stop once base hear horse cut sure watch color face wood
main enough plain girl usual young ready above ever red list though feel talk bird soon body dog
family direct pose leave song measure door product black short numeral class wind question happen
complete ship area half rock order fire south problem piece told knew pass since top whole king
space heard best hour better true during hundred five remember step early hold west ground
interest reach fast verb sing listen six table travel less morning ten simple several vowel
toward war lay against pattern slow center love person money serve appear road map rain rule
govern pull cold notice voice unit power town fine certain fly fall lead cry dark machine note
wait plan figure star box noun field rest correct able pound done beauty drive stood contain
front teach week final gave green quick develop ocean warm free minute strong special mind behind
clear tail produce fact street inch multiply nothing course stay wheel full force blue object
decide surface deep moon island foot system busy test record boat common gold possible plane
instead dry wonder laugh thousand ago ran check game shape equate miss brought heat snow tire
bring yes distant fill east paint language among deploy merge review build release branch server
"""
COMMON = COMMON_TEXT.split()
ONSETS = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "w",
    "z",
    "br",
    "ch",
    "cl",
    "dr",
    "fl",
    "gr",
    "pl",
    "sh",
    "st",
    "th",
    "tr",
]
VOWELS = ["a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ea", "ou"]
CODAS = ["", "", "", "n", "r", "s", "l", "m", "t", "nd", "rt", "st"]


def _syllable(rng: random.Random) -> str:
    return rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)


def vocabulary(size: int = VOCABULARY, seed: int = SEED) -> list[str]:
    """Words by rank: the common English words first (deduplicated), then pseudo-words."""
    rng = random.Random(seed)
    words = list(dict.fromkeys(word.lower() for word in COMMON))
    seen = set(words)
    while len(words) < size:
        word = "".join(_syllable(rng) for _ in range(rng.choice((1, 2, 2, 2, 3, 3, 4))))
        if len(word) >= 3 and word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Text:
    """Sentences drawn from the vocabulary with Zipf weights, reproducibly."""

    def __init__(self, seed: int = SEED) -> None:
        self.words = vocabulary(seed=seed)
        weights = [1 / rank**ZIPF_EXPONENT for rank in range(1, len(self.words) + 1)]
        self.cum_weights = list(itertools.accumulate(weights))

    def sentences(self, rng: random.Random, count: int) -> list[str]:
        low, high = SENTENCE_WORDS
        lengths = [rng.randint(low, high) for _ in range(count)]
        drawn = iter(rng.choices(self.words, cum_weights=self.cum_weights, k=sum(lengths)))
        out = []
        for length in lengths:
            words = list(itertools.islice(drawn, length))
            end = "?" if rng.random() < 0.15 else "."
            out.append(" ".join(words).capitalize() + end)
        return out

    def queries(self, count: int, seed: int = SEED + 1) -> list[dict[str, str]]:
        """`count` search queries: words of 3, 5 and 8 characters, whole and parts of longer
        words, with ranks drawn log-uniformly (from the most frequent to the rarest), and a
        fifth of two-word queries. Each is {"q": text, "kind": "3-whole", …, "two-word"}."""
        rng = random.Random(seed)
        by_length: dict[int, list[int]] = {}
        longer: dict[int, list[int]] = {}
        for rank, word in enumerate(self.words):
            by_length.setdefault(len(word), []).append(rank)
            for length in (3, 5, 8):
                if len(word) >= length + 2:
                    longer.setdefault(length, []).append(rank)

        def pick(ranks: list[int]) -> str:
            # Log-uniform in the rank: as many frequent as rare words.
            target = math.exp(rng.uniform(0, math.log(len(self.words))))
            nearest = min(ranks, key=lambda rank: abs(rank + 1 - target))
            return self.words[nearest]

        queries = []
        kinds = ["3-whole", "3-part", "5-whole", "5-part", "8-whole", "8-part", "two-word"]
        weights = [1, 1, 1, 1, 1, 1, 1.5]
        for kind in rng.choices(kinds, weights=weights, k=count):
            if kind == "two-word":
                first, second = pick(longer[3]), pick(longer[3])
                queries.append({"q": f"{first} {second}", "kind": kind})
                continue
            length, how = int(kind[0]), kind.split("-")[1]
            if how == "whole":
                queries.append({"q": pick(by_length[length]), "kind": kind})
            else:
                word = pick(longer[length])
                start = rng.randint(1, len(word) - length)
                queries.append({"q": word[start : start + length], "kind": kind})
        return queries


@dataclass(frozen=True)
class Layout:
    """Rooms and who may read them: room i's share of the messages, its visibility."""

    rooms: int

    def slug(self, index: int) -> str:
        return f"corpus-{index:03d}"

    def public(self, index: int) -> bool:
        return index % 20 == 0

    def reader_member(self, index: int) -> bool:
        """The search user is a member of these private rooms (and may read the public ones):
        every tenth room in all."""
        return index % 20 == 10

    def weights(self) -> list[float]:
        return [1 / (index + 1) ** ROOM_SKEW for index in range(self.rooms)]


def _stamp(moment: datetime, engine: str) -> str:
    if engine == "sqlite":
        # Django's SQLite backend stores naive UTC text.
        return moment.replace(tzinfo=None).isoformat(" ", "microseconds")
    return moment.isoformat()


def render(body: str) -> str:
    return f"<p>{html.escape(body)}</p>"


class Database:
    """A migrated, seeded Parley database (SQLite file or PostgreSQL URL) to load rows into."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = "sqlite" if url.startswith("sqlite:") else "postgresql"
        if self.engine == "sqlite":
            path = urllib.parse.urlsplit(url).path
            self.connection = sqlite3.connect(path, isolation_level=None)
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=NORMAL")
            # This connection's page cache (SQLite's default is 2 MiB): the FTS5 segments and
            # B-trees a bulk load rewrites stay in memory between batches.
            self.connection.execute(f"PRAGMA cache_size=-{LOADER_CACHE_KIB}")
            self.marker = "?"
        else:
            import psycopg

            self.connection = psycopg.connect(url, autocommit=True)
            self.marker = "%s"

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        if self.engine == "sqlite":
            self.connection.execute("BEGIN")
            yield
            self.connection.execute("COMMIT")
        else:
            with self.connection.transaction():
                yield

    def close(self) -> None:
        self.connection.close()

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        return list(self.connection.execute(sql.replace("?", self.marker), params).fetchall())

    def execute(self, sql: str, params: tuple = ()) -> None:
        self.connection.execute(sql.replace("?", self.marker), params)

    def users(self) -> list[int]:
        """Seeded users' ids in username order (bench/seed_parley.py: u00000, u00001, …)."""
        return [row[0] for row in self.query("SELECT id FROM auth_user ORDER BY username")]

    def add_room(self, slug: str, visibility: str, owner: int, members: list[int]) -> int:
        now = _stamp(EPOCH, self.engine)
        self.execute(
            "INSERT INTO rooms_room (name, slug, topic, visibility, staff_only, owner_id, "
            "last_seq, created_at) VALUES (?, ?, '', ?, ?, ?, 0, ?)",
            (slug.replace("-", " ").title(), slug, visibility, False, owner, now),
        )
        room = self.query("SELECT id FROM rooms_room WHERE slug = ?", (slug,))[0][0]
        for user in members:
            self.execute(
                "INSERT INTO rooms_membership (room_id, user_id, joined_at, last_read_seq, "
                "role, level) VALUES (?, ?, ?, 0, 'member', '')",
                (room, user, now),
            )
        return int(room)

    def room_state(self, slug: str) -> tuple[int, int]:
        """(id, last_seq) of a room."""
        room, last = self.query("SELECT id, last_seq FROM rooms_room WHERE slug = ?", (slug,))[0]
        return int(room), int(last)

    def last_stamp(self) -> datetime:
        rows = self.query("SELECT MAX(created_at) FROM rooms_item")
        value = rows[0][0]
        if value is None:
            return EPOCH
        if isinstance(value, str):
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        return value

    def insert_items(self, rows: Iterator[tuple]) -> None:
        """Rows of (room_id, seq, user_id, body, created_at): one transaction per BATCH on
        SQLite, one COPY on PostgreSQL."""
        if self.engine == "sqlite":
            sql = (
                "INSERT INTO rooms_item (room_id, seq, kind, user_id, body, html, "
                "has_attachment, created_at) VALUES (?, ?, 'message', ?, ?, ?, 0, ?)"
            )
            while batch := list(itertools.islice(rows, BATCH)):
                self.connection.execute("BEGIN")
                self.connection.executemany(
                    sql, [(r, s, u, b, render(b), _stamp(t, "sqlite")) for r, s, u, b, t in batch]
                )
                self.connection.execute("COMMIT")
            return
        copy_sql = (
            "COPY rooms_item (room_id, seq, kind, user_id, body, html, has_attachment, "
            "created_at) FROM STDIN"
        )
        with self.connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for room, seq, user, body, moment in rows:
                copy.write_row((room, seq, "message", user, body, render(body), False, moment))

    def set_last_seq(self, seqs: dict[int, int]) -> None:
        """Each room's last seq, and every member's read pointer at it: the history is old news
        (a pointer at 0 would make every page that counts unread messages count them all)."""
        with self.transaction():
            for room, last in seqs.items():
                self.execute("UPDATE rooms_room SET last_seq = ? WHERE id = ?", (last, room))
                self.execute(
                    "UPDATE rooms_membership SET last_read_seq = ? WHERE room_id = ?", (last, room)
                )

    def sizes(self) -> dict:
        """Bytes on disk of the item table, its other indexes, and the search index."""
        if self.engine == "sqlite":
            pages = dict(self.query("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"))
            indexes = [
                row[0]
                for row in self.query(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
                    ("rooms_item",),
                )
            ]
            return {
                "table_bytes": pages.get("rooms_item", 0),
                "table_indexes_bytes": sum(pages.get(name, 0) for name in indexes),
                "search_index_bytes": sum(
                    size for name, size in pages.items() if name.startswith(FTS_TABLE)
                ),
                "file_bytes": sum(pages.values()),
            }
        row = self.query(
            "SELECT pg_table_size('rooms_item'), pg_indexes_size('rooms_item'), "
            "COALESCE(pg_relation_size(to_regclass(?)), 0), pg_database_size(current_database())",
            (TRGM_INDEX,),
        )[0]
        return {
            "table_bytes": row[0],
            "table_indexes_bytes": row[1] - row[2],
            "search_index_bytes": row[2],
            "file_bytes": row[3],
        }

    def search_index(self) -> list[str]:
        """The statements that make the search index kept in step: SQLite's triggers on the
        item table, PostgreSQL's trigram index. Empty when there is none (yet)."""
        if self.engine == "sqlite":
            rows = self.query(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
                (FTS_TABLE + "_%",),
            )
        else:
            rows = self.query("SELECT indexdef FROM pg_indexes WHERE indexname = ?", (TRGM_INDEX,))
        return [row[0] for row in rows]

    def drop_search_index(self) -> list[str]:
        """Stop keeping the search index in step (drop the triggers / the trigram index);
        returns the statements that restore it."""
        statements = self.search_index()
        if self.engine == "sqlite":
            names = self.query(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
                (FTS_TABLE + "_%",),
            )
            for (name,) in names:
                self.execute(f'DROP TRIGGER "{name}"')
        else:
            self.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")
        return statements

    def restore_search_index(self, statements: list[str]) -> float:
        """Run the statements `drop_search_index` returned; seconds (PostgreSQL: the build)."""
        began = time.monotonic()
        for statement in statements:
            self.execute(statement)
        return round(time.monotonic() - began, 1)

    def checkpoint(self) -> None:
        """Write the load's pages out now (SQLite: the WAL into the database; PostgreSQL: a
        CHECKPOINT), so that the measurements after a load do not pay for it."""
        if self.engine == "sqlite":
            self.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            self.execute("CHECKPOINT")

    def analyze(self) -> float:
        """PostgreSQL: VACUUM ANALYZE the item table, as autovacuum would after a load (seconds).
        SQLite: nothing (Parley never runs ANALYZE there)."""
        if self.engine != "postgresql":
            return 0.0
        began = time.monotonic()
        self.execute("VACUUM ANALYZE rooms_item")
        return round(time.monotonic() - began, 1)


@dataclass
class Corpus:
    """Rooms being filled in one database: their ids and last seqs, weights and authors."""

    db: Database
    rooms: dict[int, int]  # id → last seq
    weights: list[float]
    authors: dict[int, list[int]]
    readable: int = 0  # rooms the search user may read
    messages: int = 0

    def grow(self, count: int) -> dict:
        """Append `count` messages spread over the rooms by weight: {"messages", "seconds" (the
        whole load), "insert_seconds" (without generating the text), "per_s" (inserted rows a
        second, the index kept in step)}."""
        text = Text()
        rng = random.Random(SEED + self.messages)
        ids = list(self.rooms)
        moment = self.db.last_stamp()
        generating = 0.0

        def rows() -> Iterator[tuple]:
            nonlocal moment, generating
            done = 0
            while done < count:
                began = time.monotonic()
                chunk = min(BATCH, count - done)
                targets = rng.choices(ids, weights=self.weights, k=chunk)
                batch = []
                for room, body in zip(targets, text.sentences(rng, chunk), strict=True):
                    self.rooms[room] += 1
                    moment += timedelta(seconds=SECONDS_APART)
                    author = rng.choice(self.authors[room])
                    batch.append((room, self.rooms[room], author, body, moment))
                generating += time.monotonic() - began
                yield from batch
                done += chunk

        began = time.monotonic()
        self.db.insert_items(rows())
        self.db.set_last_seq(self.rooms)
        seconds = time.monotonic() - began
        self.messages += count
        inserting = seconds - generating
        return {
            "messages": count,
            "seconds": round(seconds, 1),
            "insert_seconds": round(inserting, 1),
            "per_s": round(count / inserting) if inserting > 0 else None,
        }


def search_corpus(db: Database, rooms: int) -> Corpus:
    """`rooms` rooms laid out as `Layout` says, the first seeded user as the search user."""
    users = db.users()
    reader, pool = users[0], users[1:]
    rng = random.Random(SEED)
    layout = Layout(rooms)
    ids, authors = {}, {}
    with db.transaction():
        for index in range(rooms):
            writers = rng.sample(pool, min(AUTHORS_PER_ROOM, len(pool)))
            members = writers + ([reader] if layout.reader_member(index) else [])
            visibility = "public" if layout.public(index) else "private"
            room = db.add_room(layout.slug(index), visibility, writers[0], members)
            ids[room], authors[room] = 0, writers
    readable = sum(layout.public(i) or layout.reader_member(i) for i in range(rooms))
    return Corpus(db, ids, layout.weights(), authors, readable=readable)


def one_room(db: Database, slug: str) -> Corpus:
    """One public room written by the seeded users (the `history` scenario)."""
    users = db.users()
    with db.transaction():
        room = db.add_room(slug, "public", users[0], users)
    return Corpus(db, {room: 0}, [1.0], {room: users})
