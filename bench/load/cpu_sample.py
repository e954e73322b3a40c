"""
Measure which processes use the CPU during a load run.

Usage: .venv/bin/python bench/load/cpu_sample.py SECONDS OUT.json
           [--window W.json [--at-most-after S]]

From the start of the load test's measured window (`window.json`, written by
the locustfile once every user has logged in), or after S seconds if it is
not marked by then (default 600), or at once without --window, samples every process once a second for
SECONDS seconds and adds up the CPU time each group used: gunicorn, postgres,
locust, nginx, redis, celery, other. Writes, per group, the average share of
one core (100 = one core busy) and the busiest second; and the machine's
total: cores, busy %, iowait %, steal %. Prints the same JSON.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import psutil

GROUPS = ("gunicorn", "postgres", "locust", "nginx", "redis", "celery")


def group_of(process: psutil.Process) -> str:
    try:
        text = " ".join([process.name(), *process.cmdline()[:3]]).lower()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return "other"
    return next((g for g in GROUPS if g in text), "other")


def cpu_by_process() -> dict[tuple[int, float], tuple[str, float]]:
    """Return (pid, start time) → (group, CPU seconds so far) of every process."""
    seen = {}
    for process in psutil.process_iter(["pid", "create_time", "cpu_times"]):
        info = process.info
        times = info.get("cpu_times")
        if times is None:
            continue
        key = (info["pid"], info["create_time"])
        seen[key] = (group_of(process), times.user + times.system)
    return seen


def sample(seconds: float) -> dict[str, object]:
    totals: dict[str, float] = defaultdict(float)
    peaks: dict[str, float] = defaultdict(float)
    machine_before = psutil.cpu_times()
    previous = cpu_by_process()
    started = last = time.time()
    while time.time() - started < seconds:
        time.sleep(1.0)
        now = time.time()
        current = cpu_by_process()
        second: dict[str, float] = defaultdict(float)
        for key, (group, used) in current.items():
            if key in previous:
                delta = used - previous[key][1]
            elif key[1] >= last:  # started since the last sample
                delta = used
            else:
                continue
            second[group] += max(0.0, delta)
        for group, used in second.items():
            totals[group] += used
            peaks[group] = max(peaks[group], 100 * used / (now - last))
        previous, last = current, now
    wall = last - started
    machine_after = psutil.cpu_times()
    spent = {
        name: getattr(machine_after, name) - getattr(machine_before, name)
        for name in machine_after._fields
    }
    all_time = sum(spent.values()) or 1.0
    return {
        "seconds": round(wall, 1),
        "cores": psutil.cpu_count(),
        "machine_busy_pct": round(
            100 * (1 - (spent["idle"] + spent.get("iowait", 0)) / all_time), 1
        ),
        "iowait_pct": round(100 * spent.get("iowait", 0) / all_time, 1),
        "steal_pct": round(100 * spent.get("steal", 0) / all_time, 1),
        "groups_pct_of_one_core": {
            group: {
                "mean": round(100 * used / wall, 1),
                "busiest_second": round(peaks[group], 1),
            }
            for group, used in sorted(totals.items(), key=lambda kv: -kv[1])
        },
    }


def wait_for_window(path: Path, limit: float) -> None:
    """Sleep until the window marked in `path` opens, or `limit` seconds at most."""
    give_up = time.time() + limit
    while not path.exists() and time.time() < give_up:
        time.sleep(0.5)
    if path.exists():
        time.sleep(max(0.0, json.loads(path.read_text())["from"] - time.time()))


def main() -> None:
    args = sys.argv[1:]
    options = {}
    for name in ("--window", "--at-most-after"):
        if name in args:
            at = args.index(name)
            options[name] = args[at + 1]
            del args[at : at + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    if "--window" in options:
        wait_for_window(
            Path(options["--window"]), float(options.get("--at-most-after", 600))
        )
    result = sample(float(args[0]))
    Path(args[1]).write_text(json.dumps(result, indent=1))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
