"""The home page's open campaigns: counted in the database for staff, listed for operators."""

import datetime as dt

from monitoring import selectors, services
from monitoring.models import Report, ReportKind
from tests.factories import AcademicYearFactory

TODAY = dt.date(2021, 10, 10)


def _set(campaign, school, kind, status):
    """Put the campaign's report of a kind (of one school, or of all) in a state."""
    reports = Report.objects.filter(campaign=campaign, kind=kind)
    if school is not None:
        reports = reports.filter(school=school)
    reports.update(status=status)


def test_home_campaigns_counts_reports_by_state(
    campaign, analyst, school, neighbour_school, django_assert_num_queries
):
    """Draft and returned are pending; the reports themselves are not loaded."""
    _set(campaign, school, ReportKind.STAFFING, Report.Status.SUBMITTED)
    _set(campaign, school, ReportKind.SOCIAL, Report.Status.ACCEPTED)
    _set(campaign, neighbour_school, ReportKind.SOCIAL, Report.Status.RETURNED)
    with django_assert_num_queries(2):  # the campaigns, the grouped counts
        campaigns = selectors.home_campaigns(user=analyst, today=TODAY)
    [item] = campaigns.shown
    assert item["campaign"] == campaign
    assert (item["pending"], item["submitted"], item["accepted"]) == (4, 1, 1)
    assert item["reports"] == []
    assert item["days_left"] == 5
    assert campaigns.hidden == 0
    assert campaigns.totals == {"pending": 4, "submitted": 1, "accepted": 1}


def test_home_campaigns_lists_an_operators_reports(campaign, operator, school):
    """Only the operator's school: its reports in the order of the kinds, and their counts."""
    _set(campaign, school, ReportKind.STAFFING, Report.Status.SUBMITTED)
    [item] = selectors.home_campaigns(
        user=operator, with_reports=True, today=dt.date(2021, 10, 20)
    ).shown
    assert [r.kind for r in item["reports"]] == [
        ReportKind.RESULTS,
        ReportKind.STAFFING,
        ReportKind.SOCIAL,
    ]
    assert {r.school for r in item["reports"]} == {school}
    assert [r.overdue for r in item["reports"]] == [True, False, True]
    assert (item["pending"], item["submitted"], item["accepted"]) == (2, 1, 0)


def test_home_campaigns_builds_only_the_nearest_and_counts_all(
    campaign, analyst, municipality, year, django_assert_num_queries
):
    """With a limit: the nearest deadlines shown, the rest only counted."""
    later = services.campaign_create(
        data={
            "municipality": municipality,
            "year": AcademicYearFactory(start_year=2021),
            "title": "Позже",
            "kinds": [ReportKind.STAFFING],
            "deadline": dt.date(2021, 12, 1),
            "order_number": "2",
            "order_date": dt.date(2021, 9, 1),
        },
        by=analyst,
    )
    _set(later, None, ReportKind.STAFFING, Report.Status.ACCEPTED)
    with django_assert_num_queries(3):  # the keys, the shown campaigns, the counts
        campaigns = selectors.home_campaigns(user=analyst, limit=1, today=TODAY)
    assert [item["campaign"] for item in campaigns.shown] == [campaign]
    assert campaigns.hidden == 1
    assert campaigns.totals == {"pending": 6, "submitted": 0, "accepted": 2}
