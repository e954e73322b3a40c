"""Pages of partnerships: the gradation, the board, partner suggestions, a partnership, the general plan, the network."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from identification import permissions as identification_permissions
from identification import selectors as identification_selectors
from schools import access, word
from schools.files import file_response
from schools.xlsx import table_workbook, wants_xlsx, xlsx_response

from . import documents, gradation, permissions, selectors, services
from .forms import (
    ActivityForm,
    AgreementForm,
    CampaignForm,
    EventForm,
    GradationScaleForm,
    ProposeForm,
)
from .models import Activity, Campaign, Event, GeneralPlan, Partnership


def _fail(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _invalid(form: forms.Form) -> ValidationError:
    """A form's errors as one ValidationError, to be shown as messages on the page the action came from."""
    return ValidationError(
        [error for errors in form.errors.values() for error in errors]
    )


def _chosen(queryset: Any, raw: str | None) -> Any:
    """The row a query parameter names, or None (a tampered, non-numeric value included)."""
    pk = access.requested_pk(raw)
    return queryset.filter(pk=pk).first() if pk is not None else None


# Gradation ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def gradation_view(request: HttpRequest) -> HttpResponse:
    """The municipality's schools in high / middle / low bands of the result index, with the cut points."""
    access.require(access.is_staff(request.user), "Градацию школ ведёт МИМЦ.")
    municipalities = access.municipalities_visible_to(request.user)
    municipality = (
        _chosen(
            municipalities,
            request.GET.get("municipality") or request.POST.get("municipality"),
        )
        or municipalities.first()
    )
    if municipality is None:
        raise PermissionDenied("Нет муниципалитета.")
    scale = selectors.scale_for(municipality)
    can_edit = identification_permissions.can_run(request.user)
    form = GradationScaleForm(request.POST or None, instance=scale)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Границы уровней меняет аналитик МИМЦ.")
        if form.is_valid():
            scale = form.save(commit=False)
            scale.updated_by = request.user
            scale.save()
            messages.success(
                request, f"Границы уровней сохранены: {scale.description}."
            )
            return redirect(f"{request.path}?municipality={municipality.pk}")
    runs, run = identification_selectors.base_run_choice(
        request.user,
        request.GET.get("run"),
        default=selectors.base_run(request.user, municipality),
        municipality=municipality,
    )
    rows = selectors.bands(run, municipality, scale) if run else []
    if wants_xlsx(request):
        book = table_workbook(
            "Градация",
            ["Школа", "Тип ОО", "Индекс результатов", "Уровень"],
            [
                [r["school"], r["school_type"], r["value"], r["band_label"]]
                for r in rows
            ],
            notes=[
                f"{municipality}, расчёт № {run.pk} на {run.target_year}"
                if run
                else str(municipality),
                f"Границы: {scale.description}",
            ],
        )
        return xlsx_response(request, book, f"градация-{municipality.pk}.xlsx")
    counts = {
        band: sum(r["band"] == band for r in rows) for band in gradation.BAND_LABELS
    }
    chart = {
        "schools": [
            {"school": r["school"], "value": round(r["value"], 3), "band": r["band"]}
            for r in sorted(
                (r for r in rows if r["value"] is not None), key=lambda r: r["value"]
            )
        ],
        "labels": gradation.BAND_LABELS,
    }
    return render(
        request,
        "partnerships/gradation.html",
        {
            "municipality": municipality,
            "municipalities": municipalities,
            "run": run,
            "runs": runs,
            "keep": {"municipality": municipality.pk},
            "rows": rows,
            "scale": scale,
            "form": form,
            "can_edit": can_edit,
            "counts": [(gradation.BAND_LABELS[b], b, n) for b, n in counts.items()],
            "chart": chart,
            "chart_height": min(110 + 24 * len(chart["schools"]), 2400),
        },
    )


# The board -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """МИМЦ and the department: the year's campaign and every pair; МИМЦ saves its settings here. A school: its partner choice and its partnerships."""
    if not access.is_staff(request.user):
        return _school_page(request)
    municipality, campaign, can_manage = _board_choice(request)
    form = CampaignForm(
        request.POST if request.method == "POST" else None,
        instance=campaign,
        prefix="campaign",
    )
    if request.method == "POST":
        access.require(can_manage, "Партнёрство настраивает МИМЦ.")
        saved = _campaign_save(request, form, campaign, municipality)
        if saved is not None:
            messages.success(request, "Настройки партнёрства сохранены.")
            return _to_board(request, municipality, saved)
    return _board_page(request, municipality, campaign, can_manage, form=form)


@login_required
@require_POST
def campaign_open(request: HttpRequest) -> HttpResponse:
    """МИМЦ opens partnership for another school year (the board's second form)."""
    municipality, campaign, can_manage = _board_choice(request)
    access.require(can_manage, "Партнёрство открывает МИМЦ.")
    open_form = CampaignForm(request.POST, prefix="open")
    opened = _campaign_save(request, open_form, None, municipality)
    if opened is None:
        return _board_page(
            request, municipality, campaign, can_manage, open_form=open_form
        )
    messages.success(request, f"Партнёрство на {opened.year} открыто.")
    return _to_board(request, municipality, opened)


def _board_choice(request: HttpRequest) -> tuple[Any, Campaign | None, bool]:
    """The municipality and campaign the board shows (query parameters, else the current ones)."""
    municipalities = access.municipalities_visible_to(request.user)
    municipality = (
        _chosen(municipalities, request.GET.get("municipality"))
        or municipalities.first()
    )
    campaigns = selectors.campaigns_visible_to(request.user).filter(
        municipality=municipality
    )
    campaign = _chosen(
        campaigns, request.GET.get("campaign")
    ) or selectors.current_campaign(request.user, municipality)
    can_manage = municipality is not None and permissions.can_manage(
        request.user, municipality.pk
    )
    return municipality, campaign, can_manage


def _campaign_save(
    request: HttpRequest,
    form: CampaignForm,
    campaign: Campaign | None,
    municipality: Any,
) -> Campaign | None:
    if not form.is_valid():
        return None
    try:
        return services.campaign_save(
            campaign=campaign,
            data={**form.cleaned_data, "municipality": municipality},
            by=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None


def _to_board(
    request: HttpRequest, municipality: Any, campaign: Campaign
) -> HttpResponse:
    return redirect(
        f"{reverse('partnerships:index')}?municipality={municipality.pk}&campaign={campaign.pk}"
    )


def _board_page(
    request: HttpRequest,
    municipality: Any,
    campaign: Campaign | None,
    can_manage: bool,
    *,
    form: CampaignForm | None = None,
    open_form: CampaignForm | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {
        "municipality": municipality,
        "municipalities": access.municipalities_visible_to(request.user),
        "campaign": campaign,
        "campaigns": selectors.campaigns_visible_to(request.user)
        .filter(municipality=municipality)
        .order_by("-year__start_year"),
        "form": form or CampaignForm(instance=campaign, prefix="campaign"),
        "open_form": open_form
        or CampaignForm(
            prefix="open", initial=selectors.next_campaign_initial(campaign)
        ),
        "can_manage": can_manage,
    }
    if campaign is not None:
        pairs = selectors.board(campaign, campaign.partnerships.all())
        active = {
            p.school_id: p for p in pairs if p.status != Partnership.Status.DECLINED
        }
        context.update(
            {
                "pairs": pairs,
                "needy": [
                    (s, why, active.get(s.pk))
                    for s, why in selectors.needing_partners(campaign)
                ],
                "general_plan": GeneralPlan.objects.filter(campaign=campaign).first(),
                "behind": sum(p.behind for p in pairs),
            }
        )
    return render(request, "partnerships/board.html", context)


def _school_page(request: HttpRequest) -> HttpResponse:
    """A school's operator: choose a partner (with the МИМЦ's suggestion and ranked candidates), answer proposals."""
    schools = list(
        access.schools_visible_to(request.user).select_related("municipality")
    )
    blocks = []
    for school in schools:
        campaign = (
            Campaign.objects.filter(
                municipality=school.municipality, year__is_current=True
            )
            .select_related("year")
            .first()
        )
        block: dict[str, Any] = {"school": school, "campaign": campaign}
        mine = (
            permissions.partnerships_visible_to(request.user).filter(campaign=campaign)
            if campaign
            else Partnership.objects.none()
        )
        block["as_school"] = (
            selectors.board(campaign, mine.filter(school=school)) if campaign else []
        )
        block["as_partner"] = (
            selectors.board(campaign, mine.filter(partner=school)) if campaign else []
        )
        if campaign is not None:
            needy = {s.pk: why for s, why in selectors.needing_partners(campaign)}
            block["needs"] = needy.get(school.pk)
            active = [
                p for p in block["as_school"] if p.status != Partnership.Status.DECLINED
            ]
            if block["needs"] and not active:
                choice = selectors.partner_choice(campaign, school)
                block.update(ranked=choice["ranked"], suggestion=choice["suggestion"])
                initial = (
                    {"partner": choice["suggestion"].partner_id}
                    if choice["suggestion"]
                    else {}
                )
                posted = request.method == "POST" and request.POST.get("school") == str(
                    school.pk
                )
                block["form"] = ProposeForm(
                    request.POST if posted else None,
                    options=choice["options"],
                    initial=initial,
                )
                if posted and block["form"].is_valid():
                    data = block["form"].cleaned_data
                    try:
                        partnership = services.propose(
                            campaign=campaign,
                            school=school,
                            partner=data["partner"],
                            support=data["support"],
                            goals=data["goals"],
                            by=request.user,
                        )
                    except ValidationError as error:
                        block["form"].add_error(None, error)
                    else:
                        messages.success(
                            request,
                            f"Предложение направлено: {partnership.partner.short_name} ответит на странице партнёрства.",
                        )
                        return redirect(partnership)
        blocks.append(block)
    return render(request, "partnerships/school.html", {"blocks": blocks})


# Suggestions ---------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    """«Suggest for everyone»: the whole municipality solved at once; the analyst adjusts, then sends to the schools."""
    campaign = get_object_or_404(selectors.campaigns_visible_to(request.user), pk=pk)
    access.require(
        permissions.can_manage(request.user, campaign.municipality_id),
        "Подбор партнёров делает МИМЦ.",
    )
    runs, run = identification_selectors.base_run_choice(
        request.user,
        request.POST.get("run") or request.GET.get("run"),
        default=selectors.campaign_run(campaign),
        municipality=campaign.municipality,
    )
    proposal = selectors.proposal(campaign, run)
    if request.method == "POST":
        chosen: dict[int, int] = {}
        reasons: dict[int, str] = {}
        for row in proposal["rows"]:
            options = {
                o.partner.id: o for o in row["options"]
            }  # never the school itself or a forbidden partner
            value = request.POST.get(f"partner-{row['pair'].school.id}", "")
            partner = access.requested_pk(value)
            if value and partner not in options:
                raise PermissionDenied("Такого партнёра нет среди кандидатов.")
            chosen[row["pair"].school.id] = partner or 0
            reasons[row["pair"].school.id] = (
                "; ".join(options[partner].reasons) if partner else ""
            )
        try:
            sent = services.suggestions_send(
                campaign=campaign, pairs=chosen, reasons=reasons, by=request.user
            )
        except ValidationError as error:
            _fail(request, error)
        else:
            messages.success(
                request,
                f"Рекомендации отправлены школам: {sent}. Выбор остаётся за школой.",
            )
            return redirect(
                f"{reverse('partnerships:index')}?municipality={campaign.municipality_id}"
            )
    return render(
        request,
        "partnerships/suggestions.html",
        {"campaign": campaign, "runs": runs, "run": run, **proposal},
    )


# A partnership ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    partnership = permissions.get_partnership_for_user(request.user, pk)
    side = permissions.side(request.user, partnership)
    can_manage = permissions.can_manage(
        request.user, partnership.campaign.municipality_id
    )
    campaign = partnership.campaign
    return render(
        request,
        "partnerships/detail.html",
        {
            "p": partnership,
            "campaign": campaign,
            "side": side,
            "can_manage": can_manage,
            "activities": partnership.activities.all(),
            "events": partnership.events.select_related("activity", "recorded_by"),
            "event_form": EventForm(partnership=partnership, prefix="event"),
            "agreement_form": AgreementForm(
                initial={
                    "number": partnership.agreement_number,
                    "date": partnership.agreement_date,
                    "until": partnership.agreement_until,
                }
            ),
            "row": selectors.board(
                campaign, Partnership.objects.filter(pk=partnership.pk)
            )[0],
            "outcome": selectors.outcome(
                partnership,
                small_shares=access.may_see_small_shares(
                    request.user, partnership.school
                ),
            ),
            "revisions": selectors.revisions(partnership),
        },
    )


@login_required
@require_POST
def event_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an event of the plan that took place."""
    partnership = permissions.get_partnership_for_user(request.user, pk)
    access.require(
        permissions.takes_part(request.user, partnership),
        "Отмечают проведённое школы-участники или МИМЦ.",
    )
    form = EventForm(
        request.POST, request.FILES, partnership=partnership, prefix="event"
    )
    try:
        if not form.is_valid():
            raise _invalid(form)
        data = form.cleaned_data
        services.event_record(
            partnership=partnership,
            data=data,
            upload=data.get("materials_file"),
            by=request.user,
        )
        messages.success(request, "Мероприятие отмечено.")
    except ValidationError as error:
        _fail(request, error)
    return redirect(partnership)


@login_required
@require_POST
def agreement_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the partnership agreement's number, dates and scan."""
    partnership = permissions.get_partnership_for_user(request.user, pk)
    access.require(
        permissions.takes_part(request.user, partnership),
        "Соглашение вносят школы или МИМЦ.",
    )
    form = AgreementForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise _invalid(form)
        data = form.cleaned_data
        services.agreement_save(
            partnership=partnership,
            number=data["number"],
            date=data["date"],
            until=data["until"],
            scan=data["scan"],
            by=request.user,
        )
        messages.success(request, "Соглашение сохранено.")
    except ValidationError as error:
        _fail(request, error)
    return redirect(partnership)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(
    request: HttpRequest, pk: int, activity_pk: int | None = None
) -> HttpResponse:
    partnership = permissions.get_partnership_for_user(request.user, pk)
    access.require(
        permissions.can_edit_plan(request.user, partnership),
        "План взаимодействия составляют две школы.",
    )
    activity = (
        get_object_or_404(Activity, pk=activity_pk, partnership=partnership)
        if activity_pk
        else None
    )
    form = ActivityForm(
        request.POST or None,
        instance=activity,
        locked=partnership.is_locked,
        year=partnership.campaign.year,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_save(
                partnership=partnership,
                activity=activity,
                data=form.cleaned_data,
                by=request.user,
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Мероприятие плана сохранено.")
            return redirect(partnership)
    if activity is not None:
        activity.refresh_from_db()
    return render(
        request,
        "partnerships/activity_form.html",
        {"form": form, "p": partnership, "activity": activity},
    )


@login_required
def agreement_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the signed agreement of a partnership the person may see."""
    partnership = permissions.get_partnership_for_user(request.user, pk)
    return file_response(request, partnership.agreement_scan)


@login_required
def event_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the materials of an event of a partnership the person may see."""
    event = get_object_or_404(
        Event,
        pk=pk,
        partnership__in=permissions.partnerships_visible_to(request.user).values("pk"),
    )
    return file_response(request, event.materials_file)


@login_required
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """The agreement text generated from the approved plan, to print and sign."""
    partnership = permissions.get_partnership_for_user(request.user, pk)
    if partnership.status != Partnership.Status.APPROVED:
        raise Http404("Соглашение формируется по согласованному плану.")
    return render(
        request,
        "partnerships/agreement.html",
        {"p": partnership, "activities": partnership.activities.all()},
    )


# The general plan and the network ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def general_plan(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(
        access.is_staff(request.user),
        "Общий план муниципалитета ведут МИМЦ и управление образования; план вашей школы — на странице партнёрства.",
    )
    campaign = get_object_or_404(selectors.campaigns_visible_to(request.user), pk=pk)
    plan = GeneralPlan.objects.filter(campaign=campaign).first()
    can_manage = permissions.can_manage(request.user, campaign.municipality_id)
    can_approve = permissions.can_approve_general(
        request.user, campaign.municipality_id
    )
    if request.method == "POST":
        # The one action of this page; submitting and approving are transitions.
        try:
            access.require(can_manage, "Общий план составляет МИМЦ.")
            plan = services.general_plan_compile(campaign=campaign, by=request.user)
            messages.success(request, "Общий план составлен из согласованных планов.")
        except ValidationError as error:
            _fail(request, error)
        return redirect(request.path)
    if plan and wants_xlsx(request):
        return xlsx_response(
            request,
            documents.general_plan_workbook(plan),
            f"общий-план-{campaign.pk}.xlsx",
        )
    if plan and word.wants_docx(request):
        return word.docx_response(
            request,
            documents.general_plan_document(plan),
            f"общий-план-{campaign.pk}.docx",
        )
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in plan.rows if plan else []:
        groups.setdefault(f"{row['school']} — {row['partner']}", []).append(row)
    return render(
        request,
        "partnerships/general_plan.html",
        {
            "campaign": campaign,
            "plan": plan,
            "can_manage": can_manage,
            "can_approve": can_approve,
            "by_partnership": groups,
            "by_month": services.by_month(plan.rows) if plan else [],
            "print": request.GET.get("print") == "1",
        },
    )


@login_required
def network(request: HttpRequest, pk: int) -> HttpResponse:
    """The pairs as a simple graph: schools needing support on the left, partners on the right."""
    access.require(
        access.is_staff(request.user),
        "Схему пар муниципалитета видят МИМЦ и управление образования.",
    )
    campaign = get_object_or_404(selectors.campaigns_visible_to(request.user), pk=pk)
    pairs = [
        p
        for p in campaign.partnerships.select_related("school", "partner")
        if p.status != Partnership.Status.DECLINED
    ]
    left = sorted({p.school for p in pairs}, key=lambda s: s.short_name)
    right = sorted({p.partner for p in pairs}, key=lambda s: s.short_name)
    step = 48
    y_left = {s.pk: 40 + i * step for i, s in enumerate(left)}
    y_right = {s.pk: 40 + i * step for i, s in enumerate(right)}
    lines = [
        {
            "y1": y_left[p.school_id],
            "y2": y_right[p.partner_id],
            "approved": p.status == Partnership.Status.APPROVED,
            "label": str(p),
            "url": p.get_absolute_url(),
        }
        for p in pairs
    ]
    return render(
        request,
        "partnerships/network.html",
        {
            "campaign": campaign,
            "left": [(s, y_left[s.pk]) for s in left],
            "right": [(s, y_right[s.pk]) for s in right],
            "lines": lines,
            "height": 40 + max(len(left), len(right), 1) * step,
        },
    )
