"""The home page's monitoring panel for a region: nearest deadlines, then totals."""

import datetime as dt

from django.urls import reverse

from monitoring import services
from monitoring.models import Report, ReportKind
from tests.factories import MunicipalityFactory, SchoolFactory


def test_region_analyst_sees_five_nearest_campaigns_and_totals(
    client_for, region, region_analyst, year
):
    """Seven open campaigns: the five nearest deadlines, «ещё 2» and the totals of all."""
    for n in range(7):
        municipality = MunicipalityFactory(region=region)
        SchoolFactory(municipality=municipality)
        services.campaign_create(
            data={
                "municipality": municipality,
                "year": year,
                "title": f"Кампания {n}",
                "kinds": [ReportKind.STAFFING, ReportKind.SOCIAL],
                "deadline": dt.date(2021, 10, 1) + dt.timedelta(days=n),
                "order_number": str(n),
                "order_date": dt.date(2021, 9, 1),
            },
            by=region_analyst,
        )
    Report.objects.filter(campaign__title="Кампания 6").update(
        status=Report.Status.ACCEPTED
    )
    body = client_for(region_analyst).get(reverse("home")).content.decode()
    assert [f"Кампания {n}" in body for n in range(7)] == [True] * 5 + [False] * 2
    assert "Ещё 2 кампании" in body
    assert (
        "Всего сдано на проверку: <strong>0</strong> · принято: <strong>2</strong> · не сдано: <strong>12</strong>"
        in body
    )
