"""
The registry card links the school's other pages: its profile, its reports, its
partnerships of the latest year and its programme — each only when it exists
and the viewer may open it. The school's reports are monitoring's report list
filtered by ?school=.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from monitoring.models import ReportKind
from partnerships.models import Partnership
from roadmaps.models import Roadmap
from tests.factories import AcademicYearFactory, SchoolFactory
from tests.factories.monitoring import ReportFactory
from tests.factories.partnerships import (
    PartnershipCampaignFactory,
    PartnershipFactory,
)
from tests.factories.roadmaps import RoadmapFactory


def related(client, school) -> list[tuple[str, str]]:
    """The card's related pages as (label, url)."""
    response = client.get(reverse("schools:school-detail", args=[school.pk]))
    assert response.status_code == 200
    return [(label, url) for label, url, _ in response.context["related"]]


def profile(school) -> tuple[str, str]:
    return (
        "Профиль школы: статусы, показатели, результаты",
        reverse("identification:profile", args=[school.pk]),
    )


def reports(school) -> tuple[str, str]:
    return ("Отчёты школы", f"{reverse('monitoring:index')}?school={school.pk}")


@pytest.fixture
def years(db):
    return {
        start: AcademicYearFactory(start_year=start, is_current=start == 2021)
        for start in (2020, 2021)
    }


@pytest.fixture
def linked(school, neighbour_school, municipality, analyst, years):
    """
    СОШ № 1 has a report, a partnership this year with СОШ № 2 (and a finished
    one last year, and a declined proposal this year), and programmes of both years.
    """
    ReportFactory(school=school, year=years[2021], kind=ReportKind.STAFFING)
    ReportFactory(school=neighbour_school, year=years[2021])
    this_year = PartnershipCampaignFactory(
        municipality=municipality, year=years[2021], created_by=analyst
    )
    last_year = PartnershipCampaignFactory(
        municipality=municipality, year=years[2020], created_by=analyst
    )
    PartnershipFactory(
        campaign=last_year,
        school=school,
        partner=neighbour_school,
        created_by=analyst,
        approved=True,
        approved_by=analyst,
    )
    PartnershipFactory(
        campaign=this_year,
        school=school,
        partner=SchoolFactory(municipality=municipality, short_name="МБОУ «Лицей»"),
        status=Partnership.Status.DECLINED,
        created_by=analyst,
    )
    current = PartnershipFactory(
        campaign=this_year, school=school, partner=neighbour_school, created_by=analyst
    )
    RoadmapFactory(
        level=Roadmap.Level.SCHOOL,
        municipality=municipality,
        school=school,
        year=years[2020],
        created_by=analyst,
    )
    programme = RoadmapFactory(
        level=Roadmap.Level.SCHOOL,
        municipality=municipality,
        school=school,
        year=years[2021],
        created_by=analyst,
    )
    RoadmapFactory(municipality=municipality, year=years[2021], created_by=analyst)
    return {"partnership": current, "programme": programme}


def test_an_analyst_gets_the_four_pages_of_the_school(client, analyst, school, linked):
    client.force_login(analyst)
    links = related(client, school)
    assert links == [
        profile(school),
        reports(school),
        (
            "Партнёрство 2021/2022: школа-партнёр МБОУ «СОШ № 2»",
            reverse("partnerships:detail", args=[linked["partnership"].pk]),
        ),
        (
            "Программа школы: Программа повышения качества образования МБОУ «СОШ № 1» на 2021-2022 учебный год (2021/2022)",
            reverse("roadmaps:detail", args=[linked["programme"].pk]),
        ),
    ]
    for _, url in links:
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("schools:school-detail", args=[school.pk]))
    assert "Связанные страницы" in page.content.decode()


def test_the_partners_card_links_the_partnership_it_supports(
    client, analyst, neighbour_school, linked
):
    client.force_login(analyst)
    assert (
        "Партнёрство 2021/2022: школа поддерживает МБОУ «СОШ № 1»",
        reverse("partnerships:detail", args=[linked["partnership"].pk]),
    ) in related(client, neighbour_school)


def test_the_schools_operator_gets_the_pages_of_its_own_school(
    client, operator, school, linked
):
    client.force_login(operator)
    links = related(client, school)
    assert [label for label, _ in links][:2] == [profile(school)[0], "Отчёты школы"]
    assert len(links) == 4
    for _, url in links:
        assert client.get(url).status_code == 200, url


def test_a_school_without_reports_partnerships_or_programme_links_its_profile_only(
    client, analyst, school
):
    client.force_login(analyst)
    assert related(client, school) == [profile(school)]


def test_a_partnership_the_viewer_may_not_see_is_not_linked(
    client, school, analyst, region_analyst, operator, other_municipality, years
):
    """
    СОШ № 1 supports a school of the neighbouring district in that district's
    round: its analyst sees it, the town's analyst (whose scope holds the card
    but not the round) does not get the link; the school's operator does.
    """
    outside = PartnershipCampaignFactory(
        municipality=other_municipality, year=years[2021], allow_outside=True
    )
    partnership = PartnershipFactory(
        campaign=outside,
        school=SchoolFactory(municipality=other_municipality),
        partner=school,
        created_by=region_analyst,
    )
    url = reverse("partnerships:detail", args=[partnership.pk])
    client.force_login(analyst)
    assert url not in [u for _, u in related(client, school)]
    assert client.get(url).status_code == 404
    for viewer in (region_analyst, operator):
        client.force_login(viewer)
        assert url in [u for _, u in related(client, school)]
        assert client.get(url).status_code == 200


def test_a_programme_the_viewer_may_not_see_is_not_linked(
    client, school, analyst, region_analyst, other_municipality, years
):
    """
    A programme made while the school belonged to the neighbouring district
    stays that district's roadmap: the town's analyst, who sees the school's
    card, does not get its link; the region's analyst does.
    """
    programme = RoadmapFactory(
        level=Roadmap.Level.SCHOOL,
        municipality=other_municipality,
        school=school,
        year=years[2021],
        created_by=region_analyst,
    )
    url = reverse("roadmaps:detail", args=[programme.pk])
    client.force_login(analyst)
    assert url not in [u for _, u in related(client, school)]
    assert client.get(url).status_code == 404
    client.force_login(region_analyst)
    assert url in [u for _, u in related(client, school)]
    assert client.get(url).status_code == 200


# The school's reports: monitoring's list filtered by ?school= -------------------------


def test_the_school_reports_list_shows_that_schools_reports_only(
    client, analyst, school, neighbour_school, linked
):
    client.force_login(analyst)
    response = client.get(reverse("monitoring:index"), {"school": school.pk})
    assert response.status_code == 200
    assert {r.school for r in response.context["page"].object_list} == {school}
    # Without the filter the analyst still gets the campaigns.
    assert "page" in client.get(reverse("monitoring:index")).context
    assert (
        client.get(reverse("monitoring:index")).templates[0].name
        == "monitoring/campaign_list.html"
    )


@pytest.mark.parametrize("value", ["other", "1 OR 1=1", ""])
def test_the_school_reports_list_refuses_a_school_outside_the_scope(
    client, operator, neighbour_school, foreign_analyst, school, value
):
    client.force_login(operator)
    asked = {"other": neighbour_school.pk}.get(value, value)
    response = client.get(reverse("monitoring:index"), {"school": asked})
    assert response.status_code == 404
    client.force_login(foreign_analyst)
    assert (
        client.get(reverse("monitoring:index"), {"school": school.pk}).status_code
        == 404
    )
