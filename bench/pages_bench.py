"""
Server-side time of the analyst's pages at region scale.

Usage:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench1500 .venv/bin/python bench/pages_bench.py --schools 1500
(--skip-generate reuses the synthetic region and its latest run.)

With a region of N schools (generate_demo, 3 years) and one identification run
over all of it, times through Django's test client (DEBUG off, no network):
the dashboard, a school profile and the dashboard's xlsx export of every
school — 30 requests each after two warm-ups. Prints p50/p95 per page and one
JSON line last.
"""

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# DEBUG off, templates cached, static files served as they are (no collectstatic).
from bench.region import region_from_command_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

REQUESTS = 30


def timings(client, url: str, params: dict | None = None) -> list[float]:
    for _ in range(2):
        assert client.get(url, params or {}).status_code == 200
    out = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url, params or {})
        _ = response.content
        out.append(time.perf_counter() - started)
        assert response.status_code == 200
    return out


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * ordered[round(0.95 * (len(ordered) - 1))], 1),
    }


def main() -> None:
    region, municipalities, run = region_from_command_line()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from schools.models import User

    user, _ = User.objects.get_or_create(
        username="bench-analyst",
        defaults={"role": User.Role.ANALYST, "region": region, "last_name": "Бенч"},
    )
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    sizes = municipalities.annotate(n=Count("schools")).order_by("-n")
    municipality = sizes[len(sizes) // 2]
    school = municipality.schools.order_by("pk").first()
    schools = run.school_results.count()

    dashboard = timings(client, reverse("identification:run-dashboard", args=[run.pk]))
    profile = timings(client, reverse("identification:profile", args=[school.pk]))
    export = timings(
        client,
        reverse("identification:run-dashboard", args=[run.pk]),
        {"format": "xlsx"},
    )
    result = {
        "bench": "pages",
        "database": connection.vendor,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "schools": schools,
        "requests": REQUESTS,
        "dashboard": summary(dashboard),
        "profile": summary(profile),
        "export_all": summary(export),
        "profile_municipality_schools": municipality.n,
    }
    for name in ("dashboard", "profile", "export_all"):
        print(
            f"{name}: p50 {result[name]['p50_ms']} ms, p95 {result[name]['p95_ms']} ms",
            file=sys.stderr,
        )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
