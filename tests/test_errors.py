"""Pages that answered 500 on input an attacker or a sloppy link gives them."""

import pytest
from django.contrib import admin
from django.urls import reverse

from identification.models import CriterionResult


def test_roadmap_list_with_a_bad_year_is_shown_unfiltered(client, db, world):
    client.force_login(world.places["A"].analyst)
    response = client.get("/roadmaps/?year=x")
    assert response.status_code == 200
    assert "Дорожная карта Альфа" in response.content.decode()


def test_gradation_with_several_schools_without_an_index(client, db, world):
    place = world.places["A"]
    run = place.get("run")
    CriterionResult.objects.filter(run=run, criterion="L1").update(value=None)
    client.force_login(place.analyst)
    response = client.get(reverse("partnerships:gradation"), {"run": run.pk})
    assert response.status_code == 200
    assert "нет данных" in response.content.decode()


def _admin_objects():
    for model, model_admin in admin.site._registry.items():
        yield pytest.param(model, model_admin, id=model._meta.label)


@pytest.mark.parametrize(("model", "model_admin"), list(_admin_objects()))
def test_every_admin_page_of_every_model_answers(client, db, world, model, model_admin):
    """Changelist, change and history pages of every registered model (no 500)."""
    client.force_login(world.people["admin"])
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert client.get(reverse(f"{prefix}_changelist")).status_code == 200
    obj = model.objects.order_by("pk").first()
    if obj is None:
        return
    for view in ("change", "history"):
        response = client.get(reverse(f"{prefix}_{view}", args=[obj.pk]))
        assert response.status_code == 200, (view, response.status_code)


def test_a_lost_database_connection_answers_503_saying_nothing_was_saved(
    client, db, world
):
    from unittest import mock

    from django.db import OperationalError

    client.raise_request_exception = False
    client.force_login(world.places["A"].analyst)
    with mock.patch(
        "schools.views.selectors.school_list",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = client.get(reverse("schools:school-list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "ничего из отправленного не сохранено" in text
    assert "server closed" not in text


def test_any_other_error_is_still_a_500(client, db, world):
    from unittest import mock

    client.raise_request_exception = False
    client.force_login(world.places["A"].analyst)
    with mock.patch(
        "schools.views.selectors.school_list", side_effect=ZeroDivisionError
    ):
        response = client.get(reverse("schools:school-list"))
    assert response.status_code == 500
    assert "Ошибка на сервере" in response.content.decode()
