"""
ФИС ОКО reports as real files write them (formats-evidence §2.1 b, §2.4): a
title naming the subject and grade, percentages stored as fractions under a
«%» cell format, the web report's two-row header, and row errors that name
the column and the value.
"""

import io
import re

import openpyxl
import pytest

from monitoring.importers.plan import apply_plan
from monitoring.importing import plan_file
from monitoring.models import AssessmentResult, ImportJob, MarkComparison
from tests.factories import subject

Kind = ImportJob.Kind
STATS_HEAD = ["Группы участников", "Кол-во ОО", "Кол-во участников", "2", "3", "4", "5"]
LOWERED = "Понизили (Отметка < Отметка по журналу)"
CONFIRMED = "Подтвердили (Отметка = Отметка по журналу)"
RAISED = "Повысили (Отметка > Отметка по журналу)"


@pytest.fixture
def math(db):
    return subject("математика")


@pytest.fixture
def russian(db):
    return subject("русский язык")


def build(rows, *, title="Отчёт", merges=(), percent_from=None):
    """
    An xlsx with one sheet; `merges` are ranges like "D1:G1"; cells of columns
    from `percent_from` (1-based) in data rows get a «0%» format, as Excel
    shows fractions.
    """
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for merged in merges:
        sheet.merge_cells(merged)
    if percent_from:
        for row in sheet.iter_rows(min_col=percent_from):
            for cell in row:
                if isinstance(cell.value, float):
                    cell.number_format = "0%"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def params(year, chosen, grade=4):
    return {"year": year.start_year, "subject": chosen.pk, "grade": grade}


def run(kind, content, user, form):
    plan = plan_file(kind, content, params=form, by=user)
    return plan, [i.text() for i in plan.issues.errors]


def school_row(school, *values):
    return [f"{school.code} | {school.short_name}", 1, *values]


def marks_of(school):
    row = AssessmentResult.objects.get(report__school=school)
    return row.participants, [row.mark2, row.mark3, row.mark4, row.mark5]


# 1. Subject and grade of the file against the form -----------------------------------


def test_statistics_title_of_another_subject_and_grade_is_refused(
    analyst, school, year, math
):
    rows = [
        ["Статистика по отметкам"],
        ["Предмет: Русский язык"],
        ["Класс: 5"],
        STATS_HEAD,
        school_row(school, 40, 10.0, 40.0, 37.5, 12.5),
    ]
    plan, errors = run(Kind.VPR_STATS, build(rows), analyst, params(year, math))
    assert errors == [
        (
            'Лист "Отчёт", строка 2: в заголовке файла указан предмет «Русский язык», '
            "а в форме выбран предмет «математика»; проверьте предмет в "
            "форме или загрузите отчёт по нужному предмету"
        ),
        (
            'Лист "Отчёт", строка 3: в заголовке файла указан 5 класс («Класс: 5»), а в '
            "форме выбран 4 класс; проверьте класс в форме или загрузите отчёт по нужному "
            "классу"
        ),
    ]


def test_statistics_title_subject_spelled_otherwise_is_the_chosen_one(
    analyst, school, year, russian
):
    rows = [
        ["Статистика по отметкам. МБОУ «Гимназия № 1 классическая»"],
        ["Предмет:", "Рус. яз."],
        ["ВПР 2021, 5-й класс"],
        STATS_HEAD,
        school_row(school, 40, 10.0, 40.0, 37.5, 12.5),
    ]
    plan, errors = run(
        Kind.VPR_STATS, build(rows), analyst, params(year, russian, grade=5)
    )
    assert errors == []
    apply_plan(plan, source_label="x")
    assert marks_of(school) == (40, [4, 16, 15, 5])


def test_statistics_title_synonym_of_another_subject_is_refused(
    analyst, school, year, math
):
    rows = [
        ["Предмет: Рус. яз., 4 класс"],
        STATS_HEAD,
        school_row(school, 40, 10.0, 40.0, 37.5, 12.5),
    ]
    plan, errors = run(Kind.VPR_STATS, build(rows), analyst, params(year, math))
    assert errors == [
        (
            'Лист "Отчёт", строка 1: в заголовке файла указан предмет «Рус. яз.» '
            "(русский язык), а в форме выбран предмет «математика»; проверьте предмет в "
            "форме или загрузите отчёт по нужному предмету"
        )
    ]


def test_statistics_title_grade_in_words_must_match(analyst, school, year, math):
    rows = [
        ["Предмет: Математика, 5 класс"],
        STATS_HEAD,
        school_row(school, 40, 10.0, 40.0, 37.5, 12.5),
    ]
    plan, errors = run(Kind.VPR_STATS, build(rows), analyst, params(year, math))
    assert errors == [
        (
            'Лист "Отчёт", строка 1: в заголовке файла указан 5 класс («Предмет: '
            "Математика, 5 класс»), а в форме выбран 4 класс; проверьте класс в форме или "
            "загрузите отчёт по нужному классу"
        )
    ]


def test_statistics_class_column_of_another_grade_is_refused(
    analyst, school, neighbour_school, year, math
):
    rows = [
        ["Группы участников", "Класс", "Кол-во участников", "2", "3", "4", "5"],
        [f"{school.code} | МБОУ «СОШ № 1»", "4", 40, 10.0, 40.0, 37.5, 12.5],
        [f"{neighbour_school.code} | МБОУ «СОШ № 2»", "5а", 20, 10, 40, 40, 10],
    ]
    plan, errors = run(Kind.VPR_STATS, build(rows), analyst, params(year, math))
    assert errors == [
        (
            'Лист "Отчёт", строка 3, столбец "Класс": в строке 5 класс («5а»), а в форме '
            "выбран 4 класс; проверьте класс в форме или строку файла"
        )
    ]


def test_statistics_title_with_unknown_subject_is_a_warning(
    analyst, school, year, math
):
    rows = [
        ["Предмет: Астрономия"],
        STATS_HEAD,
        school_row(school, 40, 10.0, 40.0, 37.5, 12.5),
    ]
    plan, errors = run(Kind.VPR_STATS, build(rows), analyst, params(year, math))
    assert errors == []
    warnings = [i.text() for i in plan.issues.warnings]
    assert any(
        "предмет «Астрономия», которого нет в справочнике" in w and "(математика)" in w
        for w in warnings
    ), warnings


def test_comparison_title_of_another_subject_is_refused(analyst, school, year, math):
    rows = [
        ["Сравнение отметок с отметками по журналу"],
        ["Предмет: Русский язык"],
        ["Логин", "Понизили", "Подтвердили", "Повысили", "Всего"],
        [school.code, 7, 16, 2, 25],
    ]
    plan, errors = run(Kind.VPR_COMPARISON, build(rows), analyst, params(year, math))
    assert errors == [
        (
            'Лист "Отчёт", строка 2: в заголовке файла указан предмет «Русский язык», '
            "а в форме выбран предмет «математика»; проверьте предмет в "
            "форме или загрузите отчёт по нужному предмету"
        )
    ]


# 2. Percentages stored as fractions (a «%» cell format) -------------------------------


def test_statistics_fractions_with_percent_format_read_as_percent(
    analyst, school, neighbour_school, year, math
):
    rows = [
        STATS_HEAD,
        ["Вся выборка", 40000, 1300000, 0.051, 0.302, 0.441, 0.206],
        school_row(school, 40, 0.1, 0.4, 0.375, 0.125),
        # Everyone got «4»: 0 / 0 / 1 / 0 is 100 % here, not one pupil.
        school_row(neighbour_school, 3, 0, 0, 1, 0),
    ]
    plan, errors = run(
        Kind.VPR_STATS, build(rows, percent_from=4), analyst, params(year, math)
    )
    assert errors == []
    apply_plan(plan, source_label="x")
    assert marks_of(school) == (40, [4, 16, 15, 5])
    assert marks_of(neighbour_school) == (3, [0, 0, 3, 0])


def test_statistics_same_figures_in_percent_give_the_same_counts(
    analyst, school, year, math
):
    rows = [STATS_HEAD, school_row(school, 40, 10, 40, 37.5, 12.5)]
    plan, errors = run(Kind.VPR_STATS, build(rows), analyst, params(year, math))
    assert errors == []
    apply_plan(plan, source_label="x")
    assert marks_of(school) == (40, [4, 16, 15, 5])


def test_statistics_fractions_not_summing_to_one_are_refused(
    analyst, school, neighbour_school, year, math
):
    rows = [
        STATS_HEAD,
        school_row(school, 40, 0.1, 0.4, 0.375, 0.125),
        school_row(neighbour_school, 20, 0.3, 0.3, 0.2, 0.1),
    ]
    plan, errors = run(
        Kind.VPR_STATS, build(rows, percent_from=4), analyst, params(year, math)
    )
    assert errors == [
        (
            'Лист "Отчёт", строка 3, столбец "«2», «3», «4», «5»": '
            "значения в столбцах «2», «3», «4», «5» "
            "(0,3; 0,3; 0,2; 0,1) в сумме дают 0,9: это ни доли (в сумме 1, как 0,35 при "
            "формате «%»), ни проценты (в сумме 100 ± 0,2), ни число участников (20)"
        )
    ]


def test_statistics_whole_counts_summing_to_one_are_not_taken_for_fractions(
    analyst, school, year, math
):
    # Counts 0 / 0 / 1 / 0 of 2 participants are wrong counts, not «100 % of „4“».
    rows = [STATS_HEAD, school_row(school, 2, 0, 0, 1, 0)]
    plan, errors = run(Kind.VPR_STATS, build(rows), analyst, params(year, math))
    assert errors == [
        (
            'Лист "Отчёт", строка 2: сумма отметок в столбцах «2», «3», «4», «5» (1) не '
            "равна числу участников в столбце «Кол-во участников» (2)"
        )
    ]


# 3. The web report's two-row header --------------------------------------------------

TWO_ROW_TOP = [
    "Группы участников",
    "Кол-во ОО",
    "Кол-во участников",
    "Распределение групп баллов в %",
    None,
    None,
    None,
]
TWO_ROW_BOTTOM = [None, None, None, 2, 3, 4, 5]
TWO_ROW_MERGES = ("A3:A4", "B3:B4", "C3:C4", "D3:G3")


def test_statistics_two_row_header_of_the_web_report(
    analyst, school, neighbour_school, year, math
):
    rows = [
        ["Предмет: Математика"],
        ["Класс: 4"],
        TWO_ROW_TOP,
        TWO_ROW_BOTTOM,
        ["Красноярский край", 1075, 30000, 4.2, 29.1, 45.0, 21.7],
        school_row(school, 40, 10.0, 40.0, 37.5, 12.5),
        # Whole numbers that sum to the participants are still percentages
        # under «… в %»: 25 % of 4 pupils each.
        school_row(neighbour_school, 4, 25, 25, 25, 25),
    ]
    plan, errors = run(
        Kind.VPR_STATS,
        build(rows, merges=TWO_ROW_MERGES),
        analyst,
        params(year, math),
    )
    assert errors == []
    apply_plan(plan, source_label="x")
    assert marks_of(school) == (40, [4, 16, 15, 5])
    assert marks_of(neighbour_school) == (4, [1, 1, 1, 1])


def test_statistics_two_row_header_names_the_mark_column(analyst, school, year, math):
    rows = [
        TWO_ROW_TOP,
        TWO_ROW_BOTTOM,
        school_row(school, 40, 10.0, "н/д", 37.5, 12.5),
    ]
    plan, errors = run(
        Kind.VPR_STATS,
        build(rows, merges=("A1:A2", "B1:B2", "C1:C2", "D1:G1")),
        analyst,
        params(year, math),
    )
    assert errors == [
        (
            'Лист "Отчёт", строка 3, столбец "3 (Распределение групп баллов в %)": '
            "«н/д»: ожидается число"
        )
    ]


def test_statistics_two_row_header_without_merges(analyst, school, year, math):
    # Some exports keep the phrase in the first mark cell and merge nothing.
    rows = [
        TWO_ROW_TOP,
        ["", "", "", 2, 3, 4, 5],
        school_row(school, 40, 0.1, 0.4, 0.375, 0.125),
    ]
    plan, errors = run(
        Kind.VPR_STATS, build(rows, percent_from=4), analyst, params(year, math)
    )
    assert errors == []
    apply_plan(plan, source_label="x")
    assert marks_of(school) == (40, [4, 16, 15, 5])


# 4. Every row error names the column and the value -----------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            [40, 10.0, 40.0, "много", 12.5],
            'столбец "4": «много»: ожидается число',
        ),
        (
            ["12,5", 10.0, 40.0, 37.5, 12.5],
            'столбец "Кол-во участников": «12,5»: ожидается целое число',
        ),
        (
            [40, 10.0, 40.0, 37.5, None],
            (
                'столбец "5": ячейка пустая, а нужно процент или число участников с '
                "отметкой «5»"
            ),
        ),
        (
            [40, -10.0, 60.0, 37.5, 12.5],
            'столбец "2": -10: отрицательное число недопустимо',
        ),
        (
            [40, 10.0, 40.0, 137.5, 12.5],
            'столбец "4": 137,5 больше 100 %',
        ),
        (
            [True, 10.0, 40.0, 37.5, 12.5],
            'столбец "Кол-во участников": «ИСТИНА»: ожидается число',
        ),
    ],
)
def test_statistics_row_errors_name_column_and_value(
    analyst, school, year, math, values, message
):
    rows = [STATS_HEAD, school_row(school, *values)]
    plan, errors = run(Kind.VPR_STATS, build(rows), analyst, params(year, math))
    assert errors == [f'Лист "Отчёт", строка 2, {message}']


def test_statistics_duplicate_and_unknown_schools_name_the_cell(
    analyst, school, year, math
):
    rows = [
        STATS_HEAD,
        school_row(school, 40, 10.0, 40.0, 37.5, 12.5),
        school_row(school, 40, 10.0, 40.0, 37.5, 12.5),
        ["sch249999 | Школа, которой нет", 1, 40, 10.0, 40.0, 37.5, 12.5],
    ]
    plan, errors = run(Kind.VPR_STATS, build(rows), analyst, params(year, math))
    assert errors[0] == (
        f'Лист "Отчёт", строка 3, столбец "Группы участников": школа {school.code} '
        f"(«{school.code} | МБОУ «СОШ № 1»») уже есть в строке 2"
    )
    assert errors[1].startswith(
        'Лист "Отчёт", строка 4, столбец "Группы участников": школы с логином sch249999'
    )


def test_comparison_table_errors_name_column_and_value(analyst, school, year, math):
    rows = [
        ["Логин", "Понизили", "Подтвердили", "Повысили", "Всего"],
        [school.code, 7, "шестнадцать", None, 25],
    ]
    plan, errors = run(Kind.VPR_COMPARISON, build(rows), analyst, params(year, math))
    assert errors == [
        'Лист "Отчёт", строка 2, столбец "Подтвердили": «шестнадцать»: ожидается число',
        (
            'Лист "Отчёт", строка 2, столбец "Повысили": ячейка пустая, а нужно число '
            "участников"
        ),
    ]


def test_comparison_blocks_errors_name_column_and_value(analyst, school, year, math):
    rows = [
        ["Группы участников", "Кол-во участников", "%"],
        [f"{school.code} | МБОУ «СОШ № 1»"],
        [LOWERED, "семь", 28],
        [CONFIRMED, None, 64],
        [RAISED, 2, 8],
        ["Всего", 25, 100],
    ]
    plan, errors = run(Kind.VPR_COMPARISON, build(rows), analyst, params(year, math))
    assert errors == [
        'Лист "Отчёт", строка 3, столбец "Кол-во участников": «семь»: ожидается число',
        (
            'Лист "Отчёт", строка 4, столбец "Кол-во участников": ячейка пустая, а нужно '
            "число участников"
        ),
    ]


def test_comparison_block_without_a_row_is_refused(analyst, school, year, math):
    rows = [
        [f"{school.code} | МБОУ «СОШ № 1»"],
        [LOWERED, 7, 28],
        [CONFIRMED, 16, 64],
        ["Всего", 23, 100],
    ]
    plan, errors = run(Kind.VPR_COMPARISON, build(rows), analyst, params(year, math))
    assert errors == ['Лист "Отчёт", строка 1: у школы нет строк «Повысили»']


def test_comparison_blocks_still_read_after_the_changes(analyst, school, year, math):
    stats = [STATS_HEAD, school_row(school, 25, 3, 9, 8, 5)]
    apply_plan(
        run(Kind.VPR_STATS, build(stats), analyst, params(year, math))[0],
        source_label="x",
    )
    rows = [
        ["Предмет: Математика", None, "Класс: 4"],
        ["Группы участников", "Кол-во участников", "%"],
        [f"{school.code} | МБОУ «СОШ № 1»"],
        [LOWERED, 7, 28],
        [CONFIRMED, 16, 64],
        [RAISED, 2, 8],
        ["Всего", 25, 100],
    ]
    plan, errors = run(Kind.VPR_COMPARISON, build(rows), analyst, params(year, math))
    assert errors == []
    apply_plan(plan, source_label="x")
    comparison = MarkComparison.objects.get()
    assert (comparison.lowered, comparison.confirmed, comparison.raised) == (7, 16, 2)


def test_messages_have_no_english(analyst, school, year, math):
    rows = [
        ["Предмет: Русский язык"],
        STATS_HEAD,
        school_row(school, True, False, 40.0, "n/a", 12.5),
    ]
    content = build(rows)
    plan, errors = run(Kind.VPR_STATS, content, analyst, params(year, math))
    rows_ok = [STATS_HEAD, school_row(school, True, False, 40.0, "n/a", None)]
    plan2, errors2 = run(Kind.VPR_STATS, build(rows_ok), analyst, params(year, math))
    messages = errors + errors2
    assert messages
    for message in messages:
        # Logins (sch…) and what the file itself wrote («n/a») are not the portal's words.
        cleaned = re.sub(r"sch\d+|«n/a»", "", message)
        assert not re.search(r"[A-Za-z]{2,}", cleaned), message
