"""The analyst's pages over a run: the dashboard, its charts and the analytical report."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from schools import access, word
from schools.home import school_links_for
from schools.xlsx import filter_notes, table_workbook, wants_xlsx, xlsx_response

from . import charts, criteria, dashboard, permissions, profile, report
from .models import SchoolResult
from .views import _staff_only


@login_required
def dashboard_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Statuses at a glance: counts against last year, the filtered table of schools, charts."""
    _staff_only(request)
    run = (
        permissions.get_run_for_user(request.user, pk)
        if pk is not None
        else dashboard.default_run(request.user)
    )
    if run is None:
        return render(
            request,
            "identification/dashboard.html",
            {"run": None, "can_run": permissions.can_run(request.user)},
        )
    results = dashboard.ResultFilter(
        request.GET or None,
        queryset=dashboard.run_schools_visible(run, request.user),
        run=run,
        user=request.user,
        labels=criteria.labels(run.parameters),
    )
    queryset, sort = dashboard.sorted_results(
        results.qs, run, request.GET.get("sort", "name")
    )
    codes = criteria.used(run.parameters)
    labels = criteria.labels(run.parameters)
    if wants_xlsx(request):
        rows = dashboard.export_rows(run, list(queryset), codes)
        notes = [
            f"Выявление № {run.pk} на {run.target_year}, {run.version}",
            *filter_notes(results.form),
        ]
        return xlsx_response(
            request,
            table_workbook(
                "Выявление", dashboard.export_headers(codes), rows, notes=notes
            ),
            f"выявление-{run.pk}.xlsx",
        )
    page = Paginator(queryset, dashboard.PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    dashboard.attach_criteria(run, page.object_list, codes)
    municipality = (
        results.form.cleaned_data.get("municipality")
        if results.form.is_valid()
        else None
    )
    return render(
        request,
        "identification/dashboard.html",
        {
            "run": run,
            "filter": results,
            "page": page,
            "sort": sort,
            "codes": codes,
            "labels": labels,
            "summary": dashboard.summary(run, request.user),
            "chart_municipality": municipality
            or "",  # the municipality filter's id, as text
            "runs": permissions.runs_visible_to(request.user)
            .filter(status="done")
            .order_by("-pk")[:20],
            "columns": [
                (
                    code,
                    criteria.REGISTRY[code].short,
                    labels[code],
                )
                for code in codes
            ],
        },
    )


@login_required
def chart_view(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One chart of a run: its card (canvas and the same numbers as a table), or its numbers as JSON (?format=json)."""
    _staff_only(request)
    run = permissions.get_run_for_user(request.user, pk)
    if name not in CHARTS:
        raise Http404("Такого графика нет.")
    municipality = charts.group_municipality(
        run, request.user, request.GET.get("municipality")
    )
    if name == "fail-shares":
        data = charts.fail_shares(
            run,
            request.user,
            municipality=municipality,
            procedure=request.GET.get("procedure", ""),
        )
    elif name == "index":
        data = charts.index_ranking(
            run,
            request.user,
            criterion=request.GET.get("criterion", "L1"),
            municipality=municipality,
        )
    elif name == "scatter":
        data = charts.scatter(run, request.user, municipality=municipality)
    else:
        data = charts.dynamics(run, request.user, municipality=municipality)
    data["municipality"] = municipality.name if municipality else "все школы расчёта"
    if request.GET.get("format") == "json":
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    return render(
        request,
        f"identification/charts/{CHARTS[name]}",
        {
            "run": run,
            "data": data,
            "name": name,
            "chart_id": f"chart-{name}",
            "data_id": f"chart-{name}-data",
            "municipalities": charts.chart_municipalities(run, request.user)
            if run.parameters.comparison_set != "region"
            else [],
            "municipality": municipality,
        },
    )


CHARTS = {
    "fail-shares": "fail_shares.html",
    "index": "index.html",
    "scatter": "scatter.html",
    "dynamics": "dynamics.html",
}


@login_required
def profile_view(request: HttpRequest, school_id: int) -> HttpResponse:
    """One school on one page: statuses by year and why, every indicator beside the municipality, its reports and links."""
    school = access.get_school_for_user(request.user, school_id)
    runs = list(profile.runs_for(school, request.user))
    run = profile.choose_run(runs, request.GET.get("run"))
    years = profile.data_years(run)
    criteria = profile.criteria(run, school) if run else []
    result = (
        SchoolResult.objects.filter(run=run, school=school).first() if run else None
    )
    staff = access.is_staff(request.user)
    return render(
        request,
        "identification/profile.html",
        {
            "school": school,
            "run": run,
            "runs": runs,
            "result": result,
            "in_force": profile.status_in_force(run, school, result.status, staff=staff)
            if result
            else None,
            "criteria": criteria,
            "history": profile.status_history(school, runs),
            "assessment": profile.assessment(school, years),
            "shares": profile.indicator_shares(school, years),
            "objectivity": profile.objectivity(school, years),
            "reports": profile.report_links(school, years),
            "links": school_links_for(school, request.user),
            "years": [f"{y}/{y + 1}" for y in years],
            "share_colspan": 1 + 2 * len(years),
            "is_staff": staff,
        },
    )


@login_required
def report_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The analytical report of a run: a print-friendly page, xlsx or docx (?format=…)."""
    _staff_only(request)
    run = permissions.get_run_for_user(request.user, pk)
    document = report.build(run, request.user)
    if wants_xlsx(request):
        return xlsx_response(
            request, report.workbook(document), f"аналитическая-справка-{run.pk}.xlsx"
        )
    if word.wants_docx(request):
        return word.docx_response(
            request, report.document(document), f"аналитическая-справка-{run.pk}.docx"
        )
    return render(request, "identification/report.html", document)
