"""An imported mean mark must agree with the file's own «2»–«5» counts."""

from monitoring.models import AssessmentResult

from .conftest import headers, workbook_bytes
from .test_package import messages, plan_for, result_row


def test_a_mean_that_disagrees_with_the_counts_is_refused_with_both_values(
    analyst, school, year
):
    # 12 «2», 13 «3», 7 «4», 3 «5» of 35 give 3,03; the file says 3,50.
    row = result_row(school, **{"Средний балл": "3,50"})
    errors = messages(
        plan_for(workbook_bytes({"Результаты": [headers("Результаты"), row]}), analyst)
    )
    assert len(errors) == 1
    assert 'Лист "Результаты", строка 2, столбец "Средний балл"' in errors[0]
    assert (
        "Средний балл 3,50 не сходится с отметками «2»–«5»: по ним 3,03." in errors[0]
    )
    assert not AssessmentResult.objects.exists()


def test_a_mean_rounded_to_one_place_is_accepted(analyst, school, year):
    row = result_row(school, **{"Средний балл": "3,0"})
    plan = plan_for(
        workbook_bytes({"Результаты": [headers("Результаты"), row]}), analyst
    )
    assert messages(plan) == []
