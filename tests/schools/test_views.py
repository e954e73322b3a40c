"""Registry pages: happy paths, and every way a person may try to reach too far."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from schools.models import AcademicYear, School, User
from tests.conftest import log_in
from tests.factories import AcademicYearFactory, SchoolFactory

SCHOOL_DATA = {
    "full_name": "Муниципальное бюджетное общеобразовательное учреждение «СОШ № 3»",
    "short_name": "МБОУ «СОШ № 3»",
    "code": "sch240003",
    "school_type": "СОШ",
    "is_rural": "",
    "distance_km": "4,5",
    "inn": "2454000123",
}

ANONYMOUS_URLS = [
    ("home", []),
    ("schools:school-list", []),
    ("schools:school-create", []),
    ("schools:year-list", []),
    ("schools:user-list", []),
    ("schools:user-create", []),
]


@pytest.mark.parametrize(("name", "args"), ANONYMOUS_URLS)
def test_anonymous_visitor_is_sent_to_login(client, db, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("suffix", ["", "edit/"])
def test_anonymous_visitor_is_sent_to_login_from_school_pages(client, school, suffix):
    response = client.get(f"/schools/{school.pk}/{suffix}")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# Home -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "title"),
    [
        ("operator", "Кабинет школы"),
        ("analyst", "Рабочее место аналитика МИМЦ"),
        ("approver", "Управление образования"),
        ("administrator", "Администрирование портала"),
    ],
)
def test_home_shows_each_role_its_page(client_for, request, persona, title):
    response = client_for(request.getfixturevalue(persona)).get("/")
    assert response.status_code == 200
    assert title in response.content.decode()


def test_home_tells_analyst_which_schools_lack_an_operator(
    client_for, analyst, school, neighbour_school, operator
):
    body = client_for(analyst).get("/").content.decode()
    assert "нет оператора" in body
    assert "У 1 школы" in body


def test_home_tells_operator_without_school_to_ask_mimc(client_for, db):
    from tests.factories import OperatorFactory

    body = client_for(OperatorFactory()).get("/").content.decode()
    assert "Вам ещё не назначена школа" in body


def test_navigation_shows_people_only_to_managers(client_for, operator, analyst):
    assert "Пользователи" not in client_for(operator).get("/").content.decode()
    assert "Пользователи" in client_for(analyst).get("/").content.decode()


# School list and card --------------------------------------------------------------


def test_school_list_shows_only_visible_schools(
    client_for, operator, school, neighbour_school, foreign_school
):
    body = client_for(operator).get("/schools/").content.decode()
    assert school.short_name in body
    assert neighbour_school.short_name not in body
    assert foreign_school.short_name not in body


def test_school_list_of_analyst_excludes_other_municipality(
    client_for, analyst, school, foreign_school
):
    body = client_for(analyst).get("/schools/").content.decode()
    assert school.code in body
    assert foreign_school.code not in body


def test_school_list_searches_any_case_and_filters(
    client_for, analyst, school, neighbour_school
):
    SchoolFactory(
        municipality=school.municipality,
        short_name="МБОУ «Гимназия»",
        school_type="Гимназия",
        code="sch240777",
    )
    client = client_for(analyst)
    body = client.get("/schools/", {"q": "гимназия"}).content.decode()
    assert "МБОУ «Гимназия»" in body
    assert school.short_name not in body
    body = client.get("/schools/", {"q": school.code.upper()}).content.decode()
    assert school.short_name in body
    assert "МБОУ «Гимназия»" not in body
    body = client.get("/schools/", {"school_type": "Гимназия"}).content.decode()
    assert "Найдено: 1 школа" in body


def test_school_list_filters_by_state(client_for, analyst, school, neighbour_school):
    neighbour_school.is_active = False
    neighbour_school.save()
    body = client_for(analyst).get("/schools/", {"is_active": "false"}).content.decode()
    assert neighbour_school.short_name in body
    assert school.short_name not in body


def test_school_list_query_count_does_not_grow_with_schools(
    client_for, analyst, municipality, django_assert_max_num_queries
):
    client = client_for(analyst)
    SchoolFactory.create_batch(5, municipality=municipality)
    with django_assert_max_num_queries(8) as small:
        client.get("/schools/")
    SchoolFactory.create_batch(45, municipality=municipality)
    with django_assert_max_num_queries(8) as large:
        client.get("/schools/")
    assert len(small.captured_queries) == len(large.captured_queries)


def test_school_list_paginates(client_for, analyst, municipality):
    SchoolFactory.create_batch(55, municipality=municipality)
    body = client_for(analyst).get("/schools/").content.decode()
    assert "Страница 1 из 2" in body


def test_school_detail_for_operator_is_read_only(client_for, operator, school):
    body = client_for(operator).get(school.get_absolute_url()).content.decode()
    assert school.full_name in body
    assert "Изменить" not in body


def test_school_detail_of_another_school_is_404_for_operator(
    client_for, operator, neighbour_school
):
    assert (
        client_for(operator).get(neighbour_school.get_absolute_url()).status_code == 404
    )


def test_school_detail_of_another_municipality_is_404_for_analyst(
    client_for, analyst, foreign_school
):
    assert client_for(analyst).get(foreign_school.get_absolute_url()).status_code == 404


# Creating and editing schools ---------------------------------------------------------


def test_analyst_creates_school_in_their_municipality(
    client_for, analyst, municipality
):
    response = client_for(analyst).post(
        "/schools/new/", {**SCHOOL_DATA, "municipality": municipality.pk}
    )
    school = School.objects.get(code="sch240003")
    assert response.status_code == 302
    assert school.municipality == municipality
    assert str(school.distance_km) == "4.5"
    assert school.history.first().history_user == analyst


def test_school_form_normalises_edu_login(client_for, analyst, municipality):
    client_for(analyst).post(
        "/schools/new/",
        {**SCHOOL_DATA, "code": "EDU240003", "municipality": municipality.pk},
    )
    assert School.objects.filter(code="sch240003").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "school-3", "Код ОО — логин ФИС ОКО"),
        ("inn", "12345", "ИНН организации — ровно 10 цифр."),
        ("distance_km", "-2", "Удалённость не может быть отрицательной."),
        ("short_name", "", "Обязательное поле."),
    ],
)
def test_school_form_rejects_bad_input_in_russian(
    client_for, analyst, municipality, field, value, message
):
    response = client_for(analyst).post(
        "/schools/new/", {**SCHOOL_DATA, "municipality": municipality.pk, field: value}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not School.objects.filter(short_name="МБОУ «СОШ № 3»").exists()


def test_school_form_keeps_entered_values_after_error(
    client_for, analyst, municipality
):
    response = client_for(analyst).post(
        "/schools/new/", {**SCHOOL_DATA, "municipality": municipality.pk, "inn": "1"}
    )
    assert (
        "Муниципальное бюджетное общеобразовательное учреждение «СОШ № 3»"
        in response.content.decode()
    )


def test_school_form_rejects_duplicate_code(client_for, analyst, municipality, school):
    response = client_for(analyst).post(
        "/schools/new/",
        {**SCHOOL_DATA, "municipality": municipality.pk, "code": school.code},
    )
    assert "уже существует" in response.content.decode()


def test_analyst_cannot_create_school_in_other_municipality_by_tampering(
    client_for, analyst, other_municipality
):
    response = client_for(analyst).post(
        "/schools/new/", {**SCHOOL_DATA, "municipality": other_municipality.pk}
    )
    assert response.status_code == 200
    assert "Выберите корректный вариант" in response.content.decode()
    assert not School.objects.filter(code="sch240003").exists()


@pytest.mark.parametrize("persona", ["operator", "approver"])
def test_readers_cannot_create_schools(client_for, request, municipality, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/schools/new/").status_code == 403
    assert (
        client.post(
            "/schools/new/", {**SCHOOL_DATA, "municipality": municipality.pk}
        ).status_code
        == 403
    )
    assert not School.objects.filter(code="sch240003").exists()


def test_analyst_edits_school_and_history_records_old_and_new(
    client_for, analyst, school
):
    data = {
        **SCHOOL_DATA,
        "municipality": school.municipality.pk,
        "code": school.code,
        "short_name": "МБОУ «СОШ № 1 им. Пушкина»",
    }
    client = client_for(analyst)
    client.post(f"/schools/{school.pk}/edit/", data)
    school.refresh_from_db()
    assert school.short_name == "МБОУ «СОШ № 1 им. Пушкина»"
    body = client.get(school.get_absolute_url()).content.decode()
    assert "«МБОУ «СОШ № 1»» → «МБОУ «СОШ № 1 им. Пушкина»»" in body


def test_operator_cannot_edit_own_school_card(client_for, operator, school):
    client = client_for(operator)
    assert client.get(f"/schools/{school.pk}/edit/").status_code == 403
    response = client.post(
        f"/schools/{school.pk}/edit/",
        {**SCHOOL_DATA, "municipality": school.municipality.pk},
    )
    assert response.status_code == 403
    school.refresh_from_db()
    assert school.short_name == "МБОУ «СОШ № 1»"


def test_operator_tampering_with_another_school_gets_404(
    client_for, operator, neighbour_school
):
    client = client_for(operator)
    assert (
        client.post(f"/schools/{neighbour_school.pk}/edit/", SCHOOL_DATA).status_code
        == 404
    )
    assert (
        client.post(
            f"/schools/{neighbour_school.pk}/active/", {"active": "0"}
        ).status_code
        == 404
    )
    neighbour_school.refresh_from_db()
    assert neighbour_school.is_active


def test_analyst_cannot_edit_or_deactivate_other_municipality_school(
    client_for, analyst, foreign_school
):
    client = client_for(analyst)
    assert client.get(f"/schools/{foreign_school.pk}/edit/").status_code == 404
    assert (
        client.post(
            f"/schools/{foreign_school.pk}/active/", {"active": "0"}
        ).status_code
        == 404
    )
    foreign_school.refresh_from_db()
    assert foreign_school.is_active


def test_analyst_cannot_move_school_to_other_municipality(
    client_for, analyst, school, other_municipality
):
    data = {**SCHOOL_DATA, "code": school.code, "municipality": other_municipality.pk}
    client_for(analyst).post(f"/schools/{school.pk}/edit/", data)
    school.refresh_from_db()
    assert school.municipality != other_municipality


def test_deactivating_school_keeps_it_and_its_history(
    client_for, analyst, school, operator
):
    client = client_for(analyst)
    response = client.post(
        f"/schools/{school.pk}/active/", {"active": "0"}, follow=True
    )
    school.refresh_from_db()
    assert not school.is_active
    assert "Её данные и история сохранены" in response.content.decode()
    assert school.history.count() == 2
    assert school in operator.schools.all()
    client.post(f"/schools/{school.pk}/active/", {"active": "1"})
    school.refresh_from_db()
    assert school.is_active


def test_deactivate_needs_post(client_for, analyst, school):
    assert client_for(analyst).get(f"/schools/{school.pk}/active/").status_code == 405


# School years -----------------------------------------------------------------------


def test_year_list_is_readable_by_all_but_editable_by_admin(
    client_for, operator, administrator
):
    AcademicYearFactory(start_year=2020)
    body = client_for(operator).get("/schools/years/").content.decode()
    assert "2020/2021" in body
    assert "Сделать текущим" not in body
    assert (
        "Сделать текущим"
        in client_for(administrator).get("/schools/years/").content.decode()
    )


def test_admin_creates_year_and_makes_it_current(client_for, administrator):
    old = AcademicYearFactory(start_year=2020, is_current=True)
    client = client_for(administrator)
    client.post(
        "/schools/years/new/",
        {"start_year": 2021, "start_date": "2021-09-01", "end_date": "2022-08-31"},
    )
    new = AcademicYear.objects.get(start_year=2021)
    client.post(f"/schools/years/{new.pk}/current/")
    old.refresh_from_db()
    new.refresh_from_db()
    assert new.is_current
    assert not old.is_current


def test_year_form_rejects_end_before_start(client_for, administrator):
    response = client_for(administrator).post(
        "/schools/years/new/",
        {"start_year": 2021, "start_date": "2021-09-01", "end_date": "2021-08-31"},
    )
    assert "Дата окончания должна быть позже даты начала." in response.content.decode()
    assert not AcademicYear.objects.exists()


@pytest.mark.parametrize("persona", ["operator", "analyst", "approver"])
def test_only_admin_changes_years(client_for, request, persona, db):
    year = AcademicYearFactory(start_year=2020)
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/schools/years/new/").status_code == 403
    assert client.post(f"/schools/years/{year.pk}/current/").status_code == 403
    year.refresh_from_db()
    assert not year.is_current


# People ----------------------------------------------------------------------


def operator_data(school, **extra):
    return {
        "username": "sch240001",
        "last_name": "Петрова",
        "first_name": "Анна",
        "middle_name": "",
        "position": "секретарь",
        "email": "petrova@example.org",
        "role": "operator",
        "schools": [school.pk],
        "is_active": "on",
        "password": "",
        "send_invite": "on",
        **extra,
    }


def test_analyst_creates_operator_and_invitation_is_mailed(client_for, analyst, school):
    response = client_for(analyst).post("/schools/people/new/", operator_data(school))
    assert response.status_code == 302
    person = User.objects.get(username="sch240001")
    assert list(person.schools.all()) == [school]
    assert not person.has_usable_password()
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body
    assert mail.outbox[0].to == ["petrova@example.org"]


def test_invitation_link_lets_person_set_password_and_log_in(
    client_for, analyst, school, client
):
    client_for(analyst).post("/schools/people/new/", operator_data(school))
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line
    )
    client.logout()
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    client.post(
        form_url,
        {"new_password1": "Sekret-2026-pass", "new_password2": "Sekret-2026-pass"},
    )
    assert log_in(client, "sch240001", "Sekret-2026-pass")


def test_operator_without_school_is_refused(client_for, analyst, school):
    response = client_for(analyst).post(
        "/schools/people/new/", operator_data(school, schools=[])
    )
    assert "Оператору нужно назначить хотя бы одну школу." in response.content.decode()
    assert not User.objects.filter(username="sch240001").exists()


def test_new_user_needs_password_or_invitation(client_for, analyst, school):
    data = operator_data(school, send_invite="")
    response = client_for(analyst).post("/schools/people/new/", data)
    assert "Отправьте приглашение на e-mail" in response.content.decode()
    assert not User.objects.filter(username="sch240001").exists()


def test_weak_password_is_refused_in_russian(client_for, administrator, school):
    response = client_for(administrator).post(
        "/schools/people/new/", operator_data(school, password="123", send_invite="")
    )
    assert "Введённый пароль слишком короткий" in response.content.decode()


def test_administrator_sets_another_persons_password(
    client_for, administrator, operator
):
    data = operator_data(
        operator.schools.first(),
        username=operator.username,
        password="Novyi-parol-2026",
        send_invite="",
    )
    response = client_for(administrator).post(
        f"/schools/people/{operator.pk}/edit/", data
    )
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.check_password("Novyi-parol-2026")


def test_analyst_gets_no_password_field_and_a_tampered_one_is_ignored(
    client_for, analyst, operator, school
):
    client = client_for(analyst)
    page = client.get(f"/schools/people/{operator.pk}/edit/").content.decode()
    assert 'name="password"' not in page
    operator.set_password("old-Password-1")
    operator.save()
    data = operator_data(
        school, username=operator.username, password="Hijack-2026-pass", send_invite=""
    )
    assert client.post(f"/schools/people/{operator.pk}/edit/", data).status_code == 302
    operator.refresh_from_db()
    assert operator.check_password("old-Password-1")


def test_analyst_resets_operator_password_by_a_one_time_link(
    client_for, analyst, operator, school, client
):
    operator.email = "op@example.org"
    operator.set_password("old-Password-1")
    operator.save()
    data = operator_data(school, username=operator.username, email="op@example.org")
    client_for(analyst).post(f"/schools/people/{operator.pk}/edit/", data)
    operator.refresh_from_db()
    assert operator.check_password("old-Password-1")
    assert mail.outbox[0].to == ["op@example.org"]
    assert "запрошена установка нового пароля" in mail.outbox[0].body
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line)
    client.logout()
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(
        form_url,
        {"new_password1": "Sekret-2026-pass", "new_password2": "Sekret-2026-pass"},
    )
    assert log_in(client, operator.username, "Sekret-2026-pass")
    client.logout()
    second = client.get(link, follow=True).content.decode()
    assert "Ссылка недействительна" in second or "недействительн" in second


def test_analyst_cannot_bind_operator_to_foreign_school_by_tampering(
    client_for, analyst, foreign_school
):
    response = client_for(analyst).post(
        "/schools/people/new/", operator_data(foreign_school)
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="sch240001").exists()


def test_analyst_cannot_create_administrator_by_tampering(client_for, analyst, school):
    client_for(analyst).post(
        "/schools/people/new/", operator_data(school, role="admin")
    )
    assert not User.objects.filter(username="sch240001").exists()


def test_analyst_cannot_create_staff_of_other_municipality(
    client_for, analyst, school, other_municipality
):
    data = operator_data(
        school, role="analyst", schools=[], municipality=other_municipality.pk
    )
    client_for(analyst).post("/schools/people/new/", data)
    assert not User.objects.filter(username="sch240001").exists()


@pytest.mark.parametrize("role", ["approver", "analyst", "admin"])
def test_analyst_cannot_create_staff_of_own_municipality(
    client_for, analyst, school, municipality, role
):
    """МИМЦ рассчитывает — управление утверждает: an analyst cannot make an approver."""
    data = operator_data(
        school, role=role, schools=[], municipality=municipality.pk, username="uo2"
    )
    client = client_for(analyst)
    page = client.get("/schools/people/new/").content.decode()
    assert f'value="{role}"' not in page
    client.post("/schools/people/new/", data)
    assert not User.objects.filter(username="uo2").exists()


def test_administrator_creates_approver_of_a_municipality(
    client_for, administrator, school, municipality
):
    data = operator_data(
        school,
        role="approver",
        schools=[],
        municipality=municipality.pk,
        username="uo2",
    )
    client_for(administrator).post("/schools/people/new/", data)
    person = User.objects.get(username="uo2")
    assert person.role == User.Role.APPROVER
    assert person.municipality == municipality
    assert not person.schools.exists()


def test_analyst_cannot_change_an_approver_of_own_municipality(
    client_for, analyst, approver, municipality
):
    approver.set_password("approver-Pass-1")
    approver.save()
    client = client_for(analyst)
    assert client.get(f"/schools/people/{approver.pk}/edit/").status_code == 403
    data = {
        "username": approver.username,
        "last_name": "Захват",
        "first_name": "Б",
        "role": "approver",
        "municipality": municipality.pk,
        "password": "Hijack-2026-pass",
        "is_active": "on",
    }
    assert client.post(f"/schools/people/{approver.pk}/edit/", data).status_code == 403
    approver.refresh_from_db()
    assert approver.check_password("approver-Pass-1")
    assert approver.last_name != "Захват"


def test_analyst_cannot_change_own_role(client_for, analyst, municipality):
    data = {
        "username": "analyst",
        "last_name": "А",
        "first_name": "Б",
        "role": "admin",
        "municipality": municipality.pk,
        "is_active": "on",
    }
    response = client_for(analyst).post(f"/schools/people/{analyst.pk}/edit/", data)
    assert response.status_code == 403
    analyst.refresh_from_db()
    assert analyst.role == User.Role.ANALYST


def test_administrator_cannot_change_own_role_or_access(client_for, administrator):
    url = f"/schools/people/{administrator.pk}/edit/"
    client = client_for(administrator)
    data = {
        "username": administrator.username,
        "last_name": "А",
        "first_name": "Б",
        "role": "operator",
        "is_active": "",
    }
    assert client.post(url, data).status_code == 302  # disabled fields keep values
    administrator.refresh_from_db()
    assert administrator.role == User.Role.ADMINISTRATOR
    assert administrator.is_active
    assert administrator.last_name == "А"


def test_service_refuses_an_analyst_changing_staff_whatever_the_form(analyst, approver):
    from django.core.exceptions import PermissionDenied

    from schools import services

    approver.last_name = "Захват"
    with pytest.raises(PermissionDenied):
        services.user_save(person=approver, schools=[], by=analyst)
    with pytest.raises(PermissionDenied):
        services.user_save(
            person=approver, schools=[], by=analyst, password="Hijack-2026-pass"
        )


def test_service_refuses_own_scope_change(administrator, municipality):
    from schools import services

    person = User.objects.get(pk=administrator.pk)
    person.role = User.Role.ANALYST
    person.municipality = municipality
    with pytest.raises(ValidationError, match="Свою роль и область работы"):
        services.user_save(person=person, schools=[], by=administrator)


def test_staff_role_needs_a_municipality(client_for, administrator, school):
    data = operator_data(school, role="analyst", schools=[])
    response = client_for(administrator).post("/schools/people/new/", data)
    assert "Укажите муниципалитет" in response.content.decode()


def test_editing_operator_keeps_schools_outside_analysts_scope(
    client_for, analyst, school, foreign_school
):
    from tests.factories import OperatorFactory

    person = OperatorFactory(username="both", schools=[school, foreign_school])
    data = operator_data(school, username="both", send_invite="", email="")
    client_for(analyst).post(f"/schools/people/{person.pk}/edit/", data)
    assert set(person.schools.all()) == {school, foreign_school}


def test_analyst_cannot_edit_people_outside_scope(client_for, analyst, foreign_analyst):
    client = client_for(analyst)
    assert client.get(f"/schools/people/{foreign_analyst.pk}/edit/").status_code == 404
    client.post(f"/schools/people/{foreign_analyst.pk}/edit/", {"username": "hijacked"})
    foreign_analyst.refresh_from_db()
    assert foreign_analyst.username == "foreign-analyst"


def test_user_list_lists_only_scope(client_for, analyst, operator, foreign_analyst):
    body = client_for(analyst).get("/schools/people/").content.decode()
    assert operator.username in body
    assert foreign_analyst.username not in body


@pytest.mark.parametrize("persona", ["operator", "approver"])
def test_non_managers_cannot_reach_people_pages(client_for, request, persona, analyst):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/schools/people/").status_code == 403
    assert client.get("/schools/people/new/").status_code == 403
    assert (
        client.post(
            f"/schools/people/{analyst.pk}/edit/", {"username": "x"}
        ).status_code
        == 403
    )


def test_nobody_deactivates_self(administrator):
    from schools import services

    person = User.objects.get(pk=administrator.pk)
    person.is_active = False
    with pytest.raises(ValidationError, match="Нельзя отключить собственную"):
        services.user_save(person=person, schools=[], by=administrator)


def test_analyst_hides_small_shares_for_their_municipality_only(
    client_for, analyst, municipality, other_municipality, operator
):
    url = reverse("schools:municipality-settings", args=[municipality.pk])
    client = client_for(analyst)
    assert "Настройки муниципалитета" in client.get(reverse("home")).content.decode()
    client.post(url, {"hide_small_shares": "on"})
    municipality.refresh_from_db()
    assert municipality.hide_small_shares
    assert (
        client.get(
            reverse("schools:municipality-settings", args=[other_municipality.pk])
        ).status_code
        == 404
    )
    client = client_for(operator)
    assert client.post(url, {}).status_code == 403
    municipality.refresh_from_db()
    assert municipality.hide_small_shares
