"""
Writes of partnerships, following seed 000: the weak school proposes a partner,
the partner accepts or declines, both prepare the interaction plan by the
deadline, МИМЦ approves it, compiles the general plan, the department approves
that; during the year both record what happened. Every rule answers with a
Russian ValidationError and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from roadmaps.periods import MONTH_NAMES
from roadmaps.services import check_evidence_file
from schools.history import note_change
from schools.models import School, User
from schools.templatetags.portal import plural_ru
from schools.workflow import perform

from . import selectors
from .models import (
    Activity,
    Campaign,
    Event,
    GeneralPlan,
    Partnership,
    Suggestion,
)
from .workflows import GENERAL_PLAN, PARTNERSHIP

ACTIVITY_FIELDS = {
    "title": "мероприятие",
    "form": "форма",
    "start": "с",
    "end": "по",
    "responsible_school": "ответственный от школы",
    "responsible_partner": "ответственный от партнёра",
    "expected_result": "ожидаемый результат",
}


def campaign_save(
    *, campaign: Campaign | None = None, data: dict[str, Any], by: User
) -> Campaign:
    year = data["year"]
    if not (year.start_date <= data["plan_deadline"] <= year.end_date):
        raise ValidationError(
            "Срок планов взаимодействия должен быть внутри учебного года."
        )
    if data["general_plan_deadline"] < data["plan_deadline"]:
        raise ValidationError(
            "Общий план составляется после планов школ: его срок не раньше срока планов."
        )
    if data["capacity"] < 1:
        raise ValidationError("Партнёр должен поддерживать хотя бы одну школу.")
    others = Campaign.objects.filter(municipality=data["municipality"], year=year)
    if campaign is not None:
        others = others.exclude(pk=campaign.pk)
    if others.exists():
        raise ValidationError(
            f"Партнёрство на {year} уже открыто — выберите его в списке лет."
        )
    if campaign is None:
        return Campaign.objects.create(created_by=by, **data)
    _check_campaign_change(Campaign.objects.get(pk=campaign.pk), data)
    for name, value in data.items():
        setattr(campaign, name, value)
    campaign.save()
    return campaign


def _check_campaign_change(stored: Campaign, data: dict[str, Any]) -> None:
    """A round's rules may change only where they do not contradict what the schools already did."""
    if GeneralPlan.objects.filter(
        campaign=stored, status=GeneralPlan.Status.APPROVED
    ).exists():
        raise ValidationError(
            "Общий план этого года утверждён: настройки партнёрства больше не меняются."
        )
    pairs = stored.partnerships.filter(status__in=selectors.ACTIVE)
    if data["year"] != stored.year and pairs.exists():
        raise ValidationError(
            "У школ уже есть пары этого года: учебный год партнёрства не меняется — откройте партнёрство на другой год."
        )
    load = max(selectors.load(stored).values(), default=0)
    if data["capacity"] < load:
        raise ValidationError(
            f"Один из партнёров уже поддерживает {load} {plural_ru(load, 'школу,школы,школ')}: предел не может быть меньше."
        )
    if (
        stored.allow_outside
        and not data["allow_outside"]
        and pairs.exclude(partner__municipality=stored.municipality).exists()
    ):
        raise ValidationError(
            "Есть пары с партнёрами из других муниципалитетов: запрет на таких партнёров противоречил бы им."
        )


# Choosing a partner ------------------------------------------------------------------------------------


@transaction.atomic
def propose(
    *,
    campaign: Campaign,
    school: School,
    partner: School,
    support: list[str],
    goals: str,
    by: User,
) -> Partnership:
    """The weak school's proposal to a partner, checked against the rules of the campaign."""
    if school.pk == partner.pk:
        raise ValidationError("Школа не может быть партнёром самой себе.")
    if (
        partner.municipality_id != campaign.municipality_id
        and not campaign.allow_outside
    ):
        raise ValidationError(
            f"{partner.short_name} — из другого муниципалитета; такой партнёр возможен, только если МИМЦ это разрешил."
        )
    if not support:
        raise ValidationError(
            "Отметьте, какая поддержка нужна: экспертная, методическая, организационная."
        )
    if Partnership.objects.filter(
        campaign=campaign, school=school, status__in=selectors.ACTIVE
    ).exists():
        raise ValidationError(
            "У школы уже есть партнёр в этом году (или предложение ждёт ответа)."
        )
    taken = (
        Partnership.objects.select_for_update()
        .filter(campaign=campaign, partner=partner, status__in=selectors.ACTIVE)
        .count()
    )
    if taken >= campaign.capacity:
        raise ValidationError(
            f"{partner.short_name} уже поддерживает {taken} {plural_ru(taken, 'школу,школы,школ')} — больше {campaign.capacity} нельзя. Выберите другого партнёра."
        )
    return Partnership.objects.create(
        campaign=campaign,
        school=school,
        partner=partner,
        support=support,
        goals=goals.strip(),
        status=Partnership.Status.PROPOSED,
        created_by=by,
    )


def partnership_accept(
    *, obj: Partnership, by: User, reason: str = "", today=None
) -> Partnership:
    return perform(PARTNERSHIP, "accept", obj=obj, by=by, reason=reason, today=today)


def partnership_decline(
    *, obj: Partnership, by: User, reason: str = "", today=None
) -> Partnership:
    return perform(PARTNERSHIP, "decline", obj=obj, by=by, reason=reason, today=today)


# The interaction plan ----------------------------------------------------------------------------------------


@transaction.atomic
def activity_save(
    *,
    partnership: Partnership,
    data: dict[str, Any],
    by: User,
    activity: Activity | None = None,
    reason: str = "",
) -> Activity:
    """Add or change a plan activity; after approval only with a reason, recorded as a revision."""
    # Its state under a row lock: an approval in the same moment is seen.
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if partnership.status in (
        Partnership.Status.PROPOSED,
        Partnership.Status.DECLINED,
        Partnership.Status.SUBMITTED,
    ):
        raise ValidationError(
            {
                Partnership.Status.PROPOSED: "План составляют после согласия школы-партнёра.",
                Partnership.Status.DECLINED: "Партнёр отказался: выберите другого.",
                Partnership.Status.SUBMITTED: "План на согласовании в МИМЦ: дождитесь решения.",
            }[partnership.status]
        )
    if partnership.is_locked and not reason.strip():
        raise ValidationError(
            "План согласован: изменения вносятся только с основанием."
        )
    year = partnership.campaign.year
    start, end = data.get("start"), data.get("end")
    if not start or not end:
        raise ValidationError("Укажите даты мероприятия.")
    if end < start:
        raise ValidationError("Окончание раньше начала: проверьте даты.")
    if start < year.start_date or end > year.end_date:
        raise ValidationError(
            f"Мероприятия плана — в пределах учебного года {year}: с {year.start_date:%d.%m.%Y} по {year.end_date:%d.%m.%Y}."
        )
    for name in ("title", "responsible_school", "responsible_partner"):
        if not (data.get(name) or "").strip():
            raise ValidationError(f"Заполните: {ACTIVITY_FIELDS[name]}.")
    if activity is not None and activity.partnership_id != partnership.pk:
        raise ValidationError("Мероприятие из другого плана.")
    values = {name: data.get(name) or "" for name in ACTIVITY_FIELDS}
    # A bound ModelForm has already written the new values onto `activity`: the old ones come from the database.
    stored = Activity.objects.get(pk=activity.pk) if activity else None
    before = {k: str(getattr(stored, k)) for k in ACTIVITY_FIELDS} if stored else {}
    if activity is None:
        activity = Activity(partnership=partnership)
    for name, value in values.items():
        setattr(activity, name, value)
    if partnership.is_locked:
        after = {k: str(getattr(activity, k)) for k in ACTIVITY_FIELDS}
        note_change(
            activity,
            by=by,
            reason=reason.strip(),
            changes=[
                {"field": ACTIVITY_FIELDS[k], "before": before.get(k, ""), "after": v}
                for k, v in after.items()
                if before.get(k) != v
            ],
        )
    activity.save()
    return activity


def partnership_submit(
    *,
    obj: Partnership,
    by: User,
    reason: str = "",
    today=None,
    now: dt.datetime | None = None,
) -> Partnership:
    """Send the plan to МИМЦ; after the campaign's deadline it is accepted but marked late."""
    return perform(
        PARTNERSHIP,
        "submit",
        obj=obj,
        by=by,
        reason=reason,
        today=today,
        data={"now": now},
    )


def partnership_approve(
    *, obj: Partnership, by: User, reason: str = "", today=None
) -> Partnership:
    return perform(PARTNERSHIP, "approve", obj=obj, by=by, reason=reason, today=today)


def partnership_return(
    *, obj: Partnership, by: User, reason: str = "", today=None
) -> Partnership:
    return perform(PARTNERSHIP, "return", obj=obj, by=by, reason=reason, today=today)


def agreement_save(
    *,
    partnership: Partnership,
    number: str,
    date: dt.date | None,
    until: dt.date | None,
    scan: Any,
    by: User,
) -> Partnership:
    if partnership.status != Partnership.Status.APPROVED:
        raise ValidationError(
            "Соглашение заключают по согласованному плану взаимодействия."
        )
    if not number.strip() or date is None:
        raise ValidationError("Укажите номер и дату соглашения.")
    if until is not None and until < date:
        raise ValidationError(
            "Срок действия соглашения не может закончиться раньше его даты."
        )
    if scan:  # a cleared file input gives False
        check_evidence_file(scan)
        partnership.agreement_scan = scan
    (
        partnership.agreement_number,
        partnership.agreement_date,
        partnership.agreement_until,
    ) = number.strip(), date, until
    partnership._history_user = by
    partnership._change_reason = f"Соглашение № {partnership.agreement_number}"
    partnership.save()
    return partnership


def event_record(
    *, partnership: Partnership, data: dict[str, Any], by: User, upload: Any = None
) -> Event:
    """What happened: date within the school year, participants, a short report, materials."""
    if partnership.status != Partnership.Status.APPROVED:
        raise ValidationError(
            "Проведённые мероприятия отмечают после согласования плана."
        )
    year = partnership.campaign.year
    day = data.get("date")
    if day is None or not (year.start_date <= day <= year.end_date):
        raise ValidationError(f"Дата мероприятия — в пределах учебного года {year}.")
    if day > timezone.localdate():
        raise ValidationError(
            "Мероприятие ещё не прошло: отметьте его после проведения."
        )
    if not (data.get("report") or "").strip():
        raise ValidationError("Кратко опишите, что сделано.")
    if not data.get("participants"):
        raise ValidationError("Укажите число участников.")
    if upload:  # a cleared file input gives False
        check_evidence_file(upload)
    activity = data.get("activity")
    if activity is not None and activity.partnership_id != partnership.pk:
        raise ValidationError("Мероприятие из другого плана.")
    return Event.objects.create(
        partnership=partnership,
        activity=activity,
        date=day,
        participants=data["participants"],
        report=data["report"].strip(),
        materials_url=data.get("materials_url") or "",
        materials_file=upload or "",
        recorded_by=by,
    )


# Suggestions and the general plan -----------------------------------------------------------------------


@transaction.atomic
def suggestions_send(
    *, campaign: Campaign, pairs: dict[int, int], reasons: dict[int, str], by: User
) -> int:
    """Send the analyst's (possibly adjusted) suggestions to the schools; replaces earlier ones."""
    wanted = Counter(p for p in pairs.values() if p)
    free = selectors.free_places(campaign, wanted)
    over = School.objects.filter(
        pk__in=[pk for pk, n in wanted.items() if n > free[pk]]
    ).order_by("short_name")
    if over:
        names = ", ".join(
            f"{s.short_name} — свободных мест {max(free[s.pk], 0)}" for s in over
        )
        raise ValidationError(
            f"Превышена нагрузка партнёра ({names}): не больше {campaign.capacity} школ на одного партнёра."
        )
    Suggestion.objects.filter(campaign=campaign, school_id__in=pairs).delete()
    Suggestion.objects.bulk_create(
        [
            Suggestion(
                campaign=campaign,
                school_id=s,
                partner_id=p,
                reason=reasons.get(s, ""),
                sent_by=by,
            )
            for s, p in pairs.items()
            if p
        ]
    )
    return sum(1 for p in pairs.values() if p)


@transaction.atomic
def general_plan_compile(*, campaign: Campaign, by: User) -> GeneralPlan:
    """
    The municipality's plan from the approved plans, by partnership and by
    month — recompiled while МИМЦ holds it (under a row lock: an approval in
    the same moment is never overwritten).
    """
    plan = GeneralPlan.objects.select_for_update().filter(campaign=campaign).first()
    if plan is not None and plan.status == GeneralPlan.Status.APPROVED:
        raise ValidationError("Общий план утверждён: составить его заново нельзя.")
    if plan is not None and plan.status == GeneralPlan.Status.SUBMITTED:
        raise ValidationError(
            "Общий план в управлении образования: составить его заново можно, "
            "когда его вернут на доработку."
        )
    partnerships = (
        campaign.partnerships.filter(status=Partnership.Status.APPROVED)
        .select_related("school", "partner")
        .prefetch_related("activities")
    )
    if not partnerships:
        raise ValidationError("Нет ни одного согласованного плана взаимодействия.")
    rows = []
    for p in partnerships:
        for a in p.activities.all():
            rows.append(
                {
                    "partnership": p.pk,
                    "school": p.school.short_name,
                    "partner": p.partner.short_name,
                    "month": f"{MONTH_NAMES[a.start.month]} {a.start.year}",
                    "month_key": f"{a.start:%Y-%m}",
                    "title": a.title,
                    "form": a.get_form_display(),
                    "start": f"{a.start:%d.%m.%Y}",
                    "end": f"{a.end:%d.%m.%Y}",
                    "responsible": f"{a.responsible_school}; {a.responsible_partner}",
                    "expected_result": a.expected_result,
                }
            )
    rows.sort(key=lambda r: (r["school"], r["month_key"], r["start"]))
    if plan is None:
        plan = GeneralPlan.objects.create(
            campaign=campaign, compiled_at=timezone.now(), compiled_by=by, rows=rows
        )
    else:
        plan.rows, plan.compiled_at, plan.compiled_by = rows, timezone.now(), by
        plan._history_user = by
        plan.save(update_fields=["rows", "compiled_at", "compiled_by"])
    return plan


def general_plan_submit(
    *, plan: GeneralPlan, by: User, reason: str = "", today=None
) -> GeneralPlan:
    return perform(GENERAL_PLAN, "submit", obj=plan, by=by, reason=reason, today=today)


def general_plan_return(
    *, plan: GeneralPlan, by: User, reason: str, today=None
) -> GeneralPlan:
    """The department sends the general plan back to МИМЦ with what to fix."""
    return perform(GENERAL_PLAN, "return", obj=plan, by=by, reason=reason, today=today)


def general_plan_recall(
    *, plan: GeneralPlan, by: User, reason: str, today=None
) -> GeneralPlan:
    """МИМЦ takes the general plan back from the department to change it."""
    return perform(GENERAL_PLAN, "recall", obj=plan, by=by, reason=reason, today=today)


def general_plan_approve(
    *,
    plan: GeneralPlan,
    order_number: str,
    order_date: dt.date | None,
    by: User,
    today: dt.date | None = None,
    confirmed: bool = False,
) -> GeneralPlan:
    return perform(
        GENERAL_PLAN,
        "approve",
        obj=plan,
        by=by,
        today=today,
        data={"order_number": order_number, "order_date": order_date},
        confirmed=confirmed,
    )


def by_month(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The general plan's rows grouped by month."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    labels = {}
    for row in rows:
        groups[row["month_key"]].append(row)
        labels[row["month_key"]] = row["month"]
    return [(labels[k], groups[k]) for k in sorted(groups)]
