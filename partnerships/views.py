"""Pages of partnerships: the gradation of schools by result level."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from identification import permissions as identification_permissions
from schools import access
from schools.xlsx import table_workbook, wants_xlsx, xlsx_response

from . import gradation, selectors
from .forms import GradationScaleForm


@login_required
@require_http_methods(["GET", "POST"])
def gradation_view(request: HttpRequest) -> HttpResponse:
    """The municipality's schools in high / middle / low bands of the result index, with the cut points."""
    if access.role_of(request.user) in (None, access.Role.OPERATOR):
        raise PermissionDenied("Градацию школ ведёт МИМЦ.")
    municipalities = access.municipalities_visible_to(request.user)
    municipality = municipalities.filter(pk=request.GET.get("municipality") or request.POST.get("municipality")).first() or municipalities.first()
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
            messages.success(request, f"Границы уровней сохранены: {scale.description}.")
            return redirect(f"{request.path}?municipality={municipality.pk}")
    run = selectors.base_run(request.user, municipality, request.GET.get("run"))
    rows = selectors.bands(run, municipality, scale) if run else []
    if wants_xlsx(request):
        book = table_workbook("Градация", ["Школа", "Тип ОО", "Индекс результатов", "Уровень"], [
            [r["school"], r["school_type"], r["value"], r["band_label"]] for r in rows
        ], notes=[f"{municipality}, расчёт № {run.pk} на {run.target_year}" if run else str(municipality), f"Границы: {scale.description}"])
        return xlsx_response(book, f"градация-{municipality.pk}.xlsx")
    counts = {band: sum(r["band"] == band for r in rows) for band in gradation.BAND_LABELS}
    chart = {"schools": [{"school": r["school"], "value": round(r["value"], 3), "band": r["band"]} for r in sorted(rows, key=lambda r: r["value"]) if r["value"] is not None],
             "labels": gradation.BAND_LABELS}
    return render(request, "partnerships/gradation.html", {
        "municipality": municipality, "municipalities": municipalities, "run": run, "rows": rows, "scale": scale,
        "form": form, "can_edit": can_edit, "counts": [(gradation.BAND_LABELS[b], b, n) for b, n in counts.items()], "chart": chart,
        "chart_height": min(110 + 24 * len(chart["schools"]), 2400),
    })
