"""«Мои задачи» and the notifications, in the browser, for every demo role at 1366 and 390 px."""

import pytest
from playwright.sync_api import expect

from schools import inbox
from schools.models import Notice, User

pytestmark = pytest.mark.e2e

ROLES = ["sch242706", "mimc", "uo", "admin"]


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("username", ROLES)
def test_each_role_reads_its_tasks_and_notices_and_nothing_is_wider_than_the_window(
    demo, login, live_server, page, username, width, tmp_path
):
    page.set_viewport_size({"width": width, "height": 900})
    user = User.objects.get(username=username)
    tasks = inbox.count_for(user)
    unread = Notice.objects.filter(user=user, read_at=None).count()
    login(username)
    for path in ("/", "/tasks/", "/notices/"):
        page.goto(f"{live_server.url}{path}")
        page.screenshot(path=tmp_path / f"{username}-{width}{path.strip('/')}.png")
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{path} для {username}: {wide}px при окне {width}px"
    if width < 1200:
        page.get_by_role("button", name="Показать меню").click()
    counter = page.get_by_test_id("my-tasks-count")
    if tasks:
        expect(counter).to_contain_text(str(tasks))
    else:
        expect(counter).to_have_count(0)
    bell = page.get_by_test_id("notices-count")
    if unread:
        expect(bell).to_contain_text(str(unread))
    else:
        expect(bell).to_have_count(0)
    page.goto(f"{live_server.url}/tasks/")
    listed = page.get_by_test_id("task")
    if tasks:
        expect(listed.first).to_be_visible()
    else:
        expect(page.get_by_test_id("no-tasks")).to_be_visible()
    page.goto(f"{live_server.url}/notices/")
    expect(page.get_by_test_id("notice")).to_have_count(
        min(Notice.objects.filter(user=user).count(), 50)
    )
    if unread:
        page.get_by_test_id("read-all").click()
        expect(page.get_by_test_id("notices-count")).to_have_count(0)
        assert not Notice.objects.filter(user=user, read_at=None).exists()


@pytest.mark.parametrize("width", [1366, 390])
def test_a_school_profile_is_no_wider_than_the_window(
    demo, login, live_server, page, width
):
    from schools.models import School

    # The profile's small tables (procedures by year, objectivity) scroll inside
    # their card on a phone instead of widening the page.
    page.set_viewport_size({"width": width, "height": 900})
    login("mimc")
    school = School.objects.get(code="sch242701")
    page.goto(f"{live_server.url}/identification/schools/{school.pk}/")
    expect(page.get_by_test_id("profile-status")).to_be_visible()
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"профиль школы: {wide}px при окне {width}px"
