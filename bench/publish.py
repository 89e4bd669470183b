"""What a full run leaves behind: the generated part of docs/performance.md and docs/bench.png."""

from __future__ import annotations

import re
from pathlib import Path

from bench.report import costs_table, layers_table, results_table
from bench.targets import targets_table

BEGIN = "<!-- bench:begin (written by `make bench`; edit outside these markers) -->"
END = "<!-- bench:end -->"
SERIES = {
    # name: (label, colour, line style), for the saturation chart
    "parley": ("Parley (SQLite, in-process layer)", "tab:blue", "-"),
    "tutorial": ("Channels tutorial consumer", "tab:red", "-"),
    "plain": ("plain websockets broadcast", "tab:green", "-"),
    "core": ("Parley, 2 processes, RedisChannelLayer", "tab:purple", "--"),
    "pubsub": ("Parley, 2 processes, RedisPubSubChannelLayer", "tab:orange", "--"),
}


def markdown(results: dict, judged: list[dict]) -> str:
    """The generated section: command, machine, tables, targets and the chart."""
    machine = results["machine"]
    parts = [
        f"Measured {results['started']} with `{results['command']}` "
        f"({results['duration_s'] / 60:.0f} minutes), on {machine['cores']} cores of "
        f"{machine['cpu']}, {machine['ram_gib']} GiB RAM, Linux {machine['kernel']}, "
        f"Python {results['python']}. Raw figures: `bench/results.json`.",
        "",
        results_table(results),
        "",
        "### Targets",
        "",
        targets_table(judged),
    ]
    layers = layers_table(results)
    if layers:
        parts += ["", "### RedisChannelLayer vs RedisPubSubChannelLayer (this run)", "", layers]
    costs = costs_table(results)
    if costs:
        parts += [
            "",
            "### The naive alternatives, per delivery (bench/costs.py, this run)",
            "",
            costs,
        ]
    parts += ["", "![Delivered messages/s and p99 latency against offered rate](bench.png)"]
    return "\n".join(parts)


def write_docs(path: Path, section: str) -> None:
    """Replace the text between the markers, keeping everything written by hand."""
    text = path.read_text() if path.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        text += f"\n{BEGIN}\n{END}\n"
    path.write_text(pattern.sub(lambda _: f"{BEGIN}\n{section}\n{END}", text))


def sweeps(results: dict) -> dict[str, dict]:
    """Every saturation sweep of the run, by series name."""
    scenarios = results["scenarios"]
    found = {k: v for k, v in scenarios.get("saturation", {}).items() if "steps" in v}
    found.update({k: v["sweep"] for k, v in scenarios.get("layers", {}).items() if "sweep" in v})
    return found


def chart(results: dict, path: Path) -> None:
    """Delivered messages/s and p99 latency against the offered rate, per server."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, (delivered, latency) = pyplot.subplots(1, 2, figsize=(12, 4.8))
    clients = results["plan"]["sweep_clients"]
    for name, sweep in sweeps(results).items():
        label, colour, style = SERIES[name]
        rates = [step["rate"] for step in sweep["steps"]]
        done = [step["deliveries_per_s"] / step["clients"] for step in sweep["steps"]]
        p99 = [step["p99_ms"] or float("nan") for step in sweep["steps"]]
        delivered.plot(rates, done, style, marker="o", color=colour, label=label)
        latency.plot(rates, p99, style, marker="o", color=colour, label=label)
    top = max((s["rate"] for sw in sweeps(results).values() for s in sw["steps"]), default=1)
    delivered.plot([0.1, top], [0.1, top], ":", color="grey", label="delivered = offered")
    latency.axhline(250, color="grey", linestyle=":", label="250 ms bound")
    for axes in (delivered, latency):
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel(f"offered messages/s (room of {clients:,} clients)")
        axes.grid(True, which="both", alpha=0.3)
    delivered.set_ylabel("delivered messages/s (to every client)")
    latency.set_ylabel("p99 latency send → arrival (ms)")
    delivered.legend(fontsize=8)
    figure.suptitle("Fan-out to one room, step-up sweep (make bench)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
