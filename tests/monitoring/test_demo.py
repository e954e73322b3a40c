"""The monitoring demo: three years of figures that pass every rule, in every workflow state."""

from collections import Counter

from django.core.management import call_command

from monitoring import selectors
from monitoring.models import AssessmentResult, Campaign, Report
from monitoring.validation import check_report, check_results, errors
from schools.models import School


def all_problems(reports):
    problems = []
    for report in reports:
        if report.kind == "results":
            rows, comparisons = selectors.result_rows(report)
            problems += errors(check_results(rows, comparisons))
        elif (values := selectors.report_values(report)) is not None:
            problems += errors(check_report(report.kind, values))
    return problems


def test_demo_figures_pass_validation_and_cover_three_years(db):
    call_command("load_demo")
    reports = Report.objects.select_related("school", "year")
    assert all_problems(reports) == []
    years = Counter(
        reports.filter(version__gt=0).values_list("year__start_year", flat=True)
    )
    assert {2018, 2019, 2020} <= set(years)
    assert years[2018] == years[2019] == 45


def test_demo_has_reports_in_every_state_and_an_overdue_campaign(db):
    call_command("load_demo")
    statuses = set(
        Report.objects.filter(year__start_year=2020).values_list("status", flat=True)
    )
    assert statuses == {"draft", "submitted", "accepted", "returned"}
    overdue = Campaign.objects.get(year__start_year=2020)
    assert overdue.is_open
    assert overdue.reports.filter(status="draft").exists()
    current = Campaign.objects.get(year__start_year=2021)
    assert current.kinds == ["staffing", "social"]


def test_demo_weak_school_fails_30_percent_rule(db):
    call_command("load_demo")
    weak = School.objects.get(code="sch242706")
    low = [
        r
        for r in AssessmentResult.objects.filter(
            report__school=weak, report__year__start_year=2020
        )
        if r.participants and 100 * r.fail_count >= 30 * r.participants
    ]
    strong = [
        r
        for r in AssessmentResult.objects.filter(report__school__code="sch242711")
        if r.participants and 100 * r.fail_count >= 30 * r.participants
    ]
    assert len(low) >= 2
    assert strong == []


def test_demo_reload_changes_nothing(db):
    call_command("load_demo")
    before = (
        Report.objects.count(),
        AssessmentResult.objects.count(),
        Campaign.objects.count(),
    )
    call_command("load_demo")
    assert (
        Report.objects.count(),
        AssessmentResult.objects.count(),
        Campaign.objects.count(),
    ) == before


def test_generate_demo_fills_every_report_of_every_data_year(db):
    call_command("generate_demo", schools=60, years=2, seed=4)
    reports = Report.objects.filter(school__municipality__region__code="99")
    assert reports.count() == 60 * 2 * 5
    assert set(reports.values_list("status", flat=True)) == {"accepted"}
    assert all_problems(reports.select_related("school", "year")) == []
    call_command("generate_demo", schools=30, years=2, seed=4)
    assert (
        Report.objects.filter(school__municipality__region__code="99").count()
        == 30 * 2 * 5
    )
