"""The analyst's dashboard, its charts, the school profile and the analytical report."""

import io

import pytest
from django.core.management import call_command
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from identification import services
from identification.models import (
    CriterionResult,
    IdentificationRun,
    SchoolResult,
)
from monitoring.models import AssessmentResult, OutcomesData
from schools.models import AcademicYear, Municipality, School, User
from tests.factories import AnalystFactory
from tests.factories.identification import RunFactory


def make_run(year: int, municipalities, by=None) -> IdentificationRun:
    return RunFactory(
        target_year=AcademicYear.objects.get(start_year=year),
        municipalities=municipalities,
        created_by=by,
    )


@pytest.fixture
def last_year_run(town, analyst):
    """The combined run for 2020/2021: ООШ № 5 was «ШНОР и ШНСУ» then (R1 on 2018–2019)."""
    return make_run(2020, [analyst.municipality], by=analyst)


def statuses(run):
    return dict(
        SchoolResult.objects.filter(run=run).values_list("school__short_name", "status")
    )


# Dashboard ------------------------------------------------------------------------------------


def test_dashboard_opens_the_latest_run_of_the_current_year_with_counts_against_last_year(
    client, analyst, last_year_run, town_run
):
    client.force_login(analyst)
    response = client.get(reverse("identification:dashboard"))
    assert response.context["run"] == town_run
    rows = {row["status"]: row for row in response.context["summary"].rows()}
    now = SchoolResult.objects.filter(run=town_run, status="ШНСУ").count()
    before = SchoolResult.objects.filter(run=last_year_run, status="ШНСУ").count()
    assert rows["ШНСУ"]["count"] == now
    assert rows["ШНСУ"]["before"] == before
    assert rows["ШНСУ"]["change"] == now - before
    assert (now, before) == (1, 0)  # ООШ № 5: «ШНОР и ШНСУ» a year ago, «ШНСУ» now
    assert sum(r["count"] for r in rows.values()) == 6
    assert "2020/2021:" in response.content.decode()


def test_dashboard_filters_by_status_criterion_type_and_search(
    client, analyst, town_run
):
    client.force_login(analyst)
    url = reverse("identification:run-dashboard", args=[town_run.pk])
    expected = {name for name, status in statuses(town_run).items() if status == "ШНСУ"}
    assert expected == {"МБОУ «ООШ № 5»"}
    shown = {
        r.school.short_name
        for r in client.get(url, {"status": "ШНСУ"}).context["page"].object_list
    }
    assert shown == expected
    listed = {
        r.school.short_name
        for r in client.get(url, {"status": "listed"}).context["page"].object_list
    }
    assert listed == {
        n for n, s in statuses(town_run).items() if s in ("ШНОР", "ШНСУ", "ШНОР и ШНСУ")
    }
    assert listed == {"МБОУ «СОШ № 6»", "МБОУ «СОШ № 8»", "МБОУ «ООШ № 5»"}
    flagged_r1 = set(
        CriterionResult.objects.filter(
            run=town_run, criterion="R1", state="flagged"
        ).values_list("school__short_name", flat=True)
    )
    assert flagged_r1 == {"МБОУ «СОШ № 6»"}
    assert {
        r.school.short_name
        for r in client.get(url, {"criterion": "R1"}).context["page"].object_list
    } == flagged_r1
    assert [
        r.school.short_name
        for r in client.get(url, {"school_type": "ООШ"}).context["page"].object_list
    ] == ["МБОУ «ООШ № 5»"]
    assert [
        r.school.short_name
        for r in client.get(url, {"q": "242709"}).context["page"].object_list
    ] == ["МБОУ «СОШ № 9»"]


def test_dashboard_sorts_by_a_criterion_value_with_blanks_last(
    client, analyst, town_run
):
    client.force_login(analyst)
    url = reverse("identification:run-dashboard", args=[town_run.pk])
    values = dict(
        CriterionResult.objects.filter(run=town_run, criterion="L2").values_list(
            "school__short_name", "value"
        )
    )
    order = [
        r.school.short_name
        for r in client.get(url, {"sort": "L2"}).context["page"].object_list
    ]
    known = sorted((v, n) for n, v in values.items() if v is not None)
    assert order[: len(known)] == [n for _, n in known]
    assert all(values[n] is None for n in order[len(known) :])
    descending = [
        r.school.short_name
        for r in client.get(url, {"sort": "-L2"}).context["page"].object_list
    ]
    assert descending[0] == known[-1][1]


def test_dashboard_export_keeps_the_filters(client, analyst, town_run):
    client.force_login(analyst)
    response = client.get(
        reverse("identification:run-dashboard", args=[town_run.pk]),
        {"status": "listed", "format": "xlsx"},
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:7] == [
        "Школа",
        "Код ОО",
        "Муниципалитет",
        "Тип ОО",
        "Сельская",
        "Статус",
        "Статус (расчёт)",
    ]
    assert "R1: значение" in header
    names = {
        row[0]
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[0] and row[5]
    }
    assert names == {
        n for n, s in statuses(town_run).items() if s in ("ШНОР", "ШНСУ", "ШНОР и ШНСУ")
    }
    assert any(
        "Фильтр «Статус»: ШНОР или ШНСУ" in str(row[0])
        for row in sheet.iter_rows(values_only=True)
    )


def test_operators_do_not_open_the_dashboard_and_foreign_analysts_do_not_see_the_run(
    client, town_run, operator, foreign_analyst
):
    client.force_login(operator)
    assert client.get(reverse("identification:dashboard")).status_code == 403
    client.force_login(foreign_analyst)
    assert (
        client.get(
            reverse("identification:run-dashboard", args=[town_run.pk])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("identification:chart", args=[town_run.pk, "index"])
        ).status_code
        == 404
    )


# Charts: the numbers ---------------------------------------------------------------------------


def chart(client, run, name, **params):
    return client.get(
        reverse("identification:chart", args=[run.pk, name]),
        {**params, "format": "json"},
    ).json()


def test_fail_share_chart_counts_schools_per_band_and_lists_those_at_30_percent(
    client, analyst, town_run
):
    client.force_login(analyst)
    data = chart(client, town_run, "fail-shares", procedure="ВПР|математика|5|")
    year = int(town_run.years_used["R1"][0][:4])
    rows = AssessmentResult.objects.filter(
        report__year__start_year=year,
        procedure="ВПР",
        subject__name="математика",
        grade=5,
        participants__gt=0,
    )
    shares = {
        r.report.school.short_name: 100 * r.mark2 / r.participants
        for r in rows.select_related("report__school")
    }
    assert data["schools"] == len(shares)
    assert sum(b["count"] for b in data["bins"]) == len(shares)
    assert data["bins"][3]["count"] == sum(30 <= s < 40 for s in shares.values())
    assert {s["school"] for s in data["low"]} == {
        n for n, s in shares.items() if s >= 30
    }
    assert {s["school"] for s in data["low"]} == {"МБОУ «СОШ № 6»"}  # 14 of 40
    assert data["line"] == 30


def test_index_chart_ranks_lowest_first_with_the_cut_and_the_flagged(
    client, analyst, town_run
):
    client.force_login(analyst)
    data = chart(client, town_run, "index", criterion="N1")
    values = [s["value"] for s in data["schools"]]
    assert values == sorted(values)
    rows = CriterionResult.objects.filter(run=town_run, criterion="N1")
    assert data["flagged"] == rows.filter(state="flagged").count() == 2
    assert data["cut"] == rows.exclude(threshold=None).first().threshold
    assert all(
        s["value"] <= data["cut"] + 1e-9 for s in data["schools"] if s["flagged"]
    )


def test_scatter_quadrants_agree_with_the_resilience_criterion(
    client, analyst, town_run
):
    client.force_login(analyst)
    data = chart(client, town_run, "scatter")
    assert sum(q["count"] for q in data["quadrants"]) == len(data["points"])
    resilient = {p["school"] for p in data["points"] if p["quadrant"] == "resilient"}
    r8 = set(
        CriterionResult.objects.filter(
            run=town_run, criterion="R8", state="flagged"
        ).values_list("school__short_name", flat=True)
    )
    assert resilient == r8
    # The hard context of ООШ № 5 (N1) with results above the median: resilient.
    assert resilient == {"МБОУ «ООШ № 5»"}
    for point in data["points"]:
        assert (point["y"] >= data["y_median"]) == (
            point["quadrant"] in ("strong", "resilient")
        )


def test_dynamics_counts_each_years_latest_run_and_pools_the_indicators(
    client, analyst, last_year_run, town_run
):
    client.force_login(analyst)
    data = chart(client, town_run, "dynamics")
    by_year = {row["year"]: row for row in data["statuses"]}
    assert by_year["2020/2021"]["run"] == last_year_run.pk
    assert (
        by_year["2021/2022"]["shnsu"]
        == SchoolResult.objects.filter(
            run=town_run, status__in=["ШНСУ", "ШНОР и ШНСУ"]
        ).count()
    )
    continuation = next(
        i for i in data["indicators"] if i["label"] == "Продолжили обучение в 10 классе"
    )
    rows = OutcomesData.objects.filter(report__year__start_year=2020)
    expected = (
        100
        * sum(r.continued_grade10 for r in rows)
        / sum(r.grade9_graduates for r in rows)
    )
    assert continuation["values"][-1] == round(expected, 1)


# School profile -------------------------------------------------------------------------------


def test_profile_shows_statuses_by_year_criteria_and_indicators_beside_the_municipality(
    client, analyst, town, last_year_run, town_run
):
    client.force_login(analyst)
    school = town["МБОУ «СОШ № 6»"]
    response = client.get(reverse("identification:profile", args=[school.pk]))
    body = response.content.decode()
    assert [row["year"].start_year for row in response.context["history"]] == [
        2021,
        2020,
    ]
    assert response.context["run"] == town_run
    assert "«2» получили" in body
    assert "Продолжили обучение в 10 классе" in body
    assert "Объективность" in body
    maths = next(
        item
        for item in response.context["assessment"]
        if item["label"] == "ВПР, математика, 5 класс"
    )
    rows = AssessmentResult.objects.filter(
        report__year__start_year=2020,
        procedure="ВПР",
        subject__name="математика",
        grade=5,
        report__school__municipality=school.municipality,
    )
    pooled = 100 * sum(r.mark2 for r in rows) / sum(r.participants for r in rows)
    assert maths["rows"][-1]["municipal_share"] == pytest.approx(pooled)


def test_operator_sees_only_the_official_result_of_their_own_school(
    client, analyst, approver, town, town_run, operator, school
):
    client.force_login(operator)
    body = client.get(
        reverse("identification:profile", args=[school.pk])
    ).content.decode()
    assert "ещё не утверждён" in body  # a computed run alone is not shown to the school
    services.list_approve(
        run=town_run,
        municipality=analyst.municipality,
        order_number="128",
        order_date="2021-10-01",
        by=approver,
    )
    response = client.get(reverse("identification:profile", args=[school.pk]))
    assert response.context["run"] == town_run
    assert "приказ № 128" in response.content.decode()
    other = town["МБОУ «СОШ № 6»"]
    assert (
        client.get(reverse("identification:profile", args=[other.pk])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("identification:profile", args=[school.pk]), {"run": 999999}
        ).context["run"]
        == town_run
    )


def test_small_shares_show_their_base_and_can_be_hidden_from_other_schools(
    rf, school, neighbour_operator, operator, analyst
):
    from django.template import Context, Template

    template = Template(
        "{% load portal %}{% share 3 5 school %}|{% share 12 40 school %}"
    )

    def render(user):
        request = rf.get("/")
        request.user = user
        return template.render(Context({"request": request, "school": school}))

    assert (
        render(analyst)
        == '3 из 5 (60 %) <span class="badge text-bg-light border" title="Меньше 10 человек: доля неустойчива">малая выборка</span>|30 %'
    )
    assert render(neighbour_operator).startswith("3 из 5")
    school.municipality.hide_small_shares = True
    school.municipality.save()
    school.refresh_from_db()
    assert "скрыто" in render(neighbour_operator)
    assert render(neighbour_operator).endswith("|30 %")
    assert render(operator).startswith("3 из 5")
    assert render(analyst).startswith("3 из 5")


# Analytical report --------------------------------------------------------------------------


def test_report_lists_the_schools_with_reasons_parameters_indicators_and_the_recommendation(
    client, analyst, town_run
):
    client.force_login(analyst)
    response = client.get(reverse("identification:run-report", args=[town_run.pk]))
    body = response.content.decode()
    listed = [n for n, s in statuses(town_run).items() if s != "нет"]
    assert [r.school.short_name for r in response.context["results"]] == sorted(listed)
    assert "R1 (правило 30 %)" in body or "L1 (25 % школ" in body
    assert "выбрать школу — партнёра из школ с высокими позициями" in body
    assert "Продолжили обучение в 10 классе" in body
    assert "Правило 30 %" in body
    book = load_workbook(
        io.BytesIO(
            client.get(
                reverse("identification:run-report", args=[town_run.pk]),
                {"format": "xlsx"},
            ).content
        )
    )
    assert book.sheetnames == ["Список", "Показатели", "Методика"]
    assert sorted(
        row[0] for row in book["Список"].iter_rows(min_row=2, values_only=True)
    ) == sorted(listed)


# A fixed number of queries ---------------------------------------------------------------------


def _region(schools: int) -> tuple[User, IdentificationRun, School]:
    call_command(
        "generate_demo", schools=schools, years=3, seed=1, stdout=io.StringIO()
    )
    services.ensure_presets()
    region = Municipality.objects.filter(region__code="99").first().region
    analyst = AnalystFactory(municipality=None, region=region)
    current = AcademicYear.objects.get(is_current=True).start_year
    run = make_run(current, Municipality.objects.filter(region=region))
    school = School.objects.filter(municipality__region=region).order_by("pk").first()
    return analyst, run, school


def _count(client, url, **params) -> int:
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize(
    "name", ["dashboard", "profile", "chart-index", "chart-dynamics", "report"]
)
def test_pages_make_the_same_number_of_queries_for_10_and_100_schools(db, client, name):
    counts = []
    for n in (10, 100):
        analyst, run, school = _region(n)
        client.force_login(analyst)
        url = {
            "dashboard": reverse("identification:run-dashboard", args=[run.pk]),
            "profile": reverse("identification:profile", args=[school.pk]),
            "chart-index": reverse("identification:chart", args=[run.pk, "index"]),
            "chart-dynamics": reverse(
                "identification:chart", args=[run.pk, "dynamics"]
            ),
            "report": reverse("identification:run-report", args=[run.pk]),
        }[name]
        counts.append(_count(client, url))
        client.logout()
        analyst.delete()  # the next region replaces this one
    assert counts[0] == counts[1]


def test_operator_cannot_read_another_schools_profile_by_url(
    client, school, foreign_school, operator
):
    client.force_login(operator)
    assert (
        client.get(
            reverse("identification:profile", args=[foreign_school.pk])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("identification:profile", args=[school.pk])).status_code
        == 200
    )


def test_region_analyst_filters_by_municipality_and_charts_follow_it(db, client):
    analyst, run, _ = _region(100)
    client.force_login(analyst)
    url = reverse("identification:run-dashboard", args=[run.pk])
    response = client.get(url)
    assert response.context["filter"].show_municipality
    municipality = (
        Municipality.objects.filter(region=analyst.region).order_by("-pk").first()
    )
    narrowed = client.get(url, {"municipality": municipality.pk}).context["page"]
    assert narrowed.paginator.count == municipality.schools.count()
    assert {r.school.municipality_id for r in narrowed.object_list} == {municipality.pk}
    data = client.get(
        reverse("identification:chart", args=[run.pk, "index"]),
        {"municipality": municipality.pk, "format": "json"},
    ).json()
    assert data["municipality"] == municipality.name
    assert len(data["schools"]) <= municipality.schools.count()


def test_an_analysts_decision_counts_wherever_statuses_are_summed(
    client_for, analyst, town, town_run
):
    from identification import dashboard
    from identification.models import SchoolResult

    school = town["МБОУ «СОШ № 1»"]
    computed = SchoolResult.objects.get(run=town_run, school=school).status
    assert computed == "нет"
    before = dashboard.summary(town_run, analyst).counts
    services.override_set(
        school=school,
        year=town_run.target_year,
        status="ШНОР",
        reason="Решение методического совета",
        by=analyst,
    )
    after = dashboard.summary(town_run, analyst).counts
    assert after["ШНОР"] == before.get("ШНОР", 0) + 1
    assert after.get("нет", 0) == before["нет"] - 1
    client = client_for(analyst)
    url = reverse("identification:run-dashboard", args=[town_run.pk])
    listed = client.get(url, {"status": "ШНОР"}).context["page"].object_list
    assert school.pk in {r.school_id for r in listed}
    book = client.get(url, {"format": "xlsx"})
    rows = [
        [cell.value for cell in row]
        for row in load_workbook(io.BytesIO(book.content)).active.iter_rows()
    ]
    header = next(r for r in rows if r and r[0] == "Школа")
    row = next(r for r in rows if r and r[0] == school.short_name)
    assert row[header.index("Статус")] == "ШНОР по решению (рассчитано: нет)"
    assert row[header.index("Статус (расчёт)")] == "нет"
