"""
ЕГЭ and ОГЭ tables as regions really write them: a year phrase inside the
header, school cells merged down their subject rows, one sheet per subject,
and messages that name the column as the file writes it and the value found.
"""

import io
import re
from decimal import Decimal

import openpyxl
import pytest

from monitoring.importers.plan import apply_plan
from monitoring.importing import plan_file
from monitoring.models import AssessmentResult, ImportJob

Kind = ImportJob.Kind
METRICS = [
    "приняло участие",
    "не преодолен min порог",
    "высокобалльники (80-99 баллов)",
    "получили 100 баллов",
    "средний балл",
]
GRADUATES_2022 = (
    "Всего выпускников в 2022 году по программам среднего общего образования"
)


def xlsx(sheets: dict[str, list[list]], merged: dict[str, list[str]] | None = None):
    """Build an xlsx in memory: {sheet: rows}, with {sheet: ["A2:A3", …]} merged."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cells in (merged or {}).get(title, []):
            sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def year_2022(db):
    """2021/2022: the school year of the 2022 exams."""
    from tests.factories import AcademicYearFactory

    return AcademicYearFactory(start_year=2021)


def run(kind, content, user, year):
    plan = plan_file(kind, content, params={"year": year.start_year}, by=user)
    return plan, [i.text() for i in plan.issues.errors]


def stored():
    return sorted(
        AssessmentResult.objects.values_list(
            "procedure",
            "report__school__code",
            "subject__name",
            "level",
            "participants",
            "mark2",
            "failed_minimum",
            "mean_score",
        )
    )


# ЕГЭ: a year phrase in the header -----------------------------------------------------


def ege_rows(
    school,
    other,
    *,
    graduates_header=GRADUATES_2022,
    code_header="Код ОО",
    other_code=None,
    russian_mean=67.5,
    graduates=30,
    three_levels=False,
    title="Информация о результатах ЕГЭ выпускников школ в 2022 году",
):
    """A regional ЕГЭ table; the fixed headers sit in the top header row."""
    subjects = ["Русский язык", None, None, None, None]
    subjects += ["Математика (профиль)", None, None, None, None]
    fixed = [code_header, "Наименование ОО", graduates_header]
    header = (
        [[*fixed, "из них"], [None, None, None, *subjects]]
        if three_levels
        else [[*fixed, *subjects]]
    )
    titles = [[title], []] if title else []
    return [
        *titles,
        *header,
        [None, None, None, *METRICS, *METRICS],
        list(range(1, 14)),
        [
            school.code,
            "МБОУ «СОШ № 1»",
            graduates,
            29,
            0,
            4,
            0,
            russian_mean,
            12,
            2,
            1,
            0,
            "51,5",
        ],
        [
            other_code or other.code,
            "МБОУ «СОШ № 2»",
            25,
            24,
            1,
            2,
            0,
            60,
            0,
            0,
            0,
            0,
            0,
        ],
        ["Итого", None, 55, 53, 1, 6, 0, 64.1, 12, 2, 1, 0, 51.5],
    ]


@pytest.mark.parametrize("three_levels", [False, True])
def test_ege_header_row_with_a_year_keeps_its_fixed_columns(
    analyst, school, neighbour_school, year_2022, three_levels
):
    rows = ege_rows(school, neighbour_school, three_levels=three_levels)
    plan, errors = run(Kind.EGE, xlsx({"2022": rows}), analyst, year_2022)
    assert errors == []
    apply_plan(plan, source_label="x")
    assert stored() == [
        ("ЕГЭ", school.code, "математика", "профильный", 12, None, 2, Decimal("51.50")),
        ("ЕГЭ", school.code, "русский язык", "", 29, None, 0, Decimal("67.50")),
        (
            "ЕГЭ",
            neighbour_school.code,
            "русский язык",
            "",
            24,
            None,
            1,
            Decimal("60.00"),
        ),
    ]


@pytest.mark.parametrize(
    "titles",
    [
        [["Субъект Российской Федерации\n____Еврейская автономная обл"]],
        [
            [None, "Информация о результатах ЕГЭ выпускников школ в 2022 году"],
            [None, "Субъект Российской Федерации", None, "Еврейская автономная обл"],
        ],
        [["Информация о результатах ЕГЭ в 2022 году", *[None] * 10, "Приложение 2"]],
    ],
    ids=["subject-of-federation", "two-title-rows", "title-and-annex"],
)
def test_ege_titles_right_above_the_header_are_skipped(
    analyst, school, neighbour_school, year_2022, titles
):
    """Titles with one or two filled cells, with no empty row before the header."""
    rows = [*titles, *ege_rows(school, neighbour_school, title="")]
    plan, errors = run(Kind.EGE, xlsx({"2022": rows}), analyst, year_2022)
    assert errors == []
    apply_plan(plan, source_label="x")
    assert len(stored()) == 3


def test_ege_header_with_a_year_and_merged_cells(
    analyst, school, neighbour_school, year_2022
):
    """As exported: the title merged across, fixed headers merged down three rows."""
    rows = ege_rows(school, neighbour_school, three_levels=True)
    merged = ["A1:M1", "A3:A5", "B3:B5", "C3:C5", "D3:M3", "D4:H4", "I4:M4"]
    plan, errors = run(
        Kind.EGE, xlsx({"2022": rows}, {"2022": merged}), analyst, year_2022
    )
    assert errors == []
    apply_plan(plan, source_label="x")
    assert [(r[1], r[2], r[3], r[4]) for r in stored()] == [
        (school.code, "математика", "профильный", 12),
        (school.code, "русский язык", "", 29),
        (neighbour_school.code, "русский язык", "", 24),
    ]


def test_ege_header_year_is_still_checked(analyst, school, neighbour_school, year_2022):
    rows = ege_rows(
        school,
        neighbour_school,
        graduates_header="Всего выпускников в 2023 году",
        title="",
    )
    plan, errors = run(Kind.EGE, xlsx({"2023": rows}), analyst, year_2022)
    assert errors == [
        (
            'Лист "2023", строка 1, столбец "Всего выпускников в 2023 году": '
            "в заголовке столбца 2023 год, а в форме выбран 2021/2022 учебный год (ЕГЭ 2022 года)"
        )
    ]


def test_ege_title_year_error_names_the_title_row(
    analyst, school, neighbour_school, year_2022
):
    rows = [
        ["Приложение 2 к письму министерства"],
        [],
        *ege_rows(
            school,
            neighbour_school,
            title="Информация о результатах ЕГЭ выпускников школ в 2023 году",
        ),
    ]
    plan, errors = run(Kind.EGE, xlsx({"ЕГЭ": rows}), analyst, year_2022)
    assert errors == [
        (
            'Лист "ЕГЭ", строка 3: в заголовке таблицы 2023 год, а в форме выбран '
            "2021/2022 учебный год (ЕГЭ 2022 года)"
        )
    ]


def test_ege_graduates_column_is_named_as_written(
    analyst, school, neighbour_school, year_2022
):
    rows = ege_rows(school, neighbour_school, graduates=20)
    plan, errors = run(Kind.EGE, xlsx({"2022": rows}), analyst, year_2022)
    assert errors == [
        (
            'Лист "2022", строка 6, столбец "приняло участие (Русский язык)": '
            "участников (29) больше, чем выпускников (20)"
        )
    ]
    rows = ege_rows(school, neighbour_school, graduates="тридцать")
    plan, errors = run(Kind.EGE, xlsx({"2022": rows}), analyst, year_2022)
    assert errors == [
        f'Лист "2022", строка 6, столбец "{GRADUATES_2022}": «тридцать»: ожидается число'
    ]


def test_ege_code_column_is_named_as_the_file_writes_it(
    analyst, school, neighbour_school, year_2022
):
    rows = ege_rows(
        school, neighbour_school, code_header="ИНН", other_code="2454000000"
    )
    plan, errors = run(Kind.EGE, xlsx({"2022": rows}), analyst, year_2022)
    assert len(errors) == 1
    assert errors[0].startswith(
        'Лист "2022", строка 7, столбец "ИНН": школы с кодом «2454000000»'
    )
    issue = plan.issues.errors[0]
    assert (issue.column, issue.value) == ("ИНН", "2454000000")


def test_ege_mean_that_is_not_a_number_is_reported(
    analyst, school, neighbour_school, year_2022
):
    rows = ege_rows(school, neighbour_school, russian_mean="н/д")
    plan, errors = run(Kind.EGE, xlsx({"2022": rows}), analyst, year_2022)
    assert errors == [
        'Лист "2022", строка 6, столбец "средний балл (Русский язык)": «н/д»: ожидается число'
    ]


# ОГЭ: school cells merged down its subject rows --------------------------------------

OGE_HEADER = [
    "Код ОО",
    "Наименование ОО",
    "Предмет",
    "Участников",
    "2",
    "3",
    "4",
    "5",
    "Средняя отметка",
]


def test_oge_school_merged_down_its_subject_rows(
    analyst, school, neighbour_school, year
):
    rows = [
        OGE_HEADER,
        [school.code, "МБОУ «СОШ № 1»", "Русский язык", 50, 5, 20, 15, 10, "3,6"],
        [None, None, "Математика", 50, 12, 20, 10, 8, 3.28],
        [None, None, "Физика", 10, 0, 3, 5, 2, 3.9],
        [neighbour_school.code, "МБОУ «СОШ № 2»", "Русский язык", 20, 1, 9, 6, 4, 3.65],
        [None, None, "Математика", 20, 2, 10, 6, 2, 3.4],
        ["Итого", None, None, 150, 20, 62, 42, 26, 3.5],
    ]
    merged = ["A2:A4", "B2:B4", "A5:A6", "B5:B6", "A7:C7"]
    plan, errors = run(Kind.OGE, xlsx({"ОГЭ": rows}, {"ОГЭ": merged}), analyst, year)
    assert errors == []
    apply_plan(plan, source_label="x")
    assert [(r[1], r[2], r[4], r[5]) for r in stored()] == sorted(
        [
            (school.code, "русский язык", 50, 5),
            (school.code, "математика", 50, 12),
            (school.code, "физика", 10, 0),
            (neighbour_school.code, "русский язык", 20, 1),
            (neighbour_school.code, "математика", 20, 2),
        ]
    )


def test_oge_header_merged_over_two_rows(analyst, school, year):
    """«Код ОО» merged down two header rows, «Получили отметки» over the marks."""
    rows = [
        ["Код ОО", "Предмет", "Участников", "Получили отметки", None, None, None],
        [None, None, None, "«2»", "«3»", "«4»", "«5»"],
        [school.code, "Математика", 50, 12, 20, 10, 8],
    ]
    merged = ["A1:A2", "B1:B2", "C1:C2", "D1:G1"]
    plan, errors = run(Kind.OGE, xlsx({"ОГЭ": rows}, {"ОГЭ": merged}), analyst, year)
    assert errors == []
    apply_plan(plan, source_label="x")
    assert [(r[2], r[5]) for r in stored()] == [("математика", 12)]


# ОГЭ: one sheet per subject -----------------------------------------------------------

SUBJECTLESS_HEADER = ["Код ОО", "Наименование ОО", "Участников", "2", "3", "4", "5"]


def subject_sheet(school, marks, *, title=None, participants=None):
    participants = sum(marks) if participants is None else participants
    return [
        *([[title], []] if title else []),
        SUBJECTLESS_HEADER,
        [1, 2, 3, 4, 5, 6, 7],
        [school.code, "МБОУ «СОШ № 1»", participants, *marks],
        ["Итого по району", None, participants, *marks],
    ]


def test_oge_sheet_per_subject_named_by_the_sheet(analyst, school, year):
    content = xlsx(
        {
            "Математика": subject_sheet(school, [12, 20, 10, 8]),
            "Русский язык": subject_sheet(school, [5, 20, 15, 10]),
            "Пояснения": [["Таблица составлена РЦОИ"]],
        }
    )
    plan, errors = run(Kind.OGE, content, analyst, year)
    assert errors == []
    apply_plan(plan, source_label="x")
    assert [(r[2], r[4], r[5]) for r in stored()] == [
        ("математика", 50, 12),
        ("русский язык", 50, 5),
    ]


def test_oge_sheet_per_subject_named_by_a_title_row(analyst, school, year_2022):
    content = xlsx(
        {
            "Лист1": subject_sheet(
                school, [12, 20, 10, 8], title="ОГЭ по математике, 2022 год"
            ),
            "Лист2": subject_sheet(
                school, [5, 20, 15, 10], title="Предмет: Русский язык"
            ),
            "Лист3": subject_sheet(
                school, [1, 2, 3, 4], title="Результаты ОГЭ по обществознанию"
            ),
        },
        {"Лист1": ["A1:G1"]},
    )
    plan, errors = run(Kind.OGE, content, analyst, year_2022)
    assert errors == []
    apply_plan(plan, source_label="x")
    assert [(r[2], r[5]) for r in stored()] == [
        ("математика", 12),
        ("обществознание", 1),
        ("русский язык", 5),
    ]


def test_oge_sheet_without_a_subject_is_refused(analyst, school, year):
    content = xlsx(
        {
            "Математика": subject_sheet(school, [12, 20, 10, 8]),
            "Лист2": subject_sheet(school, [5, 20, 15, 10], title="Результаты ОГЭ"),
        }
    )
    plan, errors = run(Kind.OGE, content, analyst, year)
    assert errors == [
        (
            'Лист "Лист2", строка 3: на листе «Лист2» нет столбца «Предмет», и предмет не '
            "виден ни в названии листа, ни в заголовке над таблицей — назовите лист по "
            "предмету (например, «Математика») или добавьте столбец «Предмет»"
        )
    ]


def test_oge_sheet_name_and_title_disagree(analyst, school, year):
    content = xlsx(
        {"Математика": subject_sheet(school, [1, 2, 3, 4], title="ОГЭ по физике")}
    )
    plan, errors = run(Kind.OGE, content, analyst, year)
    assert errors == [
        (
            'Лист "Математика", строка 1: название листа «Математика» говорит о предмете '
            "«математика», а заголовок над таблицей — о предмете «физика»; исправьте одно из них"
        )
    ]


def test_oge_title_year_must_match_form(analyst, school, year_2022):
    content = xlsx(
        {
            "Лист1": [
                ["Приложение 3"],
                *subject_sheet(
                    school, [12, 20, 10, 8], title="ОГЭ по математике, 2023 год"
                ),
            ]
        }
    )
    plan, errors = run(Kind.OGE, content, analyst, year_2022)
    assert errors == [
        (
            'Лист "Лист1", строка 2: в заголовке таблицы 2023 год, а в форме выбран '
            "2021/2022 учебный год (ОГЭ 2022 года)"
        )
    ]


def test_oge_same_school_and_subject_on_two_sheets(analyst, school, year):
    content = xlsx(
        {
            "ОГЭ": [OGE_HEADER, [school.code, None, "Математика", 50, 12, 20, 10, 8]],
            "Математика": subject_sheet(school, [12, 20, 10, 8]),
        }
    )
    plan, errors = run(Kind.OGE, content, analyst, year)
    assert errors == [
        (
            f'Лист "Математика", строка 3, столбец "Код ОО": школа МБОУ «СОШ № 1» '
            f"({school.code}) и предмет «математика» уже есть в строке 2 листа «ОГЭ»"
        )
    ]


# ОГЭ: every message names the column as written and the value found -----------------


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"3": "двадцать"}, "3", "«двадцать»: ожидается число"),
        ({"4": "10,5"}, "4", "«10,5»: ожидается целое число"),
        ({"5": -8}, "5", "«-8»: число не может быть отрицательным"),
        ({"Участников": "50 чел"}, "Участников", "«50 чел»: ожидается число"),
        ({"Средняя отметка": "3.6.1"}, "Средняя отметка", "«3.6.1»: ожидается число"),
        ({"Средняя отметка": 5.6}, "Средняя отметка", "5,6 — вне шкалы отметок 2–5"),
        ({"2": 60}, "2", "60 больше числа участников (50)."),
    ],
    ids=["text", "fraction", "negative", "participants", "mean", "scale", "over"],
)
def test_oge_row_errors_name_column_and_value(
    analyst, school, year, cells, column, message
):
    values = dict(
        zip(
            OGE_HEADER,
            [school.code, "МБОУ «СОШ № 1»", "Математика", 50, 12, 20, 10, 8, 3.28],
            strict=True,
        )
    )
    values.update(cells)
    content = xlsx({"ОГЭ": [OGE_HEADER, list(values.values())]})
    plan, errors = run(Kind.OGE, content, analyst, year)
    assert errors == [f'Лист "ОГЭ", строка 2, столбец "{column}": {message}']
    assert plan.issues.errors[0].value is not None


def test_oge_mean_at_zero_participants_names_the_column(analyst, school, year):
    header = [*OGE_HEADER[:-1], "Средний балл"]
    rows = [header, [school.code, None, "Химия", 0, 0, 0, 0, 0, 3.5]]
    plan, errors = run(Kind.OGE, xlsx({"ОГЭ": rows}), analyst, year)
    assert errors == [
        (
            'Лист "ОГЭ", строка 2, столбец "Средний балл": при 0 участников значение 3,5 '
            "невозможно: оставьте ячейку пустой"
        )
    ]


def test_oge_code_column_named_as_the_file_writes_it(analyst, school, year):
    header = ["ИНН", "Предмет", "Участников", "2", "3", "4", "5"]
    rows = [header, ["2454000000", "Математика", 50, 12, 20, 10, 8]]
    plan, errors = run(Kind.OGE, xlsx({"ОГЭ": rows}), analyst, year)
    assert len(errors) == 1
    assert errors[0].startswith(
        'Лист "ОГЭ", строка 2, столбец "ИНН": школы с кодом «2454000000»'
    )


def test_oge_year_and_subject_columns_named_as_written(analyst, school, year):
    header = [
        "Год проведения",
        "Учебный предмет",
        "Код ОО",
        "Участников",
        "2",
        "3",
        "4",
        "5",
    ]
    # Only exact aliases are columns: «Учебный предмет» is not «Предмет».
    rows = [header, ["2021", "Математика", school.code, 50, 12, 20, 10, 8]]
    plan, errors = run(Kind.OGE, xlsx({"ОГЭ": rows}), analyst, year)
    assert "нет столбца «Предмет»" in errors[0]
    header = ["Год", "Предмет", "Код ОО", "Участников", "2", "3", "4", "5"]
    rows = [
        header,
        ["2019", "Математика", school.code, 50, 12, 20, 10, 8],
        ["2021", "Астрология", school.code, 50, 12, 20, 10, 8],
        ["2021", None, school.code, 50, 12, 20, 10, 8],
    ]
    plan, errors = run(Kind.OGE, xlsx({"ОГЭ": rows}), analyst, year)
    assert errors[0] == (
        'Лист "ОГЭ", строка 2, столбец "Год": год в строке (2019) не совпадает с выбранным 2020/2021'
    )
    assert errors[1].startswith(
        'Лист "ОГЭ", строка 3, столбец "Предмет": предмета «Астрология» нет в справочнике'
    )
    assert errors[2] == 'Лист "ОГЭ", строка 4, столбец "Предмет": не указан предмет'


def test_no_english_in_gia_messages(analyst, school, neighbour_school, year_2022):
    """Every message is Russian; only the values quoted from the file may be Latin."""
    contents = [
        (
            Kind.EGE,
            xlsx({"2022": ege_rows(school, neighbour_school, russian_mean="n/a")}),
        ),
        (Kind.EGE, xlsx({"2022": ege_rows(school, neighbour_school, graduates=-1)})),
        (
            Kind.OGE,
            xlsx({"Лист1": subject_sheet(school, ["a", 1, 1, 1], participants=4)}),
        ),
        (
            Kind.OGE,
            xlsx({"Математика": subject_sheet(school, [1, 1.5, 1, 1], participants=4)}),
        ),
        (Kind.OGE, xlsx({"Physics": [["foo"]], "Физика": [["bar"]]})),
        (Kind.EGE, xlsx({"Sheet": [["foo"]]})),
    ]
    for kind, content in contents:
        plan, errors = run(kind, content, analyst, year_2022)
        assert errors
        for issue in plan.issues:
            message = re.sub(r"«[^»]*»", "", issue.message)
            assert not re.search(r"[a-z]", message, re.IGNORECASE), issue.message
