"""
Summarise a load run: p95 per kind, throughput, 5xx, lost saves, CPU.

Usage: .venv/bin/python bench/load/report.py RUN_FOLDER --warmup SECONDS

Reads what the locustfile wrote (`requests-*.csv`, `started.json`), and
`verify.json` (verify_saves.py) and `cpu.json` (cpu_sample.py) when present.
Percentiles and throughput count the requests started in the measured
window (`window.json`: from LOAD_SETTLE seconds after the last login on;
without it, after --warmup seconds); 5xx and failures count the whole run,
and login times are given for the whole run. Prints a table and one JSON line
last; writes the JSON to `summary.json`.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

KINDS = ("save", "form", "dashboard", "profile", "matrix", "home", "login")


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def read_requests(folder: Path) -> list[tuple[float, str, str, int, float, int]]:
    rows = []
    for path in sorted(folder.glob("requests-*.csv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            at, method, name, status, elapsed, failed = line.split(",")
            rows.append(
                (float(at), method, name, int(status), float(elapsed), int(failed))
            )
    return sorted(rows)


def summarise(folder: Path, warmup: float) -> dict[str, Any]:
    rows = read_requests(folder)
    marked = folder / "window.json"
    if marked.exists():
        bounds = json.loads(marked.read_text())
        window_start, window_end = bounds["from"], bounds["to"]
        warmup = round(
            window_start - json.loads((folder / "started.json").read_text())["at"], 1
        )
    else:  # not every user logged in: measure after the given warm-up
        started = json.loads((folder / "started.json").read_text())["at"]
        window_start = started + warmup
        window_end = max((r[0] for r in rows), default=window_start)
    window = max(1e-9, window_end - window_start)
    timings: dict[str, list[float]] = defaultdict(list)
    whole: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[tuple[str, int]] = Counter()
    failures: Counter[str] = Counter()
    for at, _, name, status, elapsed, failed in rows:
        whole[name].append(elapsed)
        statuses[(name, status)] += 1
        failures[name] += failed
        if window_start <= at < window_end:
            timings[name].append(elapsed)
    measured = sum(len(v) for v in timings.values())
    kinds = {}
    for name in [*KINDS, *sorted(set(whole) - set(KINDS))]:
        values = timings[name] if name != "login" else whole[name]
        if not values:
            continue
        kinds[name] = {
            "requests": len(values),
            "p50_ms": percentile(values, 0.5),
            "p95_ms": percentile(values, 0.95),
            "p99_ms": percentile(values, 0.99),
            "max_ms": max(values),
            "per_s": round(len(values) / window, 2) if name != "login" else None,
        }
    result: dict[str, Any] = {
        "requests_total": len(rows),
        "window_s": round(window, 1),
        "warmup_s": warmup,
        "all_logged_in": marked.exists(),
        "throughput_rps": round(measured / window, 1),
        "saves_per_s": round(len(timings["save"]) / window, 1),
        "kinds": kinds,
        "status_5xx": sum(n for (_, code), n in statuses.items() if code >= 500),
        "status_5xx_by_kind": {
            f"{name} {code}": n
            for (name, code), n in sorted(statuses.items())
            if code >= 500
        },
        "no_response": sum(n for (_, code), n in statuses.items() if code == 0),
        "failures_by_kind": {k: n for k, n in failures.items() if n},
    }
    for extra in ("verify", "cpu"):
        path = folder / f"{extra}.json"
        if path.exists():
            result[extra] = json.loads(path.read_text())
    if "verify" in result:
        for key in ("lost_examples", "stale_examples"):
            result["verify"].pop(key, None)
    if "cpu" in result and result["throughput_rps"]:
        result["cpu_ms_per_request"] = cpu_per_request(
            result["cpu"], result["throughput_rps"]
        )
    return result


# Celery is left out: the mix enqueues no task (a busy worker is somebody else's).
SERVER = ("gunicorn", "postgres", "nginx", "redis")


def cpu_per_request(cpu: dict[str, Any], rps: float) -> dict[str, Any]:
    """
    Return the CPU milliseconds each server process group spent per request,
    and the throughput the server's cores would reach if nothing else ran on
    them (load generator and other programs excluded).
    """
    groups = cpu["groups_pct_of_one_core"]
    cost = {g: round(10 * groups[g]["mean"] / rps, 1) for g in SERVER if g in groups}
    server = sum(cost.values())
    return {
        **cost,
        "server_total": round(server, 1),
        "ceiling_rps_on_all_cores": round(cpu["cores"] * 1000 / server, 1)
        if server
        else None,
    }


def print_table(result: dict[str, Any]) -> None:
    print(
        f"{'kind':<10}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'per s':>8}"
    )
    for name, k in result["kinds"].items():
        rate = "" if k["per_s"] is None else f"{k['per_s']:.1f}"
        print(
            f"{name:<10}{k['requests']:>9}{k['p50_ms']:>9.0f}{k['p95_ms']:>9.0f}"
            f"{k['p99_ms']:>9.0f}{k['max_ms']:>9.0f}{rate:>8}"
        )
    print(
        f"throughput {result['throughput_rps']} req/s over {result['window_s']} s "
        f"after {result['warmup_s']} s warm-up; saves {result['saves_per_s']}/s"
    )
    print(
        f"5xx: {result['status_5xx']} {result['status_5xx_by_kind'] or ''}  "
        f"no response: {result['no_response']}  failures: {result['failures_by_kind']}"
    )
    if "verify" in result:
        v = result["verify"]
        print(
            f"saves acknowledged {v['acknowledged']}, lost {v['lost']}, "
            f"not acknowledged {v['not_acknowledged']} "
            f"(unanswered at the stop {v.get('unanswered', 0)}), "
            f"current ≠ last save {v['current_not_last_save']}"
        )
    if "cpu" in result:
        cpu = result["cpu"]
        groups = ", ".join(
            f"{g} {v['mean']:.0f} %"
            for g, v in cpu["groups_pct_of_one_core"].items()
            if v["mean"] >= 1
        )
        print(
            f"CPU ({cpu['cores']} cores, 100 % = one core): machine busy "
            f"{cpu['machine_busy_pct']} % of all cores; {groups}"
        )
    if "cpu_ms_per_request" in result:
        cost = result["cpu_ms_per_request"]
        parts = ", ".join(
            f"{g} {v}" for g, v in cost.items() if g in SERVER and v >= 0.1
        )
        print(
            f"CPU per request: {parts} ms; server alone on these cores would "
            f"top out near {cost['ceiling_rps_on_all_cores']} req/s of this mix"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--warmup", type=float, default=0.0)
    args = parser.parse_args()
    result = summarise(args.folder, args.warmup)
    (args.folder / "summary.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1)
    )
    print_table(result)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
