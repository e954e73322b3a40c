"""
Writes of roadmaps: creating and filling them, the approval workflow, recorded
revisions of approved roadmaps, execution information, copying a year, and the
reminders. Every rule answers with a Russian ValidationError and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from schools import mail
from schools.history import note_change
from schools.models import AcademicYear, Municipality, School, User
from schools.workflow import perform

from . import periods
from .models import (
    Evidence,
    Item,
    Reminder,
    Responsible,
    Roadmap,
    Section,
    TargetIndicator,
)
from .workflows import ROADMAP

logger = logging.getLogger(__name__)

EVIDENCE_TYPES = {
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".odt",
    ".ods",
    ".ppt",
    ".pptx",
    ".jpg",
    ".jpeg",
    ".png",
    ".zip",
}
ITEM_FIELDS = [
    "number",
    "title",
    "content",
    "start",
    "end",
    "period_label",
    "expected_result",
    "criterion",
]
FIELD_LABELS = {
    "number": "№",
    "title": "мероприятие",
    "content": "содержание",
    "start": "начало",
    "end": "окончание",
    "period_label": "срок",
    "expected_result": "ожидаемый результат",
    "criterion": "критерий",
    "section": "раздел",
    "responsible": "ответственные",
    "cancelled_reason": "отмена",
}


# Responsible ------------------------------------------------------------------------------------

DEPARTMENT = re.compile(
    r"^(отдел|управление|комитет|департамент)\s+образования|^мку\s+уо$|^уо$|^оо$|^ро$"
)


def split_names(text: str) -> list[str]:
    """«Отдел образования, МБУ «МИМЦ», ОУ» → three names (commas inside «» do not split)."""
    names, depth, current = [], 0, ""
    for char in text or "":
        depth += char == "«"
        depth -= char == "»" and depth > 0
        if char in ",;\n" and depth == 0:
            names.append(current)
            current = ""
        else:
            current += char
    names.append(current)
    return [re.sub(r"\s+", " ", n).strip(" .") for n in names if n.strip(" .")]


def _school_key(name: str) -> str:
    return re.sub(
        r"[^0-9a-zа-я№]",
        "",
        name.lower().replace("ё", "е").replace("мбоу", "").replace("маоу", ""),
    )


def responsible_from_text(text: str, municipality: Municipality) -> list[Responsible]:
    """Unsaved Responsible rows: the department, МИМЦ, a school of the municipality, or another organisation."""
    schools = {
        _school_key(s.short_name): s
        for s in School.objects.filter(municipality=municipality)
    }
    out = []
    for name in split_names(text):
        low = name.lower().replace("ё", "е")
        school = schools.get(_school_key(name))
        if "мимц" in low:
            kind = Responsible.Kind.MIMC
        elif DEPARTMENT.search(low):
            kind = Responsible.Kind.DEPARTMENT
        elif school is not None:
            kind = Responsible.Kind.SCHOOL
        else:
            kind = Responsible.Kind.OTHER
        out.append(
            Responsible(
                kind=kind,
                name=name,
                school=school if kind == Responsible.Kind.SCHOOL else None,
            )
        )
    return out


def responsible_text(item: Item) -> str:
    return ", ".join(r.name for r in item.responsible.all())


def recipients(responsible: Responsible, municipality: Municipality) -> list[User]:
    """The people an item's responsible stands for, who get its reminders."""
    if responsible.kind == Responsible.Kind.PERSON and responsible.user_id:
        return [responsible.user]
    if responsible.kind == Responsible.Kind.SCHOOL and responsible.school_id:
        return list(
            User.objects.filter(
                role=User.Role.OPERATOR, schools=responsible.school_id, is_active=True
            )
        )
    role = {
        Responsible.Kind.DEPARTMENT: User.Role.APPROVER,
        Responsible.Kind.MIMC: User.Role.ANALYST,
    }.get(responsible.kind)
    return (
        list(User.objects.filter(role=role, municipality=municipality, is_active=True))
        if role
        else []
    )


# Roadmaps and items -----------------------------------------------------------------------------


def roadmap_create(
    *,
    level: str,
    municipality: Municipality,
    school: School | None,
    year: AcademicYear,
    title: str,
    by: User,
) -> Roadmap:
    if level == Roadmap.Level.SCHOOL and school is None:
        raise ValidationError("Выберите школу, чья это программа.")
    if school is not None and school.municipality_id != municipality.pk:
        raise ValidationError("Школа должна быть из этого муниципалитета.")
    return Roadmap.objects.create(
        level=level,
        municipality=municipality,
        school=school if level == Roadmap.Level.SCHOOL else None,
        year=year,
        title=title.strip(),
        created_by=by,
    )


def period_of(
    roadmap: Roadmap,
    *,
    phrase: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> periods.Period:
    """The item's period from exact dates (when given) or from the phrase; end before start is refused."""
    if start or end:
        if not (start and end):
            raise ValidationError(
                "Укажите обе даты — начало и окончание — или срок словами."
            )
        if end < start:
            raise ValidationError("Окончание раньше начала: проверьте даты.")
        return periods.Period(
            start, end, periods.label(start, end, school_year=roadmap.year.start_year)
        )
    try:
        return periods.parse(phrase, school_year=roadmap.year.start_year)
    except periods.PeriodError as error:
        raise ValidationError(str(error)) from None


@transaction.atomic
def item_save(
    *,
    roadmap: Roadmap,
    data: dict[str, Any],
    responsible: str,
    by: User,
    item: Item | None = None,
    reason: str = "",
) -> Item:
    """
    Create or change an item. A draft changes freely; an approved roadmap only
    with a reason, recorded as a revision (who, what from what to what, why).
    """
    # Its state under a row lock: an approval in the same moment is seen.
    roadmap = (
        Roadmap.objects.select_related("municipality")
        .select_for_update(of=("self",))
        .get(pk=roadmap.pk)
    )
    if roadmap.status == Roadmap.Status.CLOSED:
        raise ValidationError("Дорожная карта закрыта: изменить её нельзя.")
    if roadmap.is_locked and not reason.strip():
        raise ValidationError(
            "Карта утверждена: изменения вносятся только с основанием (например, «решение совещания от 12.01.2021»)."
        )
    if not (data.get("title") or "").strip():
        raise ValidationError("Напишите, что за мероприятие.")
    people = responsible_from_text(responsible, roadmap.municipality)
    if not people:
        raise ValidationError("Укажите хотя бы одного ответственного исполнителя.")
    period = period_of(
        roadmap,
        phrase=data.get("period", ""),
        start=data.get("start"),
        end=data.get("end"),
    )
    values = {
        "number": (data.get("number") or "").strip() or str(roadmap.items.count() + 1),
        "title": data["title"].strip(),
        "content": (data.get("content") or "").strip(),
        "start": period.start,
        "end": period.end,
        "period_label": period.label,
        "expected_result": (data.get("expected_result") or "").strip(),
        "criterion": data.get("criterion") or "",
    }
    section = _section(roadmap, data.get("section") or "")
    before = _snapshot(item) if item else None
    if item is None:
        item = Item(roadmap=roadmap, position=roadmap.items.count() + 1)
    else:
        item.responsible.all().delete()
    for name, value in values.items():
        setattr(item, name, value)
    item.section = section
    if roadmap.is_locked:
        after = _snapshot(item, responsible=", ".join(p.name for p in people))
        note_change(
            item,
            by=by,
            reason=reason.strip(),
            changes=[
                {
                    "field": FIELD_LABELS.get(k, k),
                    "before": before.get(k) if before else "",
                    "after": v,
                }
                for k, v in after.items()
                if not before or before.get(k) != v
            ],
        )
    item.save()
    for person in people:
        person.item = item
        person.save()
    return item


def _section(roadmap: Roadmap, title: str) -> Section | None:
    title = title.strip()
    if not title:
        return None
    section = roadmap.sections.filter(title=title).first()
    return section or Section.objects.create(
        roadmap=roadmap, title=title, order=roadmap.sections.count() + 1
    )


def _snapshot(item: Item, *, responsible: str | None = None) -> dict[str, str]:
    data = {name: str(getattr(item, name) or "") for name in ITEM_FIELDS}
    data["section"] = item.section.title if item.section else ""
    data["responsible"] = responsible_text(item) if responsible is None else responsible
    data["cancelled_reason"] = item.cancelled_reason
    return data


@transaction.atomic
def item_cancel(*, item: Item, reason: str, by: User) -> None:
    if not reason.strip():
        raise ValidationError("Укажите причину отмены мероприятия.")
    before = item.cancelled_reason
    item.cancelled_reason = reason.strip()
    if item.roadmap.is_locked:
        note_change(
            item,
            by=by,
            reason=reason.strip(),
            changes=[
                {"field": "отмена", "before": before, "after": item.cancelled_reason}
            ],
        )
    item.save(update_fields=["cancelled_reason"])


@transaction.atomic
def item_delete(*, item: Item, by: User) -> None:
    if item.roadmap.is_locked:
        raise ValidationError(
            "Из утверждённой карты мероприятие не удаляют — отмените его с причиной."
        )
    item._history_user = by  # the deletion's history record names who
    item.delete()


@transaction.atomic
def execution_add(
    *,
    item: Item,
    text: str,
    by: User,
    done: bool = False,
    url: str = "",
    upload: Any = None,
    note: str = "",
) -> Item:
    """Add execution information (with a link or a file as evidence); possibly mark the item done."""
    text = (text or "").strip()
    if not text and not url and upload is None and not done:
        raise ValidationError("Напишите, что сделано, или приложите подтверждение.")
    if upload is not None:
        check_evidence_file(upload)
    if text:
        stamp = f"{timezone.localdate():%d.%m.%Y}, {by.short_display_name}"
        item.execution_info = (
            item.execution_info + "\n" if item.execution_info else ""
        ) + f"{text} ({stamp})"
    if done and not item.done_at:
        item.done_at = timezone.localdate()
    item.save(update_fields=["execution_info", "done_at"])
    if url or upload is not None:
        Evidence.objects.create(
            item=item, url=url, file=upload or "", note=note.strip(), added_by=by
        )
    return item


def check_evidence_file(upload: Any) -> None:
    name = upload.name.lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in EVIDENCE_TYPES:
        raise ValidationError(
            f"Файл «{upload.name}» не подходит: можно приложить PDF, документы Word и Excel, презентации, изображения JPG и PNG или архив ZIP."
        )
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"Файл «{upload.name}» больше {limit // 1024 // 1024} МБ: уменьшите его или дайте ссылку."
        )


# Workflow (the table is in roadmaps.workflows) ---------------------------------------------------------------------------------------


def roadmap_submit(*, obj: Roadmap, by: User, reason: str = "", today=None) -> Roadmap:
    return perform(ROADMAP, "submit", obj=obj, by=by, reason=reason, today=today)


def roadmap_return(*, obj: Roadmap, by: User, reason: str = "", today=None) -> Roadmap:
    return perform(ROADMAP, "return", obj=obj, by=by, reason=reason, today=today)


def roadmap_approve(
    *,
    obj: Roadmap,
    by: User,
    order_number: str,
    order_date: dt.date | None,
    reason: str = "",
    today: dt.date | None = None,
    confirmed: bool = False,
) -> Roadmap:
    return perform(
        ROADMAP,
        "approve",
        obj=obj,
        by=by,
        reason=reason,
        today=today,
        data={"order_number": order_number, "order_date": order_date},
        confirmed=confirmed,
    )


def roadmap_start(*, obj: Roadmap, by: User, reason: str = "", today=None) -> Roadmap:
    return perform(ROADMAP, "start", obj=obj, by=by, reason=reason, today=today)


def roadmap_close(*, obj: Roadmap, by: User, reason: str = "", today=None) -> Roadmap:
    return perform(ROADMAP, "close", obj=obj, by=by, reason=reason, today=today)


@transaction.atomic
def copy_to_year(*, roadmap: Roadmap, year: AcademicYear, by: User) -> Roadmap:
    """Last year's roadmap as a draft for `year`: same sections, items and responsible, dates moved by the years between."""
    shift = year.start_year - roadmap.year.start_year
    if shift <= 0:
        raise ValidationError("Копировать можно только на более поздний учебный год.")
    title = re.sub(
        str(roadmap.year.start_year) + r"\s*[-–]\s*" + str(roadmap.year.start_year + 1),
        f"{year.start_year}-{year.start_year + 1}",
        roadmap.title,
    )
    copy = Roadmap.objects.create(
        level=roadmap.level,
        municipality=roadmap.municipality,
        school=roadmap.school,
        year=year,
        title=title,
        created_by=by,
    )
    sections = {
        s.pk: Section.objects.create(roadmap=copy, title=s.title, order=s.order)
        for s in roadmap.sections.all()
    }
    for item in roadmap.items.prefetch_related("responsible"):
        if item.cancelled_reason:
            continue
        start, end = _shift(item.start, shift), _shift(item.end, shift)
        new = Item.objects.create(
            roadmap=copy,
            section=sections.get(item.section_id),
            number=item.number,
            title=item.title,
            content=item.content,
            start=start,
            end=end,
            period_label=periods.label(start, end, school_year=year.start_year),
            expected_result=item.expected_result,
            criterion=item.criterion,
            position=item.position,
        )
        Responsible.objects.bulk_create(
            [
                Responsible(
                    item=new,
                    kind=r.kind,
                    name=r.name,
                    school_id=r.school_id,
                    user_id=r.user_id,
                )
                for r in item.responsible.all()
            ]
        )
    for indicator in roadmap.indicators.all():
        indicator.pk = None
        indicator.roadmap = copy
        indicator.actual, indicator.evidence = {}, ""
        indicator.save()
    return copy


def _shift(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# Reminders ---------------------------------------------------------------------------------------


def reminders_send(*, today: dt.date | None = None) -> int:
    """
    E-mail each responsible person one digest: their items due within 7 days and
    their overdue items, of approved roadmaps — each item once per person and kind.
    Returns the number of letters sent.
    """
    today = today or timezone.localdate()
    items = (
        Item.objects.filter(
            roadmap__status__in=[Roadmap.Status.APPROVED, Roadmap.Status.IN_EXECUTION],
            done_at__isnull=True,
            cancelled_reason="",
            end__lte=today + dt.timedelta(days=7),
        )
        .select_related("roadmap__municipality")
        .prefetch_related("responsible__user", "responsible__school")
    )
    sent = set(
        Reminder.objects.filter(item__in=items).values_list(
            "item_id", "user_id", "kind"
        )
    )
    digest: dict[User, list[tuple[Item, str]]] = defaultdict(list)
    for item in items:
        kind = Reminder.Kind.OVERDUE if item.end < today else Reminder.Kind.DUE_SOON
        people = {
            u
            for r in item.responsible.all()
            for u in recipients(r, item.roadmap.municipality)
        }
        for person in people:
            if person.email and (item.pk, person.pk, kind) not in sent:
                digest[person].append((item, kind))
    letters = 0
    for person, entries in digest.items():
        overdue = [i for i, k in entries if k == Reminder.Kind.OVERDUE]
        soon = [i for i, k in entries if k == Reminder.Kind.DUE_SOON]
        lines = ["Здравствуйте!", ""]
        if overdue:
            lines += [
                "Просрочены мероприятия дорожных карт:",
                *[
                    f"— {i.number}. {i.title} (срок: {i.period}; {i.roadmap})"
                    for i in overdue
                ],
                "",
            ]
        if soon:
            lines += [
                "Срок истекает в ближайшие 7 дней:",
                *[
                    f"— {i.number}. {i.title} (до {i.end:%d.%m.%Y}; {i.roadmap})"
                    for i in soon
                ],
                "",
            ]
        lines += [
            "Отметьте исполнение на портале: "
            + settings.PORTAL_URL.rstrip("/")
            + "/roadmaps/tracking/"
        ]
        # Logged with the letter, in one transaction: kept only if it went out;
        # one person who cannot be written to never stops the others.
        try:
            with transaction.atomic():
                Reminder.objects.bulk_create(
                    [Reminder(item=i, user=person, kind=k) for i, k in entries]
                )
                mail.send(
                    "Дорожные карты: сроки мероприятий",
                    "\n".join(lines),
                    [person.email],
                )
        except IntegrityError:
            continue  # another scheduler sent these already
        except Exception:
            logger.exception("Roadmap reminder to user %s not sent", person.pk)
            continue
        letters += 1
    return letters


# Target indicators -------------------------------------------------------------------------------


def _indicator_change(
    roadmap: Roadmap,
    indicator: TargetIndicator,
    *,
    reason: str,
    by: User,
    changes: list[dict[str, str]],
) -> None:
    """The same rule as for items: a closed roadmap is read-only; an approved one
    changes only with a reason, and the change is recorded."""
    if roadmap.status == Roadmap.Status.CLOSED:
        raise ValidationError("Дорожная карта закрыта: её показатели изменить нельзя.")
    if roadmap.is_locked:
        if not reason.strip():
            raise ValidationError(
                "Карта утверждена: изменения целевых показателей вносятся только с "
                "основанием (например, «решение совещания от 12.01.2021»)."
            )
        note_change(indicator, by=by, reason=reason.strip(), changes=changes)


@transaction.atomic
def indicator_add(
    *,
    roadmap: Roadmap,
    source: str,
    title: str,
    unit: str,
    planned: float | None,
    by: User,
    reason: str = "",
) -> TargetIndicator:
    """Add a target indicator: one computed from monitoring data, or a manual one."""
    from . import indicators

    if source != "manual" and source not in indicators.SOURCES:
        raise ValidationError("Такого показателя нет: выберите из списка.")
    roadmap = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    indicator = indicators.build(
        roadmap=roadmap, source=source, title=title, unit=unit, planned=planned
    )
    _indicator_change(
        roadmap,
        indicator,
        reason=reason,
        by=by,
        changes=[
            {
                "field": "целевой показатель",
                "before": "",
                "after": f"{indicator.title}: план {planned if planned is not None else '—'}",
            }
        ],
    )
    indicator.save()
    return indicator


@transaction.atomic
def indicator_set_actual(
    *,
    roadmap: Roadmap,
    indicator: TargetIndicator,
    value: float,
    evidence: str,
    by: User,
    reason: str = "",
) -> TargetIndicator:
    """
    Enter the year's fact of a manual indicator with its evidence. Entering it
    is execution; changing a fact already entered on an approved roadmap needs a
    reason, and every entry is recorded.
    """
    if not evidence.strip():
        raise ValidationError("Укажите подтверждение факта: документ или ссылку.")
    roadmap = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    indicator = TargetIndicator.objects.select_for_update().get(
        pk=indicator.pk, roadmap=roadmap
    )
    key = str(roadmap.year.start_year)
    before = indicator.actual.get(key)
    change = [
        {
            "field": f"факт «{indicator.title}» за {roadmap.year}",
            "before": "" if before is None else str(before),
            "after": str(value),
        }
    ]
    if before is None and roadmap.status != Roadmap.Status.CLOSED:
        reason = reason or f"внесён факт; подтверждение: {evidence.strip()}"
    _indicator_change(roadmap, indicator, reason=reason, by=by, changes=change)
    indicator.actual[key] = value
    indicator.evidence = evidence.strip()
    indicator.save(update_fields=["actual", "evidence"])
    return indicator
