"""Login, logout and password change, in Russian."""

from django.urls import reverse

from tests.conftest import log_in


def test_login_page_is_russian(client, db):
    body = client.get(reverse("login")).content.decode()
    assert "Вход на портал" in body
    assert 'lang="ru"' in body


def test_wrong_password_shows_russian_error(client, operator):
    response = client.post(
        reverse("login"), {"username": "operator", "password": "wrong"}
    )
    assert (
        "Пожалуйста, введите правильные имя пользователя и пароль"
        in response.content.decode()
    )


def test_login_then_home(client, operator):
    response = client.post(
        reverse("login"),
        {"username": "operator", "password": "pass-12345"},
        follow=True,
    )
    assert "Кабинет школы" in response.content.decode()


def test_logout_needs_post_and_returns_to_login(client_for, operator):
    client = client_for(operator)
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    assert client.get("/").status_code == 302


def test_password_change_in_russian(client_for, operator):
    client = client_for(operator)
    assert "Смена пароля" in client.get(reverse("password_change")).content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pass-12345",
            "new_password1": "Nov-parol-2026",
            "new_password2": "Nov-parol-2026",
        },
    )
    assert response.url == reverse("password_change_done")
    operator.refresh_from_db()
    assert operator.check_password("Nov-parol-2026")


def test_deactivated_person_cannot_log_in(client, operator):
    operator.is_active = False
    operator.save()
    assert not log_in(client, "operator", "pass-12345")
