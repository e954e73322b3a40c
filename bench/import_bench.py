"""
Import speed: ВПР protocols of a region and a data package of 10,000 schools.

Usage (PostgreSQL, as the issue asks):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/import_bench.py
Options: --files 20 (protocol files of --rows 30000 each), --package-schools 10000.

For each file it times (0) the physical floor — reading the workbook's cells
with python-calamine alone, no bounds, no checks —, (a) parsing alone —
reading the xlsx through the bounded reader and aggregating it, with no
database writes — and (b) the whole import: parse, plan against the database
and write, as `import_package` or the browser does. Prints one JSON line last.
"""

import argparse
import io
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("UPLOAD_MAX_BYTES", str(500 * 1024 * 1024))

HEAD = [
    "логин школы",
    "регион",
    "номер обучающегося",
    "код обучающегося",
    "отметка за предыдущую четверть/триместр",
    "пол",
    "класс",
    "вариант",
    "всего баллов",
]
SCALE = [6, 10, 15, 20]
WORKS = [
    (s, g)
    for s in ("математика", "русский язык", "окружающий мир", "история")
    for g in range(4, 9)
]


def protocol_bytes(codes, rows, grade, rng, tasks=12):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet")
    sheet.append(HEAD + [f"балл за {k}" for k in range(1, tasks + 1)])
    per_school = max(1, rows // len(codes))
    written = 0
    for code in codes:
        for pupil in range(per_school):
            if written >= rows:
                break
            written += 1
            if rng.random() < 0.06:
                sheet.append(
                    [
                        code,
                        "район",
                        pupil,
                        grade * 10000 + pupil,
                        4,
                        "м",
                        "а",
                        "отсутствовал",
                        None,
                    ]
                    + [None] * tasks
                )
                continue
            scores = [
                rng.choice((0, 1, 1, 2)) if k % 3 else rng.choice((0, 1))
                for k in range(tasks)
            ]
            total = min(sum(scores), 20)
            if sum(scores) > 20:
                scores = [0] * tasks
                scores[0] = total
            sheet.append(
                [
                    code,
                    "район",
                    pupil,
                    grade * 10000 + pupil,
                    rng.choice((3, 4, 5, "нет отметки")),
                    rng.choice("мж"),
                    "а",
                    rng.choice((1, 2)),
                    total,
                    *scores,
                ]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def package_bytes(schools, year):
    from openpyxl import Workbook

    from monitoring.demo import (
        comparison_rows,
        profile_for,
        report_figures,
        result_rows,
        subject_map,
    )
    from monitoring.importers.package import SHEETS

    subjects = subject_map()
    book = Workbook(write_only=True)
    sheets = {
        title: book.create_sheet(title)
        for title in SHEETS
        if title not in ("Школы", "Средние по региону")
    }
    for title, sheet in sheets.items():
        sheet.append([c.header for c in SHEETS[title]])
    rng = random.Random(7)
    names = {
        "staffing": "Кадры",
        "social": "Социальный паспорт",
        "resources": "Ресурсы",
        "outcomes": "Результативность",
    }
    for school in schools:
        profile = profile_for(school, rng)
        figures = report_figures(profile, rng)
        for kind, title in names.items():
            fields = [c.field for c in SHEETS[title][2:]]
            sheets[title].append(
                [
                    year,
                    school.code,
                    *(
                        float(figures[kind][f])
                        if figures[kind][f] is not None
                        else None
                        for f in fields
                    ),
                ]
            )
        rows = result_rows(profile, 2019, rng, subjects)
        for r in rows:
            sheets["Результаты"].append(
                [
                    year,
                    school.code,
                    r["procedure"],
                    r["subject"].name,
                    r["grade"],
                    r["level"] or None,
                    r["participants"],
                    r["mark2"],
                    r["mark3"],
                    r["mark4"],
                    r["mark5"],
                    r["failed_minimum"],
                    float(r["mean_score"]) if r["mean_score"] is not None else None,
                ]
            )
        for c in comparison_rows(rows, profile, rng):
            sheets["Сравнение с журналом"].append(
                [
                    year,
                    school.code,
                    c["subject"].name,
                    c["grade"],
                    c["lowered"],
                    c["confirmed"],
                    c["raised"],
                ]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--schools", type=int, default=1500)
    parser.add_argument("--package-schools", type=int, default=10_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from monitoring.importers.matching import SchoolMatcher
    from monitoring.importers.plan import apply_plan
    from monitoring.importers.protocol import parse_protocol
    from monitoring.importers.reader import read_workbook
    from monitoring.importing import plan_file
    from monitoring.models import ImportJob, Subject
    from schools.models import AcademicYear, School

    call_command("migrate", verbosity=0)
    schools_needed = max(args.schools, args.package_schools)
    print(
        f"registry: generate_demo --schools {schools_needed} --years 0", file=sys.stderr
    )
    call_command(
        "generate_demo", schools=schools_needed, years=0, seed=1, stdout=io.StringIO()
    )
    AcademicYear.objects.get_or_create(
        start_year=2020, defaults={"start_date": "2020-09-01", "end_date": "2021-08-31"}
    )
    region_schools = list(
        School.objects.filter(municipality__region__code="99").order_by("code")
    )
    codes = [s.code for s in region_schools[: args.schools]]
    rng = random.Random(1)

    def checkpoint():
        """
        Flush what the set-up wrote (the generated registry, earlier files), so
        that no checkpoint of that data falls inside a timed import.
        """
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("CHECKPOINT")

    figures = {"protocol_files": [], "package": {}}

    def floor(content):
        """The cells alone: what any import of this file has to pay."""
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return [
            book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in book.sheet_names
        ]

    for subject_name, grade in WORKS[: args.files]:
        content = protocol_bytes(codes, args.rows, grade, rng)
        params = {
            "year": 2020,
            "subject": Subject.objects.get(name=subject_name).pk,
            "grade": grade,
            "scale": SCALE,
        }

        def parse_only(content=content, params=params):
            return parse_protocol(
                read_workbook(content), matcher=SchoolMatcher.build(None), params=params
            )

        _, floor_seconds = timed(lambda content=content: floor(content))
        parsed, parse_seconds = timed(parse_only)
        assert not parsed.issues.errors, parsed.issues.errors[:3]

        def whole(content=content, params=params):
            plan = plan_file(
                ImportJob.Kind.VPR_PROTOCOL, content, params=params, by=None
            )
            assert not plan.issues.errors, plan.issues.errors[:3]
            apply_plan(plan, source_label="bench")

        checkpoint()
        _, whole_seconds = timed(whole)
        figures["protocol_files"].append(
            {
                "work": f"{subject_name} {grade}",
                "rows": args.rows,
                "floor_s": round(floor_seconds, 2),
                "parse_s": round(parse_seconds, 2),
                "import_s": round(whole_seconds, 2),
                "import_over_floor": round(whole_seconds / floor_seconds, 1),
            }
        )
        print(figures["protocol_files"][-1], file=sys.stderr)
    floor_total = sum(f["floor_s"] for f in figures["protocol_files"])
    parse_total = sum(f["parse_s"] for f in figures["protocol_files"])
    import_total = sum(f["import_s"] for f in figures["protocol_files"])

    AcademicYear.objects.get_or_create(
        start_year=2019, defaults={"start_date": "2019-09-01", "end_date": "2020-08-31"}
    )
    content = package_bytes(region_schools[: args.package_schools], "2019/2020")

    def parse_package_only():
        from monitoring.importers.package import parse_package

        return parse_package(
            read_workbook(content),
            matcher=SchoolMatcher.build(None),
        )

    _, package_floor = timed(lambda: floor(content))
    parsed, package_parse = timed(parse_package_only)
    assert not parsed.issues.errors, parsed.issues.errors[:3]

    phases = {}

    def package_whole():
        started = time.perf_counter()
        plan = plan_file(ImportJob.Kind.PACKAGE, content, params={}, by=None)
        assert not plan.issues.errors, plan.issues.errors[:3]
        planned = time.perf_counter()
        # The same transaction apply_plan opens, held open here so that the
        # commit (where PostgreSQL checks the deferred foreign keys) is timed apart.
        with transaction.atomic():
            apply_plan(plan, source_label="bench")
            written = time.perf_counter()
        phases.update(
            parse_and_plan_s=round(planned - started, 2),
            write_s=round(written - planned, 2),
            commit_s=round(time.perf_counter() - written, 2),
        )
        return plan

    checkpoint()
    _, package_import = timed(package_whole)
    figures["package"] = {
        "schools": args.package_schools,
        "rows": parsed.rows_read,
        "floor_s": round(package_floor, 2),
        "parse_s": round(package_parse, 2),
        "import_s": round(package_import, 2),
        "import_over_floor": round(package_import / package_floor, 1),
        **phases,
    }
    result = {
        "bench": "import",
        "database": connection.vendor,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "protocol_rows_total": args.rows * len(figures["protocol_files"]),
        "protocol_parse_s": round(parse_total, 2),
        "protocol_import_s": round(import_total, 2),
        "protocol_ratio": round(import_total / parse_total, 2) if parse_total else None,
        "protocol_floor_s": round(floor_total, 2),
        "protocol_over_floor": round(import_total / floor_total, 1)
        if floor_total
        else None,
        "protocol_30k_import_s_max": max(
            (f["import_s"] for f in figures["protocol_files"]), default=None
        ),
        "package": figures["package"],
        "package_ratio": round(package_import / package_parse, 2)
        if package_parse
        else None,
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
