"""Files that cannot be read, the browser flow of an import, templates and access."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring.importing import plan_file
from monitoring.models import ImportJob, Report, StaffingData
from tests.factories import STAFFING

from .conftest import headers, workbook_bytes
from .test_package import STAFF_VALUES

PACKAGE = ImportJob.Kind.PACKAGE


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Файл пустой."),
        (b"name;value\n1;2\n", "Это не файл Excel (.xlsx или .xls)."),
        (b"PK\x03\x04" + b"\x00" * 200, "Файл повреждён или это не таблица Excel"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500,
            "Файл повреждён или это не таблица Excel",
        ),
        (workbook_bytes({"Кадры": []}), "В файле нет ни одной заполненной строки."),
    ],
    # A workbook carries its creation time: the ids name the case instead, so
    # that parallel workers collect the same tests.
    ids=["empty", "csv", "broken-zip", "broken-xls", "no-rows"],
)
def test_unreadable_files_are_rejected_with_reason(analyst, content, message):
    plan = plan_file(PACKAGE, content, params={}, by=analyst)
    assert message in plan.issues.errors[0].text()


def test_file_over_the_size_limit_is_rejected(analyst, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    plan = plan_file(
        PACKAGE, workbook_bytes({"Кадры": [["x" * 2000]]}), params={}, by=analyst
    )
    assert "Файл слишком большой" in plan.issues.errors[0].text()


def test_formulas_are_read_as_their_values(analyst, school, year):
    """Excel stores a formula's last value; the importer reads that value."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Кадры"
    sheet.append(headers("Кадры"))
    sheet.append(["2020/2021", school.code, *STAFF_VALUES])
    buffer = io.BytesIO()
    book.save(buffer)
    # openpyxl cannot compute formulas, so write the cached value into the XML the way Excel does.
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b'<c r="C2" t="n"><v>40</v></c>',
                    b'<c r="C2"><f>20+20</f><v>40</v></c>',
                )
            out.writestr(item, data)
    plan = plan_file(PACKAGE, target.getvalue(), params={}, by=analyst)
    assert plan.issues.errors == []
    assert b"<f>20+20</f>" in zipfile.ZipFile(io.BytesIO(target.getvalue())).read(
        "xl/worksheets/sheet1.xml"
    )


# Browser flow ----------------------------------------------------------------------


def upload(client, content, **extra):
    data = {"kind": PACKAGE, "file": SimpleUploadedFile("пакет.xlsx", content), **extra}
    return client.post(reverse("monitoring:import-create"), data)


def staffing_package(school):
    return workbook_bytes(
        {"Кадры": [headers("Кадры"), ["2020/2021", school.code, *STAFF_VALUES]]}
    )


def test_upload_preview_then_import(
    client_for, analyst, school, year, django_capture_on_commit_callbacks
):
    client = client_for(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, staffing_package(school))
    job = ImportJob.objects.get()
    assert response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    body = client.get(job.get_absolute_url()).content.decode()
    assert "Импортировать" in body
    assert "новые данные" in body
    assert not Report.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("monitoring:import-run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert "создано 1" in job.message
    assert StaffingData.objects.get().teachers_total == STAFFING["teachers_total"]
    history = client.get(reverse("monitoring:import-list")).content.decode()
    assert "пакет.xlsx" in history


def test_invalid_file_shows_errors_and_offers_download(
    client_for, analyst, school, year, django_capture_on_commit_callbacks
):
    values = list(STAFF_VALUES)
    values[1] = 99
    client = client_for(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        upload(
            client,
            workbook_bytes(
                {"Кадры": [headers("Кадры"), ["2020/2021", school.code, *values]]}
            ),
        )
    job = ImportJob.objects.get()
    body = client.get(job.get_absolute_url()).content.decode()
    assert job.status == ImportJob.Status.INVALID
    assert (
        'Лист "Кадры", строка 2, столбец "Моложе 30 лет": 99 больше, чем «Учителей всего» (40).'
        in body
    )
    assert "Импортировать</button>" not in body
    response = client.get(reverse("monitoring:import-errors", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]] == [
        "ошибка",
        "Кадры",
        2,
        "Моложе 30 лет",
        "99",
        "99 больше, чем «Учителей всего» (40).",
    ]
    assert (
        client.post(reverse("monitoring:import-run", args=[job.pk])).status_code == 302
    )
    assert not Report.objects.exists()


def test_htmx_poll_refreshes_page_when_job_finished(
    client_for, analyst, school, year, django_capture_on_commit_callbacks
):
    client = client_for(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, staffing_package(school))
    job = ImportJob.objects.get()
    response = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert response.headers["HX-Refresh"] == "true"
    ImportJob.objects.update(status=ImportJob.Status.IMPORTING, progress=42)
    partial = client.get(
        job.get_absolute_url(), headers={"HX-Request": "true"}
    ).content.decode()
    assert "42%" in partial
    assert 'hx-trigger="every 1s"' in partial
    assert "<html" not in partial


def test_upload_form_requires_vpr_subject_grade_and_scale(client_for, analyst, year):
    response = client_for(analyst).post(
        reverse("monitoring:import-create"),
        {
            "kind": "vpr_protocol",
            "file": SimpleUploadedFile(
                "Математика.xlsx", workbook_bytes({"S": [["a"]]})
            ),
            "year": year.pk,
        },
    )
    body = response.content.decode()
    assert "по имени файла они не определяются" in body
    assert "шкалу перевода баллов" in body
    assert not ImportJob.objects.exists()


def test_upload_form_refuses_other_extensions(client_for, analyst):
    response = client_for(analyst).post(
        reverse("monitoring:import-create"),
        {"kind": PACKAGE, "file": SimpleUploadedFile("данные.csv", b"a;b")},
    )
    assert "Нужен файл Excel с расширением .xlsx" in response.content.decode()


@pytest.mark.parametrize("persona", ["operator", "approver"])
def test_only_analysts_import(client_for, request, persona, school, year):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("monitoring:import-create")).status_code == 403
    assert upload(client, staffing_package(school)).status_code == 403
    assert client.get(reverse("monitoring:import-list")).status_code == 403
    assert not ImportJob.objects.exists()


def test_analyst_of_other_municipality_cannot_see_or_run_the_job(
    client_for,
    analyst,
    foreign_analyst,
    school,
    year,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(analyst), staffing_package(school))
    job = ImportJob.objects.get()
    client = client_for(foreign_analyst)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert (
        client.post(reverse("monitoring:import-run", args=[job.pk])).status_code == 404
    )
    assert (
        client.get(reverse("monitoring:import-file", args=[job.pk])).status_code == 404
    )


def test_foreign_analyst_import_of_my_school_is_refused(
    client_for, foreign_analyst, school, year, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(foreign_analyst), staffing_package(school))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID
    assert "не относится к вашему муниципалитету" in job.issues[0]["message"]


def test_original_file_is_kept(
    client_for, analyst, school, year, django_capture_on_commit_callbacks
):
    content = staffing_package(school)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(analyst), content)
    response = client_for(analyst).get(
        reverse("monitoring:import-file", args=[ImportJob.objects.get().pk])
    )
    assert b"".join(response.streaming_content) == content


def test_template_has_schools_help_and_validation(
    client_for, analyst, school, neighbour_school, foreign_school, year
):
    year.is_current = True
    year.save()
    response = client_for(analyst).get(reverse("monitoring:template"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Справка"
    codes = [row[0] for row in book["Школы"].iter_rows(min_row=2, values_only=True)]
    assert sorted(codes) == sorted([school.code, neighbour_school.code])
    staff = book["Кадры"]
    assert [c.value for c in staff[1]][:3] == [
        "Учебный год",
        "Код ОО",
        "Учителей всего",
    ]
    assert staff["A2"].value is None  # blank: no rows that could conflict
    counts = [v for v in staff.data_validations.dataValidation if v.type == "custom"]
    assert counts
    assert '="—"' in counts[0].formula1
    assert any(
        v.type == "list" for v in book["Результаты"].data_validations.dataValidation
    )


def test_filled_template_imports_back(
    client_for, analyst, school, neighbour_school, year
):
    year.is_current = True
    year.save()
    book = openpyxl.load_workbook(
        io.BytesIO(client_for(analyst).get(reverse("monitoring:template")).content)
    )
    for school_ in (school, neighbour_school):
        book["Кадры"].append(["2020/2021", school_.code, *STAFF_VALUES])
    buffer = io.BytesIO()
    book.save(buffer)
    plan = plan_file(PACKAGE, buffer.getvalue(), params={}, by=analyst)
    assert plan.issues.errors == []
    assert plan.summary()["counts"]["Кадры"]["created"] == 2


def test_single_report_template_has_only_its_sheet(client_for, analyst, school, year):
    response = client_for(analyst).get(
        reverse("monitoring:template"), {"sheet": "Кадры", "year": year.pk}
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Справка", "Школы", "Кадры"]
    assert book["Кадры"]["A2"].value is None


def test_import_package_command_exits_1_and_writes_nothing_on_error(
    tmp_path, school, year, capsys
):
    from django.core.management import call_command

    values = list(STAFF_VALUES)
    values[1] = 99
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        workbook_bytes(
            {"Кадры": [headers("Кадры"), ["2020/2021", school.code, *values]]}
        )
    )
    with pytest.raises(SystemExit) as exit_:
        call_command("import_package", str(path))
    assert exit_.value.code == 1
    assert 'Лист "Кадры", строка 2, столбец "Моложе 30 лет"' in capsys.readouterr().err
    assert not Report.objects.exists()


def test_import_package_dry_run_writes_nothing(tmp_path, school, year, capsys):
    from django.core.management import call_command

    path = tmp_path / "ok.xlsx"
    path.write_bytes(staffing_package(school))
    call_command("import_package", str(path), "--dry-run")
    assert "Кадры: создано 1" in capsys.readouterr().out
    assert not Report.objects.exists()
    call_command("import_package", str(path))
    assert StaffingData.objects.count() == 1
