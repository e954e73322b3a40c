"""
ВПР protocols as real exports write them: a scale that does not fit the work,
ФИС ОКО's own mark column, and messages that name the column and the value.
"""

import re
from decimal import Decimal

import pytest

from monitoring.importers.plan import apply_plan
from monitoring.importing import plan_file
from monitoring.models import AssessmentResult, ImportJob, MarkComparison
from tests.factories import subject

from .conftest import workbook_bytes

Kind = ImportJob.Kind
SCALE = [6, 10, 15, 20]  # math 4, 2021: 0–5 → «2», 6–9 → «3», 10–14 → «4», 15–20 → «5»


@pytest.fixture
def math(db):
    return subject("математика")


def params(year, math, scale=SCALE, grade=4):
    return {"year": year.start_year, "subject": math.pk, "grade": grade, "scale": scale}


def check(content, user, parameters):
    """Return the plan and its errors (Issue objects)."""
    plan = plan_file(Kind.VPR_PROTOCOL, content, params=parameters, by=user)
    return plan, plan.issues.errors


# The 2021 layout ---------------------------------------------------------------

HEAD_2021 = [
    "логин школы",
    "регион",
    "код обучающегося",
    "отметка за предыдущую четверть/триместр",
    "вариант",
    "всего баллов",
    "балл за 1",
    "балл за 2",
    "балл за 3",
]


def row_2021(login, code, journal, variant, total, tasks, *extra):
    return [login, "город Лесосибирск", code, journal, variant, total, *tasks, *extra]


def sheet_2021(rows, head=HEAD_2021):
    return workbook_bytes({"Sheet": [head, *rows]})


# The 2022 layout: task headers carry each task's maximum -------------------------

HEAD_2022 = [
    "Пользователь",
    "Код региона",
    "Регион",
    "Муниципалитет",
    "Школа",
    "Дата загрузки",
    "Код",
    "Вариант",
    "1 (1б)",
    "2 (1б)",
    "3 (2б)",
    "4 (1б)",
    "5(1) (1б)",
    "5(2) (1б)",
    "6 (2б)",
    "7 (2б)",
    "8 (1б)",
    "9 (2б)",
    "10 (1б)",
    "11 (2б)",
    "12 (3б)",
    "Наименование класса",
    "Пол",
    "Отметка за предыдущий триместр/ четверть/полугодие",
    "Итого баллов",
]  # the task maxima sum to 20, the maximum of math 4


def row_2022(school, code, tasks, journal=4, variant=1):
    login = school.code.replace("sch", "edu")
    return [
        login,
        24,
        "Красноярский край",
        "reg24_m001 | г. Лесосибирск",
        f"{login} | МБОУ «СОШ № 1»",
        "17.03.2022 05:33:20",
        code,
        variant,
        *tasks,
        "4а",
        "м",
        journal,
        sum(t for t in tasks if isinstance(t, int)),
    ]


FULL = [1, 1, 2, 1, 1, 1, 2, 2, 1, 2, 1, 2, 3]  # 20 points, «5»
GOOD = [1, 1, 2, 1, 1, 1, 2, 2, 1, 1, 0, 0, 0]  # 13 points, «4»
WEAK = [1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]  # 4 points, «2»


def protocol_2022(school, head=HEAD_2022, rows=None):
    rows = rows or [
        row_2022(school, 40001, FULL, journal=5),
        row_2022(school, 40002, GOOD, journal=3),  # «4» > 3: raised
        row_2022(school, 40003, WEAK, journal=3),
    ]
    return workbook_bytes({"Протокол": [head, *rows]})


# 1. A scale that contradicts the work ----------------------------------------------


@pytest.mark.parametrize(
    "scale",
    [
        [5, 9, 13, 15],  # a scale of a 15-point work: most pupils would get a «5»
        [10, 20, 30, 38],  # a scale of a 38-point work: most would get a «2»
    ],
)
def test_scale_maximum_contradicting_header_maxima_is_refused(
    analyst, school, year, math, scale
):
    plan, errors = check(protocol_2022(school), analyst, params(year, math, scale))
    assert len(errors) == 1, [e.text() for e in errors]
    error = errors[0]
    assert (error.sheet, error.row) == ("Протокол", 1)  # the header row
    assert error.column == "1 (1б) … 12 (3б)"
    assert error.message.startswith(
        f"максимальный балл в шкале перевода ({scale[3]}) не совпадает с максимальным "
        "баллом работы по заголовкам протокола (20 — сумма максимальных баллов за задания "
        "в строке заголовков, от «1 (1б)» до «12 (3б)»)"
    )
    assert "проверьте предмет, класс и год" in error.message
    assert not plan.reports


def test_scale_fitting_header_maxima_gives_the_scales_marks(
    analyst, school, year, math
):
    plan, errors = check(protocol_2022(school), analyst, params(year, math))
    assert errors == []
    apply_plan(plan, source_label="x")
    row = AssessmentResult.objects.get(report__school=school)
    assert (row.participants, row.mark2, row.mark3, row.mark4, row.mark5) == (
        3,
        1,
        0,
        1,
        1,
    )
    comparison = MarkComparison.objects.get(report__school=school)
    assert (comparison.lowered, comparison.confirmed, comparison.raised) == (1, 1, 1)


def test_total_over_the_scale_maximum_names_row_column_and_value(
    analyst, school, year, math
):
    plan, errors = check(
        sheet_2021([row_2021(school.code, 40001, 4, 1, 22, [10, 6, 6])]),
        analyst,
        params(year, math),
    )
    [error] = errors
    assert (error.sheet, error.row, error.column, error.as_dict()["value"]) == (
        "Sheet",
        2,
        "всего баллов",
        "22",
    )
    assert "итог 22 больше максимального балла работы (20)" in error.message


def test_task_sum_over_the_scale_maximum_without_a_total_column(
    analyst, school, year, math
):
    head = [h for h in HEAD_2021 if h != "всего баллов"]
    rows = [[school.code, "город Лесосибирск", 40001, 4, 1, 10, 6, 6]]
    plan, errors = check(
        workbook_bytes({"Sheet": [head, *rows]}), analyst, params(year, math)
    )
    [error] = errors
    assert (error.row, error.column, error.as_dict()["value"]) == (
        2,
        "балл за 1 … балл за 3",
        "22",
    )
    assert error.message.startswith(
        "сумма баллов за задания 22 больше максимального балла работы (20)"
    )


def test_negative_total_is_not_a_two(analyst, school, year, math):
    head = [h for h in HEAD_2021 if not h.startswith("балл за")]
    rows = [[school.code, "город Лесосибирск", 40001, 4, 1, -3]]
    plan, errors = check(
        workbook_bytes({"Sheet": [head, *rows]}), analyst, params(year, math)
    )
    [error] = errors
    assert (error.row, error.column, error.as_dict()["value"]) == (
        2,
        "всего баллов",
        "-3",
    )
    assert "итог -3 недопустим" in error.message


@pytest.mark.parametrize("scale", [None, [6, 10], [10, 6, 15, 20], [6, 10, 15, "20"]])
def test_missing_or_wrong_scale_is_a_russian_error(analyst, school, year, math, scale):
    plan, errors = check(
        sheet_2021([row_2021(school.code, 40001, 4, 1, 7, [3, 2, 2])]),
        analyst,
        params(year, math, scale),
    )
    assert [e.message for e in errors] == [
        (
            "шкала перевода баллов в отметки не указана или неверна: нужны баллы, с которых "
            "ставятся «3», «4», «5», и максимальный балл работы, по возрастанию"
        )
    ]


# 2. ФИС ОКО's own mark column --------------------------------------------------------


@pytest.mark.parametrize(
    "mark_header", ["Отметка", "Отметка за работу", "отметка за ВПР"]
)
def test_own_mark_column_agreeing_with_the_scale_is_accepted(
    analyst, school, year, math, mark_header
):
    rows = [
        row_2021(school.code, 40001, 4, 1, 18, [8, 5, 5], 5),
        row_2021(school.code, 40002, 4, 2, 12, [6, 3, 3], 4.0),  # Excel's float
        row_2021(school.code, 40003, 5, 1, 7, [3, 2, 2], "3"),
        row_2021(school.code, 40004, "нет отметки", 2, 3, ["X", 2, 1], 2),
        row_2021(school.code, 40005, 3, "отсутствовал", None, [None] * 3, None),
    ]
    plan, errors = check(
        sheet_2021(rows, [*HEAD_2021, mark_header]), analyst, params(year, math)
    )
    assert errors == []
    apply_plan(plan, source_label="x")
    row = AssessmentResult.objects.get(report__school=school)
    assert (row.participants, row.mark2, row.mark3, row.mark4, row.mark5) == (
        4,
        1,
        1,
        1,
        1,
    )
    # The journal mark is still compared on its own.
    comparison = MarkComparison.objects.get(report__school=school)
    assert (comparison.lowered, comparison.confirmed, comparison.raised) == (1, 1, 1)


def test_own_mark_column_disagreeing_with_the_scale_is_refused(
    analyst, school, year, math
):
    # ФИС ОКО marked these pupils by the real scale [4, 8, 12, 15]; the form
    # gives [6, 10, 15, 20] (another work's): seven of eight marks disagree.
    totals_and_marks = [
        (4, 3),  # row 2: «2» by the form's scale
        (8, 4),  # row 3: «3»
        (12, 5),  # row 4: «4»
        (5, 3),  # row 5: «2»
        (9, 4),  # row 6: «3»
        (13, 5),  # row 7: «4»
        (2, 2),  # row 8: agrees
        (7, 3),  # row 9: «3» agrees
        (14, 5),  # row 10: «4»
    ]
    rows = [
        row_2021(school.code, 40001 + i, 4, 1, total, [total, 0, 0], mark)
        for i, (total, mark) in enumerate(totals_and_marks)
    ]
    plan, errors = check(
        sheet_2021(rows, [*HEAD_2021, "Отметка"]), analyst, params(year, math)
    )
    [error] = errors
    assert (error.sheet, error.row, error.column, error.value) == (
        "Sheet",
        2,
        "Отметка",
        3,
    )
    assert error.message == (
        "отметки в столбце «Отметка» не совпадают с отметками по шкале из формы "
        "(«3» с 6, «4» с 10, «5» с 15, максимум 20) у 7 участников: "
        "строка 2: итог 4, в файле «3», по шкале «2»; "
        "строка 3: итог 8, в файле «4», по шкале «3»; "
        "строка 4: итог 12, в файле «5», по шкале «4»; "
        "строка 5: итог 5, в файле «3», по шкале «2»; "
        "строка 6: итог 9, в файле «4», по шкале «3»; и ещё 2. "
        "Проверьте шкалу перевода баллов для этой работы: отметки по неверной шкале "
        "искажают доли «2» и могут ошибочно отнести школы к ШНОР"
    )
    assert not error.warning  # a warning would not stop the import


def test_one_disagreeing_mark_in_the_2022_layout_is_refused(
    analyst, school, year, math
):
    head = [*HEAD_2022, "Отметка за работу"]
    rows = [
        [*row_2022(school, 40001, FULL, journal=5), 5],
        [*row_2022(school, 40002, GOOD, journal=4), 3],  # 13 points: «4» by the scale
        [*row_2022(school, 40003, WEAK, journal=3), 2],
    ]
    plan, errors = check(protocol_2022(school, head, rows), analyst, params(year, math))
    [error] = errors
    assert error.text().startswith(
        'Лист "Протокол", строка 3, столбец "Отметка за работу": отметки в столбце '
        "«Отметка за работу» не совпадают с отметками по шкале из формы "
        "(«3» с 6, «4» с 10, «5» с 15, максимум 20) у 1 участника: "
        "строка 3: итог 13, в файле «3», по шкале «4». "
    )


def test_journal_columns_are_not_taken_for_the_own_mark(analyst, school, year, math):
    # «Отметка по журналу» (the individual-results report's name for the journal
    # mark) and the protocol's journal column must not be compared with the scale.
    head = [*HEAD_2021, "Отметка по журналу"]
    rows = [row_2021(school.code, 40001, 2, 1, 18, [8, 5, 5], 2)]
    plan, errors = check(sheet_2021(rows, head), analyst, params(year, math))
    assert errors == []


def test_unreadable_own_mark_names_column_and_value(analyst, school, year, math):
    rows = [row_2021(school.code, 40001, 4, 1, 18, [8, 5, 5], "пять")]
    plan, errors = check(
        sheet_2021(rows, [*HEAD_2021, "Отметка"]), analyst, params(year, math)
    )
    [error] = errors
    assert (error.row, error.column, error.value) == (2, "Отметка", "пять")
    assert (
        error.message == "отметка за работу «пять» недопустима: ожидается 2, 3, 4 или 5"
    )


# 3. Every row error names the column and the value ------------------------------------

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.mark.parametrize(
    ("row", "column", "value", "message"),
    [
        (
            ["{login}", "г", 40001, 4, "Отсутствовал", None, 1, None, None],
            "вариант",
            "Отсутствовал",
            "участник отмечен как отсутствовавший, но у него есть баллы за задания",
        ),
        (
            ["{login}", "г", 40001, 4, "0", 7, 3, 2, 2],
            "вариант",
            "0",
            "вариант «0» недопустим",
        ),
        (
            ["{login}", "г", 40001, 4, 1, 7, -1, 6, 2],
            "балл за 1",
            "-1",
            "балл -1 недопустим: балл за задание не может быть отрицательным",
        ),
        (
            ["{login}", "г", 40001, 4, 1, 7, "два", 5, 2],
            "балл за 1",
            "два",
            "«два»: ожидается балл или «X» (не приступал)",
        ),
        (
            ["{login}", "г", 40001, 4, 1, "семь", 3, 2, 2],
            "всего баллов",
            "семь",
            "«семь»: ожидается число баллов",
        ),
        (
            ["{login}", "г", 40001, 4, 1, 0, 3, 2, 2],
            "всего баллов",
            "0",
            "итог 0 не равен сумме баллов за задания (7)",
        ),
        (
            ["{login}", "г", 40001, "6", 1, 7, 3, 2, 2],
            "отметка за предыдущую четверть/триместр",
            "6",
            "отметка по журналу «6» недопустима",
        ),
        (
            ["sch249999", "г", 40001, 4, 1, 7, 3, 2, 2],
            "логин школы",
            "sch249999",
            "школы с логином sch249999 нет в реестре",
        ),
    ],
    ids=[
        "absent-with-scores",
        "variant-zero",
        "negative-task",
        "text-task",
        "text-total",
        "total-not-task-sum",
        "journal-six",
        "unknown-login",
    ],
)
def test_row_errors_name_the_column_and_the_value(
    analyst, school, year, math, row, column, value, message
):
    row = [school.code if v == "{login}" else v for v in row]
    plan, errors = check(sheet_2021([row]), analyst, params(year, math))
    [error] = errors
    assert (error.sheet, error.row, error.column) == ("Sheet", 2, column)
    assert error.as_dict()["value"] == value
    assert message in error.message


def test_pupil_without_any_score_names_the_total_column(analyst, school, year, math):
    head = [h for h in HEAD_2021 if not h.startswith("балл за")]
    rows = [[school.code, "г", 40001, 4, 1, None]]
    plan, errors = check(
        workbook_bytes({"Sheet": [head, *rows]}), analyst, params(year, math)
    )
    [error] = errors
    assert (error.row, error.column) == (2, "всего баллов")
    assert error.message.startswith("нет баллов участника")


def test_task_headers_are_named_as_the_file_writes_them(analyst, school, year, math):
    head = [*HEAD_2021[:6], "Балл за 1", "Балл  за 2", "Балл за 3"]
    rows = [row_2021(school.code, 40001, 4, 1, 7, ["два", 5, 2])]
    plan, errors = check(sheet_2021(rows, head), analyst, params(year, math))
    [error] = errors
    assert error.column == "Балл за 1"


def test_textbook_of_another_work_names_row_and_column(analyst, school, year, math):
    rows = [
        row_2021(school.code, 50001, 4, 1, 7, [3, 2, 2], "ma5.1 | 1.1.3 | Виленкин"),
        row_2021(school.code, 50002, 4, 1, 7, [3, 2, 2], "ru5.1 | 1.1.1 | Ладыженская"),
    ]
    plan, errors = check(
        sheet_2021(rows, [*HEAD_2021, "Учебник"]), analyst, params(year, math, grade=5)
    )
    [error] = errors
    assert (error.sheet, error.row, error.column) == ("Sheet", 3, "Учебник")
    assert error.value == "ru5.1 | 1.1.1 | Ладыженская"


def test_no_english_in_any_protocol_message(analyst, school, year, math):
    """Every message is Russian; Latin letters appear only inside quoted file text."""
    rows = [
        row_2021(school.code, 40001, 4, 1, 22, [10, 6, 6], "пять"),
        row_2021(school.code, 40002, 6, 0, 0, [3, "два", -1], 3),
        row_2021(school.code, 40002, 4, "Отсутствовал", None, [1, None, None], None),
        row_2021("sch249999", 40004, 4, 1, 7, [3, 2, 2], 3),
        row_2021("xyz", 40005, 4, 1, 7, [3, 2, 2], 3),
        row_2021(school.code, 40006, 4, 1, 12, [6, 3, 3], 5),
    ]
    content = sheet_2021(rows, [*HEAD_2021, "Отметка"])
    plan, errors = check(content, analyst, params(year, math))
    assert len(errors) >= 8
    for error in errors:
        unquoted = re.sub(r"«[^»]*»", "", error.message)
        unquoted = re.sub(r"\b(sch|edu|ksh)\d*\b", "", unquoted)  # logins
        assert not LATIN_WORD.search(unquoted), error.message
        assert error.column, error.message


def test_decimal_half_points_are_kept(analyst, school, year, math):
    rows = [row_2021(school.code, 40001, 4, 1, 14.5, [6.5, 4, 4])]
    plan, errors = check(sheet_2021(rows), analyst, params(year, math))
    assert errors == []
    apply_plan(plan, source_label="x")
    assert AssessmentResult.objects.get().mark4 == 1
    assert AssessmentResult.objects.get().mean_score == Decimal("4.00")
