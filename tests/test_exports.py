"""Every list exports to xlsx with the filters that are applied on the page."""

import io

import openpyxl
from django.urls import reverse

from tests.factories import SchoolFactory


def rows(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_school_list_export_applies_filters(
    client_for, analyst, school, neighbour_school, foreign_school
):
    SchoolFactory(
        municipality=school.municipality,
        short_name="МБОУ «Гимназия»",
        school_type="Гимназия",
        code="sch240555",
    )
    data = rows(
        client_for(analyst).get(
            reverse("schools:school-list"),
            {"school_type": "Гимназия", "format": "xlsx"},
        )
    )
    assert data[0][:3] == ["Школа", "Полное наименование", "Код ОО"]
    assert [r[2] for r in data[1:] if r[0] and r[0].startswith("МБОУ")] == ["sch240555"]
    assert ["Фильтр «Тип ОО»: Гимназия"] in [[c for c in r if c] for r in data]


def test_user_list_export_is_scoped(client_for, analyst, operator, foreign_analyst):
    data = rows(
        client_for(analyst).get(reverse("schools:user-list"), {"format": "xlsx"})
    )
    logins = [r[0] for r in data[1:]]
    assert operator.username in logins
    assert foreign_analyst.username not in logins


def test_matrix_export_applies_status_filter(
    client_for, analyst, operator, school, neighbour_school
):
    from tests.factories import AcademicYearFactory

    year = AcademicYearFactory(start_year=2020)
    import datetime as dt

    from monitoring import services
    from monitoring.models import ReportKind
    from tests.factories import STAFFING

    campaign = services.campaign_create(
        data={
            "municipality": school.municipality,
            "year": year,
            "title": "К",
            "kinds": [ReportKind.STAFFING],
            "deadline": dt.date(2030, 1, 1),
            "order_number": "1",
            "order_date": dt.date(2021, 9, 1),
        },
        by=analyst,
    )
    report = campaign.reports.get(school=school)
    services.report_save_figures(
        report=report, values=STAFFING, expected_version=0, by=operator
    )
    services.report_submit(report=report, by=operator)
    data = rows(
        client_for(analyst).get(
            campaign.get_absolute_url(), {"status": "submitted", "format": "xlsx"}
        )
    )
    assert data[0] == ["Школа", "Код ОО", "Кадры"]
    assert data[1] == [school.short_name, school.code, "на проверке"]
    assert data[2] == [None, None, None]
    assert "на проверке" in data[4][0]


def test_operator_report_list_export(client_for, operator, school):
    from tests.factories import AcademicYearFactory

    year = AcademicYearFactory(start_year=2020)
    from monitoring.models import Report

    Report.objects.create(school=school, year=year, kind="social")
    data = rows(
        client_for(operator).get(reverse("monitoring:index"), {"format": "xlsx"})
    )
    assert data[1][:3] == ["2020/2021", school.short_name, "Социальный паспорт"]
