"""CPU time and resident memory of process trees, read from /proc (Linux only)."""

from __future__ import annotations

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name (which may hold spaces and parentheses)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def children(pid: int) -> list[int]:
    """Every live descendant of `pid`."""
    found: list[int] = []
    pending = [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                kids = [int(kid) for kid in task.read_text().split()]
            except OSError:
                continue
            found.extend(kids)
            pending.extend(kids)
    return found


def tree(pids: list[int]) -> list[int]:
    """The processes and all their live descendants."""
    return [*pids, *(kid for pid in pids for kid in children(pid))]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of the processes and their live descendants."""
    total = 0
    for pid in tree(pids):
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue  # exited meanwhile
        # Fields 14 and 15 of stat (utime, stime); index 0 here is field 3 (state).
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def rss_kib(pids: list[int]) -> int:
    """Resident memory (VmRSS) of the processes and their live descendants, in KiB."""
    total = 0
    for pid in tree(pids):
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def machine() -> dict[str, str | int]:
    """What the numbers were measured on: cores, CPU model, memory, kernel."""
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kib = next(int(ln.split()[1]) for ln in meminfo if ln.startswith("MemTotal:"))
    return {
        "cores": len(os.sched_getaffinity(0)),
        "cpu": model or "unknown",
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": os.uname().release,
    }
