"""The access gate, branch by branch, for every role."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from schools import access
from schools.models import User
from tests.factories import OperatorFactory, SchoolFactory


def test_schools_visible_to_operator_are_only_their_schools(
    operator, school, neighbour_school, foreign_school
):
    assert list(access.schools_visible_to(operator)) == [school]


def test_schools_visible_to_operator_of_two_schools_lists_both(
    school, neighbour_school, foreign_school
):
    person = OperatorFactory(schools=[school, foreign_school])
    assert set(access.schools_visible_to(person)) == {school, foreign_school}


def test_schools_visible_to_municipal_analyst_are_their_municipality(
    analyst, school, neighbour_school, foreign_school
):
    assert set(access.schools_visible_to(analyst)) == {school, neighbour_school}


def test_schools_visible_to_approver_are_their_municipality(
    approver, school, foreign_school
):
    assert list(access.schools_visible_to(approver)) == [school]


def test_schools_visible_to_region_analyst_cover_the_region(
    region_analyst, school, foreign_school
):
    other_region_school = SchoolFactory(
        municipality__region__code="42",
        municipality__region__name="Кемеровская область",
    )
    visible = set(access.schools_visible_to(region_analyst))
    assert visible == {school, foreign_school}
    assert other_region_school not in visible


def test_schools_visible_to_administrator_are_all(
    administrator, school, foreign_school
):
    assert set(access.schools_visible_to(administrator)) == {school, foreign_school}


def test_schools_visible_to_anonymous_and_inactive_are_none(operator, school):
    assert not access.schools_visible_to(AnonymousUser()).exists()
    operator.is_active = False
    assert not access.schools_visible_to(operator).exists()


def test_schools_visible_to_operator_without_schools_are_none(school):
    assert not access.schools_visible_to(OperatorFactory()).exists()


def test_municipalities_visible_to_each_role(
    operator, analyst, region_analyst, administrator, municipality, other_municipality
):
    assert list(access.municipalities_visible_to(operator)) == [municipality]
    assert list(access.municipalities_visible_to(analyst)) == [municipality]
    assert set(access.municipalities_visible_to(region_analyst)) == {
        municipality,
        other_municipality,
    }
    assert set(access.municipalities_visible_to(administrator)) == {
        municipality,
        other_municipality,
    }
    assert not access.municipalities_visible_to(AnonymousUser()).exists()


def test_regions_visible_to_follow_municipalities(analyst, administrator, region):
    assert list(access.regions_visible_to(analyst)) == [region]
    assert list(access.regions_visible_to(administrator)) == [region]


def test_superuser_is_administrator_whatever_the_role_field(school):
    person = OperatorFactory(is_superuser=True)
    assert access.role_of(person) == User.Role.ADMINISTRATOR
    assert access.is_administrator(person)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("operator", False),
        ("approver", False),
        ("analyst", True),
        ("administrator", True),
        ("foreign_analyst", False),
    ],
)
def test_can_edit_school_only_registry_managers_in_scope(
    request, school, persona, expected
):
    person = request.getfixturevalue(persona)
    assert access.can_edit_school(person, school) is expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("operator", True),
        ("neighbour_operator", False),
        ("approver", False),
        ("analyst", True),
        ("foreign_analyst", False),
    ],
)
def test_can_enter_data_for_operators_and_analysts_in_scope(
    request, school, persona, expected
):
    person = request.getfixturevalue(persona)
    assert access.can_enter_data(person, school) is expected


def test_get_school_for_user_hides_other_schools_with_404(operator, neighbour_school):
    with pytest.raises(Http404):
        access.get_school_for_user(operator, neighbour_school.pk)


def test_get_school_for_user_refuses_writes_by_readers_with_403(
    operator, approver, school
):
    assert access.get_school_for_user(operator, school.pk) == school
    with pytest.raises(PermissionDenied):
        access.get_school_for_user(operator, school.pk, write=True)
    with pytest.raises(PermissionDenied):
        access.get_school_for_user(approver, school.pk, write=True)


def test_get_school_for_user_allows_analyst_writes(analyst, school):
    assert access.get_school_for_user(analyst, school.pk, write=True) == school


def test_users_visible_to_analyst_are_their_operators_and_staff(
    analyst,
    operator,
    neighbour_operator,
    approver,
    foreign_analyst,
    foreign_school,
    administrator,
):
    foreign_operator = OperatorFactory(schools=[foreign_school])
    visible = set(access.users_visible_to(analyst))
    assert visible == {analyst, operator, neighbour_operator, approver}
    assert foreign_operator not in visible
    assert administrator not in visible


def test_users_visible_to_region_analyst_include_region_staff(
    region_analyst, analyst, foreign_analyst
):
    assert {analyst, foreign_analyst, region_analyst} <= set(
        access.users_visible_to(region_analyst)
    )


def test_users_visible_to_operators_and_approvers_are_none(operator, approver, analyst):
    assert not access.users_visible_to(operator).exists()
    assert not access.users_visible_to(approver).exists()


def test_get_user_for_user_hides_people_outside_scope(analyst, foreign_analyst):
    with pytest.raises(Http404):
        access.get_user_for_user(analyst, foreign_analyst.pk)


def test_assignable_roles_by_role(analyst, administrator, operator):
    assert User.Role.ADMINISTRATOR not in access.assignable_roles(analyst)
    assert User.Role.OPERATOR in access.assignable_roles(analyst)
    assert set(access.assignable_roles(administrator)) == set(User.Role.values)
    assert access.assignable_roles(operator) == []
