import datetime as dt

import pytest

from monitoring import services
from monitoring.models import ReportKind
from tests.factories import STAFFING, AcademicYearFactory


@pytest.fixture
def year(db):
    return AcademicYearFactory(start_year=2020)


@pytest.fixture
def campaign(analyst, municipality, school, neighbour_school, year):
    return services.campaign_create(
        data={
            "municipality": municipality,
            "year": year,
            "title": "Мониторинг за 2020/2021",
            "kinds": [ReportKind.RESULTS, ReportKind.STAFFING, ReportKind.SOCIAL],
            "deadline": dt.date(2021, 10, 15),
            "order_number": "107",
            "order_date": dt.date(2021, 9, 23),
        },
        by=analyst,
    )


@pytest.fixture
def staffing(campaign, school):
    return campaign.reports.get(school=school, kind=ReportKind.STAFFING)


@pytest.fixture
def filled_staffing(staffing, operator):
    return services.report_save_figures(
        report=staffing, values=STAFFING, expected_version=0, by=operator
    )
