"""
Home pages and list pages at region scale: query counts and server-side time.

Usage (PostgreSQL, as issue 15 asks):
  psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE portal_homebench'
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_homebench .venv/bin/python bench/home_bench.py
Options: --schools 1500, --requests 20, --skip-generate (reuse the region, its
run, its open campaigns and its people).

The region is the synthetic one of `generate_demo` (three years of data, one
identification run over all of it, bench/region.py), and on top of it what a
deadline week looks like: an open campaign in every municipality collecting
the five reports of each school (7,500 reports at 1,500 schools) in mixed
states, an operator per school, municipal and regional staff, import jobs and
audit lines, an approved roadmap in every municipality and a programme for
every school (8,900 items). Each role's home page and the main list pages are opened through
Django's test client (DEBUG off, no network): two warm-ups, then --requests
timed requests; prints p50/p95 and the query count per page, and one JSON
line last.
"""

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# DEBUG off, templates cached, static files served as they are (no collectstatic).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

PREFIX = "bench-home-"
# Shares of the campaign reports in each state on a deadline week.
STATES = {"draft": 0.35, "submitted": 0.3, "accepted": 0.25, "returned": 0.1}
IMPORT_JOBS = 300
AUDIT_LINES = 5000
# Items of an approved municipal roadmap and of each school's programme.
MUNICIPAL_ITEMS = 14
SCHOOL_ITEMS = 5


def open_campaigns(municipalities, analyst) -> int:
    """Open a campaign of the five reports in every municipality; return the report count."""
    from django.utils import timezone

    from monitoring import services
    from monitoring.models import Campaign, Report, ReportKind
    from schools.models import AcademicYear

    year = AcademicYear.objects.get(is_current=True)
    today = timezone.localdate()
    for n, municipality in enumerate(municipalities):
        services.campaign_create(
            data={
                "municipality": municipality,
                "year": year,
                "title": f"Мониторинг качества образования, {year}",
                "kinds": list(ReportKind.values),
                # A few municipalities past their deadline: overdue reports too.
                "deadline": today + dt.timedelta(days=-2 if n % 10 == 0 else 7),
                "order_number": str(100 + n),
                "order_date": today - dt.timedelta(days=20),
            },
            by=analyst,
        )
    reports = Report.objects.filter(
        campaign__in=Campaign.objects.filter(municipality__in=municipalities)
    )
    ids = list(reports.values_list("pk", flat=True))
    random.Random(1).shuffle(ids)
    start = 0
    now = timezone.now()
    for status, share in STATES.items():
        chunk = ids[start : start + round(share * len(ids))]
        start += len(chunk)
        Report.objects.filter(pk__in=chunk).update(
            status=status,
            version=0 if status == "draft" else 1,
            submitted_at=None if status == "draft" else now,
        )
    return len(ids)


def people(region, municipalities):
    """Return the personas (made if missing) and give every school an operator."""
    from schools.models import School, User

    largest = max(municipalities, key=lambda m: m.n)
    schools = list(School.objects.filter(municipality__region=region).order_by("pk"))
    made = {
        "analyst": {"role": User.Role.ANALYST, "region": region},
        "municipal_analyst": {"role": User.Role.ANALYST, "municipality": largest},
        "approver": {"role": User.Role.APPROVER, "region": region},
        "municipal_approver": {"role": User.Role.APPROVER, "municipality": largest},
        "admin": {
            "role": User.Role.ADMINISTRATOR,
            "is_superuser": True,
            "is_staff": True,
        },
    }
    personas = {
        name: User.objects.get_or_create(
            username=f"{PREFIX}{name}", defaults={"last_name": "Бенч", **fields}
        )[0]
        for name, fields in made.items()
    }
    operators = User.objects.bulk_create(
        User(
            username=f"{PREFIX}op-{school.code}",
            role=User.Role.OPERATOR,
            last_name=f"Оператор {school.code}",
            email=f"{school.code}@example.org",
        )
        for school in schools
    )
    User.schools.through.objects.bulk_create(
        User.schools.through(user_id=user.pk, school_id=school.pk)
        for user, school in zip(operators, schools, strict=True)
    )
    return personas


def history(analyst, municipalities) -> None:
    """Import jobs of the analyst and audit lines across the municipalities."""
    from monitoring.models import ImportJob
    from schools.models import AuditEvent

    ImportJob.objects.bulk_create(
        ImportJob(
            kind=ImportJob.Kind.PACKAGE,
            status=ImportJob.Status.DONE,
            original_name=f"Пакет {n}.xlsx",
            size=1000,
            uploaded_by=analyst,
            message="Загружено отчётов: 5",
        )
        for n in range(IMPORT_JOBS)
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            event=AuditEvent.Event.EXPORT,
            actor=analyst,
            actor_name=analyst.username,
            municipality=municipalities[n % len(municipalities)],
            target="Полнота сдачи",
        )
        for n in range(AUDIT_LINES)
    )


def roadmaps(region, municipalities, analyst) -> int:
    """
    An approved roadmap in every municipality and a programme for every
    school, their items spread over the months around today: most of the past
    ones done, some cancelled or overdue. Return the number of items.
    """
    from django.utils import timezone

    from roadmaps.models import Item, Responsible, Roadmap
    from schools.models import AcademicYear, School

    year = AcademicYear.objects.get(is_current=True)
    today = timezone.localdate()
    schools = list(School.objects.filter(municipality__region=region))
    made = Roadmap.objects.bulk_create(
        [
            Roadmap(
                level=Roadmap.Level.MUNICIPAL,
                municipality=m,
                year=year,
                title=f"Дорожная карта, {m.name}",
                status=Roadmap.Status.APPROVED,
                created_by=analyst,
            )
            for m in municipalities
        ]
        + [
            Roadmap(
                level=Roadmap.Level.SCHOOL,
                municipality_id=s.municipality_id,
                school=s,
                year=year,
                title=f"Программа {s.short_name}",
                status=Roadmap.Status.IN_EXECUTION,
                created_by=analyst,
            )
            for s in schools
        ]
    )
    rng = random.Random(2)
    items, who = [], []
    for roadmap in made:
        count = SCHOOL_ITEMS if roadmap.school_id else MUNICIPAL_ITEMS
        for k in range(count):
            start = today + dt.timedelta(days=rng.randint(-200, 150))
            end = start + dt.timedelta(days=rng.choice((0, 30, 60)))
            past, luck = end < today, rng.random()
            items.append(
                Item(
                    roadmap=roadmap,
                    number=str(k + 1),
                    title=f"Мероприятие {k + 1}",
                    start=start,
                    end=end,
                    period_label="",
                    position=k,
                    done_at=end if past and luck < 0.85 else None,
                    cancelled_reason="перенесено" if 0.85 <= luck < 0.9 else "",
                )
            )
            who.append(roadmap.school.short_name if roadmap.school_id else "МИМЦ")
    Item.objects.bulk_create(items, batch_size=5000)
    Responsible.objects.bulk_create(
        (
            Responsible(
                item=item,
                kind="school" if item.roadmap.school_id else "mimc",
                name=name,
                school_id=item.roadmap.school_id,
            )
            for item, name in zip(items, who, strict=True)
        ),
        batch_size=5000,
    )
    return len(items)


def drop_roadmaps(region) -> None:
    """Delete the region's roadmaps set-based (one by one each item writes history)."""
    from roadmaps import models as m

    maps = m.Roadmap.objects.filter(municipality__region=region)
    for model in (m.Responsible, m.Evidence, m.Reminder):
        rows = model.objects.filter(item__roadmap__in=maps)
        rows._raw_delete(rows.db)
    for model in (
        m.Item.history.model,
        m.TargetIndicator.history.model,
        m.Item,
        m.Section,
        m.TargetIndicator,
    ):
        rows = model.objects.filter(roadmap__in=maps)
        rows._raw_delete(rows.db)
    maps._raw_delete(maps.db)


def generate(region, municipalities) -> None:
    """Replace the bench's people, then open the campaigns and write the history."""
    from schools.models import User

    User.objects.filter(username__startswith=PREFIX).delete()
    personas = people(region, municipalities)
    reports = open_campaigns(municipalities, personas["analyst"])
    history(personas["analyst"], municipalities)
    items = roadmaps(region, municipalities, personas["analyst"])
    print(f"open campaign reports: {reports}, roadmap items: {items}", file=sys.stderr)


def measure(client, url: str, requests: int) -> dict:
    """Two warm-ups, then `requests` timed requests; one more counts the queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        _ = response.content
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    ordered = sorted(times)
    return {
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * ordered[round(0.95 * (len(ordered) - 1))], 1),
        "queries": len(queries.captured_queries),
    }


def pages(personas, largest_campaign, operator):
    """(name, persona, url) of every page timed."""
    from django.urls import reverse

    staff = [
        ("analyst", personas["analyst"]),
        ("municipal_analyst", personas["municipal_analyst"]),
        ("approver", personas["approver"]),
        ("municipal_approver", personas["municipal_approver"]),
        ("admin", personas["admin"]),
    ]
    home = [(f"home:{name}", user, reverse("home")) for name, user in staff]
    home.append(("home:operator", operator, reverse("home")))
    analyst = personas["analyst"]
    lists = [
        ("schools", analyst, reverse("schools:school-list")),
        ("users", analyst, reverse("schools:user-list")),
        ("audit", analyst, reverse("schools:audit-log")),
        ("campaigns", analyst, reverse("monitoring:index")),
        ("reports:operator", operator, reverse("monitoring:index")),
        ("matrix", analyst, largest_campaign.get_absolute_url()),
        ("imports", analyst, reverse("monitoring:import-list")),
        ("runs", analyst, reverse("identification:index")),
        ("methodologies", analyst, reverse("identification:methodology-list")),
        ("partnerships", analyst, reverse("partnerships:index")),
        ("roadmaps", analyst, reverse("roadmaps:list")),
        ("roadmap_tracking", analyst, reverse("roadmaps:tracking")),
    ]
    return home + lists


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=1500)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--skip-generate", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from bench.region import region_run
    from monitoring.models import Campaign, ImportJob, Report
    from schools.models import Region, User

    call_command("migrate", verbosity=0)
    if not args.skip_generate:
        # What protects the region and the bench's people goes first.
        ImportJob.objects.filter(uploaded_by__username__startswith=PREFIX).delete()
        for old in Region.objects.filter(code="99"):
            drop_roadmaps(old)
        Report.objects.filter(campaign__municipality__region__code="99").update(
            campaign=None
        )
        Campaign.objects.filter(municipality__region__code="99").delete()
    region, municipalities, _ = region_run(
        schools=args.schools, skip_generate=args.skip_generate
    )
    municipalities = list(municipalities.annotate(n=Count("schools")))
    if not args.skip_generate:
        generate(region, municipalities)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
    personas = {
        name: User.objects.get(username=f"{PREFIX}{name}")
        for name in (
            "analyst",
            "municipal_analyst",
            "approver",
            "municipal_approver",
            "admin",
        )
    }
    operator = User.objects.filter(username__startswith=f"{PREFIX}op-").first()
    largest = Campaign.objects.get(
        municipality=personas["municipal_analyst"].municipality, is_open=True
    )
    results = {}
    for name, user, url in pages(personas, largest, operator):
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)
        results[name] = measure(client, url, args.requests)
        figures = results[name]
        print(
            f"{name:20} p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms"
            f"  queries {figures['queries']}",
            file=sys.stderr,
        )
    open_reports = Report.objects.filter(
        campaign__is_open=True, campaign__municipality__region=region
    ).count()
    print(
        json.dumps(
            {
                "bench": "home",
                "database": connection.vendor,
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "schools": sum(m.n for m in municipalities),
                "municipalities": len(municipalities),
                "largest_municipality_schools": personas[
                    "municipal_analyst"
                ].municipality.schools.count(),
                "open_campaign_reports": open_reports,
                "requests": args.requests,
                "pages": results,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
