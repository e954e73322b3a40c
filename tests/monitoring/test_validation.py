"""The shared rules of monitoring figures: every bad case, and the warnings."""

from decimal import Decimal

import pytest

from monitoring.models import ReportKind
from monitoring.validation import (
    Context,
    check_comparison,
    check_complete,
    check_report,
    check_result,
    check_results,
    errors,
    warnings,
)
from tests.factories import STAFFING

SOCIAL = {
    "pupils_total": 400,
    "incomplete_families": 90,
    "large_families": 60,
    "low_income": 50,
    "both_parents_unemployed": 10,
    "both_parents_higher_ed": 80,
    "poor_housing": 30,
    "sop_families": 5,
    "school_register": 8,
    "pdn_kdn_register": 3,
    "ovz": 12,
    "disabled_children": 4,
    "under_guardianship": 6,
    "weak_russian": 2,
    "low_motivation": 40,
}
OUTCOMES = {
    "grade9_graduates": 50,
    "continued_grade10": 30,
    "olympiad_participants": 4,
    "attested": 380,
    "attested_good": 150,
    "attested_failing": 5,
    "noko_satisfaction": Decimal("78.5"),
}
RESOURCES = {
    "textbook_fund": 9000,
    "textbooks_recent": 2500,
    "class_sets": 18,
    "student_computers": 60,
}


def messages(problems):
    return {(p.field, p.message) for p in problems}


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        (ReportKind.STAFFING, STAFFING),
        (ReportKind.SOCIAL, SOCIAL),
        (ReportKind.OUTCOMES, OUTCOMES),
        (ReportKind.RESOURCES, RESOURCES),
    ],
)
def test_check_report_accepts_consistent_figures(kind, values):
    assert check_report(kind, values) == []
    assert check_complete(kind, values) == []


def test_negative_count_is_an_error():
    problems = check_report(ReportKind.STAFFING, {**STAFFING, "under_30": -1})
    assert ("under_30", "Число не может быть отрицательным.") in messages(problems)


@pytest.mark.parametrize(
    ("kind", "values", "field", "message"),
    [
        (
            ReportKind.SOCIAL,
            {**SOCIAL, "ovz": 401},
            "ovz",
            "401 больше, чем «Обучающихся всего» (400).",
        ),
        (
            ReportKind.STAFFING,
            {**STAFFING, "psychologists": 41},
            "psychologists",
            "41 больше, чем «Учителей всего» (40).",
        ),
        (
            ReportKind.OUTCOMES,
            {**OUTCOMES, "continued_grade10": 51},
            "continued_grade10",
            "51 больше, чем «Выпускников 9 классов» (50).",
        ),
        (
            ReportKind.RESOURCES,
            {**RESOURCES, "textbooks_recent": 9001},
            "textbooks_recent",
            "9001 больше, чем «Фонд учебников, экз.» (9000).",
        ),
    ],
)
def test_part_larger_than_whole_is_an_error(kind, values, field, message):
    assert (field, message) in messages(check_report(kind, values))


def test_highest_plus_first_category_over_teachers_is_an_error():
    problems = check_report(
        ReportKind.STAFFING, {**STAFFING, "highest_category": 25, "first_category": 20}
    )
    assert messages(problems) == {
        (
            "highest_category",
            "«Высшая категория» + «Первая категория» = 45, это больше, чем «Учителей всего» (40).",
        )
    }


def test_young_plus_pension_over_teachers_is_an_error():
    problems = check_report(
        ReportKind.STAFFING, {**STAFFING, "under_30": 30, "pension_age": 15}
    )
    assert errors(problems)
    assert problems[0].field == "under_30"


def test_good_plus_failing_over_attested_is_an_error():
    problems = check_report(
        ReportKind.OUTCOMES, {**OUTCOMES, "attested_good": 300, "attested_failing": 90}
    )
    assert "это больше, чем «Аттестовано обучающихся» (380)" in problems[0].message


@pytest.mark.parametrize("value", [Decimal("-1"), Decimal("100.5")])
def test_percent_outside_0_100_is_an_error(value):
    problems = check_report(
        ReportKind.OUTCOMES, {**OUTCOMES, "noko_satisfaction": value}
    )
    assert problems[0].field == "noko_satisfaction"
    assert "от 0 до 100" in problems[0].message


def test_empty_figures_are_not_errors_but_block_submission():
    assert check_report(ReportKind.STAFFING, {"teachers_total": 40}) == []
    missing = {
        p.field for p in check_complete(ReportKind.STAFFING, {"teachers_total": 40})
    }
    assert "under_30" in missing
    assert "teachers_total" not in missing


def test_noko_may_stay_empty_on_submission():
    assert (
        check_complete(ReportKind.OUTCOMES, {**OUTCOMES, "noko_satisfaction": None})
        == []
    )


def test_pupils_change_over_30_percent_is_a_warning():
    problems = check_report(
        ReportKind.SOCIAL,
        {**SOCIAL, "pupils_total": 540},
        context=Context(previous={"pupils_total": 400}),
    )
    assert errors(problems) == []
    assert warnings(problems)[0].message.startswith(
        "Число обучающихся изменилось на 35 %"
    )


def test_pupils_change_of_exactly_30_percent_is_fine():
    problems = check_report(
        ReportKind.SOCIAL,
        {**SOCIAL, "pupils_total": 520},
        context=Context(previous={"pupils_total": 400}),
    )
    assert problems == []


def test_more_than_20_teachers_per_100_pupils_is_a_warning():
    problems = check_report(
        ReportKind.STAFFING, STAFFING, context=Context(pupils_total=150)
    )
    assert warnings(problems)[0].field == "teachers_total"
    assert "Учителей на 100 обучающихся — 26,7" in warnings(problems)[0].message
    assert (
        check_report(ReportKind.STAFFING, STAFFING, context=Context(pupils_total=200))
        == []
    )


# Result rows ---------------------------------------------------------------------


@pytest.fixture
def math(db):
    from tests.factories import subject

    return subject("математика")


@pytest.fixture
def russian(db):
    from tests.factories import subject

    return subject("русский язык")


def vpr(subject, **values):
    return {
        "procedure": "ВПР",
        "subject": subject,
        "grade": 5,
        "level": "",
        "participants": 35,
        "mark2": 12,
        "mark3": 13,
        "mark4": 7,
        "mark5": 3,
        "failed_minimum": None,
        "mean_score": Decimal("3.03"),
        **values,
    }


def ege(subject, **values):
    return {
        "procedure": "ЕГЭ",
        "subject": subject,
        "grade": 11,
        "level": "профильный",
        "participants": 20,
        "mark2": None,
        "mark3": None,
        "mark4": None,
        "mark5": None,
        "failed_minimum": 2,
        "mean_score": Decimal("55.5"),
        **values,
    }


def test_valid_result_rows_pass(math, russian):
    assert (
        check_results([vpr(math), vpr(russian), ege(math), ege(russian, level="")])
        == []
    )


def test_mark_over_participants_names_the_mark(math):
    problems = check_result(
        vpr(math, participants=8, mark2=12, mark3=0, mark4=0, mark5=0)
    )
    assert ("mark2", "12 больше числа участников (8).") in messages(problems)


def test_marks_must_sum_to_participants(math):
    problems = check_result(vpr(math, mark3=14))
    assert messages(problems) == {
        ("participants", "Сумма отметок «2»–«5» (36) не равна числу участников (35).")
    }


def test_incomplete_marks_are_an_error(math):
    problems = check_result(vpr(math, mark5=None))
    assert problems[0].message == "Заполните все отметки «2»–«5» (0, если таких нет)."


def test_failed_over_participants_for_ege(math):
    assert ("failed_minimum", "21 больше числа участников (20).") in messages(
        check_result(ege(math, failed_minimum=21))
    )


def test_ege_profile_has_no_marks(math):
    problems = check_result(ege(math, mark2=1))
    assert problems[0].field == "mark2"


def test_vpr_has_no_failed_minimum(math):
    problems = check_result(vpr(math, failed_minimum=3))
    assert problems[0].field == "failed_minimum"


@pytest.mark.parametrize(
    ("procedure", "grade"), [("ВПР", 3), ("ВПР", 12), ("ОГЭ", 8), ("ЕГЭ", 10)]
)
def test_grade_must_fit_the_procedure(math, procedure, grade):
    row = vpr(math, procedure=procedure, grade=grade)
    assert any(p.field == "grade" for p in check_result(row))


def test_ege_math_needs_level_and_others_must_not_have_one(math, russian):
    assert check_result(ege(math, level=""))[0].field == "level"
    assert check_result(vpr(russian, level="базовый"))[0].field == "level"


def test_ege_base_math_uses_marks(math):
    row = ege(
        math,
        level="базовый",
        failed_minimum=None,
        mark2=1,
        mark3=9,
        mark4=6,
        mark5=4,
        mean_score=Decimal("3.65"),
    )
    assert check_result(row) == []


@pytest.mark.parametrize(
    ("row_factory", "mean"),
    [("vpr", Decimal("5.5")), ("vpr", Decimal("1.9")), ("ege", Decimal("101"))],
)
def test_mean_must_be_within_its_scale(math, row_factory, mean):
    row = {"vpr": vpr, "ege": ege}[row_factory](math, mean_score=mean)
    assert check_result(row)[0].field == "mean_score"


def test_mean_with_zero_participants_is_an_error(math):
    row = vpr(
        math,
        participants=0,
        mark2=0,
        mark3=0,
        mark4=0,
        mark5=0,
        mean_score=Decimal("3.0"),
    )
    assert (
        check_result(row)[0].message
        == "Средний балл при 0 участников невозможен: оставьте поле пустым."
    )


def test_zero_participants_without_mean_is_fine(math):
    assert (
        check_result(
            vpr(
                math,
                participants=0,
                mark2=0,
                mark3=0,
                mark4=0,
                mark5=0,
                mean_score=None,
            )
        )
        == []
    )


def test_missing_subject_or_procedure_is_an_error(math):
    assert check_result(vpr(None))[0].message == "Укажите предмет."
    assert check_result(vpr(math, procedure=""))[0].field == "procedure"


def test_fail_share_over_half_is_a_warning(math):
    problems = check_result(
        vpr(math, mark2=18, mark3=10, mark4=5, mark5=2, mean_score=Decimal("2.74"))
    )
    assert errors(problems) == []
    assert (
        warnings(problems)[0].message
        == "Доля не справившихся — 51,4 % (18 из 35), больше 50 %. Проверьте данные."
    )


def test_a_mean_that_disagrees_with_the_counts_is_refused_with_both_values(math):
    # 12 «2», 13 «3», 7 «4», 3 «5» of 35: (24 + 39 + 28 + 15) / 35 = 3,03.
    assert errors(check_result(vpr(math, mean_score=Decimal("3.03")))) == []
    assert errors(check_result(vpr(math, mean_score=Decimal("3.0")))) == []  # rounded
    problem = errors(check_result(vpr(math, mean_score=Decimal("3.50"))))[0]
    assert (problem.field, problem.message) == (
        "mean_score",
        "Средний балл 3,50 не сходится с отметками «2»–«5»: по ним 3,03.",
    )


def test_duplicate_rows_are_an_error(math):
    problems = check_results([vpr(math), vpr(math)])
    assert problems[0].row == 1
    assert "Такая строка уже есть (строка 1)" in problems[0].message


def test_comparison_sum_cannot_exceed_vpr_participants(math):
    comparison = {
        "subject": math,
        "grade": 5,
        "lowered": 20,
        "confirmed": 14,
        "raised": 2,
    }
    problems = check_results([vpr(math)], [comparison])
    assert problems[0].section == "comparisons"
    assert "36, это больше числа участников ВПР (35)" in problems[0].message


def test_comparison_without_vpr_row_is_an_error(math):
    problems = check_comparison(
        {"subject": math, "grade": 5, "lowered": 1, "confirmed": 1, "raised": 1}, None
    )
    assert "Нет строки ВПР" in problems[0].message


def test_a_mean_rounded_half_to_even_is_not_a_disagreement(math):
    # 1 «2», 0 «3», 2 «4», 5 «5» of 8: 35 / 8 = 4,375 — 4,37 or 4,38 are both rounding.
    counts = {"participants": 8, "mark2": 1, "mark3": 0, "mark4": 2, "mark5": 5}
    for mean in ("4.37", "4.38"):
        assert errors(check_result(vpr(math, **counts, mean_score=Decimal(mean)))) == []
    assert errors(check_result(vpr(math, **counts, mean_score=Decimal("4.36"))))
