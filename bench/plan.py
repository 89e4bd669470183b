"""How big each scenario is: the full run (`make bench`) and a quick one (`--quick`)."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Plan:
    """Sizes, rates and time bounds of every scenario (see bench/scenarios.py)."""

    workers: int = 2  # load generator processes
    senders: int = 10
    drain: float = 5.0  # seconds a phase waits for late deliveries after its last send
    fanout_seconds: float = 10.0
    small_clients: int = 100
    small_rate: float = 100.0
    large_clients: int = 1000
    large_rate: float = 20.0
    sweep_clients: int = 1000
    sweep_step_seconds: float = 4.0
    sweep_min_messages: int = 3
    sweep_rates: tuple[float, ...] = (5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 90, 110, 130, 160, 200)
    # The tutorial consumer may miss the bound at 0.5 msg/s already: its sweep starts far lower.
    tutorial_rates: tuple[float, ...] = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 20, 30)
    sweep_budget_s: float = 120.0
    # Steps run past the first failing one, for the chart's plateau (not for the figure).
    sweep_steps_past_failure: int = 1
    idle_clients: int = 2000
    hold_clients: int = 10_000
    hold_rate: float = 1.0
    hold_seconds: float = 5.0
    storm_clients: int = 2000
    storm_missed: int = 200
    storm_rate: float = 5.0  # live messages/s once every client has caught up
    storm_timeout: float = 120.0  # from the restart, reconnecting included
    ack_clients: int = 50  # the senders are the room: each gets every message too
    ack_senders: int = 50
    ack_rate: float = 200.0
    ack_seconds: float = 10.0
    layer_clients: int = 1000
    layer_rates: tuple[float, ...] = (10, 15, 20, 30, 40, 50, 65, 80, 100)
    # `servers`: fanout-large's room and rate under each ASGI server / WebSocket variant.
    servers_clients: int = 1000
    servers_rate: float = 20.0
    servers_seconds: float = 10.0
    # `search`: generated messages in `search_rooms` rooms (bench/corpus.py), measured at each
    # size in turn (the next size loaded on top of the last), on SQLite and on PostgreSQL.
    search_sizes: tuple[int, ...] = (100_000, 1_000_000)
    search_rooms: int = 200
    search_queries: int = 200
    search_warmup: int = 20
    # send → ack with the index kept in step, then without it: this many times each, in turn.
    search_ack_rounds: int = 2
    # … and after each phase, this many sends timed in one process (bench/send_cost.py).
    search_send_count: int = 2000
    # `history`: pages of 50 at the start, middle and end of one room of `history_items`.
    history_items: int = 1_000_000
    history_repeats: int = 200
    # Big rooms (bench/bigrooms.py); each scenario runs `bigrooms_runs` times, medians reported.
    bigrooms_runs: int = 3
    # `presence`: the members of a room of exactly this many connect, `presence_rate` a second.
    presence_clients: int = 1000
    presence_rate: float = 100.0
    # `bigroom`: this many sockets subscribe to a room of as many members (and the plain server).
    bigroom_clients: int = 10_000
    # `manyrooms`: one user in this many rooms (each with `manyrooms_unread` messages to read)
    # subscribes to all of them at once, `manyrooms_repeats` times per run.
    manyrooms_rooms: int = 200
    manyrooms_unread: int = 5
    manyrooms_repeats: int = 20

    @property
    def users(self) -> int:
        """Users to seed in the SQLite database: enough for the biggest scenario."""
        return max(
            self.hold_clients,
            self.idle_clients + 20,
            self.sweep_clients,
            self.bigroom_clients,
            self.presence_clients,
        )

    @property
    def members(self) -> int:
        """Members of the "bench" room: every client of every scenario but `hold`."""
        return max(
            self.idle_clients + 20,
            self.sweep_clients,
            self.large_clients,
            self.storm_clients,
            self.servers_clients,
        )


FULL = Plan()

QUICK = replace(
    FULL,
    drain=2.0,
    fanout_seconds=3.0,
    small_clients=50,
    small_rate=50.0,
    large_clients=300,
    sweep_clients=300,
    sweep_step_seconds=2.0,
    sweep_min_messages=2,
    sweep_rates=(40, 80, 160),
    tutorial_rates=(1, 4),
    sweep_budget_s=30.0,
    idle_clients=200,
    hold_clients=1000,
    hold_seconds=3.0,
    storm_clients=200,
    storm_missed=50,
    ack_clients=30,
    ack_senders=30,
    ack_rate=100.0,
    ack_seconds=3.0,
    layer_clients=300,
    layer_rates=(40, 80),
    servers_clients=300,
    servers_seconds=3.0,
    search_sizes=(20_000, 100_000),
    search_ack_rounds=1,
    search_send_count=500,
    history_items=100_000,
    history_repeats=100,
    # Still big rooms: over 500 members (`subscribed` lists a page, the clients page the rest),
    # and over 1,000 for `bigroom` (presence only to the sockets that watch: none here).
    presence_clients=600,
    bigroom_clients=1200,
    manyrooms_repeats=5,
)
