"""Pages of roadmaps: the list, a roadmap with its items, the workflow, execution, tracking and the timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from schools import access, word
from schools.files import file_response
from schools.xlsx import wants_xlsx, xlsx_response

from . import indicators, permissions, selectors, services, tables
from .forms import (
    CommentForm,
    CopyForm,
    ExecutionForm,
    ImportForm,
    ItemForm,
    RoadmapForm,
)
from .models import Item, Responsible, Roadmap

STATE_CLASSES = {
    "planned": "secondary",
    "in_progress": "primary",
    "done": "success",
    "overdue": "danger",
    "cancelled": "light",
}


def _items(queryset: Any) -> list[Item]:
    """Items with what their rows show, in two more queries whatever their number."""
    return list(
        queryset.select_related("section", "roadmap")
        .prefetch_related(
            Prefetch(
                "responsible", queryset=Responsible.objects.select_related("school")
            ),
            "evidence",
        )
        .order_by("position", "pk")
    )


def _fail(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def roadmap_list(request: HttpRequest) -> HttpResponse:
    roadmaps = permissions.roadmaps_visible_to(request.user).select_related(
        "municipality", "school", "year"
    )
    year = access.requested_pk(request.GET.get("year"))
    if year is not None:
        roadmaps = roadmaps.filter(year__start_year=year)
    page = Paginator(roadmaps, 30).get_page(request.GET.get("page"))
    selectors.roadmaps_with_progress(page.object_list, day=timezone.localdate())
    can_create = (
        access.is_analyst(request.user)
        or access.is_administrator(request.user)
        or access.is_operator(request.user)
    )
    return render(
        request,
        "roadmaps/list.html",
        {"page": page, "can_create": can_create, "year": year},
    )


@login_required
@require_http_methods(["GET", "POST"])
def roadmap_create(request: HttpRequest) -> HttpResponse:
    if not (
        access.is_analyst(request.user)
        or access.is_administrator(request.user)
        or access.is_operator(request.user)
    ):
        raise PermissionDenied(
            "Дорожные карты готовит МИМЦ, программу школы — сама школа."
        )
    form = RoadmapForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if access.is_operator(request.user) and data["level"] != Roadmap.Level.SCHOOL:
            raise PermissionDenied("Школа готовит только свою программу.")
        try:
            roadmap = services.roadmap_create(
                level=data["level"],
                municipality=data["municipality"],
                school=data["school"],
                year=data["year"],
                title=data["title"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(roadmap)
    return render(request, "roadmaps/form.html", {"form": form})


@login_required
def roadmap_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A roadmap as the document reads it, with its workflow; xlsx or a print page on request."""
    roadmap = permissions.get_roadmap_for_user(request.user, pk)
    items = _items(permissions.items_visible_to(request.user, roadmap))
    if wants_xlsx(request):
        return xlsx_response(
            request,
            tables.workbook(roadmap, items),
            f"дорожная-карта-{roadmap.pk}.xlsx",
        )
    if word.wants_docx(request):
        return word.docx_response(
            request,
            tables.document(
                roadmap,
                items,
                extract=permissions.sees_only_duties(request.user, roadmap),
            ),
            f"дорожная-карта-{roadmap.pk}.docx",
        )
    today = timezone.localdate()
    for item in items:
        item.current_state = item.state_on(today)
        item.state_class = STATE_CLASSES[item.current_state]
        item.current_state_label = Item.State(item.current_state).label
    active = [i for i in items if i.current_state != "cancelled"]
    context = {
        "roadmap": roadmap,
        "items": items,
        "percent": round(
            100 * sum(i.current_state == "done" for i in active) / len(active)
        )
        if active
        else 0,
        "overdue": sum(i.current_state == "overdue" for i in items),
        "can_prepare": permissions.can_prepare(request.user, roadmap),
        "can_edit": permissions.can_edit_items(request.user, roadmap),
        "can_approve": permissions.can_approve(request.user, roadmap),
        "comment_form": CommentForm(),
        "copy_form": CopyForm(),
        "indicators": indicators.table(roadmap),
        "sources": indicators.source_choices(),
        "revisions": permissions.revisions_visible_to(request.user, roadmap),
        "print": request.GET.get("print") == "1",
    }
    return render(
        request,
        "roadmaps/print.html" if context["print"] else "roadmaps/detail.html",
        context,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(
    request: HttpRequest, pk: int, item_pk: int | None = None
) -> HttpResponse:
    roadmap = permissions.get_roadmap_for_user(request.user, pk)
    access.require(
        permissions.can_edit_items(request.user, roadmap),
        "Эту дорожную карту сейчас изменить нельзя.",
    )
    item = permissions.get_item_for_user(request.user, item_pk) if item_pk else None
    if item is not None and item.roadmap_id != roadmap.pk:
        raise PermissionDenied("Мероприятие из другой карты.")
    initial = {}
    if item is not None:
        initial = {
            "number": item.number,
            "section": item.section.title if item.section else "",
            "title": item.title,
            "content": item.content,
            "period": item.period_label,
            "responsible": services.responsible_text(item),
            "expected_result": item.expected_result,
            "criterion": item.criterion,
        }
    form = ItemForm(request.POST or None, initial=initial, locked=roadmap.is_locked)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.item_save(
                roadmap=roadmap,
                item=item,
                data=data,
                responsible=data["responsible"],
                by=request.user,
                reason=data.get("reason", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Мероприятие сохранено."
                + (" Изменение записано в историю карты." if roadmap.is_locked else ""),
            )
            return redirect(roadmap)
    return render(
        request,
        "roadmaps/item_form.html",
        {"form": form, "roadmap": roadmap, "item": item},
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An item with its execution information and evidence; the responsible add to it at any time."""
    item = permissions.get_item_for_user(request.user, pk)
    can_report = permissions.can_report(request.user, item)
    form = ExecutionForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        access.require(can_report, "Исполнение отмечает ответственный за мероприятие.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.execution_add(
                    item=item,
                    text=data["text"],
                    by=request.user,
                    done=data["done"],
                    url=data["url"],
                    upload=data["file"],
                    note=data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Информация об исполнении добавлена.")
                return redirect(item)
    return render(
        request,
        "roadmaps/item.html",
        {
            "item": item,
            "roadmap": item.roadmap,
            "form": form,
            "can_report": can_report,
            "can_edit": permissions.can_edit_items(request.user, item.roadmap),
            "responsible": item.responsible.select_related("school"),
            "evidence": item.evidence.select_related("added_by"),
            "history": item.history.select_related("history_user")[:30],
        },
    )


@login_required
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Download an evidence file of an item the person may see."""
    evidence = permissions.get_evidence_for_user(request.user, pk)
    return file_response(request, evidence.file)


@login_required
@require_POST
def item_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    item = permissions.get_item_for_user(request.user, pk)
    access.require(
        permissions.can_edit_items(request.user, item.roadmap),
        "Отменить мероприятие может тот, кто ведёт карту.",
    )
    try:
        services.item_cancel(
            item=item, reason=request.POST.get("reason", ""), by=request.user
        )
    except ValidationError as error:
        _fail(request, error)
    return redirect(item)


@login_required
@require_POST
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = permissions.get_item_for_user(request.user, pk)
    roadmap = item.roadmap
    access.require(
        permissions.can_edit_items(request.user, roadmap),
        "Удалить мероприятие может тот, кто ведёт карту.",
    )
    try:
        services.item_delete(item=item, by=request.user)
    except ValidationError as error:
        _fail(request, error)
        return redirect(item)
    messages.success(request, "Мероприятие удалено.")
    return redirect(roadmap)


@login_required
@require_http_methods(["GET", "POST"])
def roadmap_import(request: HttpRequest, pk: int) -> HttpResponse:
    roadmap = permissions.get_roadmap_for_user(request.user, pk)
    access.require(
        permissions.can_edit_items(request.user, roadmap) and not roadmap.is_locked,
        "Загружать мероприятия можно в черновик, который вы готовите.",
    )
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            count = tables.import_into(
                roadmap=roadmap,
                content=form.cleaned_data["file"].read(),
                by=request.user,
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, f"Загружено мероприятий: {count}.")
            return redirect(roadmap)
    return render(
        request,
        "roadmaps/import.html",
        {"form": form, "roadmap": roadmap, "errors": errors},
    )


@login_required
@require_POST
def roadmap_copy(request: HttpRequest, pk: int) -> HttpResponse:
    roadmap = permissions.get_roadmap_for_user(request.user, pk)
    access.require(
        permissions.can_prepare(request.user, roadmap),
        "Копировать карту может тот, кто её готовит.",
    )
    form = CopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Выберите учебный год.")
        return redirect(roadmap)
    try:
        copy = services.copy_to_year(
            roadmap=roadmap, year=form.cleaned_data["year"], by=request.user
        )
    except ValidationError as error:
        _fail(request, error)
        return redirect(roadmap)
    messages.success(
        request, f"Создан черновик на {copy.year}: проверьте сроки и ответственных."
    )
    return redirect(copy)


def _number(raw: str) -> float | None:
    """A number as people type it (decimal comma); None when empty; ValueError if not a number."""
    text = raw.replace(",", ".").replace("\xa0", "").replace(" ", "").strip()
    return float(text) if text else None


@login_required
@require_POST
def indicator_add(request: HttpRequest, pk: int) -> HttpResponse:
    roadmap = permissions.get_roadmap_for_user(request.user, pk)
    access.require(
        permissions.can_edit_items(request.user, roadmap),
        "Целевые показатели задаёт тот, кто ведёт карту.",
    )
    back = f"{roadmap.get_absolute_url()}#indicators"
    planned = request.POST.get("planned", "")
    try:
        value = _number(planned)
    except ValueError:
        messages.error(request, f"План «{planned}» — не число.")
        return redirect(back)
    try:
        services.indicator_add(
            roadmap=roadmap,
            source=request.POST.get("source", "manual"),
            title=request.POST.get("title", ""),
            unit=request.POST.get("unit", ""),
            planned=value,
            by=request.user,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        _fail(request, error)
    return redirect(back)


@login_required
@require_POST
def indicator_actual(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    """Enter the fact of a manual indicator, with its evidence."""
    roadmap = permissions.get_roadmap_for_user(request.user, pk)
    access.require(
        permissions.can_prepare(request.user, roadmap)
        or permissions.can_approve(request.user, roadmap),
        "Факт вносит МИМЦ или школа — для своей программы.",
    )
    indicator = roadmap.indicators.filter(pk=indicator_pk).first()
    if indicator is None:
        raise Http404("Показатель не найден.")
    back = f"{roadmap.get_absolute_url()}#indicators"
    raw = request.POST.get("actual", "")
    try:
        value = _number(raw)
    except ValueError:
        value = None
    if value is None:
        messages.error(request, f"Факт «{raw}» — не число.")
        return redirect(back)
    try:
        services.indicator_set_actual(
            roadmap=roadmap,
            indicator=indicator,
            value=value,
            evidence=request.POST.get("evidence", ""),
            by=request.user,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        _fail(request, error)
    return redirect(back)


# Tracking and the timeline ----------------------------------------------------------------------


@login_required
def tracking(request: HttpRequest) -> HttpResponse:
    """Items due this month, overdue items, and the execution per roadmap and per responsible."""
    today = timezone.localdate()
    items = permissions.items_visible_to(request.user).filter(
        roadmap__status__in=[Roadmap.Status.APPROVED, Roadmap.Status.IN_EXECUTION]
    )
    return render(
        request,
        "roadmaps/tracking.html",
        {"today": today, **selectors.tracking(items, day=today)},
    )


@login_required
def timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The year's items on a month grid (September to August), filtered by responsible and state."""
    roadmap = permissions.get_roadmap_for_user(request.user, pk)
    today = timezone.localdate()
    items = _items(permissions.items_visible_to(request.user, roadmap))
    who = request.GET.get("responsible", "")
    state = request.GET.get("state", "")
    names = sorted({r.name for i in items for r in i.responsible.all()})
    start_year = roadmap.year.start_year
    months = [
        dt.date(start_year + (m < 9), m, 1) for m in [*range(9, 13), *range(1, 9)]
    ]
    first, last = months[0], dt.date(start_year + 1, 8, 31)
    rows = []
    for item in items:
        item.current_state = item.state_on(today)
        if who and who not in {r.name for r in item.responsible.all()}:
            continue
        if state and item.current_state != state:
            continue
        start, end = max(item.start, first), min(item.end, last)
        cells = [
            month <= end
            and (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) > start
            for month in months
        ]
        rows.append(
            {
                "item": item,
                "cells": cells,
                "outside": item.end < first or item.start > last,
                "class": STATE_CLASSES[item.current_state],
                "state": Item.State(item.current_state).label,
            }
        )
    return render(
        request,
        "roadmaps/timeline.html",
        {
            "roadmap": roadmap,
            "months": months,
            "rows": rows,
            "names": names,
            "who": who,
            "state": state,
            "states": Item.State.choices,
            "this_month": today.replace(day=1),
        },
    )
