"""Pages of imports: upload, check with preview, import with progress, history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from schools import jobs
from schools.access import schools_visible_to
from schools.files import file_response
from schools.models import AcademicYear
from schools.xlsx import table_workbook, wants_xlsx, xlsx_response

from . import exports, importing, permissions
from .forms import ImportForm
from .importers.package import SHEETS
from .package_export import package_workbook


def _require_importer(request: HttpRequest) -> None:
    if not importing.can_import(request.user):
        raise PermissionDenied("Загружать файлы может аналитик МИМЦ.")


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    """The history of imports: who, when, which file, what came of it."""
    _require_importer(request)
    jobs = permissions.imports_visible_to(request.user)
    if wants_xlsx(request):
        rows = (
            (
                j.created_at.strftime("%d.%m.%Y %H:%M"),
                j.uploaded_by.display_name,
                j.original_name,
                j.get_kind_display(),
                j.get_status_display(),
                j.error_count,
                j.message,
            )
            for j in jobs
        )
        headers = ["Когда", "Кто", "Файл", "Вид", "Состояние", "Ошибок", "Итог"]
        return xlsx_response(
            request, table_workbook("Загрузки", headers, rows), "загрузки-файлов.xlsx"
        )
    page = Paginator(jobs, 30).get_page(request.GET.get("page"))
    return render(request, "monitoring/import_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def import_create(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = importing.import_job_create(
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                params=form.params(),
                by=request.user,
            )
        except jobs.BackgroundUnavailable as unavailable:
            form.add_error(None, str(unavailable))
        else:
            return redirect(job)
    return render(request, "monitoring/import_form.html", {"form": form})


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job: progress while it runs, then the preview or the outcome."""
    _require_importer(request)
    job = permissions.get_import_for_user(request.user, pk)
    if request.htmx and not job.is_running:
        return HttpResponseClientRefresh()
    template = "monitoring/import_detail.html" + ("#progress" if request.htmx else "")
    errors = [i for i in job.issues if not i.get("warning")]
    warnings = [i for i in job.issues if i.get("warning")]
    return render(
        request,
        template,
        {
            "job": job,
            "errors": errors[:500],
            "warnings": warnings[:200],
            "changes": job.summary.get("changes", [])[:500],
            "counts": job.summary.get("counts", {}),
            "reports": job.summary.get("reports", {}),
            "erasures": job.summary.get("erasures", [])[:500],
            "erasure_count": job.summary.get("erasure_count", 0),
            "reviewed": job.summary.get("reviewed", 0),
        },
    )


@login_required
@require_POST
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    job = permissions.get_import_for_user(request.user, pk)
    if job.status != job.Status.READY:
        messages.error(
            request, "Импортировать можно только проверенный файл без ошибок."
        )
        return redirect(job)
    erasures = job.summary.get("erasure_count", 0)
    if erasures and request.POST.get("confirm_erase") != str(erasures):
        messages.error(
            request,
            f"Файл стирает записанные значения ({erasures}): просмотрите их список "
            "и подтвердите, что их нужно стереть.",
        )
        return redirect(job)
    try:
        importing.import_job_start(
            job=job, by=request.user, confirmed_erasures=erasures
        )
    except jobs.BackgroundUnavailable as unavailable:
        messages.error(request, str(unavailable))
    return redirect(job)


@login_required
@require_POST
def import_restart(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue again a job whose processing was interrupted."""
    _require_importer(request)
    job = permissions.get_import_for_user(request.user, pk)
    try:
        importing.import_job_restart(job=job, by=request.user)
    except jobs.BackgroundUnavailable as unavailable:
        messages.error(request, str(unavailable))
    return redirect(job)


@login_required
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the job's errors and warnings as xlsx."""
    _require_importer(request)
    job = permissions.get_import_for_user(request.user, pk)
    return xlsx_response(
        request, exports.issues_workbook(job.issues), f"ошибки-загрузки-{job.pk}.xlsx"
    )


@login_required
def import_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the original file as it was uploaded."""
    _require_importer(request)
    job = permissions.get_import_for_user(request.user, pk)
    return file_response(request, job.file, name=job.original_name)


def _year(request: HttpRequest) -> AcademicYear | None:
    raw = request.GET.get("year", "")
    year = AcademicYear.objects.filter(pk=raw).first() if raw.isdigit() else None
    return (
        year
        or AcademicYear.objects.filter(is_current=True).first()
        or AcademicYear.objects.first()
    )


@login_required
def package_template(request: HttpRequest) -> HttpResponse:
    """
    Download the data package to fill in: blank (headers only), or with the
    values the portal holds (?with_data=1) — never rows that contradict them.
    """
    _require_importer(request)
    year = _year(request)
    schools = schools_visible_to(request.user).filter(is_active=True)
    sheet = request.GET.get("sheet", "")
    sheets = [sheet] if sheet in SHEETS else None
    filled = request.GET.get("with_data") == "1"
    book = package_workbook(
        schools=schools, years=[year] if year else [], with_data=filled, sheets=sheets
    )
    kind = "с-данными" if filled else "пустой"
    name = (
        f"шаблон-{sheet or 'пакета'}-{kind}-"
        f"{year.name.replace('/', '-') if year else ''}.xlsx"
    )
    return xlsx_response(request, book, name.lower().replace(" ", "-"))


@login_required
def package_export(request: HttpRequest) -> HttpResponse:
    """Download the data package of a year for the person's schools."""
    _require_importer(request)
    year = _year(request)
    schools = schools_visible_to(request.user)
    book = package_workbook(
        schools=schools, years=[year] if year else [], with_data=True
    )
    return xlsx_response(
        request,
        book,
        f"пакет-данных-{year.name.replace('/', '-') if year else ''}.xlsx",
    )
