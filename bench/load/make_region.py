"""
Build the deadline-day region the load test runs against.

Usage:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_load \
      .venv/bin/python bench/load/make_region.py [--schools 1500] [--analysts 12]
      [--municipal-analysts 0] [--out bench/load/out]

Fills the database with the synthetic region of `generate_demo` (N schools,
three years of accepted reports, one identification run over the whole
region), then, for the current school year, one open campaign per
municipality collecting all five reports with today as the deadline: «Кадры»
and «Социальный паспорт» are drafts for the operators to fill, the other
three are a mix of drafts, submitted and accepted reports. Adds one operator
per school (`load-op-00001`…) and region-level analysts (`load-analyst-01`…),
plus municipal analysts of the largest municipalities if asked, all with the
same password and no second factor. A previous load region and its users are
replaced.

Writes into --out: `users.csv` (who logs in, with their school and the ids of
the two reports an operator saves) and `region.json` (campaigns, schools and
the run that the analysts browse).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

PASSWORD = "load-pass-2021"
OPERATOR = "load-op-{:05d}"
ANALYST = "load-analyst-{:02d}"
MUNICIPAL_ANALYST = "load-mimc-{:02d}"
REGION_CODE = "99"  # schools.demo.SYNTHETIC_REGION


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=1500)
    parser.add_argument(
        "--analysts", type=int, default=12, help="region-level analysts"
    )
    parser.add_argument(
        "--municipal-analysts",
        type=int,
        default=0,
        help="analysts of the largest municipalities, one each",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/load/out")
    return parser.parse_args()


def drop_previous() -> None:
    """Delete what a previous run made that would block replacing the region."""
    from monitoring.models import Campaign
    from schools.models import User

    # Campaigns hold their municipality (PROTECT); analysts hold the region.
    Campaign.objects.filter(municipality__region__code=REGION_CODE).delete()
    User.objects.filter(username__startswith="load-analyst-").delete()
    User.objects.filter(username__startswith="load-mimc-").delete()


def drop_operators() -> None:
    """Delete the previous operators (after their reports went with the region)."""
    from schools.models import User

    User.objects.filter(username__startswith="load-op-").delete()


def make_users(
    schools: list[Any], region: Any, municipalities: list[Any], args: argparse.Namespace
) -> tuple[list[Any], list[Any]]:
    """Bulk-create operators (one per school) and analysts; return both lists."""
    from django.contrib.auth.hashers import make_password

    from schools.models import User

    # One hash for everyone: hashing 1,500 passwords one by one takes minutes.
    password = make_password(PASSWORD)
    operators = User.objects.bulk_create(
        [
            User(
                username=OPERATOR.format(i),
                password=password,
                role=User.Role.OPERATOR,
                last_name="Оператор",
                first_name=f"Школы {i}",
                email=f"load-op-{i:05d}@school.example",
            )
            for i, _ in enumerate(schools, start=1)
        ],
        batch_size=2000,
    )
    User.schools.through.objects.bulk_create(
        [
            User.schools.through(user_id=user.pk, school_id=school.pk)
            for user, school in zip(operators, schools, strict=True)
        ],
        batch_size=2000,
    )
    analysts = [
        User(
            username=ANALYST.format(i),
            password=password,
            role=User.Role.ANALYST,
            region=region,
            last_name="Аналитик",
            first_name=f"Региона {i}",
            email=f"load-analyst-{i:02d}@mimc.example",
        )
        for i in range(1, args.analysts + 1)
    ]
    analysts += [
        User(
            username=MUNICIPAL_ANALYST.format(i),
            password=password,
            role=User.Role.ANALYST,
            municipality=municipality,
            last_name="Аналитик МИМЦ",
            first_name=municipality.name,
            email=f"load-mimc-{i:02d}@mimc.example",
        )
        for i, municipality in enumerate(
            municipalities[: args.municipal_analysts], start=1
        )
    ]
    return operators, User.objects.bulk_create(analysts)


def make_campaigns(
    schools: list[Any], year: Any, by: Any, seed: int
) -> dict[int, dict[str, Any]]:
    """
    Open one campaign per municipality and its reports; return per school the
    ids of its «Кадры» and «Социальный паспорт» reports.
    """
    from django.utils import timezone

    from monitoring.demo import profile_for, write_year
    from monitoring.models import Campaign, Report, ReportKind

    rng = random.Random(seed)
    today = timezone.localdate()
    by_municipality: dict[int, list[Any]] = defaultdict(list)
    for school in schools:
        by_municipality[school.municipality_id].append(school)
    campaigns = Campaign.objects.bulk_create(
        Campaign(
            municipality_id=municipality_id,
            year=year,
            title=f"Сбор данных на начало {year.name} учебного года",
            kinds=list(ReportKind.values),
            deadline=today,
            order_number="112",
            order_date=today - dt.timedelta(days=30),
            is_open=True,
            created_by=by,
        )
        for municipality_id in by_municipality
    )
    others = [ReportKind.RESULTS, ReportKind.RESOURCES, ReportKind.OUTCOMES]
    drafts = []
    for campaign in campaigns:
        accepted, submitted = [], []
        for school in by_municipality[campaign.municipality_id]:
            profiled = (school, profile_for(school, rng))
            draw = rng.random()
            if draw < 0.35:
                accepted.append(profiled)
            elif draw < 0.65:
                submitted.append(profiled)
            else:
                drafts += [(school, kind, campaign) for kind in others]
            drafts += [
                (school, kind, campaign)
                for kind in (ReportKind.STAFFING, ReportKind.SOCIAL)
            ]
        for group, status in (
            (accepted, Report.Status.ACCEPTED),
            (submitted, Report.Status.SUBMITTED),
        ):
            write_year(
                group, year, status=status, campaign=campaign, seed=seed, kinds=others
            )
    Report.objects.bulk_create(
        [
            Report(school=school, year=year, kind=kind, campaign=campaign)
            for school, kind, campaign in drafts
        ],
        batch_size=5000,
    )
    targets: dict[int, dict[str, Any]] = defaultdict(dict)
    for school_id, kind, pk in Report.objects.filter(
        year=year,
        kind__in=[ReportKind.STAFFING, ReportKind.SOCIAL],
        campaign__in=campaigns,
    ).values_list("school_id", "kind", "pk"):
        targets[school_id][kind] = pk
    return targets


def write_outputs(
    out: Path,
    operators: list[Any],
    analysts: list[Any],
    schools: list[Any],
    targets: dict[int, dict[str, Any]],
    run: Any,
) -> None:
    """Write users.csv and region.json for the locustfile."""
    from monitoring.models import Campaign, ReportKind

    out.mkdir(parents=True, exist_ok=True)
    with (out / "users.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "username",
                "password",
                "role",
                "school_id",
                "municipality_id",
                "staffing_report_id",
                "social_report_id",
            ]
        )
        for user, school in zip(operators, schools, strict=True):
            writer.writerow(
                [
                    user.username,
                    PASSWORD,
                    "operator",
                    school.pk,
                    school.municipality_id,
                    targets[school.pk][ReportKind.STAFFING],
                    targets[school.pk][ReportKind.SOCIAL],
                ]
            )
        for user in analysts:
            writer.writerow(
                [
                    user.username,
                    PASSWORD,
                    "analyst",
                    "",
                    user.municipality_id or "",
                    "",
                    "",
                ]
            )
    campaigns = Campaign.objects.filter(
        municipality__region__code=REGION_CODE, is_open=True
    ).values_list("pk", "municipality_id")
    region = {
        "run": run.pk,
        "campaigns": [
            {"id": pk, "municipality_id": m} for pk, m in campaigns.order_by("pk")
        ],
        "schools": [
            {"id": school.pk, "municipality_id": school.municipality_id}
            for school in schools
        ],
    }
    (out / "region.json").write_text(json.dumps(region), encoding="utf-8")


def main() -> None:
    args = parse_args()
    if args.analysts + args.municipal_analysts < 1:
        sys.exit("At least one analyst is needed (the campaigns' author).")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count

    from bench.region import region_run
    from schools.models import AcademicYear, School

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    drop_previous()
    region, municipalities, run = region_run(schools=args.schools, skip_generate=False)
    drop_operators()
    year = AcademicYear.objects.get(is_current=True)
    schools = list(
        School.objects.filter(municipality__region=region, is_active=True).order_by(
            "code"
        )
    )
    largest = list(municipalities.annotate(n=Count("schools")).order_by("-n", "pk"))
    with transaction.atomic():
        operators, analysts = make_users(schools, region, largest, args)
        targets = make_campaigns(schools, year, analysts[0], args.seed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    write_outputs(args.out, operators, analysts, schools, targets, run)
    print(
        json.dumps(
            {
                "schools": len(schools),
                "municipalities": municipalities.count(),
                "campaigns": len({s.municipality_id for s in schools}),
                "operators": len(operators),
                "analysts": len(analysts),
                "run": run.pk,
                "year": year.name,
                "seconds": round(time.perf_counter() - started, 1),
                "out": str(args.out),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
