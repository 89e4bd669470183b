"""bench/targets.py and bench/report.py on the big-room scenarios' results (bench/bigrooms.py)."""

from __future__ import annotations

from bench.plan import FULL
from bench.report import results_table
from bench.targets import judge


def presence_run(*, wrong: int, settle_s: float) -> dict:
    return {
        "setup_s": 10.2,
        "setup_p99_ms": 40.0,
        "settle_s": settle_s,
        "wrong": wrong,
        "right_p50_s": 0.6,
        "right_max_s": 1.1,
        "latency_p50_ms": 500.0,
        "latency_p99_ms": 1100.0,
        "presence_frames_per_client": 11.0,
    }


def bigroom_run(*, setup_s: float, p99_ms: float, kib: float) -> dict:
    return {
        "setup_s": setup_s,
        "setup_p50_ms": p99_ms / 2,
        "setup_p99_ms": p99_ms,
        "rss_per_conn_kib": kib,
        "opened": 10_000,
        "failed": 0,
    }


def results() -> dict:
    runs = [presence_run(wrong=0, settle_s=1.0), presence_run(wrong=2, settle_s=2.0)]
    return {
        "plan": {**FULL.__dict__},
        "scenarios": {
            "presence": {"parley": {**runs[1], "clients": 1000, "runs": runs}},
            "bigroom": {
                "parley": bigroom_run(setup_s=6.0, p99_ms=500.0, kib=28.0),
                "plain": bigroom_run(setup_s=3.5, p99_ms=200.0, kib=14.8),
            },
            "manyrooms": {
                "parley": {
                    "first_ms": 900.0,
                    "p50_ms": 400.0,
                    "p95_ms": 700.0,
                    "wrong_unread": 0,
                    "rooms": 200,
                }
            },
        },
    }


def verdicts() -> dict[str, bool | None]:
    return {t["target"]: t["met"] for t in judge(results()) if t["measured"] != "not measured"}


def test_a_wrong_view_in_any_run_fails_the_presence_target():
    met = verdicts()
    assert met["1,000 members of a room connect: server quiet ≤ 3 s after the last"] is True
    assert (
        met["1,000 members of a room connect: every client's view of who is online right"] is False
    )


def test_big_room_ratios_are_judged_against_the_plain_server_of_the_same_run():
    met = verdicts()
    assert met["10,000 sockets in a 10,000-member room: time to open all ≤ 2x plain"] is True
    assert (
        met["10,000 sockets in a 10,000-member room: connect + subscribe p99 ≤ 2x plain"] is False
    )
    assert met["10,000 sockets in a 10,000-member room: memory per connection ≤ 2x plain"] is True
    assert met["a user in 200 rooms: all subscribed < 1 s (p95)"] is True


def test_the_table_shows_the_big_room_rows():
    table = results_table(results())
    assert (
        "| 10,000 sockets in a room of as many members | connect + subscribe p99 (ms) | 500 |"
        in table
    )
    assert "| a user subscribing to its 200 rooms at once | all `subscribed`" in table
    assert "clients whose view of who is online is wrong | 2 |" in table
