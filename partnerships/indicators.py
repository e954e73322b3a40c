"""Roadmap target indicators computed from partnerships (seed 002/003: partnerships and exchange events)."""

from __future__ import annotations

from django.db.models import Count, Q

from .models import Partnership


def _partnerships(roadmap, years):
    pairs = Partnership.objects.filter(
        campaign__municipality_id=roadmap.municipality_id,
        campaign__year__start_year__in=years,
        status=Partnership.Status.APPROVED,
    )
    if roadmap.school_id:
        pairs = pairs.filter(
            Q(school_id=roadmap.school_id) | Q(partner_id=roadmap.school_id)
        )
    return pairs


def partnerships_count(roadmap, years: list[int]) -> dict[int, float]:
    rows = (
        _partnerships(roadmap, years)
        .values("campaign__year__start_year")
        .annotate(n=Count("pk"))
    )
    return {r["campaign__year__start_year"]: float(r["n"]) for r in rows}


def events_per_partnership(roadmap, years: list[int]) -> dict[int, float]:
    rows = (
        _partnerships(roadmap, years)
        .values("campaign__year__start_year")
        .annotate(n=Count("pk", distinct=True), events=Count("events"))
    )
    return {
        r["campaign__year__start_year"]: round(r["events"] / r["n"], 1)
        for r in rows
        if r["n"]
    }
