"""
Identification speed at region and country scale.

Usage:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/identify_bench.py --schools 40000
(--skip-generate reuses the synthetic region already in the database;
--options runs a methodology with every optional rule of issue 18 switched on:
percentile and min-max normalisation, L6/L7 against the schools' mean, ВПР
with unobjective marks left out of R1 and L1, R8 regressed on the indicators.)

Measures, for a run over every municipality of the synthetic region:
 (a) the raw read: COPY … TO STDOUT of exactly the rows the run reads — the floor;
 (b) the engine alone on in-memory frames;
 (c) the whole run: load, compute and store (as the browser and `identify` do);
and a municipality of about 50 schools end to end. Prints one JSON line last.
"""

import argparse
import io
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")


def raw_read(queries):
    from django.db import connection

    total = 0
    with connection.cursor() as cursor:
        for rows in queries:
            sql, params = rows.order_by().query.sql_with_params()
            buffer = io.StringIO()
            cursor.cursor.copy_expert(
                cursor.cursor.mogrify(
                    f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params
                ).decode(),
                buffer,
            )
            total += buffer.getvalue().count("\n")
    return total


OPTIONS = {
    "l1": {"normalization": "percentile"},
    "l6": {"reference": "schools"},
    "l7": {"reference": "schools"},
    "n1": {"normalization": "percentile"},
    "n2": {"normalization": "minmax"},
    "n3": {"normalization": "zscore"},
    "r8": {"model": "indicators"},
    "r9": {"exclude_flagged": True},
}


def _with_options(combined, region):
    """The combined preset's parameters with every option on: the region's own methodology."""
    from identification.engine.params import deep_merge
    from identification.models import Methodology, MethodologyVersion

    methodology, _ = Methodology.objects.get_or_create(
        code="bench-options",
        defaults={"name": "Все варианты методики (бенчмарк)", "region": region},
    )
    version, _ = MethodologyVersion.objects.update_or_create(
        methodology=methodology,
        number=1,
        defaults={"params": deep_merge(combined.params, OPTIONS)},
    )
    return version


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=40_000)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--options", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from identification import engine, selectors, services
    from identification.models import Methodology
    from monitoring.models import DATA_MODELS, AssessmentResult, MarkComparison
    from schools.models import AcademicYear, Municipality, School

    call_command("migrate", verbosity=0)
    if not args.skip_generate:
        print(f"generate_demo --schools {args.schools} --years 3", file=sys.stderr)
        call_command(
            "generate_demo", schools=args.schools, years=3, seed=1, stdout=io.StringIO()
        )
        if connection.vendor == "postgresql":
            # Measure in a steady state, not while the server still writes out the generated region.
            with connection.cursor() as cursor:
                cursor.execute("CHECKPOINT")
    services.ensure_presets()
    target = AcademicYear.objects.get(is_current=True)
    municipalities = Municipality.objects.filter(region__code="99")
    schools = School.objects.filter(municipality__in=municipalities, is_active=True)
    n_schools = schools.count()
    version = Methodology.objects.get(code="combined").current
    if args.options:
        version = _with_options(version, municipalities.first().region)
    years = list(range(target.start_year - 6, target.start_year))
    q = selectors._report_filter("report__", schools, False, years)
    queries = [
        schools.values_list(
            "pk",
            "municipality_id",
            "municipality__region_id",
            "school_type",
            "is_rural",
            "distance_km",
            "code",
            "short_name",
        ),
        AssessmentResult.objects.filter(q).values_list(
            "report__school_id",
            "report__year__start_year",
            "procedure",
            "subject__name",
            "grade",
            "level",
            "participants",
            "mark2",
            "failed_minimum",
            "mean_score",
        ),
        MarkComparison.objects.filter(q).values_list(
            "report__school_id",
            "report__year__start_year",
            "subject__name",
            "grade",
            "lowered",
            "confirmed",
            "raised",
        ),
        *[
            m.objects.filter(q).values_list(
                "report__school_id",
                "report__year__start_year",
                *[f.name for f in m._meta.concrete_fields if f.name != "report"],
            )
            for m in DATA_MODELS.values()
        ],
    ]
    # The floor is the faster of two reads, the first of which warms the cache.
    raw_times = []
    for _ in range(2):
        started = time.perf_counter()
        rows_read = raw_read(queries)
        raw_times.append(time.perf_counter() - started)
    raw_seconds = min(raw_times)
    print(
        f"raw read {' / '.join(f'{t:.1f}' for t in raw_times)} s, {rows_read} rows",
        file=sys.stderr,
    )

    started = time.perf_counter()
    inputs = selectors.inputs_frame(schools=schools, target_year=target.start_year)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    output = engine.identify(inputs, version.params, target.start_year)
    engine_seconds = time.perf_counter() - started
    print(f"load {load_seconds:.1f} s, engine {engine_seconds:.1f} s", file=sys.stderr)

    started = time.perf_counter()
    run = services.run_create(
        target_year=target,
        municipalities=municipalities,
        version=version,
        only_accepted=False,
        by=None,
        enqueue=False,
    )
    services.run_execute(run=run)
    whole_seconds = time.perf_counter() - started
    print(f"whole run {whole_seconds:.1f} s", file=sys.stderr)

    sizes = municipalities.annotate(n=Count("schools")).values_list("pk", "n")
    closest = min(sizes, key=lambda item: abs(item[1] - 50))
    small = Municipality.objects.get(pk=closest[0])
    started = time.perf_counter()
    run_small = services.run_create(
        target_year=target,
        municipalities=[small],
        version=version,
        only_accepted=False,
        by=None,
        enqueue=False,
    )
    services.run_execute(run=run_small)
    small_seconds = time.perf_counter() - started

    print(
        json.dumps(
            {
                "bench": "identify",
                "options": args.options,
                "database": connection.vendor,
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "schools": n_schools,
                "rows_read": rows_read,
                "flags": len(output.numbers),
                "raw_read_s": round(raw_seconds, 2),
                "load_s": round(load_seconds, 2),
                "engine_s": round(engine_seconds, 2),
                "whole_run_s": round(whole_seconds, 2),
                "ratio_whole_to_raw": round(whole_seconds / raw_seconds, 2),
                "municipality_schools": closest[1],
                "municipality_run_s": round(small_seconds, 3),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
