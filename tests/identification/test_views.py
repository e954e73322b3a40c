"""Identification pages by role; every other door is closed."""

import pytest
from django.urls import reverse

from identification.models import (
    IdentificationRun,
    Methodology,
    OfficialList,
    StatusOverride,
)
from tests.factories.identification import MethodologyFactory


def test_analyst_starts_a_run_in_the_browser(
    client, analyst, town, combined, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("identification:run-create"),
            {
                "target_year": town.years[2021].pk,
                "municipalities": [analyst.municipality.pk],
                "methodology": combined.pk,
            },
        )
    run = IdentificationRun.objects.get()
    assert response.url == run.get_absolute_url()
    run.refresh_from_db()
    assert run.status == "done"
    body = client.get(run.get_absolute_url()).content.decode()
    assert "МБОУ «СОШ № 6»" in body
    assert "ШНОР и ШНСУ" in body


def test_run_page_polls_while_running_and_refreshes_when_done(
    client, analyst, town_run
):
    client.force_login(analyst)
    IdentificationRun.objects.filter(pk=town_run.pk).update(
        status="running", progress=40
    )
    partial = client.get(
        town_run.get_absolute_url(), headers={"HX-Request": "true"}
    ).content.decode()
    assert "40%" in partial
    assert "<html" not in partial
    IdentificationRun.objects.filter(pk=town_run.pk).update(status="done")
    assert (
        client.get(town_run.get_absolute_url(), headers={"HX-Request": "true"}).headers[
            "HX-Refresh"
        ]
        == "true"
    )


def test_school_page_explains_every_criterion(client, analyst, town, town_run):
    client.force_login(analyst)
    school = town["МБОУ «СОШ № 6»"]  # its social passport of 2020/2021 is on review
    body = client.get(
        reverse("identification:run-school", args=[town_run.pk, school.pk])
    ).content.decode()
    assert "R1 — правило 30 %" in body
    assert "«2» получили" in body
    assert "Данные не окончательные" in body


def test_analyst_sets_an_override_and_it_shows(client, analyst, town, town_run):
    client.force_login(analyst)
    school = town["МБОУ «ООШ № 5»"]
    url = reverse("identification:override", args=[town_run.pk, school.pk])
    client.post(url, {"status": "ШНСУ", "reason": ""})
    assert not StatusOverride.objects.exists()
    client.post(url, {"status": "ШНСУ", "reason": "Решение рабочей группы"})
    body = client.get(town_run.get_absolute_url()).content.decode()
    assert "по решению" in body


def test_department_approves_with_an_order(client, approver, analyst, town_run):
    client.force_login(approver)
    response = client.post(
        reverse("identification:run-approve", args=[town_run.pk]),
        {
            "municipality": analyst.municipality.pk,
            "order_number": "107",
            "order_date": "2021-09-23",
        },
    )
    official = OfficialList.objects.get()
    assert response.url == official.get_absolute_url()
    body = client.get(official.get_absolute_url()).content.decode()
    assert "приказ № 107 от 23.09.2021" in body
    assert "МБОУ «СОШ № 6»" in body


def test_approval_without_order_number_is_refused(client, approver, analyst, town_run):
    client.force_login(approver)
    client.post(
        reverse("identification:run-approve", args=[town_run.pk]),
        {"municipality": analyst.municipality.pk, "order_number": "", "order_date": ""},
        follow=True,
    )
    assert not OfficialList.objects.exists()


@pytest.mark.parametrize("person", ["analyst", "operator"])
def test_only_the_department_approves(client, town_run, request, person):
    client.force_login(request.getfixturevalue(person))
    response = client.post(
        reverse("identification:run-approve", args=[town_run.pk]),
        {
            "municipality": town_run.municipalities.first().pk,
            "order_number": "1",
            "order_date": "2021-09-01",
        },
    )
    assert response.status_code in (403, 404)
    assert not OfficialList.objects.exists()


def test_operator_sees_no_runs(client, town_run, operator, school):
    client.force_login(operator)
    assert client.get(reverse("identification:index")).status_code == 403
    assert client.get(town_run.get_absolute_url()).status_code == 404
    assert (
        client.post(
            reverse("identification:override", args=[town_run.pk, school.pk]),
            {"status": "нет", "reason": "x"},
        ).status_code
        == 404
    )
    assert not StatusOverride.objects.exists()


def test_analyst_of_another_municipality_sees_nothing(
    client, town_run, foreign_analyst
):
    client.force_login(foreign_analyst)
    assert client.get(town_run.get_absolute_url()).status_code == 404
    assert (
        town_run.get_absolute_url()
        not in client.get(reverse("identification:index")).content.decode()
    )


def test_preset_cannot_be_changed_but_can_be_copied(client, analyst, combined):
    client.force_login(analyst)
    preset = Methodology.objects.get(code="kaltan")
    page = client.get(reverse("identification:methodology-edit", args=[preset.pk]))
    form = page.context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data = {k: v for k, v in data.items() if v is not None}
    data |= {"comment": "Попытка"}
    body = client.post(
        reverse("identification:methodology-edit", args=[preset.pk]), data
    ).content.decode()
    assert "Готовую методику изменить нельзя" in body
    assert preset.versions.count() == 1
    response = client.post(
        reverse("identification:methodology-copy", args=[preset.pk]),
        {"name": "Калтан — наша"},
    )
    own = Methodology.objects.get(name="Калтан — наша")
    assert response.url == reverse("identification:methodology-edit", args=[own.pk])


def post_params(client, methodology, view="edit", **changes):
    form = client.get(
        reverse("identification:methodology-edit", args=[methodology.pk])
    ).context["form"]
    data = {
        name: field.initial
        for name, field in form.fields.items()
        if field.initial not in (None, False)
    }
    data |= changes
    return client.post(
        reverse(f"identification:methodology-{view}", args=[methodology.pk]), data
    )


def test_editing_parameters_makes_a_new_version_with_author(client, analyst):
    client.force_login(analyst)
    own = MethodologyFactory(municipality=analyst.municipality)
    response = post_params(client, own, r1__pct="35", comment="Порог 35 %")
    assert response.status_code == 302
    version = own.versions.get(number=2)
    assert version.params["r1"]["pct"] == 35
    assert version.created_by == analyst
    assert own.versions.get(number=1).params["r1"]["pct"] == 30


def test_new_version_needs_a_comment(client, analyst):
    client.force_login(analyst)
    own = MethodologyFactory(municipality=analyst.municipality)
    body = post_params(client, own, r1__pct="35", comment="").content.decode()
    assert "Напишите, что и почему изменено" in body
    assert own.versions.count() == 1


def test_whatif_preview_lists_changes_and_saves_nothing(
    client, analyst, town_run, combined
):
    client.force_login(analyst)
    own = combined
    runs = IdentificationRun.objects.count()
    body = post_params(client, own, r1__pct="20", view="preview").content.decode()
    assert f"Что если: сравнение с расчётом № {town_run.pk} на 2021/2022" in body
    assert "Войдут в список" in body or "Изменят статус" in body
    # At 20 % СОШ № 1's 22 % of «2» in ВПР mathematics flag it (R1): it enters.
    assert "Войдут в список:</strong> МБОУ «СОШ № 1» (ШНОР)" in body
    assert IdentificationRun.objects.count() == runs
    assert own.versions.count() == 1


def test_bad_explicit_years_are_refused(client, analyst):
    client.force_login(analyst)
    own = MethodologyFactory(municipality=analyst.municipality)
    body = post_params(
        client, own, r1__years="2018-2019", comment="годы"
    ).content.decode()
    assert "не учебный год" in body
