"""Methodologies belong to a municipality or a region; a foreign one does not exist."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from identification import services
from identification.models import Methodology, MethodologyVersion
from identification.permissions import methodologies_visible_to

PARAMS = {"r1": {"pct": 30}}


def own(name, **owner):
    services.ensure_presets()
    methodology = Methodology.objects.create(code=name, name=name, **owner)
    MethodologyVersion.objects.create(
        methodology=methodology,
        number=1,
        params=Methodology.objects.get(code="combined").current.params,
    )
    return methodology


@pytest.fixture
def theirs(other_municipality):
    return own("theirs", municipality=other_municipality)


def every_page(methodology):
    return [
        ("get", reverse("identification:methodology-detail", args=[methodology.pk])),
        ("get", reverse("identification:methodology-edit", args=[methodology.pk])),
        ("post", reverse("identification:methodology-edit", args=[methodology.pk])),
        ("post", reverse("identification:methodology-preview", args=[methodology.pk])),
        ("post", reverse("identification:methodology-copy", args=[methodology.pk])),
    ]


def test_foreign_methodology_answers_404_on_every_page(client_for, analyst, theirs):
    client = client_for(analyst)
    for method, url in every_page(theirs):
        assert getattr(client, method)(url, {}).status_code == 404, url
    body = client.get(reverse("identification:methodology-list")).content.decode()
    assert "theirs" not in body
    assert theirs.versions.count() == 1
    assert Methodology.objects.filter(is_preset=False).count() == 1


def test_foreign_methodology_save_changes_nothing(client_for, analyst, theirs):
    url = reverse("identification:methodology-edit", args=[theirs.pk])
    client_for(analyst).post(url, {"r1__pct": "5", "comment": "захват"})
    assert theirs.versions.count() == 1


def _as_shown(client, methodology):
    """The editor's form data as the page fills it in."""
    page = client.get(reverse("identification:methodology-edit", args=[methodology.pk]))
    return {
        name: field.initial
        for name, field in page.context["form"].fields.items()
        if field.initial not in (None, False)
    }


def test_own_municipality_methodology_is_edited_by_its_analyst(
    client_for, analyst, municipality
):
    mine = own("mine", municipality=municipality)
    client = client_for(analyst)
    data = _as_shown(client, mine)
    data |= {"r1__pct": "35", "comment": "Порог 35"}
    response = client.post(
        reverse("identification:methodology-edit", args=[mine.pk]), data
    )
    assert response.status_code == 302
    assert mine.versions.count() == 2


def test_region_methodology_is_read_only_for_a_municipal_analyst(
    client_for, analyst, region
):
    shared = own("shared", region=region)
    client = client_for(analyst)
    assert (
        client.get(
            reverse("identification:methodology-detail", args=[shared.pk])
        ).status_code
        == 200
    )
    body = client.post(
        reverse("identification:methodology-edit", args=[shared.pk]),
        {"comment": "x"},
    ).content.decode()
    assert shared.versions.count() == 1
    assert "создайте свою на её основе" in body or "Проверьте" in body


def test_copy_belongs_to_the_analysts_municipality(client_for, analyst, municipality):
    services.ensure_presets()
    preset = Methodology.objects.get(code="kaltan")
    client_for(analyst).post(
        reverse("identification:methodology-copy", args=[preset.pk]),
        {"name": "Калтан — наша"},
    )
    copy = Methodology.objects.get(name="Калтан — наша")
    assert copy.municipality == municipality
    assert copy.region is None


def test_tampered_owner_of_a_copy_is_refused(client_for, analyst, other_municipality):
    services.ensure_presets()
    preset = Methodology.objects.get(code="kaltan")
    response = client_for(analyst).post(
        reverse("identification:methodology-copy", args=[preset.pk]),
        {"name": "Чужая", "owner": f"municipality:{other_municipality.pk}"},
    )
    assert response.status_code == 403
    assert not Methodology.objects.filter(name="Чужая").exists()


def test_region_analyst_may_own_a_methodology_for_the_region(
    client_for, region_analyst, region
):
    services.ensure_presets()
    preset = Methodology.objects.get(code="combined")
    client_for(region_analyst).post(
        reverse("identification:methodology-copy", args=[preset.pk]),
        {"name": "Краевая", "owner": f"region:{region.pk}"},
    )
    assert Methodology.objects.get(name="Краевая").region == region


def test_run_form_offers_only_visible_methodologies(analyst, theirs, municipality):
    from identification.forms import RunForm

    mine = own("mine", municipality=municipality)
    offered = set(RunForm(user=analyst).fields["methodology"].queryset)
    assert mine in offered
    assert theirs not in offered
    assert Methodology.objects.get(code="combined") in offered


def test_run_with_a_foreign_methodology_is_refused(analyst, theirs, municipality):
    from django.core.exceptions import PermissionDenied

    from tests.factories import AcademicYearFactory

    with pytest.raises(PermissionDenied):
        services.run_create(
            target_year=AcademicYearFactory(start_year=2021),
            municipalities=[municipality],
            version=theirs.current,
            only_accepted=False,
            by=analyst,
        )


def test_operators_see_no_methodology(operator, municipality):
    own("mine", municipality=municipality)
    assert not methodologies_visible_to(operator).exists()


def test_presets_are_never_edited_by_the_service(db):
    from django.core.exceptions import ValidationError

    services.ensure_presets()
    with pytest.raises(ValidationError):
        services.methodology_version_create(
            methodology=Methodology.objects.get(code="combined"),
            params=PARAMS,
            comment="x",
            by=None,
        )


@pytest.mark.django_db(transaction=True)
def test_migration_gives_existing_methodologies_their_authors_owner():
    """Own methodologies made before ownership get the author's municipality or region."""
    before = [("identification", "0005_methodology_owner")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    region = old.get_model("schools", "Region").objects.create(name="Край", code="24")
    town = old.get_model("schools", "Municipality").objects.create(
        region=region, name="Город"
    )
    users = old.get_model("schools", "User").objects
    authors = {
        "a": users.create(username="a", role="analyst", municipality=town),
        "b": users.create(username="b", role="analyst", region=region),
        "c": None,
    }
    methodologies = old.get_model("identification", "Methodology").objects
    versions = old.get_model("identification", "MethodologyVersion").objects
    for code, author in authors.items():
        methodology = methodologies.create(code=code, name=code)
        versions.create(methodology=methodology, number=1, params={}, created_by=author)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    owners = {
        m.code: (m.municipality_id, m.region_id)
        for m in Methodology.objects.filter(code__in=authors)
    }
    assert owners == {
        "a": (town.pk, None),
        "b": (None, region.pk),
        "c": (None, region.pk),
    }


def test_methodology_list_marks_what_each_person_may_edit(
    analyst, region_analyst, approver, administrator, municipality, theirs, region
):
    """The list's flags are can_edit_methodology's answers, and the latest version shows."""
    from identification.permissions import can_edit_methodology
    from identification.selectors import methodology_list

    mine = own("mine", municipality=municipality)
    MethodologyVersion.objects.create(methodology=mine, number=2, params=PARAMS)
    own("regional", region=region)
    for person in (analyst, region_analyst, approver, administrator):
        listed = methodology_list(user=person)
        assert {m.pk for m in listed} == set(
            methodologies_visible_to(person).values_list("pk", flat=True)
        )
        for methodology in listed:
            assert methodology.editable == can_edit_methodology(person, methodology)
            assert methodology.latest == methodology.current
    editable = {m.code for m in methodology_list(user=analyst) if m.editable}
    assert editable == {"mine"}
    editable = {m.code for m in methodology_list(user=region_analyst) if m.editable}
    assert editable == {"mine", "regional", "theirs"}
    latest = {m.code: m.latest.number for m in methodology_list(user=analyst)}
    assert latest["mine"] == 2


def test_a_share_is_typed_with_a_decimal_comma(client_for, analyst, municipality):
    """«0,35» is how a Russian analyst writes a share: it is accepted and stored as 0.35."""
    mine = own("comma", municipality=municipality)
    client = client_for(analyst)
    data = _as_shown(client, mine)
    data |= {"l1__share": "0,35", "comment": "Доля 0,35"}
    response = client.post(
        reverse("identification:methodology-edit", args=[mine.pk]), data
    )
    assert response.status_code == 302
    assert mine.versions.order_by("-number").first().params["l1"]["share"] == 0.35
