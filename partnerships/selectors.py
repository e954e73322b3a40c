"""Reading partnerships: the gradation, who needs a partner, candidates, the board and outcomes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from identification import permissions as identification_permissions
from identification.criteria import LISTED
from identification.models import (
    CriterionResult,
    IdentificationRun,
    OfficialEntry,
    OfficialList,
    SchoolResult,
)
from identification.profile import indicator_shares
from monitoring.indicators import DERIVED
from schools import access, formatting, history
from schools.models import AcademicYear, Municipality, School, User

from . import gradation, suggest
from .models import Activity, Campaign, GradationScale, Partnership, Suggestion
from .suggest import SchoolInfo

ACTIVE = [s for s in Partnership.Status.values if s != Partnership.Status.DECLINED]


def scale_for(municipality: Municipality) -> GradationScale:
    """The municipality's scale (the default one, unsaved, when it has not set its own)."""
    return GradationScale.objects.filter(
        municipality=municipality
    ).first() or GradationScale(municipality=municipality)


def base_run(user: User | None, municipality: Municipality) -> IdentificationRun | None:
    """
    The run the gradation reads unless the analyst chooses another: the run
    behind the municipality's current official list, else its latest finished run.
    """
    runs = IdentificationRun.objects.filter(
        status=IdentificationRun.Status.DONE, municipalities=municipality
    )
    if user is not None and access.role_of(user) != access.Role.OPERATOR:
        runs = runs.filter(
            pk__in=identification_permissions.runs_visible_to(user).values("pk")
        )
    official = (
        OfficialList.objects.filter(
            municipality=municipality, superseded_at__isnull=True
        )
        .select_related("run")
        .order_by("-year__start_year")
        .first()
    )
    if official is not None:
        return official.run
    return runs.order_by("-target_year__start_year", "-pk").first()


def campaign_run(campaign: Campaign) -> IdentificationRun | None:
    """
    The run a partnership round reads: behind the official list of its school
    year, else the latest run for that year, else the municipality's latest.
    """
    official = (
        OfficialList.objects.filter(
            municipality=campaign.municipality,
            year=campaign.year,
            superseded_at__isnull=True,
        )
        .select_related("run")
        .first()
    )
    if official is not None:
        return official.run
    runs = IdentificationRun.objects.filter(
        status=IdentificationRun.Status.DONE,
        municipalities=campaign.municipality,
        target_year=campaign.year,
    )
    return runs.order_by("-pk").first() or base_run(None, campaign.municipality)


def bands(
    run: IdentificationRun, municipality: Municipality, scale: GradationScale
) -> list[dict[str, Any]]:
    """Every active school of the municipality in the run with its composite index and band, highest first."""
    rows = list(
        CriterionResult.objects.filter(
            run=run,
            criterion="L1",
            school__municipality=municipality,
            school__is_active=True,
        ).values("school_id", "value", "school__short_name", "school__school_type")
    )
    grades = gradation.grade(
        {r["school_id"]: r["value"] for r in rows},
        method=scale.method,
        low=scale.low,
        high=scale.high,
    )
    out = [
        {
            "school_id": r["school_id"],
            "school": r["school__short_name"],
            "school_type": r["school__school_type"],
            "value": r["value"],
            "band": grades[r["school_id"]],
            "band_label": gradation.BAND_LABELS[grades[r["school_id"]]],
        }
        for r in rows
    ]
    order = [gradation.HIGH, gradation.MIDDLE, gradation.LOW, gradation.NO_DATA]
    return sorted(
        out,
        key=lambda r: (
            order.index(r["band"]),
            -(r["value"] if r["value"] is not None else 0),
            r["school"],
        ),
    )


# Campaigns ---------------------------------------------------------------------------------------------


def campaigns_visible_to(user: User) -> Any:
    return Campaign.objects.filter(
        municipality__in=access.municipalities_visible_to(user).values("pk")
    ).select_related("municipality", "year")


def current_campaign(
    user: User, municipality: Municipality | None = None
) -> Campaign | None:
    campaigns = campaigns_visible_to(user)
    if municipality is not None:
        campaigns = campaigns.filter(municipality=municipality)
    return (
        campaigns.filter(year__is_current=True).first()
        or campaigns.order_by("-year__start_year").first()
    )


def next_campaign_initial(campaign: Campaign | None) -> dict[str, Any]:
    """A new round starts from the last one's rules and seed 000's dates (25.11 and 30.11) of the next school year."""
    year = (
        AcademicYear.objects.filter(start_year=campaign.year.start_year + 1).first()
        if campaign
        else AcademicYear.objects.filter(is_current=True).first()
    )
    if year is None:
        return {}
    initial: dict[str, Any] = {
        "year": year,
        "plan_deadline": dt.date(year.start_year, 11, 25),
        "general_plan_deadline": dt.date(year.start_year, 11, 30),
    }
    if campaign is not None:
        initial.update(
            capacity=campaign.capacity,
            events_target=campaign.events_target,
            allow_outside=campaign.allow_outside,
        )
    return initial


def school_infos(
    run: IdentificationRun | None, schools: list[School]
) -> dict[int, SchoolInfo]:
    """What the suggestions weigh, for each school: type, place, result and well-being indices, resilience."""
    values: dict[tuple[int, str], tuple[float | None, str]] = {}
    if run is not None:
        for school_id, criterion, value, state in CriterionResult.objects.filter(
            run=run,
            school__in=[s.pk for s in schools],
            criterion__in=["L1", "N1", "R8"],
        ).values_list("school_id", "criterion", "value", "state"):
            values[school_id, criterion] = (value, state)
    out = {}
    for s in schools:
        l1, n1, r8 = (values.get((s.pk, k), (None, "")) for k in ("L1", "N1", "R8"))
        out[s.pk] = SchoolInfo(
            id=s.pk,
            name=s.short_name,
            school_type=s.school_type,
            municipality_id=s.municipality_id,
            settlement=s.settlement,
            latitude=float(s.latitude) if s.latitude is not None else None,
            longitude=float(s.longitude) if s.longitude is not None else None,
            distance_km=float(s.distance_km),
            index=l1[0],
            wellbeing=n1[0],
            resilient=r8[1] == "flagged",
            hard_context=n1[1] == "flagged",
        )
    return out


def needing_partners(
    campaign: Campaign, run: IdentificationRun | None = None
) -> list[tuple[School, str]]:
    """
    Schools with weak positions: ШНОР/ШНСУ on the official list of the year, or
    the low band of the gradation (of `run`, by default the round's run).
    """
    reasons: dict[int, list[str]] = {}
    entries = OfficialEntry.objects.filter(
        official_list__municipality=campaign.municipality,
        official_list__year=campaign.year,
        official_list__superseded_at__isnull=True,
        status__in=LISTED,
    )
    for school_id, status in entries.values_list("school_id", "status"):
        reasons.setdefault(school_id, []).append(status)
    run = run or campaign_run(campaign)
    if run is not None:
        for row in bands(run, campaign.municipality, scale_for(campaign.municipality)):
            if row["band"] == gradation.LOW:
                reasons.setdefault(row["school_id"], []).append(
                    "низкий уровень результативности"
                )
    schools = School.objects.filter(pk__in=reasons, is_active=True).order_by(
        "short_name"
    )
    return [(s, ", ".join(reasons[s.pk])) for s in schools]


def candidate_partners(
    campaign: Campaign, run: IdentificationRun | None = None
) -> list[School]:
    """Schools with high positions: the high band of the gradation, and resilient schools."""
    run = run or campaign_run(campaign)
    if run is None:
        return []
    high = {
        r["school_id"]
        for r in bands(run, campaign.municipality, scale_for(campaign.municipality))
        if r["band"] == gradation.HIGH
    }
    resilient = set(
        CriterionResult.objects.filter(
            run=run,
            criterion="R8",
            state="flagged",
            school__municipality=campaign.municipality,
        ).values_list("school_id", flat=True)
    )
    return list(
        School.objects.filter(pk__in=high | resilient, is_active=True).order_by(
            "short_name"
        )
    )


def load(campaign: Campaign) -> dict[int, int]:
    """How many active partnerships each partner already has in the campaign."""
    return dict(
        Partnership.objects.filter(campaign=campaign, status__in=ACTIVE)
        .values_list("partner_id")
        .annotate(n=Count("pk"))
        .values_list("partner_id", "n")
    )


def free_places(campaign: Campaign, partner_ids: Any) -> dict[int, int]:
    """How many more schools each partner may take in the campaign (negative when over the limit)."""
    taken = load(campaign)
    return {pk: campaign.capacity - taken.get(pk, 0) for pk in partner_ids}


def proposal(
    campaign: Campaign, run: IdentificationRun | None = None
) -> dict[str, Any]:
    """
    «Suggest for everyone»: the schools still without a partner, solved at once
    over the candidates' free places, each with its other options ranked — by
    the figures of `run` (by default the round's run).
    """
    run = run or campaign_run(campaign)
    busy = set(
        campaign.partnerships.filter(status__in=ACTIVE).values_list(
            "school_id", flat=True
        )
    )
    needy = [s for s, _ in needing_partners(campaign, run) if s.pk not in busy]
    candidates = candidate_partners(campaign, run)
    infos = school_infos(run, needy + candidates)
    partners = [infos[c.pk] for c in candidates]
    capacity = free_places(campaign, [c.pk for c in candidates])
    pairs = suggest.solve(
        [infos[s.pk] for s in needy],
        partners,
        capacity=capacity,
        allow_outside=campaign.allow_outside,
    )
    return {
        "rows": [
            {
                "pair": pair,
                "options": suggest.ranked(
                    pair.school, partners, allow_outside=campaign.allow_outside
                ),
            }
            for pair in pairs
        ],
        "capacity": capacity,
        "total": sum(p.cost for p in pairs if p.cost is not None),
    }


@dataclass(frozen=True)
class PartnerOption:
    """
    A school a weak school may name as its partner, with the round's load on it:
    `ranked` for the suitable candidates (best first), False for another school
    of the region that the round's rule on outside partners admits.
    """

    school: School
    taken: int  # active partnerships it already has in the round
    capacity: int  # the round's limit of schools per partner
    ranked: bool = True

    @property
    def free(self) -> int:
        return self.capacity - self.taken

    @property
    def full(self) -> bool:
        return self.free <= 0


def partner_choice(campaign: Campaign, school: School) -> dict[str, Any]:
    """
    What a school choosing a partner sees: the candidates ranked best first with
    their free places (full ones last), МИМЦ's suggestion, and the options of its
    choice in the same order — the ranked candidates, then (when the round
    allows outside partners) the other active schools of the region by
    municipality and name; full ones are among the options, to be shown but
    not chosen.
    """
    candidates = candidate_partners(campaign)
    by_pk = {c.pk: c for c in candidates}
    infos = school_infos(campaign_run(campaign), [school, *candidates])
    taken = load(campaign)
    free = {c.pk: campaign.capacity - taken.get(c.pk, 0) for c in candidates}
    ranked = suggest.ranked(
        infos[school.pk],
        [infos[c.pk] for c in candidates],
        allow_outside=campaign.allow_outside,
    )
    rows: list[dict[str, Any]] = sorted(
        ({"pair": p, "free": free[p.partner.id]} for p in ranked if p.partner),
        key=lambda row: row["free"] <= 0,
    )  # stable: the order is kept otherwise
    options = [
        PartnerOption(
            school=by_pk[row["pair"].partner.id],
            taken=taken.get(row["pair"].partner.id, 0),
            capacity=campaign.capacity,
        )
        for row in rows
    ]
    if campaign.allow_outside:
        others = (
            School.objects.filter(
                municipality__region_id=school.municipality.region_id, is_active=True
            )
            .exclude(pk__in=[school.pk, *by_pk])
            .select_related("municipality")
            .order_by("municipality__name", "short_name")
        )
        options += [
            PartnerOption(
                school=other,
                taken=taken.get(other.pk, 0),
                capacity=campaign.capacity,
                ranked=False,
            )
            for other in others
        ]
    return {
        "ranked": rows,
        "suggestion": Suggestion.objects.filter(campaign=campaign, school=school)
        .select_related("partner")
        .first(),
        "options": options,
    }


# The board -------------------------------------------------------------------------------------------------


def expected_events(campaign: Campaign, today: dt.date | None = None) -> int:
    """Exchange events a partnership should have held by today: the year's target spread over the school year."""
    today = today or timezone.localdate()
    start, end = campaign.year.start_date, campaign.year.end_date
    if today <= start:
        return 0
    share = min((today - start).days / max((end - start).days, 1), 1.0)
    return int(campaign.events_target * share)


def board(
    campaign: Campaign, partnerships: Any, today: dt.date | None = None
) -> list[Partnership]:
    """Partnerships with planned and held events and whether they are behind."""
    today = today or timezone.localdate()
    expected = expected_events(campaign, today)
    rows = list(
        partnerships.select_related("school", "partner").annotate(
            planned=Count("activities", distinct=True),
            held=Count(
                "events",
                filter=Q(
                    events__date__gte=campaign.year.start_date,
                    events__date__lte=campaign.year.end_date,
                ),
                distinct=True,
            ),
        )
    )
    for p in rows:
        p.expected = expected
        plan_overdue = (
            p.status
            in (
                Partnership.Status.DRAFT,
                Partnership.Status.PROPOSED,
                Partnership.Status.ACCEPTED,
                Partnership.Status.RETURNED,
            )
            and today > campaign.plan_deadline
        )
        p.behind = plan_overdue or (
            p.status == Partnership.Status.APPROVED and p.held < expected
        )
        p.plan_overdue = plan_overdue
    return rows


def outcome(partnership: Partnership, *, small_shares: bool = True) -> dict[str, Any]:
    """
    Did it help? The weak school's status and result index from the identification
    that preceded the partnership year and from the next one (whose data include
    that year), and its report shares of the partnership year against the year
    before — beside the number of exchange events held. Shares on small samples
    are left out when the viewer may not see them (`small_shares`).
    """
    year = partnership.campaign.year.start_year
    out: dict[str, Any] = {
        "events": partnership.events.count(),
        "year": partnership.campaign.year,
    }
    for key, target in (("before", year), ("after", year + 1)):
        run = (
            IdentificationRun.objects.filter(
                status=IdentificationRun.Status.DONE,
                target_year__start_year=target,
                school_results__school=partnership.school,
            )
            .order_by("-pk")
            .first()
        )
        if run is None:
            out[key] = None
            continue
        result = SchoolResult.objects.filter(run=run, school=partnership.school).first()
        index = (
            CriterionResult.objects.filter(
                run=run, school=partnership.school, criterion="L1"
            )
            .values_list("value", flat=True)
            .first()
        )
        out[key] = {
            "year": run.target_year,
            "status": result.status if result else None,
            "index": index,
            "run": run,
        }
    if (
        out["before"]
        and out["after"]
        and out["before"]["index"] is not None
        and out["after"]["index"] is not None
    ):
        # As shown: the two indices with two places, their difference from those.
        out["change"] = formatting.change(
            out["before"]["index"], out["after"]["index"], 2
        )
    better = {
        item.label: item.better for derived in DERIVED.values() for item in derived
    }
    indicators = []
    for item in indicator_shares(partnership.school, [year - 1, year]):
        was, now = (item["years"].get(y, {}) for y in (year - 1, year))
        if (
            was.get("value") is None
            or now.get("value") is None
            or (not small_shares and (was["small"] or now["small"]))
        ):
            continue
        was, now = was["value"], now["value"]
        sign = better.get(item["label"], 0)
        if not sign:  # social context describes the pupils, not the school's work
            continue
        change = formatting.change(was, now, 1)
        indicators.append(
            {
                "label": item["label"],
                "before": was,
                "after": now,
                "change": change,
                "verdict": "better"
                if sign and change * sign > 0
                else "worse"
                if sign and change * sign < 0
                else "",
            }
        )
    out["indicators"] = indicators
    out["indicator_years"] = (f"{year - 1}/{year}", f"{year}/{year + 1}")
    return out


def revisions(partnership: Partnership) -> list[history.Revision]:
    """The recorded changes of the approved plan: its activities', and older ones of the plan."""
    return history.revisions(
        (
            Activity.history.filter(partnership_id=partnership.pk),
            lambda record: f"мероприятие «{record.title}»",
        ),
        (partnership.history.all(), lambda record: ""),
        limit=30,
    )
