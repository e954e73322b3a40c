"""
What one request of each kind of the load mix costs, measured alone.

Usage:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_load \
      .venv/bin/python bench/load/page_costs.py [--repeat 15] [--data bench/load/out]

Through Django's test client with the production settings (DEBUG off), one
request at a time, for the accounts make_region.py wrote: the operator's home
page, form and save, the analyst's home page, dashboard, profile, and the
completeness matrix of the largest and of a middle-sized municipality. Per
kind: the median wall time, the median CPU time of the Python process (what
a gunicorn worker spends; unlike wall time, little changed by other programs
on the machine), the database's share of the wall time and the number of
queries. A save here changes the last operator's report, which the load test
leaves alone unless it runs all 1,500 operators. Prints a table, then one
JSON line.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("SECRET_KEY", "page-costs-only")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")  # plain HTTP, as run.sh


def measure(call: Any, repeat: int) -> dict[str, Any]:
    """Time `call` (which returns a response) `repeat` times after one warm-up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert call().status_code in (200, 302)
    wall, cpu, db, queries = [], [], [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = call()
            cpu.append(time.process_time() - started_cpu)
            wall.append(time.perf_counter() - started)
        assert response.status_code in (200, 302), response.status_code
        db.append(sum(float(q["time"]) for q in captured.captured_queries))
        queries = len(captured.captured_queries)
    return {
        "wall_ms": round(1000 * statistics.median(wall), 1),
        "cpu_ms": round(1000 * statistics.median(cpu), 1),
        "db_ms": round(1000 * statistics.median(db), 1),
        "queries": queries,
        "bytes": len(response.content),
    }


def save_call(client: Any, report_id: str) -> Any:
    """Return a function that saves the «Кадры» report with fresh figures."""
    import random

    from bench.load.figures import staffing_figures
    from monitoring.models import Report

    rng = random.Random(1)
    url = f"/monitoring/reports/{report_id}/"
    version = [Report.objects.get(pk=report_id).version]

    def call() -> Any:
        data = {"version": version[0], "confirm_warnings": "on", "action": "save"}
        response = client.post(url, data | staffing_figures(rng))
        assert response.status_code == 302, "the save was refused"
        version[0] += 1
        return response

    return call


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--data", type=Path, default=ROOT / "bench/load/out")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db.models import Count
    from django.test import Client

    from monitoring.models import Campaign
    from schools.models import User

    with (args.data / "users.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    operator = [r for r in rows if r["role"] == "operator"][-1]
    analyst = next(
        r for r in rows if r["role"] == "analyst" and not r["municipality_id"]
    )
    region = json.loads((args.data / "region.json").read_text())
    campaigns = list(
        Campaign.objects.filter(pk__in=[c["id"] for c in region["campaigns"]])
        .annotate(n=Count("municipality__schools"))
        .order_by("-n")
    )
    school = region["schools"][len(region["schools"]) // 2]["id"]

    op = Client(SERVER_NAME="127.0.0.1")
    op.force_login(User.objects.get(username=operator["username"]))
    an = Client(SERVER_NAME="127.0.0.1")
    an.force_login(User.objects.get(username=analyst["username"]))
    form = f"/monitoring/reports/{operator['staffing_report_id']}/"
    plan = {
        "home (operator)": lambda: op.get("/"),
        "form": lambda: op.get(form),
        "save": save_call(op, operator["staffing_report_id"]),
        "home (analyst)": lambda: an.get("/"),
        "dashboard": lambda: an.get("/identification/dashboard/"),
        "profile": lambda: an.get(f"/identification/schools/{school}/"),
        f"matrix ({campaigns[0].n} schools)": lambda: an.get(
            f"/monitoring/campaigns/{campaigns[0].pk}/"
        ),
        f"matrix ({campaigns[len(campaigns) // 2].n} schools)": lambda: an.get(
            f"/monitoring/campaigns/{campaigns[len(campaigns) // 2].pk}/"
        ),
    }
    result = {name: measure(call, args.repeat) for name, call in plan.items()}
    print(f"{'kind':<24}{'wall ms':>9}{'cpu ms':>9}{'db ms':>8}{'queries':>9}")
    for name, r in result.items():
        print(
            f"{name:<24}{r['wall_ms']:>9}{r['cpu_ms']:>9}{r['db_ms']:>8}{r['queries']:>9}"
        )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
