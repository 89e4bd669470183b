"""The issue's targets, judged from one run's results: each measured value and met or not."""

from __future__ import annotations

from collections.abc import Callable

from bench.report import num

CPU_RATIO_MAX = 3.0
SATURATION_VS_PLAIN_MIN = 0.30
SATURATION_VS_TUTORIAL_MIN = 20.0
MEMORY_RATIO_MAX = 2.0
ACK_P99_MAX_MS = 20.0
STORM_MAX_S = 10.0
HOLD_MIN = 10_000
SATURATED_BELOW = 0.9
SEARCH_P95_MAX_MS = 50.0
SEARCH_AT = 1_000_000
SEARCH_FROM = 100_000
SEARCH_GROWTH_MAX = 3.0
INDEX_SEND_MAX = 1.2
HISTORY_P95_MAX_MS = 10.0
HISTORY_AT = 1_000_000
PRESENCE_MEMBERS = 1000
PRESENCE_SETTLE_MAX_S = 3.0
BIGROOM_AT = 10_000
BIGROOM_RATIO_MAX = 2.0
MANYROOMS_AT = 200
MANYROOMS_MAX_MS = 1000.0


def _cpu(s: dict) -> tuple[str, bool | None]:
    runs = s["fanout-large"]
    parley, plain = runs["parley"]["server_cpu_us"], runs["plain"]["server_cpu_us"]
    value = parley / plain
    return f"{num(parley)} vs {num(plain)} µs = {value:.2f}x plain", value <= CPU_RATIO_MAX


def _saturation_plain(s: dict) -> tuple[str, bool | None]:
    parley, plain = s["saturation"]["parley"]["best_rate"], s["saturation"]["plain"]["best_rate"]
    if parley is None or plain is None:
        return f"Parley {parley}, plain {plain} msg/s", None if plain is None else False
    share = parley / plain
    return f"{parley:g} vs {plain:g} msg/s = {share:.0%}", share >= SATURATION_VS_PLAIN_MIN


def _saturation_tutorial(s: dict) -> tuple[str, bool | None]:
    parley = s["saturation"]["parley"]["best_rate"]
    tutorial = s["saturation"]["tutorial"]
    if parley is None:
        return "Parley has no clean rate", False
    if tutorial["best_rate"] is None:
        # Even the lowest step failed: the tutorial's figure is below it.
        bound = parley / tutorial["lowest_rate"]
        lowest = tutorial["lowest_rate"]
        return (
            f"{parley:g} vs < {lowest:g} msg/s = > {bound:.0f}x",
            bound >= SATURATION_VS_TUTORIAL_MIN,
        )
    value = parley / tutorial["best_rate"]
    if tutorial.get("unbounded"):
        # The tutorial passed every step: the ratio is at most this.
        return f"{parley:g} vs ≥ {tutorial['best_rate']:g} msg/s = ≤ {value:.0f}x", (
            None if value >= SATURATION_VS_TUTORIAL_MIN else False
        )
    text = f"{parley:g} vs {tutorial['best_rate']:g} msg/s = {value:.0f}x"
    return text, value >= SATURATION_VS_TUTORIAL_MIN


def _memory(s: dict) -> tuple[str, bool | None]:
    parley = s["idle"]["parley"]["rss_per_conn_kib"]
    plain = s["idle"]["plain"]["rss_per_conn_kib"]
    value = parley / plain
    return f"{num(parley)} vs {num(plain)} KiB = {value:.2f}x plain", value <= MEMORY_RATIO_MAX


def _ack(database: str) -> Callable[[dict], tuple[str, bool | None]]:
    def judge(s: dict) -> tuple[str, bool | None]:
        run = s["ack"][database]
        p99 = run["ack_p99_ms"]
        return f"p99 {num(p99)} ms, lost {run['lost']}", p99 < ACK_P99_MAX_MS and run["lost"] == 0

    return judge


def _hold(s: dict) -> tuple[str, bool | None]:
    run = s["hold"]["parley"]
    check = run["check"]
    clean = check["lost"] == 0 and check["dups"] == 0
    text = f"{run['held']:,} held, a message to all: lost {check['lost']}, dup {check['dups']}"
    return text, run["held"] >= HOLD_MIN and run["setup"]["failed"] == 0 and clean


def _storm(s: dict) -> tuple[str, bool | None]:
    run = s["storm"]["parley"]
    lost = run["seq_gaps"] + run["after"]["lost"]
    dups = run["seq_dups"] + run["after"]["dups"]
    whole = run["caught_up"] == run["clients"] and lost == 0 and dups == 0
    text = f"{run['caught_up']:,}/{run['clients']:,} in {run['storm_s']} s, lost {lost}, dup {dups}"
    return text, whole and run["storm_s"] <= STORM_MAX_S


def _search_p95(engine: str) -> Callable[[dict], tuple[str, bool | None]]:
    def judge(s: dict) -> tuple[str, bool | None]:
        runs = s["search"][engine]["sizes"]
        size = max(runs, key=int)
        latency = runs[size]["latency"]
        text = f"p95 {num(latency['p95_ms'])} ms at {int(size):,} messages"
        if latency["failed"]:
            return f"{text}, {latency['failed']} failed", False
        if int(size) < SEARCH_AT:
            return f"{text} (smaller than the target's)", None
        return text, latency["p95_ms"] < SEARCH_P95_MAX_MS

    return judge


def _search_growth(engine: str) -> Callable[[dict], tuple[str, bool | None]]:
    def judge(s: dict) -> tuple[str, bool | None]:
        runs = s["search"][engine]["sizes"]
        small, large = min(runs, key=int), max(runs, key=int)
        a, b = runs[small]["latency"]["p95_ms"], runs[large]["latency"]["p95_ms"]
        value = b / a
        text = f"{num(b)} ÷ {num(a)} ms = {value:.2f}x ({int(large):,} ÷ {int(small):,})"
        if (int(small), int(large)) != (SEARCH_FROM, SEARCH_AT):
            return text, None
        return text, value < SEARCH_GROWTH_MAX

    return judge


def _index_send(engine: str) -> Callable[[dict], tuple[str, bool | None]]:
    def judge(s: dict) -> tuple[str, bool | None]:
        send = s["search"][engine]["send"]
        kept, bare = send["with"]["ack_p99_ms"], send["without"]["ack_p99_ms"]
        value = kept / bare
        lost = send["with"]["lost"] + send["without"]["lost"]
        text = f"p99 {num(kept)} vs {num(bare)} ms = {value:.2f}x, lost {lost}"
        work = send["with"].get("db_median_us"), send["without"].get("db_median_us")
        if all(work):
            text += f" (database work per send {num(work[0], 0)} vs {num(work[1], 0)} µs)"
        return text, value <= INDEX_SEND_MAX and lost == 0

    return judge


def _history(engine: str) -> Callable[[dict], tuple[str, bool | None]]:
    def judge(s: dict) -> tuple[str, bool | None]:
        run = s["history"][engine]
        worst = max(page["p95_ms"] for page in run["pages"].values())
        cells = ", ".join(f"{name} {num(page['p95_ms'])}" for name, page in run["pages"].items())
        text = f"p95 {cells} ms at {run['items']:,} items"
        if run["items"] < HISTORY_AT:
            return f"{text} (smaller than the target's)", None
        return text, worst < HISTORY_P95_MAX_MS

    return judge


def _smaller(text: str, size: int, target: int) -> str:
    return f"{text} (at {size:,}, smaller than the target's)" if size < target else text


def _presence_settle(s: dict) -> tuple[str, bool | None]:
    run = s["presence"]["parley"]
    text = _smaller(
        f"quiet {num(run['settle_s'], 2)} s after the last", run["clients"], PRESENCE_MEMBERS
    )
    if run["clients"] < PRESENCE_MEMBERS:
        return text, None
    return text, run["settle_s"] <= PRESENCE_SETTLE_MAX_S


def _presence_views(s: dict) -> tuple[str, bool | None]:
    run = s["presence"]["parley"]
    worst = max(r["wrong"] for r in run["runs"])
    text = f"{worst} of {run['clients']:,} wrong in the worst run"
    return _smaller(text, run["clients"], PRESENCE_MEMBERS), worst == 0


def _bigroom(key: str, unit: str) -> Callable[[dict], tuple[str, bool | None]]:
    def judge(s: dict) -> tuple[str, bool | None]:
        parley, plain = s["bigroom"]["parley"], s["bigroom"]["plain"]
        value = parley[key] / plain[key]
        text = f"{num(parley[key])} vs {num(plain[key])} {unit} = {value:.2f}x plain"
        clients = parley["opened"]
        if parley["failed"]:
            return f"{text}, {parley['failed']} failed to connect", False
        if clients < BIGROOM_AT:
            return _smaller(text, clients, BIGROOM_AT), None
        return text, value <= BIGROOM_RATIO_MAX

    return judge


def _manyrooms(s: dict) -> tuple[str, bool | None]:
    run = s["manyrooms"]["parley"]
    text = f"p95 {num(run['p95_ms'], 0)} ms (first {num(run['first_ms'], 0)} ms)"
    if run["wrong_unread"]:
        return f"{text}, {run['wrong_unread']} unread counts wrong", False
    if run["rooms"] < MANYROOMS_AT:
        return _smaller(text, run["rooms"], MANYROOMS_AT), None
    return text, run["p95_ms"] < MANYROOMS_MAX_MS


def parley_phases(s: dict) -> list[tuple[str, dict]]:
    """Every Parley phase that was not a sweep step past saturation."""
    phases = []
    for key in ("fanout-small", "fanout-large"):
        for name in ("parley", "parley-redis"):
            if name in s.get(key, {}):
                phases.append((f"{key} {name}", s[key][name]))
    phases += [(f"ack {db}", run) for db, run in s.get("ack", {}).items()]
    if "parley" in s.get("hold", {}):
        phases.append(("hold", s["hold"]["parley"]["check"]))
    steps = s.get("saturation", {}).get("parley", {}).get("steps", [])
    phases += [(f"saturation {step['rate']:g} msg/s", step) for step in steps if step["ok"]]
    for layer, run in s.get("layers", {}).items():
        phases.append((f"layers {layer}", run["fanout"]))
    for engine in ("sqlite", "postgresql"):
        send = s.get("search", {}).get(engine, {}).get("send", {})
        for name in ("with", "without"):
            for n, run in enumerate(send.get(name, {}).get("runs", [])):
                phases.append((f"search {engine} ack {name} index #{n + 1}", run))
    return phases


def past_saturation(run: dict) -> bool:
    """The server did not keep up: under 90% of the offered deliveries per second arrived."""
    return run["deliveries_per_s"] < SATURATED_BELOW * run["rate"] * run["clients"]


def _zero_loss(s: dict) -> tuple[str, bool | None]:
    phases = parley_phases(s)
    kept_up = [(name, run) for name, run in phases if not past_saturation(run)]
    bad = [name for name, run in kept_up if run["lost"] or run["dups"] or run["seq_gaps"]]
    over = [name for name, run in phases if past_saturation(run)]
    text = f"{len(kept_up)} Parley phases below saturation"
    if over:
        holes = sum(run["seq_gaps"] + run["seq_dups"] for name, run in phases if name in over)
        text += f"; past saturation (late, not judged): {', '.join(over)}, seq holes {holes}"
    if bad:
        return f"lost or duplicated in: {', '.join(bad)}; {text}", False
    return f"0 lost, 0 duplicated in {text}", True


TARGETS: list[tuple[str, tuple[str, ...], Callable[[dict], tuple[str, bool | None]]]] = [
    ("server CPU per delivery at 1,000 clients ≤ 3x plain", ("fanout-large",), _cpu),
    ("saturation at 1,000 clients ≥ 30% of plain", ("saturation",), _saturation_plain),
    ("saturation at 1,000 clients ≥ 20x tutorial", ("saturation",), _saturation_tutorial),
    ("idle memory per connection ≤ 2x plain", ("idle",), _memory),
    ("send → ack p99 < 20 ms, SQLite", ("ack",), _ack("sqlite")),
    ("send → ack p99 < 20 ms, PostgreSQL", ("ack",), _ack("postgresql")),
    ("10,000 connections on one process", ("hold",), _hold),
    ("reconnect storm: all resumed, nothing lost or doubled, ≤ 10 s", ("storm",), _storm),
    ("0 lost, 0 duplicated below saturation", (), _zero_loss),
    ("search p95 < 50 ms at 1M messages, SQLite", ("search",), _search_p95("sqlite")),
    ("search p95 < 50 ms at 1M messages, PostgreSQL", ("search",), _search_p95("postgresql")),
    ("search p95 at 1M ÷ at 100k < 3, SQLite", ("search",), _search_growth("sqlite")),
    ("search p95 at 1M ÷ at 100k < 3, PostgreSQL", ("search",), _search_growth("postgresql")),
    (
        "send → ack p99 with the search index ≤ 1.2x without, SQLite",
        ("search",),
        _index_send("sqlite"),
    ),
    (
        "send → ack p99 with the search index ≤ 1.2x without, PostgreSQL",
        ("search",),
        _index_send("postgresql"),
    ),
    (
        "history: a page of 50 at start, middle, end of 1M items, p95 < 10 ms, SQLite",
        ("history",),
        _history("sqlite"),
    ),
    (
        "history: a page of 50 at start, middle, end of 1M items, p95 < 10 ms, PostgreSQL",
        ("history",),
        _history("postgresql"),
    ),
    (
        "1,000 members of a room connect: server quiet ≤ 3 s after the last",
        ("presence",),
        _presence_settle,
    ),
    (
        "1,000 members of a room connect: every client's view of who is online right",
        ("presence",),
        _presence_views,
    ),
    (
        "10,000 sockets in a 10,000-member room: time to open all ≤ 2x plain",
        ("bigroom",),
        _bigroom("setup_s", "s"),
    ),
    (
        "10,000 sockets in a 10,000-member room: connect + subscribe p99 ≤ 2x plain",
        ("bigroom",),
        _bigroom("setup_p99_ms", "ms"),
    ),
    (
        "10,000 sockets in a 10,000-member room: memory per connection ≤ 2x plain",
        ("bigroom",),
        _bigroom("rss_per_conn_kib", "KiB"),
    ),
    ("a user in 200 rooms: all subscribed < 1 s (p95)", ("manyrooms",), _manyrooms),
]


def judge(results: dict) -> list[dict]:
    """Each target with what was measured and whether it is met (None: not measured)."""
    scenarios = results["scenarios"]
    judged = []
    for name, needs, check in TARGETS:
        try:
            if any(key not in scenarios or "error" in scenarios[key] for key in needs):
                raise KeyError(needs)
            measured, met = check(scenarios)
        except (KeyError, TypeError, ZeroDivisionError):
            measured, met = "not measured", None
        judged.append({"target": name, "measured": measured, "met": met})
    return judged


def targets_table(judged: list[dict]) -> str:
    marks = {True: "met", False: "**not met**", None: "not measured"}
    lines = ["| target | measured | |", "|---|---|---|"]
    lines += [f"| {t['target']} | {t['measured']} | {marks[t['met']]} |" for t in judged]
    return "\n".join(lines)
