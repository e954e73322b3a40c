"""The admin names a model in the right case: «Добавить школу», not «Добавить школа»."""

from django.urls import reverse


def test_the_admin_adds_and_lists_a_school_in_the_accusative(
    client_for, administrator, school
):
    client = client_for(administrator)
    changelist = client.get(reverse("admin:schools_school_changelist")).content.decode()
    assert "Выберите школу для изменения" in changelist
    assert "Добавить школу" in changelist
    assert "Добавить школа" not in changelist
    add = client.get(reverse("admin:schools_school_add")).content.decode()
    assert "<h1>Добавить школу</h1>" in add
    change = client.get(
        reverse("admin:schools_school_change", args=[school.pk])
    ).content.decode()
    assert "<h1>Изменить школу</h1>" in change


def test_a_read_only_model_is_offered_for_viewing(client_for, administrator):
    page = (
        client_for(administrator)
        .get(reverse("admin:monitoring_report_changelist"))
        .content.decode()
    )
    assert "Выберите отчёт школы для просмотра" in page
    assert "Добавить отчёт школы" not in page


def test_a_person_is_added_in_the_accusative(client_for, administrator):
    page = (
        client_for(administrator)
        .get(reverse("admin:schools_user_add"))
        .content.decode()
    )
    assert "<h1>Добавить пользователя</h1>" in page
