"""What one WebSocket `send` costs the database thread, measured in one process.

Times the body of the consumer's `_post` (services.message_post, then the ack frame) wrapped in
the `close_old_connections()` calls Channels' `database_sync_to_async` makes around every call:
what each `send` holds the process's single database thread for. A room of a few members posts
in turn with fresh client_ids; a second loop re-sends stored client_ids (the idempotent path).
Publishing is replaced by a no-op: in the server it is a `call_soon_threadsafe` to the loop.

Runs against a fresh database of its own: a temporary SQLite file, or, with DATABASE_URL set,
a PostgreSQL database `parley_sendcost` on that server (created, migrated, dropped after).
With --database-url, against that database as it is (the `search` scenario's generated history,
with and without its search index): its room and users are added, named with --label.

    python -m bench.send_cost                       # SQLite; prints JSON
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench.send_cost
    python -m bench.send_cost --count 5000 --profile 30   # plus the cProfile top 30 (stderr)
    python -m bench.send_cost --database-url sqlite:////tmp/x/parley.sqlite3 --label a
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

DATABASE_NAME = "parley_sendcost"
BENCH_SECRET_KEY = "parley-send-cost-secret-key-not-for-production-0123456789abcdef"  # noqa: S105


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.send_cost", description=__doc__)
    parser.add_argument("--count", type=int, default=3000, help="timed sends (default 3000)")
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--members", type=int, default=5, help="members posting in turn")
    parser.add_argument("--queries", type=int, default=50, help="sends whose queries are counted")
    parser.add_argument("--profile", type=int, default=0, help="print the cProfile top N")
    parser.add_argument("--sql", action="store_true", help="print one send's SQL (stderr)")
    parser.add_argument("--database-url", help="an existing, migrated database, used as it is")
    parser.add_argument("--label", default="", help="suffix of the names made (--database-url)")
    return parser.parse_args()


def postgres_urls(url: str) -> tuple[str, str]:
    """(the admin database's URL, the throwaway database's URL) on the server of `url`."""
    parts = urllib.parse.urlsplit(url)
    return (
        urllib.parse.urlunsplit(parts._replace(path="/postgres")),
        urllib.parse.urlunsplit(parts._replace(path=f"/{DATABASE_NAME}")),
    )


def postgres_admin(admin_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(statement)


def configure(existing: str | None = None) -> tuple[str, object]:
    """Point Django at a fresh database (or at `existing`, left as it is); returns (engine name,
    a clean-up callable)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["SECRET_KEY"] = BENCH_SECRET_KEY
    os.environ["PARLEY_RATE_LIMITS"] = "off"
    os.environ["REDIS_URL"] = ""
    os.environ["DEBUG"] = "false"
    if existing:
        os.environ["DATABASE_URL"] = existing
        engine = "sqlite" if existing.startswith("sqlite:") else "postgresql"
        return engine, lambda: None
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        admin_url, bench_url = postgres_urls(url)
        postgres_admin(admin_url, f"DROP DATABASE IF EXISTS {DATABASE_NAME}")
        postgres_admin(admin_url, f"CREATE DATABASE {DATABASE_NAME}")
        os.environ["DATABASE_URL"] = bench_url

        def clean_up() -> None:
            postgres_admin(admin_url, f"DROP DATABASE IF EXISTS {DATABASE_NAME}")

        return "postgresql", clean_up
    folder = Path(tempfile.mkdtemp(prefix="parley-sendcost-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'sendcost.sqlite3'}"
    return "sqlite", lambda: shutil.rmtree(folder, ignore_errors=True)


def setup_room(members: int, label: str = "", *, migrate: bool = True):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from parley.rooms import services

    if migrate:
        # Not on an existing database: migrating would put back a search index dropped on
        # purpose (parley/search's post_migrate repair).
        call_command("migrate", verbosity=0)
    users = [
        get_user_model().objects.create_user(username=f"sender{label}{n}", password=None)
        for n in range(members)
    ]
    room = services.room_create(
        owner=users[0],
        name="Send cost",
        slug=f"send-cost{label}",
        visibility="public",
        staff_only=False,
    )
    for user in users[1:]:
        services.room_join(user=user, room=room)
    # Non-members and other rooms, so that look-ups do not run on near-empty tables.
    outsiders = [
        get_user_model().objects.create_user(username=f"outsider{label}{n}", password=None)
        for n in range(20)
    ]
    for n, user in enumerate(outsiders):
        other = services.room_create(
            owner=user,
            name=f"Other {n}",
            slug=f"other{label}-{n}",
            visibility="private",
            staff_only=False,
        )
        services.message_post(user=user, room_slug=other.slug, body="x", client_id="warm")
    return users, room


def summary(samples_ns: list[int]) -> dict[str, float]:
    ordered = sorted(samples_ns)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {
        "median_us": round(statistics.median(ordered) / 1000, 1),
        "p99_us": round(p99 / 1000, 1),
        "mean_us": round(statistics.fmean(ordered) / 1000, 1),
    }


def main() -> None:
    args = parse_args()
    engine, clean_up = configure(args.database_url)
    try:
        results = measure(args, engine)
    finally:
        from django.db import connections

        connections.close_all()
        clean_up()
    print(json.dumps(results))


def measure(args: argparse.Namespace, engine: str) -> dict:
    import django

    django.setup()

    from django.db import close_old_connections, connection
    from django.test.utils import CaptureQueriesContext

    from parley.realtime import broadcast, consumers
    from parley.wire import commands

    # In the server this is a call_soon_threadsafe to the event loop, off the database thread.
    broadcast.publish_from_sync = lambda group, message: None
    post = consumers._post.__wrapped__  # the synchronous body that runs in the database thread

    users, room = setup_room(args.members, args.label, migrate=not args.database_url)
    counter = iter(range(10**9))

    def send(user, client_id: str | None = None) -> str:
        n = next(counter)
        command = commands.Send(
            ref=f"r{n}", room=room.slug, body=f"message number {n}", client_id=client_id or f"c{n}"
        )
        close_old_connections()
        try:
            return post(user, command, "socket-token")
        finally:
            close_old_connections()

    def timed_loop(count: int, client_id=None) -> list[int]:
        samples = []
        for n in range(count):
            user = users[n % len(users)]
            began = time.perf_counter_ns()
            send(user, client_id(n) if client_id else None)
            samples.append(time.perf_counter_ns() - began)
        return samples

    timed_loop(args.warmup)
    new = timed_loop(args.count)
    # Re-sends of client_ids the warm-up stored (each user's own): the idempotent answer.
    resend_ids = {n: f"c{n}" for n in range(args.warmup)}
    resent = timed_loop(min(args.count, args.warmup), client_id=resend_ids.__getitem__)

    with CaptureQueriesContext(connection) as captured:
        timed_loop(args.queries)
    first_query = len(captured.captured_queries) // args.queries
    if args.sql:
        for query in captured.captured_queries[:first_query]:
            print(query["sql"], file=sys.stderr)
    with CaptureQueriesContext(connection) as captured_resend:
        timed_loop(10, client_id=resend_ids.__getitem__)

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        timed_loop(args.count)
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(args.profile)
        stats.sort_stats("tottime").print_stats(args.profile)

    return {
        "engine": engine,
        "sends": args.count,
        "members": args.members,
        "send": summary(new),
        "queries_per_send": round(len(captured.captured_queries) / args.queries, 2),
        "resend": summary(resent),
        "queries_per_resend": round(len(captured_resend.captured_queries) / 10, 2),
    }


if __name__ == "__main__":
    main()
