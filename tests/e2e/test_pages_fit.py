"""The pages each role works in fit the window at 1366 and 390 px: wide tables scroll inside their cards."""

import pytest

from identification.models import IdentificationRun, Methodology
from monitoring.models import Campaign
from partnerships.models import Campaign as Round
from partnerships.models import Partnership
from roadmaps.models import Roadmap
from schools.models import School, User

pytestmark = pytest.mark.e2e


def _pages(username):
    run = IdentificationRun.objects.filter(status="done").order_by("-pk").first()
    collection = Campaign.objects.filter(is_open=True).order_by("-pk").first()
    this_round = Round.objects.order_by("-year__start_year").first()
    roadmap = Roadmap.objects.filter(level=Roadmap.Level.MUNICIPAL).first()
    school = User.objects.get(username="sch242706").schools.first()
    if username == "sch242706":
        roadmap = Roadmap.objects.filter(school=school).first()
    common = [
        "/",
        roadmap.get_absolute_url(),
        f"{roadmap.get_absolute_url()}timeline/",
    ]
    staff = [
        "/identification/",
        run.get_absolute_url(),
        f"/identification/runs/{run.pk}/dashboard/",
        "/partnerships/",
        "/partnerships/gradation/",
        f"/partnerships/campaigns/{this_round.pk}/plan/",
        collection.get_absolute_url(),
        "/roadmaps/tracking/",
        School.objects.get(pk=school.pk).get_absolute_url(),
    ]
    analyst = [
        f"/partnerships/campaigns/{this_round.pk}/suggest/",
        f"/identification/methodologies/{Methodology.objects.get(code='combined').pk}/edit/",
        "/monitoring/imports/",
    ]
    operator = [
        "/monitoring/",
        "/partnerships/",
        Partnership.objects.filter(school=school).first().get_absolute_url(),
    ]
    pages = {
        "mimc": common + staff + analyst,
        "uo": common + staff,
        "sch242706": common + operator,
    }
    return [p for p in pages[username] if p]


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("username", ["mimc", "uo", "sch242706"])
def test_every_working_page_fits_the_window(
    demo, login, live_server, page, username, width, tmp_path
):
    page.set_viewport_size({"width": width, "height": 900})
    login(username)
    wider = []
    for path in _pages(username):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            page.screenshot(
                path=tmp_path / f"{username}-{width}-{len(wider)}.png", full_page=True
            )
            wider.append(f"{path}: {wide}px")
    assert wider == [], f"шире окна {width}px у {username}: {wider}"
