"""Official files: ВПР protocols (three variants), ФИС ОКО reports, ЕГЭ and ОГЭ tables."""

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


def vpr_params(year, math, grade=4, **extra):
    return {
        "year": year.start_year,
        "subject": math.pk,
        "grade": grade,
        "scale": SCALE,
        **extra,
    }


def run(kind, content, user, params):
    plan = plan_file(kind, content, params=params, by=user)
    return plan, [i.text() for i in plan.issues.errors]


# ВПР protocols -----------------------------------------------------------------

HEAD_2021 = [
    "логин школы",
    "регион",
    "номер обучающегося",
    "код обучающегося",
    "отметка за предыдущую четверть/триместр",
    "пол",
    "класс",
    "вариант",
    "всего баллов",
    "балл за 1",
    "балл за 2",
    "балл за 3",
]


def row_2021(login, code, journal, variant, total, tasks):
    return [
        login,
        "город Лесосибирск",
        1,
        code,
        journal,
        "ж",
        "а",
        variant,
        total,
        *tasks,
    ]


def protocol_2021(school, *extra):
    return workbook_bytes(
        {
            "Sheet": [
                HEAD_2021,
                row_2021(
                    school.code, 40001, 4, 1, 18, [8, 5, 5]
                ),  # «5», journal 4 → raised
                row_2021(
                    school.code, 40002, 4, 2, 12, [6, 3, 3]
                ),  # «4» = journal → confirmed
                row_2021(school.code, 40003, 5, 1, 7, [3, 2, 2]),  # «3» < 5 → lowered
                row_2021(
                    school.code, 40004, "нет отметки", 2, 3, ["X", 2, 1]
                ),  # «2», X = not attempted
                row_2021(
                    school.code, 40005, 3, "отсутствовал", None, [None, None, None]
                ),  # absent
                *extra,
            ]
        }
    )


def test_protocol_2021_aggregates_marks_and_journal_comparison(
    analyst, school, year, math
):
    plan, errors = run(
        Kind.VPR_PROTOCOL, protocol_2021(school), analyst, vpr_params(year, math)
    )
    assert errors == []
    apply_plan(plan, source_label="x")
    row = AssessmentResult.objects.get(report__school=school)
    assert (
        row.procedure,
        row.grade,
        row.participants,
        row.mark2,
        row.mark3,
        row.mark4,
        row.mark5,
    ) == ("ВПР", 4, 4, 1, 1, 1, 1)
    assert row.mean_score == Decimal("3.50")
    comparison = MarkComparison.objects.get(report__school=school)
    assert (comparison.lowered, comparison.confirmed, comparison.raised) == (1, 1, 1)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            row_2021("sch240001", 40006, 4, 1, 22, [10, 6, 6]),
            "итог 22 больше максимального балла работы (20)",
        ),
        (
            row_2021("sch240001", 40006, 4, 1, 0, [3, 2, 2]),
            "итог 0 не равен сумме баллов за задания (7)",
        ),
        (
            row_2021("sch240001", 40006, 4, 1, 7, ["два", 2, 2]),
            "«два»: ожидается балл или «X» (не приступал)",
        ),
        (row_2021("sch240001", 40006, 4, 0, 7, [3, 2, 2]), "вариант «0» недопустим"),
        (
            row_2021("sch240001", 40006, 4, "отсутствовал", None, [1, None, None]),
            "отмечен как отсутствовавший, но у него есть баллы",
        ),
        (
            row_2021("sch240001", 40006, 6, 1, 7, [3, 2, 2]),
            "отметка по журналу «6» недопустима",
        ),
        (
            row_2021("sch240001", 40001, 4, 1, 7, [3, 2, 2]),
            "участник с кодом 40001 уже есть в строке 2",
        ),
        (
            row_2021("sch240001", 50006, 4, 1, 7, [3, 2, 2]),
            "код участника 50006 относится к 5 классу",
        ),
        (row_2021("sch521001", 40006, 4, 1, 7, [3, 2, 2]), "относится к региону 52"),
    ],
)
def test_protocol_bad_rows_are_named(analyst, school, year, math, extra, message):
    extra = [school.code if v == "sch240001" else v for v in extra]
    plan, errors = run(
        Kind.VPR_PROTOCOL, protocol_2021(school, extra), analyst, vpr_params(year, math)
    )
    assert any(message in e for e in errors), errors
    assert all(e.startswith('Лист "Sheet", строка 7') for e in errors)


def test_protocol_2022_with_task_maximum_in_headers(analyst, school, year, math):
    head = [
        "Пользователь",
        "Код региона",
        "Регион",
        "Муниципалитет",
        "Школа",
        "Дата загрузки",
        "Код",
        "Вариант",
        "1 (1б)",
        "2 (2б)",
        "5(1) (1б)",
        "Наименование класса",
        "Пол",
        "Отметка за предыдущий триместр/ четверть/полугодие",
        "Итого баллов",
    ]
    login = school.code.replace("sch", "edu")
    rows = [
        head,
        [
            login,
            24,
            "Красноярский край",
            "reg24_m001 | г. Лесосибирск",
            f"{login} | МБОУ «СОШ № 1»",
            "17.03.2022 05:33:20",
            40001,
            1,
            1,
            2,
            1,
            "4а",
            "м",
            4,
            4,
        ],
        [
            login,
            24,
            "Красноярский край",
            "",
            "",
            "",
            40002,
            2,
            1,
            3,
            0,
            "4а",
            "ж",
            3,
            4,
        ],
    ]
    classes = [
        [
            "Пользователь",
            "Код региона",
            "Регион",
            "Муниципалитет",
            "Школа",
            "Дата загрузки",
            'Буква (цифра) класса. Введите "нет" - если отсутствует',
            "Основной учебник по предмету",
        ],
        [login, 24, "", "", "", "", "а", "ma4.8 | 1.1.3.1.8.4 | Моро М.И."],
    ]
    content = workbook_bytes({"Классы": classes, "Протокол": rows})
    params = vpr_params(year, math) | {"scale": [1, 2, 3, 4]}
    plan, errors = run(Kind.VPR_PROTOCOL, content, analyst, params)
    assert errors == [
        'Лист "Протокол", строка 3, столбец "2 (2б)": балл 3 вне допустимого 0–2 за это задание'
    ]


def test_protocol_textbook_contradicting_form_is_refused(analyst, school, year, math):
    head = [*HEAD_2021, "Учебник"]
    rows = [
        head,
        [
            *row_2021(school.code, 50001, 4, 1, 7, [3, 2, 2]),
            "ru5.1 | 1.1.1 | Ладыженская",
        ],
    ]
    plan, errors = run(
        Kind.VPR_PROTOCOL,
        workbook_bytes({"Sheet": rows}),
        analyst,
        vpr_params(year, math, grade=5),
    )
    assert any(
        "учебник «ru5.1» — это русский язык, 5 класс, а в форме выбрано: математика, 5 класс"
        in e
        for e in errors
    )


def test_protocol_autumn_2020_variant(analyst, school, year, math):
    head = [
        "groups",
        "user",
        "id",
        "code",
        "otc",
        "gender",
        "klass",
        "var-1",
        "var-2",
        "sum",
        "a-1-grade",
        "a-2-grade",
        "Учебник",
    ]
    rows = [
        head,
        ["22-RU,VPR", school.code, 1, 50001, 3, "м", "5а", 1, "", 16, 9, 7, "ma4.8"],
        ["22-RU,VPR", school.code, 2, 50002, 5, "ж", "5а", 2, "", 9, 9, "х", "ma4.8"],
    ]
    plan, errors = run(
        Kind.VPR_PROTOCOL,
        workbook_bytes({"Mat5": rows}),
        analyst,
        vpr_params(year, math, grade=5) | {"scale": SCALE},
    )
    assert errors == []
    apply_plan(plan, source_label="x")
    row = AssessmentResult.objects.get()
    assert (row.grade, row.participants, row.mark3, row.mark5) == (5, 2, 1, 1)


def test_protocol_unknown_layout_names_expected_columns(analyst, year, math):
    plan, errors = run(
        Kind.VPR_PROTOCOL,
        workbook_bytes({"Лист": [["Школа", "Ученик", "Баллы"]]}),
        analyst,
        vpr_params(year, math),
    )
    assert (
        "не найдены заголовки протокола ВПР: ожидается столбец «логин школы»"
        in errors[0]
    )


def test_protocol_with_pupil_names_is_refused(analyst, year, math, school):
    head = [*HEAD_2021, "ФИО"]
    plan, errors = run(
        Kind.VPR_PROTOCOL,
        workbook_bytes({"Sheet": [head]}),
        analyst,
        vpr_params(year, math),
    )
    assert "персональными данными (ФИО)" in errors[0]


# ФИС ОКО reports -------------------------------------------------------------------

STATS_HEAD = ["Группы участников", "Кол-во ОО", "Кол-во участников", "2", "3", "4", "5"]


def test_statistics_in_percent_skips_total_rows(
    analyst, school, neighbour_school, year, math
):
    rows = [
        ["Статистика по отметкам"],
        STATS_HEAD,
        ["Вся выборка", 40000, 1300000, 5.1, 30.2, 44.1, 20.6],
        ["Красноярский край", 1075, 30000, 4.2, 29.1, 45.0, 21.7],
        ["г. Лесосибирск", 9, 600, 6.0, 33.0, 41.0, 20.0],
        [f"{school.code} | МБОУ «СОШ № 1»", 1, 40, 10.0, 40.0, 37.5, 12.5],
        [f"{neighbour_school.code} | МБОУ «СОШ № 2»", 1, 3, 33.33, 33.33, 33.34, 0],
    ]
    plan, errors = run(
        Kind.VPR_STATS, workbook_bytes({"Отчёт": rows}), analyst, vpr_params(year, math)
    )
    assert errors == []
    apply_plan(plan, source_label="x")
    marks = dict(AssessmentResult.objects.values_list("report__school__code", "mark2"))
    assert marks == {school.code: 4, neighbour_school.code: 1}
    assert AssessmentResult.objects.get(report__school=school).mark4 == 15


def test_statistics_percentages_must_sum_to_100(analyst, school, year, math):
    rows = [
        STATS_HEAD,
        [f"{school.code} | МБОУ «СОШ № 1»", 1, 40, 10.0, 40.0, 37.5, 10.0],
    ]
    plan, errors = run(
        Kind.VPR_STATS, workbook_bytes({"Отчёт": rows}), analyst, vpr_params(year, math)
    )
    assert errors == [
        (
            'Лист "Отчёт", строка 2, столбец "«2», «3», «4», «5»": проценты отметок '
            "в сумме дают 97,5, а должны 100 (±0,2)"
        )
    ]
    assert plan.issues.errors[0].value == "10; 40; 37,5; 10"


def test_statistics_in_counts(analyst, school, year, math):
    rows = [STATS_HEAD, [f"{school.code} | МБОУ «СОШ № 1»", 1, 25, 3, 9, 8, 5]]
    plan, errors = run(
        Kind.VPR_STATS, workbook_bytes({"Отчёт": rows}), analyst, vpr_params(year, math)
    )
    apply_plan(plan, source_label="x")
    assert AssessmentResult.objects.get().mark3 == 9


def test_comparison_report_blocks_after_results(analyst, school, year, math):
    stats = [STATS_HEAD, [f"{school.code} | МБОУ «СОШ № 1»", 1, 25, 3, 9, 8, 5]]
    apply_plan(
        run(
            Kind.VPR_STATS,
            workbook_bytes({"Отчёт": stats}),
            analyst,
            vpr_params(year, math),
        )[0],
        source_label="x",
    )
    rows = [
        ["Группы участников", "Кол-во участников", "%"],
        ["Красноярский край"],
        ["Понизили (Отметка < Отметка по журналу)", 8000, 34.2],
        ["Подтвердили (Отметка = Отметка по журналу)", 14000, 59.3],
        ["Повысили (Отметка > Отметка по журналу)", 1600, 6.5],
        ["Всего", 23600, 100],
        [f"{school.code} | МБОУ «СОШ № 1»"],
        ["Понизили (Отметка < Отметка по журналу)", 7, 28],
        ["Подтвердили (Отметка = Отметка по журналу)", 16, 64],
        ["Повысили (Отметка > Отметка по журналу)", 2, 8],
        ["Всего", 25, 100],
    ]
    plan, errors = run(
        Kind.VPR_COMPARISON,
        workbook_bytes({"Сравнение": rows}),
        analyst,
        vpr_params(year, math),
    )
    assert errors == []
    apply_plan(plan, source_label="x")
    comparison = MarkComparison.objects.get()
    assert (comparison.lowered, comparison.confirmed, comparison.raised) == (7, 16, 2)


def test_comparison_without_vpr_results_is_refused(analyst, school, year, math):
    rows = [
        ["Логин", "Понизили", "Подтвердили", "Повысили", "Всего"],
        [school.code, 7, 16, 2, 25],
    ]
    plan, errors = run(
        Kind.VPR_COMPARISON,
        workbook_bytes({"Сравнение": rows}),
        analyst,
        vpr_params(year, math),
    )
    assert "Нет строки ВПР с этим предметом и классом" in errors[0]


# ЕГЭ and ОГЭ -------------------------------------------------------------------------


def ege_table(
    school,
    other,
    *,
    chem_hundred=1,
    title_year=2021,
    russian_mean=67.5,
    other_code=None,
):
    return workbook_bytes(
        {
            "2021": [
                [
                    None,
                    f"Информация о результатах ЕГЭ выпускников школ в {title_year} году",
                ],
                [],
                [
                    "Муниципальное образование",
                    "Образовательная организация (школа)",
                    "Код ОО",
                    "Всего выпускников",
                    "из них",
                ],
                [
                    None,
                    None,
                    None,
                    None,
                    "Русский язык, чел.",
                    None,
                    None,
                    None,
                    None,
                    "Математика (профиль)",
                    None,
                    None,
                    None,
                    None,
                    "Химия",
                    None,
                    None,
                    None,
                    None,
                    "Математика базовая",
                    None,
                    None,
                    None,
                    None,
                ],
                [
                    None,
                    None,
                    None,
                    None,
                    *(
                        [
                            "приняло участие",
                            "не преодолен min порог",
                            "высокобалльники (80-99 баллов)",
                            "получили 100 баллов",
                            "средний балл",
                        ]
                        * 4
                    ),
                ],
                [1, 2, 3, 4, *range(5, 25)],
                [
                    "ВСЕГО по региону",
                    None,
                    None,
                    500,
                    480,
                    3,
                    60,
                    2,
                    64.1,
                    200,
                    20,
                    10,
                    0,
                    50.3,
                    40,
                    10,
                    5,
                    1,
                    55.0,
                    200,
                    4,
                    0,
                    0,
                    4.1,
                ],
                [
                    "г. Лесосибирск",
                    None,
                    None,
                    60,
                    58,
                    0,
                    6,
                    0,
                    66.0,
                    20,
                    2,
                    1,
                    0,
                    52.0,
                    6,
                    1,
                    1,
                    0,
                    56.0,
                    30,
                    1,
                    0,
                    0,
                    4.2,
                ],
                [
                    None,
                    "Муниципальное бюджетное общеобразовательное учреждение «СОШ № 1»",
                    school.code,
                    30,
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
                    4,
                    1,
                    1,
                    chem_hundred,
                    57.0,
                    15,
                    1,
                    0,
                    0,
                    4.21,
                ],
                [
                    None,
                    "МБОУ «СОШ № 2»",
                    other_code or other.code,
                    30,
                    29,
                    0,
                    2,
                    0,
                    64.0,
                    8,
                    0,
                    0,
                    0,
                    53.0,
                    0,
                    None,
                    None,
                    None,
                    0,
                    15,
                    0,
                    0,
                    0,
                    4.0,
                ],
                [
                    "итого по г. Лесосибирск",
                    None,
                    None,
                    60,
                    58,
                    0,
                    6,
                    0,
                    66.0,
                    20,
                    2,
                    1,
                    0,
                    52.0,
                    6,
                    1,
                    1,
                    0,
                    56.0,
                    30,
                    1,
                    0,
                    0,
                    4.2,
                ],
            ]
        }
    )


def test_ege_table_with_three_level_header(analyst, school, neighbour_school, year):
    plan, errors = run(
        Kind.EGE,
        ege_table(school, neighbour_school),
        analyst,
        {"year": year.start_year},
    )
    assert errors == []
    apply_plan(plan, source_label="x")
    rows = {
        (r.report.school.code, r.subject.name, r.level): r
        for r in AssessmentResult.objects.select_related("report__school", "subject")
    }
    assert len(rows) == 7  # СОШ № 2 sat no chemistry: «0» is no data
    russian = rows[(school.code, "русский язык", "")]
    assert (russian.participants, russian.failed_minimum, russian.mean_score) == (
        29,
        0,
        Decimal("67.50"),
    )
    profile = rows[(school.code, "математика", "профильный")]
    assert (profile.participants, profile.failed_minimum, profile.mean_score) == (
        12,
        2,
        Decimal("51.50"),
    )
    base = rows[(school.code, "математика", "базовый")]
    assert (base.mark2, base.failed_minimum, base.mean_score) == (
        1,
        None,
        Decimal("4.21"),
    )


def test_ege_hundred_scorers_over_participants_is_refused(
    analyst, school, neighbour_school, year
):
    plan, errors = run(
        Kind.EGE,
        ege_table(school, neighbour_school, chem_hundred=12),
        analyst,
        {"year": year.start_year},
    )
    assert errors == [
        'Лист "2021", строка 9, столбец "получили 100 баллов (Химия)": 12 больше числа участников (4)'
    ]


def test_ege_title_year_must_match_form(analyst, school, neighbour_school, year):
    plan, errors = run(
        Kind.EGE,
        ege_table(school, neighbour_school, title_year=2023),
        analyst,
        {"year": year.start_year},
    )
    assert "в заголовке таблицы 2023 год" in errors[0]


def test_ege_mean_out_of_scale(analyst, school, neighbour_school, year):
    plan, errors = run(
        Kind.EGE,
        ege_table(school, neighbour_school, russian_mean=109.7),
        analyst,
        {"year": year.start_year},
    )
    assert "средний балл 109,7 вне шкалы 0–100" in errors[0]


def test_ege_without_code_column_is_refused(analyst, school, year):
    rows = [
        ["Муниципальное образование", "Образовательная организация (школа)", "из них"],
        [None, None, "Русский язык"],
        [None, None, "приняло участие", "не преодолен min порог", "средний балл"],
        ["г. Лесосибирск", "МБОУ «СОШ № 1»", 29, 0, 67.5],
    ]
    plan, errors = run(
        Kind.EGE, workbook_bytes({"ЕГЭ": rows}), analyst, {"year": year.start_year}
    )
    assert "нет столбца с кодом школы" in errors[0]


def test_ege_unknown_school_code_lists_candidates(
    analyst, school, neighbour_school, year
):
    content = ege_table(school, neighbour_school, other_code="sch249998")
    plan, errors = run(Kind.EGE, content, analyst, {"year": year.start_year})
    assert (
        "школы с логином sch249998 нет в реестре. Похожие школы в реестре: МБОУ «СОШ № 2»"
        in errors[0]
    )


def test_oge_table(analyst, school, year):
    rows = [
        [
            "Учебный год",
            "Предмет",
            "Код ОО",
            "Наименование ОО",
            "Участников",
            "2",
            "3",
            "4",
            "5",
            "Средняя отметка",
        ],
        [
            "2020/2021",
            "Русский язык",
            school.code,
            "МБОУ «СОШ № 1»",
            50,
            5,
            20,
            15,
            10,
            "3,6",
        ],
        [
            "2020/2021",
            "Математика",
            school.code,
            "МБОУ «СОШ № 1»",
            50,
            12,
            20,
            10,
            8,
            3.28,
        ],
        ["Итого", None, None, None, 100, 17, 40, 25, 18, 3.4],
    ]
    plan, errors = run(
        Kind.OGE, workbook_bytes({"ОГЭ": rows}), analyst, {"year": year.start_year}
    )
    assert errors == []
    apply_plan(plan, source_label="x")
    assert sorted(
        AssessmentResult.objects.values_list("procedure", "subject__name", "mark2")
    ) == [("ОГЭ", "математика", 12), ("ОГЭ", "русский язык", 5)]


def test_oge_marks_must_sum_to_participants(analyst, school, year):
    rows = [
        ["Предмет", "Код ОО", "Участников", "2", "3", "4", "5"],
        ["Математика", school.code, 50, 12, 20, 10, 9],
    ]
    plan, errors = run(
        Kind.OGE, workbook_bytes({"ОГЭ": rows}), analyst, {"year": year.start_year}
    )
    assert errors == [
        'Лист "ОГЭ", строка 2, столбец "Участников": Сумма отметок «2»–«5» (51) не равна числу участников (50).'
    ]
