"""Identification's part of replacing a synthetic region (generate_demo)."""

from __future__ import annotations

from typing import Any

from .models import (
    CriterionResult,
    IdentificationRun,
    OfficialEntry,
    OfficialList,
    RunDetail,
    SchoolResult,
    StatusOverride,
)


def drop_runs(schools: Any) -> None:
    """Delete the runs, decisions and official lists that touch the schools' municipalities, set-based."""
    municipalities = schools.values("municipality_id")
    # The runs as literal ids: a join in the deletes below may be planned as a
    # scan of every criterion row of every run.
    runs = list(
        IdentificationRun.objects.filter(municipalities__in=municipalities)
        .values_list("pk", flat=True)
        .distinct()
    )
    lists = OfficialList.objects.filter(run__in=runs) | OfficialList.objects.filter(
        municipality__in=municipalities
    )
    OfficialEntry.objects.filter(official_list__in=lists.values("pk")).delete()
    OfficialList.objects.filter(pk__in=lists.values("pk")).delete()
    StatusOverride.objects.filter(school__in=schools).delete()
    # Half a million criterion rows per country-wide run: deleted without the ORM's per-row cascade.
    for model in (CriterionResult, SchoolResult, RunDetail):
        rows = model.objects.filter(run__in=runs)
        rows._raw_delete(rows.db)
    IdentificationRun.objects.filter(pk__in=runs).delete()


def load_identification_demo() -> int:
    """
    Run the combined methodology for the demo municipality on two school years
    and approve the current list, if not done. Returns 0: `load_demo` counts reports.
    """
    from datetime import date

    from django.utils import timezone

    from schools.demo import shifted
    from schools.models import AcademicYear, User

    from . import services
    from .models import Methodology

    analyst = User.objects.get(username="mimc")
    approver = User.objects.get(username="uo")
    municipality = analyst.municipality
    services.ensure_presets()
    version = Methodology.objects.get(code="combined").current
    for start in (2020, 2021):
        year = AcademicYear.objects.get(start_year=shifted(start))
        if IdentificationRun.objects.filter(
            target_year=year, municipalities=municipality
        ).exists():
            continue
        run = services.run_create(
            target_year=year,
            municipalities=[municipality],
            version=version,
            only_accepted=False,
            by=analyst,
            enqueue=False,
        )
        services.run_execute(run=run)
        if (
            year.is_current
            and not OfficialList.objects.filter(
                municipality=municipality, year=year
            ).exists()
        ):
            run.refresh_from_db()
            services.list_approve(
                run=run,
                municipality=municipality,
                order_number="128",
                order_date=min(shifted(date(2021, 10, 1)), timezone.localdate()),
                by=approver,
            )
    return 0
