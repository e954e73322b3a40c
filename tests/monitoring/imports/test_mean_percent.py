"""
The mean % of the maximum primary score: the ВПР protocol computes a school's,
the package carries the region's (optional column «Средний % выполнения»).
"""

from decimal import Decimal

import pytest

from monitoring.importers.plan import apply_plan
from monitoring.importing import plan_file
from monitoring.models import AssessmentResult, ImportJob, RegionalMean
from monitoring.package_export import package_workbook
from schools.models import School
from tests.factories import subject

from .conftest import headers, workbook_bytes
from .test_protocol_real_files import (
    FULL,
    GOOD,
    HEAD_2021,
    WEAK,
    check,
    params,
    protocol_2022,
    row_2021,
    sheet_2021,
)

MEANS = "Средние по региону"
PERCENT = "Средний % выполнения"


@pytest.fixture
def math(db):
    return subject("математика")


# The school's: the ВПР protocol --------------------------------------------------


def test_protocol_stores_the_mean_primary_score_as_percent_of_the_maximum(
    analyst, school, year, math
):
    # 20 + 13 + 4 = 37 points of 3 × 20: 61,666… % → 61,67.
    plan, errors = check(protocol_2022(school), analyst, params(year, math))
    assert errors == []
    apply_plan(plan, source_label="x")
    row = AssessmentResult.objects.get(report__school=school)
    assert sum(FULL) + sum(GOOD) + sum(WEAK) == 37
    assert row.mean_percent == Decimal("61.67")
    assert row.mean_score == Decimal("3.67")  # the mark: (5 + 4 + 2) / 3


def test_protocol_percent_leaves_out_the_absent_pupils(analyst, school, year, math):
    # 18 + 12 + 7 + 3 = 40 points of 4 × 20 = 50 %; the absent pupil is not a 0
    # (which would give 40 of 100, 40 %).
    rows = [
        row_2021(school.code, 40001, 4, 1, 18, [8, 5, 5]),
        row_2021(school.code, 40002, 4, 2, 12, [6, 3, 3]),
        row_2021(school.code, 40003, 5, 1, 7, [3, 2, 2]),
        row_2021(school.code, 40004, 3, 2, 3, [1, 1, 1]),
        row_2021(school.code, 40005, 3, "отсутствовал", None, [None] * 3),
    ]
    plan, errors = check(sheet_2021(rows, HEAD_2021), analyst, params(year, math))
    assert errors == []
    apply_plan(plan, source_label="x")
    row = AssessmentResult.objects.get(report__school=school)
    assert row.participants == 4
    assert row.mean_percent == Decimal("50.00")


def test_a_package_row_without_the_percent_keeps_the_protocols(
    analyst, school, year, math
):
    """The package's «Результаты» has no such column: re-importing it erases nothing."""
    plan, _ = check(protocol_2022(school), analyst, params(year, math))
    apply_plan(plan, source_label="протокол")
    row = {
        "Учебный год": "2020/2021",
        "Код ОО": school.code,
        "Процедура": "ВПР",
        "Предмет": "математика",
        "Класс": 4,
        "Уровень": None,
        "Участников": 3,
        "«2»": 1,
        "«3»": 0,
        "«4»": 1,
        "«5»": 1,
        "Не преодолели минимальный порог": None,
        "Средний балл": "3,7",  # differs from the stored 3,67
    }
    content = workbook_bytes(
        {"Результаты": [headers("Результаты"), [row[h] for h in headers("Результаты")]]}
    )
    plan = plan_file(
        ImportJob.Kind.PACKAGE, content, params={"replace": True}, by=analyst
    )
    assert [i.text() for i in plan.issues.errors] == []
    apply_plan(plan, source_label="пакет")
    stored = AssessmentResult.objects.get(report__school=school)
    assert stored.mean_score == Decimal("3.70")
    assert stored.mean_percent == Decimal("61.67")


# The region's: the package sheet «Средние по региону» -----------------------------


def mean_row(percent, *, mean="4,4", share=None, subject="русский язык"):
    values = {
        "Учебный год": "2020/2021",
        "Процедура": "ОГЭ",
        "Предмет": subject,
        "Класс": 9,
        "Уровень": None,
        "Средний балл": mean,
        "Доля «2», %": share,
        PERCENT: percent,
    }
    return [values[h] for h in headers(MEANS)]


def import_means(user, *rows, header=None, replace=False):
    content = workbook_bytes({MEANS: [header or headers(MEANS), *rows]})
    plan = plan_file(
        ImportJob.Kind.PACKAGE, content, params={"replace": replace}, by=user
    )
    errors = list(plan.issues.errors)
    if not errors:
        apply_plan(plan, source_label="x")
    return errors


def test_regional_percent_is_read(analyst, school, year):
    assert import_means(analyst, mean_row("62,5")) == []
    mean = RegionalMean.objects.get()
    assert (mean.mean_score, mean.mean_percent) == (Decimal("4.4"), Decimal("62.5"))


def test_an_empty_percent_cell_does_not_erase_the_stored_one(analyst, school, year):
    assert import_means(analyst, mean_row("62,5")) == []
    # Another mean score with «replace», the percent cell left empty.
    assert import_means(analyst, mean_row(None, mean="4,3"), replace=True) == []
    mean = RegionalMean.objects.get()
    assert (mean.mean_score, mean.mean_percent) == (Decimal("4.3"), Decimal("62.5"))


def test_a_package_without_the_percent_column_erases_nothing(analyst, school, year):
    assert import_means(analyst, mean_row("62,5")) == []
    old_header = [h for h in headers(MEANS) if h != PERCENT]
    row = mean_row(None, mean="4,3")[: len(old_header)]
    assert import_means(analyst, row, header=old_header, replace=True) == []
    assert RegionalMean.objects.get().mean_percent == Decimal("62.5")


def test_a_percent_over_100_is_refused_naming_sheet_row_column_and_value(
    analyst, school, year
):
    errors = import_means(
        analyst, mean_row("62", subject="математика"), mean_row("150")
    )
    [error] = errors
    assert (error.sheet, error.row, error.as_dict()["value"]) == (MEANS, 3, "150")
    assert error.text() == (
        f'Лист "{MEANS}", строка 3, столбец "{PERCENT}": '
        "процент должен быть от 0 до 100, указано 150"
    )
    assert not RegionalMean.objects.exists()


def test_the_template_and_the_export_carry_the_regional_percent(analyst, school, year):
    assert import_means(analyst, mean_row("62,5")) == []
    schools = School.objects.filter(pk=school.pk)
    template = package_workbook(schools=schools, years=[year], with_data=False)
    assert PERCENT in [c.value for c in template[MEANS][1]]
    book = package_workbook(schools=schools, years=[year], with_data=True)
    header, row = ([c.value for c in r] for r in book[MEANS].iter_rows(max_row=2))
    assert dict(zip(header, row, strict=True))[PERCENT] == 62.5
