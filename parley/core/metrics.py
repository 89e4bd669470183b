"""Prometheus metrics of one server process.

Each process exposes its own numbers at /metrics (docs/deployment.md: scrape every process's
port; Prometheus labels them by instance). Counters only count; rates come from PromQL, e.g.
`rate(parley_messages_stored_total[1m])`.
"""

from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)

open_connections = Gauge("parley_open_connections", "Authenticated WebSockets open now.")
connections = Counter("parley_connections_total", "WebSocket handshakes by outcome.", ["outcome"])
messages_stored = Counter("parley_messages_stored_total", "Messages stored (acked).")
items_published = Counter(
    "parley_items_published_total", "Timeline items published to the channel layer."
)
deliveries = Counter(
    "parley_deliveries_total", "Live items sent to sockets (one per item and subscriber)."
)
refilled_items = Counter(
    "parley_refilled_items_total", "Items the layer did not deliver, read back from the database."
)
slow_readers_closed = Counter(
    "parley_slow_readers_closed_total", "Sockets closed for falling too far behind."
)
errors = Counter("parley_errors_total", "Error frames sent, by protocol code.", ["code"])
database_seconds = Histogram(
    "parley_database_seconds",
    "Time of one database call from the socket side (queue wait included).",
    buckets=LATENCY_BUCKETS,
)
layer_publish_seconds = Histogram(
    "parley_layer_publish_seconds",
    "Time of one channel layer publish (group_send).",
    buckets=LATENCY_BUCKETS,
)
layer_errors = Counter("parley_layer_errors_total", "Channel layer calls that failed.", ["call"])
typing_frames = Counter(
    "parley_typing_total",
    "Client typing frames by outcome: forwarded to the room, throttled (too frequent), or "
    "deliveries shed (a socket falling behind).",
    ["outcome"],
)
presence_changes = Counter(
    "parley_presence_changes_total",
    "Presence changes of a user announced to their rooms (online, offline, idle, active).",
)
presence_store_errors = Counter(
    "parley_presence_store_errors_total", "Presence store (Redis) calls that failed.", ["call"]
)
read_pointer_moves = Counter(
    "parley_read_pointer_moves_total", "Read pointers moved (read frames and own messages)."
)
