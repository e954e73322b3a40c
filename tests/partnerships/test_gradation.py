"""Gradation of schools by result level: the cut rules, the page, its settings and export."""

import io

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from identification.models import CriterionResult
from partnerships import gradation
from partnerships.models import GradationScale
from tests.partnerships.conftest import SCHOOLS

HIGH, MIDDLE, LOW, NO_DATA = (
    gradation.HIGH,
    gradation.MIDDLE,
    gradation.LOW,
    gradation.NO_DATA,
)


def test_by_share_the_lowest_and_highest_quarters_with_ties_kept_together():
    values = {
        "a": -2.0,
        "b": -1.0,
        "c": -1.0,
        "d": 0.0,
        "e": 0.5,
        "f": 1.0,
        "g": 2.0,
        "h": None,
    }
    bands = gradation.grade(values, method="share", low=25, high=25)
    # 7 schools with a value: ceil(0.25·7) = 2 at each end; «b» and «c» tie at the low cut.
    assert bands == {
        "a": LOW,
        "b": LOW,
        "c": LOW,
        "d": MIDDLE,
        "e": MIDDLE,
        "f": HIGH,
        "g": HIGH,
        "h": NO_DATA,
    }


def test_by_value_the_index_is_compared_with_the_cut_points():
    bands = gradation.grade(
        {"a": -0.6, "b": -0.5, "c": 0.49, "d": 0.5}, method="value", low=-0.5, high=0.5
    )
    assert bands == {"a": LOW, "b": MIDDLE, "c": MIDDLE, "d": HIGH}


def test_no_values_means_no_data_for_everyone():
    assert gradation.grade({"a": None}, method="share", low=25, high=25) == {
        "a": NO_DATA
    }


@given(
    st.lists(
        st.floats(min_value=-5, max_value=5, allow_nan=False),
        min_size=1,
        max_size=60,
        unique=True,
    )
)
def test_with_distinct_values_each_end_holds_a_quarter_rounded_up(values):
    bands = gradation.grade(dict(enumerate(values)), method="share", low=25, high=25)
    n = len({round(v, 6) for v in values})
    if n == len(values):  # distinct after the engine's rounding
        k = -(-n // 4)
        assert sum(b == LOW for b in bands.values()) == k
        if 2 * k <= n:  # otherwise the two ends overlap and «low» wins
            assert sum(b == HIGH for b in bands.values()) == k


def test_page_shows_the_bands_of_the_official_lists_run(client, lesosibirsk, analyst):
    client.force_login(analyst)
    response = client.get(reverse("partnerships:gradation"))
    rows = response.context["rows"]
    run = response.context["run"]
    assert run.official_lists.exists()
    assert len(rows) == len(SCHOOLS) == 9
    values = dict(
        CriterionResult.objects.filter(run=run, criterion="L1").values_list(
            "school__short_name", "value"
        )
    )
    highest = max(values, key=lambda name: values[name])
    assert highest == "МБОУ «Лицей»"
    assert rows[0]["school"] == highest
    assert rows[0]["band"] == HIGH
    # ceil(0.25 · 9) = 3 at each end.
    assert {r["school"] for r in rows if r["band"] == LOW} == {
        "МБОУ «СОШ № 6»",
        "МБОУ «СОШ № 8»",
        "МБОУ «ООШ № 5»",
    }
    assert {r["school"] for r in rows if r["band"] == HIGH} == {
        "МБОУ «Лицей»",
        "МБОУ «Гимназия»",
        "МБОУ «СОШ № 2»",
    }


def test_analyst_changes_the_cut_points_and_bad_values_are_refused(
    client, lesosibirsk, analyst
):
    client.force_login(analyst)
    url = reverse("partnerships:gradation")
    response = client.post(
        url,
        {
            "municipality": analyst.municipality_id,
            "method": "share",
            "low": "60",
            "high": "50",
        },
    )
    assert "не могут занять больше 100 %" in response.content.decode()
    assert not GradationScale.objects.exists()
    client.post(
        url,
        {
            "municipality": analyst.municipality_id,
            "method": "value",
            "low": "-0,5",
            "high": "0,5",
        },
    )
    scale = GradationScale.objects.get()
    assert (scale.method, scale.low, scale.high, scale.updated_by) == (
        "value",
        -0.5,
        0.5,
        analyst,
    )
    assert scale.history.count() == 1
    rows = client.get(url).context["rows"]
    assert len(rows) == 9
    assert all((r["band"] == LOW) == (r["value"] < -0.5) for r in rows)
    # СОШ № 4 (−0,651) joins the low band; only the gymnasium and the lyceum stay high.
    assert sum(r["band"] == LOW for r in rows) == 4
    assert {r["school"] for r in rows if r["band"] == HIGH} == {
        "МБОУ «Лицей»",
        "МБОУ «Гимназия»",
    }


def test_department_sees_but_does_not_change_and_operators_do_not_see(
    client, lesosibirsk, approver, operator
):
    client.force_login(approver)
    response = client.get(reverse("partnerships:gradation"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 9
    assert (
        client.post(
            reverse("partnerships:gradation"),
            {
                "municipality": approver.municipality_id,
                "method": "share",
                "low": "10",
                "high": "10",
            },
        ).status_code
        == 403
    )
    assert not GradationScale.objects.exists()
    client.force_login(operator)
    assert client.get(reverse("partnerships:gradation")).status_code == 403


def test_export_has_every_school_with_its_band(client, lesosibirsk, analyst):
    client.force_login(analyst)
    response = client.get(reverse("partnerships:gradation"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == [
        "Школа",
        "Тип ОО",
        "Индекс результатов",
        "Уровень",
    ]
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1]]
    assert len(rows) == 9
    assert {r[3] for r in rows} == {
        "высокий уровень",
        "средний уровень",
        "низкий уровень",
    }
    bands = {r[0]: (r[1], r[3]) for r in rows}
    assert bands["МБОУ «Лицей»"] == ("Лицей", "высокий уровень")
    assert bands["МБОУ «СОШ № 9»"] == ("СОШ", "средний уровень")
    assert bands["МБОУ «ООШ № 5»"] == ("ООШ", "низкий уровень")
