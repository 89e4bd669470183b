"""Tables, targets and the chart from one run's results (see bench/run.py for their shape)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

NAMES = ("parley", "parley-redis", "tutorial", "plain")
HEADER = (
    "| scenario | metric | Parley | Parley + Redis | tutorial | plain "
    "| Parley ÷ plain | Parley ÷ tutorial |"
)
RULE = "|---|---|--:|--:|--:|--:|--:|--:|"
BLANK = "-"


def num(value: Any, digits: int = 1) -> str:
    if value is None:
        return BLANK
    if isinstance(value, int) or digits == 0:
        return f"{round(value):,}"
    return f"{value:,.{digits}f}"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or not b:
        return BLANK
    return f"{a / b:.2f}x"


def pair(a: Any, b: Any, digits: int = 1) -> str:
    if a is None and b is None:
        return BLANK
    return f"{num(a, digits)} / {num(b, digits)}"


class Table:
    """One markdown table with a column per server and the two ratios."""

    def __init__(self) -> None:
        self.lines = [HEADER, RULE]

    def add(
        self,
        scenario: str,
        metric: str,
        cells: dict[str, str],
        values: dict[str, float | None] | None = None,
        ratios: tuple[str, str] | None = None,
    ) -> None:
        """A row; `values` (numbers per server) adds Parley's ratios to both references,
        unless `ratios` gives them already written."""
        values = values or {}
        row = [scenario, metric, *(cells.get(name, BLANK) for name in NAMES)]
        row += ratios or [ratio(values.get("parley"), values.get(r)) for r in ("plain", "tutorial")]
        self.lines.append("| " + " | ".join(row) + " |")

    def metric(self, scenario: str, metric: str, data: dict, get: Callable, digits=1) -> None:
        values = {name: get(data[name]) for name in NAMES if name in data}
        self.add(scenario, metric, {n: num(v, digits) for n, v in values.items()}, values)


def fanout_rows(table: Table, label: str, data: dict) -> None:
    runs = {name: data[name] for name in NAMES if name in data}
    table.metric(label, "deliveries/s", runs, lambda r: r["deliveries_per_s"], 0)
    table.add(
        label,
        "latency p50 / p99 (ms)",
        {n: pair(r["p50_ms"], r["p99_ms"]) for n, r in runs.items()},
    )
    table.add(
        label, "lost / duplicated", {n: pair(r["lost"], r["dups"], 0) for n, r in runs.items()}
    )
    table.metric(label, "server CPU µs per delivery", runs, lambda r: r["server_cpu_us"])
    table.metric(label, "load generator CPU µs per delivery", runs, lambda r: r["loadgen_cpu_us"])
    table.add(
        label,
        "time to connect / server busy after (s)",
        {n: pair(r["setup"]["setup_s"], r["setup"]["settle_s"]) for n, r in runs.items()},
    )
    table.add(
        label,
        "send → ack p50 / p99 (ms)",
        {n: pair(r["ack_p50_ms"], r["ack_p99_ms"]) for n, r in runs.items() if r["ack_p50_ms"]},
    )


def rate_cell(sweep: dict) -> str:
    if sweep.get("best_rate") is None:
        return f"< {sweep['lowest_rate']:g}"
    if sweep.get("unbounded"):
        return f"≥ {sweep['best_rate']:g}"
    return f"{sweep['best_rate']:g}"


def saturation_ratio(parley: dict, reference: dict | None) -> str:
    """Parley's figure over a reference's; a lower bound when the reference failed every step."""
    if reference is None or parley.get("best_rate") is None:
        return BLANK
    if reference.get("best_rate") is None:
        return f"> {parley['best_rate'] / reference['lowest_rate']:.0f}x"
    if reference.get("unbounded"):
        return "≤ " + ratio(parley["best_rate"], reference["best_rate"])
    return ratio(parley["best_rate"], reference["best_rate"])


def saturation_rows(table: Table, label: str, data: dict) -> None:
    runs = {name: data[name] for name in NAMES if name in data}
    cells = {name: rate_cell(r) for name, r in runs.items()}
    if "tutorial" in runs and runs["tutorial"].get("best_rate") is None:
        cells["tutorial"] += f" (p99 {num(runs['tutorial']['steps'][0]['p99_ms'], 0)} ms)"
    parley = runs.get("parley", {})
    ratios = (
        saturation_ratio(parley, runs.get("plain")),
        saturation_ratio(parley, runs.get("tutorial")),
    )
    table.add(label, "highest rate, 0 lost, p99 < 250 ms (msg/s)", cells, ratios=ratios)
    table.metric(label, "deliveries/s at that rate", runs, lambda r: r["best_deliveries_per_s"], 0)


def idle_rows(table: Table, label: str, data: dict) -> None:
    table.metric(label, "RSS per idle connection (KiB)", data, lambda r: r["rss_per_conn_kib"])
    table.metric(
        label, "connect (+ subscribe) p99 (ms)", data, lambda r: r["setup"]["setup_p99_ms"], 0
    )


def hold_rows(table: Table, label: str, data: dict) -> None:
    table.metric(label, "connections held", data, lambda r: r["held"], 0)
    table.metric(label, "RSS per connection (KiB)", data, lambda r: r["rss_per_conn_kib"])
    table.metric(label, "time to open them all (s)", data, lambda r: r["setup"]["setup_s"])
    table.add(
        label,
        "a message to all: lost / dup, p99 (ms)",
        {n: _check_cell(r["check"]) for n, r in data.items()},
    )


def _check_cell(check: dict) -> str:
    return f"{pair(check['lost'], check['dups'], 0)}, {num(check['p99_ms'], 0)}"


def storm_rows(table: Table, label: str, data: dict) -> None:
    storm = data.get("parley")
    if not storm:
        return
    caught = f"{storm['caught_up']:,} of {storm['clients']:,}"
    table.add(label, "clients caught up / time (s)", {"parley": f"{caught} / {storm['storm_s']}"})
    lost = storm["seq_gaps"] + storm["after"]["lost"]
    dups = storm["seq_dups"] + storm["after"]["dups"]
    table.add(label, "lost / duplicated (by seq)", {"parley": pair(lost, dups, 0)})


def ack_rows(table: Table, label: str, data: dict) -> None:
    for database, run in data.items():
        table.add(
            label,
            f"{database}: send → ack p50 / p99 (ms), lost",
            {"parley": f"{pair(run['ack_p50_ms'], run['ack_p99_ms'])}, {run['lost']}"},
        )


def presence_rows(table: Table, label: str, data: dict) -> None:
    run = data.get("parley")
    if not run:
        return
    table.add(
        label,
        "time to connect / server busy after the last (s)",
        {"parley": pair(run["setup_s"], run["settle_s"], 2)},
    )
    table.add(label, "clients whose view of who is online is wrong", {"parley": num(run["wrong"])})
    table.add(
        label,
        "views right, p50 / last, after the last connect (s)",
        {"parley": pair(run["right_p50_s"], run["right_max_s"], 2)},
    )
    table.add(
        label,
        "a member online → others told, p50 / p99 (ms)",
        {"parley": pair(run["latency_p50_ms"], run["latency_p99_ms"], 0)},
    )
    table.add(
        label, "presence frames per client", {"parley": num(run["presence_frames_per_client"])}
    )


def bigroom_rows(table: Table, label: str, data: dict) -> None:
    table.metric(label, "time to open and subscribe them all (s)", data, lambda r: r["setup_s"])
    table.metric(label, "connect + subscribe p50 (ms)", data, lambda r: r["setup_p50_ms"], 0)
    table.metric(label, "connect + subscribe p99 (ms)", data, lambda r: r["setup_p99_ms"], 0)
    table.metric(label, "RSS per connection (KiB)", data, lambda r: r["rss_per_conn_kib"])


def manyrooms_rows(table: Table, label: str, data: dict) -> None:
    run = data.get("parley")
    if not run:
        return
    cells = f"{num(run['first_ms'], 0)} / {pair(run['p50_ms'], run['p95_ms'], 0)}"
    table.add(label, "all `subscribed`: first / p50 / p95 (ms)", {"parley": cells})
    table.add(label, "rooms with a wrong unread count", {"parley": num(run["wrong_unread"])})


def results_table(results: dict) -> str:
    """The main table: every scenario that ran, Parley beside the references."""
    plan, scenarios, table = results["plan"], results["scenarios"], Table()
    small = f"{plan['small_clients']:,} clients, {plan['small_rate']:g} msg/s"
    large = f"{plan['large_clients']:,} clients, {plan['large_rate']:g} msg/s"
    sections = [
        ("fanout-small", small, fanout_rows),
        ("fanout-large", large, fanout_rows),
        ("saturation", f"saturation, {plan['sweep_clients']:,} clients", saturation_rows),
        ("idle", f"{plan['idle_clients']:,} idle connections", idle_rows),
        ("hold", f"{plan['hold_clients']:,} connections, one process", hold_rows),
        ("storm", f"reconnect storm, {plan['storm_clients']:,} clients", storm_rows),
        ("ack", f"{plan['ack_senders']} senders, {plan['ack_rate']:g} msg/s", ack_rows),
        # Medians of `bigrooms_runs` runs (bench/bigrooms.py); plans written before have none.
        (
            "presence",
            f"{plan.get('presence_clients', 0):,} members of a room connect, "
            f"{plan.get('presence_rate', 0):g}/s",
            presence_rows,
        ),
        (
            "bigroom",
            f"{plan.get('bigroom_clients', 0):,} sockets in a room of as many members",
            bigroom_rows,
        ),
        (
            "manyrooms",
            f"a user subscribing to its {plan.get('manyrooms_rooms', 0)} rooms at once",
            manyrooms_rows,
        ),
    ]
    for key, label, rows in sections:
        data = scenarios.get(key)
        if data and "error" not in data:
            rows(table, label, data)
    text = "\n".join(table.lines)
    # Printed and published with the main table (bench/run.py and bench/publish.py call only
    # the functions above and below): its own heading and table when the scenario ran.
    servers = servers_table(results)
    if servers:
        text += "\n\n### ASGI servers and WebSocket implementations (this run)\n\n" + servers
    search = search_table(results)
    if search:
        text += "\n\n### Search over generated history (this run)\n\n" + search
    history = history_table(results)
    if history:
        text += "\n\n### History pages in a long room (this run)\n\n" + history
    return text


SERVER_LABELS = {
    "default": "uvicorn, `auto` = websockets-sansio, uvloop (default)",
    "deflate": "… with per-message deflate on",
    "websockets": "uvicorn, websockets (legacy)",
    "wsproto": "uvicorn, wsproto",
    "asyncio": "uvicorn, websockets-sansio, asyncio loop",
    "daphne": "daphne",
}


def with_ratio(value: float | None, default: float | None, digits: int = 1) -> str:
    """A figure and its ratio to the default variant's in the same run."""
    if value is None:
        return BLANK
    return f"{num(value, digits)} ({ratio(value, default)})"


def _sigterm_cell(run: dict) -> str:
    stop = run.get("sigterm") or {}
    codes = ", ".join(f"{code}: {n:,}" for code, n in sorted(stop.get("close_codes", {}).items()))
    killed = ", killed" if stop.get("killed") else ""
    return (
        f"{codes or 'none'}; {num(stop.get('disconnects_run'), 0)}; {stop.get('stop_s')} s{killed}"
    )


def servers_table(results: dict) -> str:
    """Parley under each ASGI server / WebSocket variant (`servers` scenario), one column each."""
    data = results["scenarios"].get("servers") or {}
    runs = {name: run for name, run in data.items() if isinstance(run, dict) and "error" not in run}
    if not runs:
        return ""
    plan, default = results["plan"], runs.get("default", {})
    names = [name for name in SERVER_LABELS if name in runs]

    rows: list[tuple[str, Callable[[dict], str]]] = [
        (
            "deliveries/s (÷ default)",
            lambda r: with_ratio(r["deliveries_per_s"], default.get("deliveries_per_s"), 0),
        ),
        ("latency p50 / p99 (ms)", lambda r: pair(r["p50_ms"], r["p99_ms"])),
        ("lost / duplicated", lambda r: pair(r["lost"], r["dups"], 0)),
        (
            "server CPU µs per delivery (÷ default)",
            lambda r: with_ratio(r["server_cpu_us"], default.get("server_cpu_us")),
        ),
        ("server cores busy", lambda r: num(r["server_cores"], 2)),
        (
            "RSS per subscribed connection (KiB)",
            lambda r: with_ratio(r.get("rss_per_conn_kib"), default.get("rss_per_conn_kib")),
        ),
        ("connect + subscribe p99 (ms)", lambda r: num(r["setup"]["setup_p99_ms"], 0)),
        (
            "server busy after the clients connected (s; presence, ~N²/2 frames)",
            lambda r: num(r["setup"]["settle_s"]),
        ),
        (
            "permessage-deflate accepted when offered / used here",
            lambda r: f"{_yes(r.get('deflate_accepted'))} / {_yes(r.get('deflate_negotiated'))}",
        ),
        ("SIGTERM: close codes; disconnect() logged; stop", _sigterm_cell),
    ]
    lines = [
        f"{plan['servers_clients']:,} clients in one room, {plan['servers_rate']:g} msg/s for "
        f"{plan['servers_seconds']:g} s, one server process per variant; ratios are to the "
        "default variant of this run:",
        "",
        "| metric | " + " | ".join(SERVER_LABELS[name] for name in names) + " |",
        "|---|" + "--:|" * len(names),
    ]
    lines += [
        f"| {metric} | " + " | ".join(cell(runs[name]) for name in names) + " |"
        for metric, cell in rows
    ]
    failed = {name: run["error"] for name, run in data.items() if "error" in run}
    lines += [
        f"\n{SERVER_LABELS.get(name, name)} failed: {error}" for name, error in failed.items()
    ]
    return "\n".join(lines)


def _yes(value: bool | None) -> str:
    return BLANK if value is None else ("yes" if value else "no")


def layers_table(results: dict) -> str:
    """RedisChannelLayer beside RedisPubSubChannelLayer, two processes on one database."""
    layers = results["scenarios"].get("layers") or {}
    if "core" not in layers or "pubsub" not in layers:
        return ""
    plan = results["plan"]
    core, pubsub = layers["core"], layers["pubsub"]
    rows = [
        ("deliveries/s", lambda r: num(r["fanout"]["deliveries_per_s"], 0)),
        ("latency p50 / p99 (ms)", lambda r: pair(r["fanout"]["p50_ms"], r["fanout"]["p99_ms"])),
        ("lost / duplicated", lambda r: pair(r["fanout"]["lost"], r["fanout"]["dups"], 0)),
        (
            "server CPU µs per delivery (both processes + Redis)",
            lambda r: num(r["fanout"]["server_cpu_us"]),
        ),
        ("… of which Redis", lambda r: num(r["fanout"]["parts_cpu_us"].get("redis"))),
        ("refills from the database (layer gaps)", lambda r: num(r["refills"], 0)),
        ("highest rate, 0 lost, p99 < 250 ms (msg/s)", lambda r: rate_cell(r["sweep"])),
    ]
    lines = [
        f"{plan['layer_clients']:,} clients split over 2 processes, {plan['large_rate']:g} msg/s "
        "(and the step-up sweep for the last row):",
        "",
        "| metric | RedisChannelLayer (`core`) | RedisPubSubChannelLayer (`pubsub`) |",
        "|---|--:|--:|",
    ]
    lines += [f"| {metric} | {get(core)} | {get(pubsub)} |" for metric, get in rows]
    return "\n".join(lines)


def costs_table(results: dict) -> str:
    """The per-recipient steps of the tutorial pattern beside what Parley pays instead."""
    costs = (results["scenarios"].get("costs") or {}).get("per_delivery_us")
    if not costs:
        return ""
    lines = ["| step, per delivery | µs |", "|---|--:|"]
    lines += [f"| {step} | {num(value, 2)} |" for step, value in costs.items()]
    return "\n".join(lines)


ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def mib(value: float | None) -> str:
    return BLANK if value is None else f"{value / 2**20:,.0f}"


def _load_cell(load: dict) -> str:
    analyze = f"; VACUUM ANALYZE {load['analyze_s']:g} s" if load.get("analyze_s") else ""
    return f"{num(load['seconds'])} ({num(load['per_s'], 0)}/s){analyze}"


def search_table(results: dict) -> str:
    """The `search` scenario: per engine and size, load, sizes on disk, latency, growth; then
    send → ack with and without the index."""
    data = results["scenarios"].get("search") or {}
    engines = [e for e in ENGINES if isinstance(data.get(e), dict) and "sizes" in data[e]]
    if not engines:
        return ""
    readable = data[engines[0]].get("readable_rooms")
    lines = [
        f"{data['queries']} queries (words of 3, 5 and 8 characters, whole and parts of longer "
        f"words, frequent to rare, and two-word queries), one at a time over one HTTP "
        f"connection, as a user who may read {readable} of {data['rooms']} rooms; each size "
        "loaded on top of the last with the index kept in step (rows/s inserting):",
        "",
        "| engine | messages | load, s (rows/s) | search index / item table / its other "
        "indexes (MiB) | search p50 / p95 (ms) | p95 ÷ first size's | queries without results "
        "| a query matching nothing, p50 (ms) | the search service alone, p50 / p95 (ms) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for engine in engines:
        runs = data[engine]["sizes"]
        first = next(iter(runs.values()))["latency"]["p95_ms"]
        for size, run in runs.items():
            disk, latency, service = run["disk"], run["latency"], run.get("service", {})
            sizes = " / ".join(
                mib(disk[key])
                for key in ("search_index_bytes", "table_bytes", "table_indexes_bytes")
            )
            failed = f", {latency['failed']} failed" if latency["failed"] else ""
            lines.append(
                f"| {ENGINES[engine]} | {int(size):,} | {_load_cell(run['load'])} | {sizes} "
                f"| {pair(latency['p50_ms'], latency['p95_ms'])}{failed} "
                f"| {ratio(latency['p95_ms'], first)} | {latency['empty_results']} "
                f"| {num(latency.get('floor', {}).get('p50_ms'))} "
                f"| {pair(service.get('p50_ms'), service.get('p95_ms'))} |"
            )
    lines += [
        "",
        "send → ack at the last size (the `ack` phase, in turn with and without the index; "
        "medians of the runs):",
        "",
        "| engine | with the index: p50 / p99 (ms) | without: p50 / p99 (ms) "
        "| p99 with ÷ without | p99 of each run, with; without (ms) | lost "
        "| database work per send with / without, median (µs) | … p99 (µs) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for engine in engines:
        send = data[engine].get("send") or {}
        if "with" not in send:
            continue
        kept, bare = send["with"], send["without"]
        lines.append(
            f"| {ENGINES[engine]} | {pair(kept['ack_p50_ms'], kept['ack_p99_ms'])} "
            f"| {pair(bare['ack_p50_ms'], bare['ack_p99_ms'])} "
            f"| {ratio(kept['ack_p99_ms'], bare['ack_p99_ms'])} "
            f"| {_each(kept['runs'])}; {_each(bare['runs'])} | {kept['lost'] + bare['lost']} "
            f"| {pair(kept.get('db_median_us'), bare.get('db_median_us'), 0)} "
            f"| {pair(kept.get('db_p99_us'), bare.get('db_p99_us'), 0)} |"
        )
    return "\n".join(lines)


def _each(runs: list[dict]) -> str:
    return ", ".join(num(run["ack_p99_ms"]) for run in runs)


def history_table(results: dict) -> str:
    """The `history` scenario: a page of 50 at three places of one long room, per engine."""
    data = results["scenarios"].get("history") or {}
    engines = [e for e in ENGINES if isinstance(data.get(e), dict) and "pages" in data[e]]
    if not engines:
        return ""
    lines = [
        "`history` frames of 50 items over one socket, one at a time, the three places in turn:",
        "",
        "| engine | items in the room | load, s (rows/s) | oldest page p50 / p95 (ms) "
        "| middle p50 / p95 (ms) | newest p50 / p95 (ms) |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for engine in engines:
        run = data[engine]
        pages = [run["pages"][name] for name in ("start", "middle", "end")]
        cells = " | ".join(pair(page["p50_ms"], page["p95_ms"]) for page in pages)
        lines.append(
            f"| {ENGINES[engine]} | {run['items']:,} | {_load_cell(run['load'])} | {cells} |"
        )
    return "\n".join(lines)
