"""The data package: every sheet, bad input, all-or-nothing, idempotency, round trip."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from monitoring.importers.plan import apply_plan
from monitoring.importing import plan_file
from monitoring.models import (
    AssessmentResult,
    ImportJob,
    MarkComparison,
    RegionalMean,
    Report,
    ReportEvent,
    StaffingData,
)
from schools.models import School
from tests.factories import STAFFING

from .conftest import headers, workbook_bytes

PACKAGE = ImportJob.Kind.PACKAGE
STAFF_VALUES = [
    STAFFING[c.field]
    for c in __import__("monitoring.importers.package", fromlist=["SHEETS"]).SHEETS[
        "Кадры"
    ][2:]
]


def staffing_sheet(school, *rows_override, year="2020/2021"):
    rows = [headers("Кадры"), [year, school.code, *STAFF_VALUES]]
    for override in rows_override:
        rows.append([year, school.code, *override])
    return rows


def result_row(school, **values):
    base = {
        "Учебный год": "2020/2021",
        "Код ОО": school.code,
        "Процедура": "ВПР",
        "Предмет": "математика",
        "Класс": 5,
        "Уровень": None,
        "Участников": 35,
        "«2»": 12,
        "«3»": 13,
        "«4»": 7,
        "«5»": 3,
        "Не преодолели минимальный порог": None,
        "Средний балл": "3,03",
    }
    base.update(values)
    return [base[h] for h in headers("Результаты")]


def plan_for(content, user=None, **params):
    return plan_file(PACKAGE, content, params=params, by=user)


def messages(plan):
    return [i.text() for i in plan.issues.errors]


def test_package_imports_staffing_and_results(analyst, school, year):
    content = workbook_bytes(
        {
            "Кадры": staffing_sheet(school),
            "Результаты": [
                headers("Результаты"),
                result_row(school),
                result_row(school, **{"Предмет": "русский язык"}),
            ],
        }
    )
    plan = plan_for(content, analyst)
    assert messages(plan) == []
    apply_plan(plan, source_label="тест")
    report = Report.objects.get(school=school, year=year, kind="staffing")
    assert StaffingData.objects.get(report=report).teachers_total == 40
    assert report.status == Report.Status.DRAFT
    assert report.events.get().action == "import"
    result = AssessmentResult.objects.get(
        report__school=school, subject__name="математика"
    )
    assert (result.mark2, result.mean_score) == (12, Decimal("3.03"))
    assert (
        StaffingData.history.filter(report_id=report.pk).first().history_user == analyst
    )


@pytest.mark.parametrize("listed", [2000, 0])
def test_new_reports_beyond_the_preview_list_are_written_the_same(
    analyst, school, year, monkeypatch, listed
):
    """A large package's reports past the preview's list are planned without
    field-by-field changes: what is written must not differ."""
    from monitoring.importers import plan as planning

    monkeypatch.setattr(planning, "PREVIEW_REPORTS", listed)
    content = workbook_bytes(
        {
            "Кадры": staffing_sheet(school),
            "Результаты": [
                headers("Результаты"),
                result_row(school, **{"Средний балл": "—"}),
                result_row(school, **{"Предмет": "русский язык", "Средний балл": None}),
            ],
        }
    )
    plan = plan_for(content, analyst)
    assert messages(plan) == []
    assert len(plan.changes) == min(listed, 2)
    apply_plan(plan, source_label="тест")
    report = Report.objects.get(school=school, year=year, kind="staffing")
    assert StaffingData.objects.get(report=report).teachers_total == 40
    rows = {
        r.subject.name: (r.mark2, r.mark5, r.mean_score)
        for r in AssessmentResult.objects.filter(report__school=school)
    }
    assert rows == {
        "математика": (12, 3, None),
        "русский язык": (12, 3, None),
    }


def test_reimporting_same_file_changes_nothing(analyst, school, year):
    content = workbook_bytes(
        {
            "Кадры": staffing_sheet(school),
            "Результаты": [headers("Результаты"), result_row(school)],
        }
    )
    apply_plan(plan_for(content, analyst), source_label="1")
    report = Report.objects.get(school=school, kind="staffing")
    version = report.version
    plan = plan_for(content, analyst)
    assert messages(plan) == []
    assert plan.summary()["counts"]["Кадры"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
    }
    apply_plan(plan, source_label="2")
    report.refresh_from_db()
    assert report.version == version
    assert StaffingData.history.count() == 1


def test_error_in_last_row_leaves_database_unchanged(
    analyst, school, neighbour_school, year
):
    bad = dict(
        zip(headers("Результаты"), result_row(neighbour_school), strict=True)
    ) | {"«2»": 40}
    content = workbook_bytes(
        {
            "Кадры": staffing_sheet(school),
            "Результаты": [
                headers("Результаты"),
                result_row(school),
                [bad[h] for h in headers("Результаты")],
            ],
        }
    )
    plan = plan_for(content, analyst)
    assert messages(plan) == [
        'Лист "Результаты", строка 3, столбец "«2»": 40 больше числа участников (35).'
    ]
    assert not Report.objects.exists()


def test_conflict_with_existing_data_needs_replace(analyst, school, year):
    apply_plan(
        plan_for(workbook_bytes({"Кадры": staffing_sheet(school)}), analyst),
        source_label="1",
    )
    changed = list(STAFF_VALUES)
    changed[0] = 42
    content = workbook_bytes(
        {"Кадры": [headers("Кадры"), ["2020/2021", school.code, *changed]]}
    )
    plan = plan_for(content, analyst)
    assert "записано другое: «Учителей всего»: 40 → 42" in messages(plan)[0]
    assert "заменятся только значения, которые есть в файле" in messages(plan)[0]
    plan = plan_for(content, analyst, replace=True)
    assert messages(plan) == []
    apply_plan(plan, source_label="2")
    assert StaffingData.objects.get().teachers_total == 42
    assert list(
        StaffingData.history.values_list("teachers_total", flat=True).order_by(
            "history_id"
        )
    ) == [40, 42]


def test_accepted_report_changes_only_when_allowed(analyst, school, year):
    apply_plan(
        plan_for(workbook_bytes({"Кадры": staffing_sheet(school)}), analyst),
        source_label="1",
    )
    Report.objects.update(status=Report.Status.ACCEPTED)
    changed = [41, *STAFF_VALUES[1:]]
    content = workbook_bytes(
        {"Кадры": [headers("Кадры"), ["2020/2021", school.code, *changed]]}
    )
    plan = plan_for(content, analyst, replace=True)
    assert (
        "принят МИМЦ, а файл меняет его («Учителей всего»: 40 → 41)"
        in (messages(plan)[0])
    )
    assert "Разрешить изменение принятых отчётов" in messages(plan)[0]
    plan = plan_for(content, analyst, replace=True, allow_accepted=True)
    assert messages(plan) == []
    change = plan.summary()["changes"][0]
    assert change["status"] == "принят"
    assert change["fields"] == [{"field": "Учителей всего", "old": "40", "new": "41"}]
    apply_plan(plan, source_label="Файл «кадры.xlsx»")
    report = Report.objects.get()
    assert report.status == Report.Status.ACCEPTED
    event = ReportEvent.objects.filter(report=report).order_by("-pk").first()
    assert event.action == "import"
    assert event.by == analyst
    assert "«Учителей всего»: 40 → 41" in event.reason
    assert event.reason.startswith("Файл «кадры.xlsx»")


# Nothing is erased by accident -------------------------------------------------------


def stored_staffing(analyst, school):
    apply_plan(
        plan_for(workbook_bytes({"Кадры": staffing_sheet(school)}), analyst),
        source_label="1",
    )
    return {
        f.name: getattr(StaffingData.objects.get(), f.name)
        for f in StaffingData._meta.concrete_fields
        if f.name != "report"
    }


def test_an_empty_cell_never_erases_in_any_mode(analyst, school, year):
    before = stored_staffing(analyst, school)
    row = ["2020/2021", school.code, 40] + [None] * (len(STAFF_VALUES) - 1)
    content = workbook_bytes({"Кадры": [headers("Кадры"), row]})
    for replace in (False, True):
        plan = plan_for(content, analyst, replace=replace)
        assert messages(plan) == []
        assert plan.summary()["reports"] == {"new": 0, "changed": 0, "unchanged": 1}
        apply_plan(plan, source_label="x")
        stored = StaffingData.objects.get()
        assert {n: getattr(stored, n) for n in before} == before


def test_replace_overwrites_only_the_values_the_file_gives(analyst, school, year):
    before = stored_staffing(analyst, school)
    row = ["2020/2021", school.code, 45, None, 3] + [None] * (len(STAFF_VALUES) - 3)
    plan = plan_for(
        workbook_bytes({"Кадры": [headers("Кадры"), row]}), analyst, replace=True
    )
    assert messages(plan) == []
    fields = plan.summary()["changes"][0]["fields"]
    assert {f["field"] for f in fields} == {"Учителей всего", "Пенсионного возраста"}
    apply_plan(plan, source_label="x")
    stored = StaffingData.objects.get()
    after = {n: getattr(stored, n) for n in before}
    assert after["teachers_total"] == 45
    assert after["pension_age"] == 3
    assert {
        k: v for k, v in after.items() if k not in ("teachers_total", "pension_age")
    } == {k: v for k, v in before.items() if k not in ("teachers_total", "pension_age")}


def test_a_dash_erases_a_value_only_with_replace_and_is_listed(analyst, school, year):
    stored_staffing(analyst, school)
    row = ["2020/2021", school.code, None, "—"] + [None] * (len(STAFF_VALUES) - 2)
    content = workbook_bytes({"Кадры": [headers("Кадры"), row]})
    assert "«Моложе 30 лет»: 5 → пусто" in messages(plan_for(content, analyst))[0]
    plan = plan_for(content, analyst, replace=True)
    assert messages(plan) == []
    summary = plan.summary()
    assert summary["erasure_count"] == 1
    assert summary["erasures"][0]["field"] == "Моложе 30 лет"
    assert summary["erasures"][0]["old"] == "5"
    apply_plan(plan, source_label="x")
    assert StaffingData.objects.get().under_30 is None
    assert StaffingData.objects.get().teachers_total == 40


def test_empty_stored_values_are_filled_without_replace(analyst, school, year):
    row = ["2020/2021", school.code, 40] + [None] * (len(STAFF_VALUES) - 1)
    apply_plan(
        plan_for(workbook_bytes({"Кадры": [headers("Кадры"), row]}), analyst),
        source_label="1",
    )
    plan = plan_for(workbook_bytes({"Кадры": staffing_sheet(school)}), analyst)
    assert messages(plan) == []
    apply_plan(plan, source_label="2")
    assert StaffingData.objects.get().defectologists == STAFFING["defectologists"]


def test_region_column_is_optional_in_the_schools_sheet(administrator, year, settings):
    settings.PORTAL_DEFAULT_REGION = "Красноярский край"
    columns = [h for h in headers("Школы") if h != "Регион"]
    row = ["sch240901", "Полное", "Краткое", "г. Ачинск", "СОШ", "нет", 1, ""]
    plan = plan_for(workbook_bytes({"Школы": [columns, row]}), administrator)
    assert messages(plan) == []
    apply_plan(plan, source_label="x")
    school = School.objects.get(code="sch240901")
    assert school.municipality.region.name == "Красноярский край"


@pytest.mark.parametrize(
    ("sheet_rows", "expected"),
    [
        (
            {"Кадры": [["Учебный год", "Код ОО", "Учителей всего"]]},
            "нет столбцов: «Моложе 30 лет»",
        ),
        (
            {"Кадры": [[*headers("Кадры"), "Примечание"]]},
            "лишние столбцы: «Примечание»",
        ),
        (
            {"Социальный паспорт": [[*headers("Социальный паспорт"), "ФИО ученика"]]},
            "персональными данными (ФИО ученика)",
        ),
        ({"Лист1": [["a"]]}, "лист «Лист1» не из пакета данных"),
    ],
)
def test_bad_headers_are_named(analyst, school, year, sheet_rows, expected):
    plan = plan_for(workbook_bytes(sheet_rows), analyst)
    assert any(expected in m for m in messages(plan))


def test_headers_ignore_case_spaces_and_yo(analyst, school, year):
    header = [h.upper().replace("Ё", "Е") + "  " for h in headers("Кадры")]
    plan = plan_for(
        workbook_bytes({"Кадры": [header, ["2020/2021", school.code, *STAFF_VALUES]]}),
        analyst,
    )
    assert messages(plan) == []


def test_numbers_as_text_with_spaces_nbsp_and_comma(analyst, school, year):
    values = list(STAFF_VALUES)
    values[0] = "4\u00a00"  # NBSP inside a number
    values[1] = " 5 "
    values[2] = "6,0"
    plan = plan_for(
        workbook_bytes(
            {"Кадры": [headers("Кадры"), ["2020/2021", school.code, *values]]}
        ),
        analyst,
    )
    assert messages(plan) == []
    apply_plan(plan, source_label="x")
    data = StaffingData.objects.get()
    assert (data.teachers_total, data.under_30, data.pension_age) == (40, 5, 6)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("пять", "пять: ожидается число"),
        ("5,5", "5,5: ожидается целое число"),
        ("-1", "Число не может быть отрицательным."),
    ],
)
def test_bad_count_cells(analyst, school, year, value, message):
    values = list(STAFF_VALUES)
    values[1] = value
    plan = plan_for(
        workbook_bytes(
            {"Кадры": [headers("Кадры"), ["2020/2021", school.code, *values]]}
        ),
        analyst,
    )
    assert any(message in m and 'столбец "Моложе 30 лет"' in m for m in messages(plan))


def test_empty_cell_is_not_collected_not_zero(analyst, school, year):
    values = list(STAFF_VALUES)
    values[-1] = None
    apply_plan(
        plan_for(
            workbook_bytes(
                {"Кадры": [headers("Кадры"), ["2020/2021", school.code, *values]]}
            ),
            analyst,
        ),
        source_label="x",
    )
    assert StaffingData.objects.get().defectologists is None


def test_duplicate_rows_are_errors(analyst, school, year):
    content = workbook_bytes({"Кадры": staffing_sheet(school, STAFF_VALUES)})
    assert any("повторяет строку 2" in m for m in messages(plan_for(content, analyst)))


def test_unknown_school_and_other_region_and_other_municipality(
    analyst, school, foreign_school, year
):
    rows = [
        headers("Кадры"),
        ["2020/2021", "sch249999", *STAFF_VALUES],
        ["2020/2021", "sch521001", *STAFF_VALUES],
        ["2020/2021", foreign_school.code, *STAFF_VALUES],
        ["2020/2021", "школа 5", *STAFF_VALUES],
    ]
    errors = messages(plan_for(workbook_bytes({"Кадры": rows}), analyst))
    assert "школы с логином sch249999 нет в реестре" in errors[0]
    assert "относится к региону 52" in errors[1]
    assert "не относится к вашему муниципалитету" in errors[2]
    assert "не логин ФИС ОКО" in errors[3]


def test_edu_login_is_read_as_sch(analyst, school, year):
    content = workbook_bytes(
        {
            "Кадры": [
                headers("Кадры"),
                ["2020/2021", school.code.replace("sch", "edu"), *STAFF_VALUES],
            ]
        }
    )
    assert messages(plan_for(content, analyst)) == []


def test_unknown_year_is_an_error_for_analysts(analyst, school, year):
    content = workbook_bytes({"Кадры": staffing_sheet(school, year="2015/2016")})
    assert (
        "учебного года 2015/2016 нет в портале"
        in messages(plan_for(content, analyst))[0]
    )


def test_comparison_over_vpr_participants_in_database(analyst, school, year):
    apply_plan(
        plan_for(
            workbook_bytes({"Результаты": [headers("Результаты"), result_row(school)]}),
            analyst,
        ),
        source_label="1",
    )
    content = workbook_bytes(
        {
            "Сравнение с журналом": [
                headers("Сравнение с журналом"),
                ["2020/2021", school.code, "математика", 5, 20, 14, 2],
            ]
        }
    )
    errors = messages(plan_for(content, analyst))
    assert "больше числа участников ВПР (35)" in errors[0]
    assert not MarkComparison.objects.exists()


def test_mean_with_zero_participants_is_rejected(analyst, school, year):
    row = result_row(
        school,
        **{"Участников": 0, "«2»": 0, "«3»": 0, "«4»": 0, "«5»": 0, "Средний балл": 0},
    )
    errors = messages(
        plan_for(workbook_bytes({"Результаты": [headers("Результаты"), row]}), analyst)
    )
    assert "Средний балл при 0 участников невозможен" in errors[0]


def test_regional_means_are_imported(analyst, school, year):
    rows = [
        headers("Средние по региону"),
        ["2020/2021", "ЕГЭ", "русский язык", 11, None, "67,5", None],
    ]
    plan = plan_for(workbook_bytes({"Средние по региону": rows}), analyst)
    assert messages(plan) == []
    apply_plan(plan, source_label="x")
    assert RegionalMean.objects.get().mean_score == Decimal("67.5")


def test_new_school_from_schools_sheet_is_created_with_its_data(
    administrator, municipality, year
):
    schools = [
        headers("Школы"),
        [
            "sch240777",
            "Муниципальное бюджетное общеобразовательное учреждение «СОШ № 77»",
            "МБОУ «СОШ № 77»",
            "Красноярский край",
            "г. Лесосибирск",
            "СОШ",
            "нет",
            "3,5",
            "2454000777",
        ],
    ]
    content = workbook_bytes(
        {
            "Школы": schools,
            "Кадры": [headers("Кадры"), ["2020/2021", "sch240777", *STAFF_VALUES]],
        }
    )
    plan = plan_for(content, administrator)
    assert messages(plan) == []
    apply_plan(plan, source_label="x")
    school = School.objects.get(code="sch240777")
    assert school.municipality == municipality
    assert StaffingData.objects.get(report__school=school).teachers_total == 40


def test_analyst_cannot_add_school_to_foreign_municipality(
    analyst, year, other_municipality
):
    schools = [
        headers("Школы"),
        [
            "sch240778",
            "Полное",
            "Краткое",
            "",
            other_municipality.name,
            "СОШ",
            "нет",
            1,
            "",
        ],
    ]
    assert (
        "не ваш муниципалитет"
        in messages(plan_for(workbook_bytes({"Школы": schools}), analyst))[0]
    )


def school_row(code, region, municipality):
    return [code, "Полное", "Краткое", region, municipality, "СОШ", "нет", 1, ""]


def test_analyst_cannot_create_a_region_or_a_municipality(analyst, year, municipality):
    """The scope check matches region and municipality together; nothing is created."""
    from schools.models import Municipality, Region

    cases = [
        (
            school_row("sch770001", "Московская область", municipality.name),
            "региона «Московская область» нет",
        ),
        (
            school_row("sch240779", municipality.region.name, "Новый район"),
            "муниципалитета «Новый район» нет",
        ),
    ]
    for row, message in cases:
        plan = plan_for(workbook_bytes({"Школы": [headers("Школы"), row]}), analyst)
        assert message in messages(plan)[0]
    assert Region.objects.count() == 1
    assert Municipality.objects.count() == 1


def test_same_municipality_name_in_another_region_is_not_the_analysts(
    analyst, year, municipality
):
    from schools.models import Municipality, Region

    elsewhere = Region.objects.create(name="Московская область", code="50")
    Municipality.objects.create(region=elsewhere, name=municipality.name)
    row = school_row("sch500001", "Московская область", municipality.name)
    plan = plan_for(workbook_bytes({"Школы": [headers("Школы"), row]}), analyst)
    assert "не ваш муниципалитет" in messages(plan)[0]


def test_write_step_refuses_a_new_municipality_for_an_analyst(
    analyst, year, municipality
):
    """Even a plan without errors does not create a municipality for an analyst."""
    from django.core.exceptions import PermissionDenied

    from schools.models import Municipality

    row = school_row("sch240780", municipality.region.name, municipality.name)
    plan = plan_for(workbook_bytes({"Школы": [headers("Школы"), row]}), analyst)
    assert messages(plan) == []
    plan.schools_new[0].data["municipality_id"] = None  # a tampered plan
    with pytest.raises(PermissionDenied):
        apply_plan(plan, source_label="x")
    assert Municipality.objects.count() == 1
    assert not School.objects.filter(code="sch240780").exists()


def test_administrator_creates_region_and_municipality(administrator, year):
    from schools.models import Region

    row = school_row("sch770002", "Московская область", "г. Химки")
    plan = plan_for(workbook_bytes({"Школы": [headers("Школы"), row]}), administrator)
    assert messages(plan) == []
    apply_plan(plan, source_label="x")
    school = School.objects.get(code="sch770002")
    assert school.municipality.name == "г. Химки"
    assert school.municipality.region == Region.objects.get(code="77")


def test_school_code_must_belong_to_the_region(administrator, year, municipality):
    row = school_row("sch770003", municipality.region.name, municipality.name)
    plan = plan_for(workbook_bytes({"Школы": [headers("Школы"), row]}), administrator)
    assert "относится к региону 77" in messages(plan)[0]


def test_municipal_analyst_cannot_set_means_of_a_shared_region(
    analyst, year, other_municipality
):
    rows = [
        headers("Средние по региону"),
        ["2020/2021", "ЕГЭ", "русский язык", 11, None, "67,5", None],
    ]
    plan = plan_for(workbook_bytes({"Средние по региону": rows}), analyst)
    assert "загружает аналитик регионального уровня" in messages(plan)[0]


def test_round_trip_export_then_import_into_empty_database(db, tmp_path):
    """Exporting a year and importing it into an empty database reproduces the data."""
    call_command("load_demo")

    def snapshot():
        rows = sorted(
            AssessmentResult.objects.filter(report__year__start_year=2020).values_list(
                "report__school__code",
                "procedure",
                "subject__name",
                "grade",
                "level",
                "participants",
                "mark2",
                "mark3",
                "mark4",
                "mark5",
                "failed_minimum",
                "mean_score",
            )
        )
        staff = sorted(
            StaffingData.objects.filter(report__year__start_year=2020).values_list(
                "report__school__code",
                *[
                    f.name
                    for f in StaffingData._meta.concrete_fields
                    if f.name != "report"
                ],
            )
        )
        comparisons = sorted(
            MarkComparison.objects.filter(report__year__start_year=2020).values_list(
                "report__school__code",
                "subject__name",
                "grade",
                "lowered",
                "confirmed",
                "raised",
            )
        )
        schools = sorted(
            School.objects.values_list(
                "code",
                "full_name",
                "short_name",
                "school_type",
                "is_rural",
                "distance_km",
                "inn",
            )
        )
        return rows, staff, comparisons, schools

    before = snapshot()
    path = tmp_path / "package.xlsx"
    call_command("export_package", str(path), year="2020/2021")
    from monitoring.models import (
        Campaign,
        OutcomesData,
        ReminderLog,
        ReportEvent,
        ResourcesData,
        SocialPassportData,
    )
    from schools.demo import region_droppers
    from schools.models import AcademicYear, Municipality, Region, User

    for dropper in (
        region_droppers
    ):  # every app's data about the schools (identification runs too)
        dropper(School.objects.all())
    models = (
        ReminderLog,
        ReportEvent,
        AssessmentResult,
        MarkComparison,
        StaffingData,
        OutcomesData,
        ResourcesData,
        SocialPassportData,
        Report,
        Campaign,
        RegionalMean,
    )
    for model in models:
        model.objects.all().delete()
    User.objects.all().delete()
    for model in (School, Municipality, Region, AcademicYear):
        model.objects.all().delete()
    call_command("import_package", str(path))
    assert snapshot() == before


def _staff_and_results(*schools):
    """A package of «Кадры» and «Результаты» rows of 2020/2021 for each school."""
    return workbook_bytes(
        {
            "Кадры": [
                headers("Кадры"),
                *[["2020/2021", s.code, *STAFF_VALUES] for s in schools],
            ],
            "Результаты": [headers("Результаты"), *[result_row(s) for s in schools]],
        }
    )


def test_large_import_path_writes_rows_history_and_events(
    analyst, school, neighbour_school, year, monkeypatch
):
    """The set-based path (COPY on PostgreSQL) keeps history and events like the small one."""
    from monitoring.importers import bulk

    monkeypatch.setattr(bulk, "COPY_FROM", 0)
    monkeypatch.setattr(bulk.Writer, "CHUNK", 1)  # one COPY per row: several batches
    content = _staff_and_results(school, neighbour_school)
    apply_plan(plan_for(content, analyst), source_label="большой файл")
    assert StaffingData.objects.count() == 2
    assert (
        StaffingData.history.filter(history_user=analyst, history_type="+").count() == 2
    )
    rows = list(AssessmentResult.objects.order_by("pk"))
    assert [h.id for h in AssessmentResult.history.order_by("id")] == [
        r.pk for r in rows
    ]
    assert (
        Report.objects.filter(
            events__action="import", events__reason="большой файл"
        ).count()
        == 4
    )
    new = AssessmentResult.objects.create(
        report=rows[0].report,
        procedure="ВПР",
        subject=rows[0].subject,
        grade=6,
        participants=1,
        mark2=0,
        mark3=1,
        mark4=0,
        mark5=0,
    )
    assert new.pk > rows[-1].pk  # the sequence moved past the copied keys


def test_a_write_failing_beside_the_import_rolls_everything_back(
    analyst, school, neighbour_school, year, monkeypatch
):
    """
    On PostgreSQL the tables are stored by a worker while the next is prepared:
    a failure there reaches the import, and nothing of it stays.
    """
    from django.db import connection

    from monitoring.importers import bulk

    monkeypatch.setattr(bulk, "COPY_FROM", 0)
    content = _staff_and_results(school, neighbour_school)
    plan = plan_for(content, analyst)

    def broken(*args, **kwargs):
        raise RuntimeError("диск переполнен")

    if connection.vendor == "postgresql":
        monkeypatch.setattr(bulk, "_history_from_table", broken)
    else:
        from simple_history.manager import HistoryManager

        monkeypatch.setattr(HistoryManager, "bulk_history_create", broken)
    with pytest.raises(RuntimeError, match="диск переполнен"):
        apply_plan(plan, source_label="сбой")
    assert not Report.objects.filter(school__in=[school, neighbour_school]).exists()
    assert not StaffingData.objects.exists()
    assert not AssessmentResult.objects.exists()
