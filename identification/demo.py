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
    runs = IdentificationRun.objects.filter(municipalities__in=municipalities).values("pk")
    lists = OfficialList.objects.filter(run__in=runs) | OfficialList.objects.filter(municipality__in=municipalities)
    OfficialEntry.objects.filter(official_list__in=lists.values("pk")).delete()
    OfficialList.objects.filter(pk__in=lists.values("pk")).delete()
    StatusOverride.objects.filter(school__in=schools).delete()
    # Half a million criterion rows per country-wide run: deleted without the ORM's per-row cascade.
    for model in (CriterionResult, SchoolResult, RunDetail):
        rows = model.objects.filter(run__in=runs)
        rows._raw_delete(rows.db)
    IdentificationRun.objects.filter(pk__in=runs).delete()
