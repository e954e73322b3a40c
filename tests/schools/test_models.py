"""Registry models: validation rules and derived values."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from schools.models import AcademicYear, School, User, normalize_school_code
from tests.factories import AcademicYearFactory, SchoolFactory, UserFactory


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("sch241001", "sch241001"),
        (" EDU241001 ", "sch241001"),
        ("ksh220001", "ksh220001"),
    ],
)
def test_normalize_school_code_maps_edu_to_sch(raw, stored):
    assert normalize_school_code(raw) == stored


@pytest.mark.parametrize(
    "bad", ["sch24100", "school1", "sch24100123456", "241001", "abc241001"]
)
def test_school_code_format_is_enforced(municipality, bad):
    school = SchoolFactory.build(municipality=municipality, code=bad)
    with pytest.raises(ValidationError) as error:
        school.full_clean()
    assert "code" in error.value.message_dict


def test_school_code_of_another_region_is_rejected(municipality):
    school = SchoolFactory.build(municipality=municipality, code="sch421001")
    with pytest.raises(ValidationError) as error:
        school.full_clean()
    assert "региону 42" in error.value.message_dict["code"][0]


@pytest.mark.parametrize("bad", ["123", "12345678901", "24540abcde"])
def test_inn_must_be_ten_digits(municipality, bad):
    school = SchoolFactory.build(municipality=municipality, inn=bad)
    with pytest.raises(ValidationError) as error:
        school.full_clean()
    assert "ИНН организации — ровно 10 цифр." in error.value.message_dict["inn"]


def test_negative_distance_is_rejected_by_form_rules_and_database(municipality):
    school = SchoolFactory.build(municipality=municipality, distance_km=Decimal("-1"))
    with pytest.raises(ValidationError):
        school.full_clean()
    with pytest.raises(IntegrityError):
        School.objects.bulk_create([school])


def test_school_code_is_unique(school):
    twin = SchoolFactory.build(municipality=school.municipality, code=school.code)
    with pytest.raises(ValidationError) as error:
        twin.full_clean()
    assert "code" in error.value.message_dict


def test_teaches_senior_grades_by_type():
    assert SchoolFactory.build(school_type=School.Type.SOSH).teaches_senior_grades
    assert not SchoolFactory.build(school_type=School.Type.OOSH).teaches_senior_grades


def test_academic_year_name_and_parse():
    year = AcademicYearFactory.build(start_year=2020)
    assert year.name == "2020/2021"
    assert AcademicYear.parse_name(" 2020 / 2021 ") == 2020
    with pytest.raises(ValidationError):
        AcademicYear.parse_name("2020/2022")
    with pytest.raises(ValidationError):
        AcademicYear.parse_name("2020-2021")


def test_academic_year_must_end_after_start(db):
    year = AcademicYear(
        start_year=2020, start_date=dt.date(2020, 9, 1), end_date=dt.date(2020, 8, 1)
    )
    with pytest.raises(ValidationError) as error:
        year.full_clean()
    assert "end_date" in error.value.message_dict


def test_only_one_year_is_current_in_the_database(db):
    AcademicYearFactory(start_year=2020, is_current=True)
    with pytest.raises(IntegrityError):
        AcademicYearFactory(start_year=2021, is_current=True)


def test_staff_needs_exactly_one_scope_in_the_database(municipality, region):
    with pytest.raises(IntegrityError):
        UserFactory(role=User.Role.ANALYST, municipality=None, region=None)


def test_operator_cannot_carry_municipality_scope(municipality):
    with pytest.raises(IntegrityError):
        UserFactory(role=User.Role.OPERATOR, municipality=municipality)


def test_user_names_for_display(db):
    person = UserFactory.build(
        last_name="Петрова", first_name="Анна", middle_name="Игоревна", username="ap"
    )
    assert person.display_name == "Петрова Анна Игоревна"
    assert person.short_display_name == "Петрова А. И."
    assert (
        UserFactory.build(last_name="", first_name="", username="sch1").display_name
        == "sch1"
    )


def test_scope_label_names_the_scope(analyst, region_analyst, operator, administrator):
    assert analyst.scope_label == "г. Лесосибирск"
    assert region_analyst.scope_label == "Красноярский край (весь регион)"
    assert operator.scope_label == "МБОУ «СОШ № 1»"
    assert administrator.scope_label == "весь портал"
