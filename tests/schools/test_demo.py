"""Demo loader and the synthetic-region generator."""

from collections import Counter
from statistics import median

import pytest
from django.core.management import CommandError, call_command

from schools.demo import (
    DEMO_PASSWORD,
    LESOSIBIRSK_SCHOOLS,
    inn_with_check_digit,
    municipality_sizes,
)
from schools.models import AcademicYear, Municipality, Region, School, User


def test_load_demo_creates_nine_schools_and_every_role(db):
    call_command("load_demo")
    assert School.objects.filter(municipality__name="г. Лесосибирск").count() == 9
    roles = Counter(User.objects.values_list("role", flat=True))
    assert roles == {"operator": 9, "analyst": 1, "approver": 1, "admin": 1}
    for spec in LESOSIBIRSK_SCHOOLS:
        operator = User.objects.get(username=spec.code)
        assert operator.check_password(DEMO_PASSWORD)
        assert list(operator.schools.values_list("code", flat=True)) == [spec.code]
    assert User.objects.get(username="admin").is_superuser
    assert [y.name for y in AcademicYear.objects.order_by("start_year")] == [
        "2017/2018",
        "2018/2019",
        "2019/2020",
        "2020/2021",
        "2021/2022",
    ]
    assert AcademicYear.objects.get(is_current=True).name == "2021/2022"


def test_load_demo_twice_changes_nothing(db):
    call_command("load_demo")
    School.objects.filter(code="sch242701").update(short_name="изменено вручную")
    snapshot = (
        School.objects.count(),
        User.objects.count(),
        AcademicYear.objects.count(),
    )
    call_command("load_demo")
    assert (
        School.objects.count(),
        User.objects.count(),
        AcademicYear.objects.count(),
    ) == snapshot
    assert School.objects.get(code="sch242701").short_name == "изменено вручную"


def test_demo_schools_pass_registry_validation(db):
    call_command("load_demo")
    for school in School.objects.all():
        school.full_clean()


def test_inn_check_digit_matches_known_inn():
    # ИНН of ПАО «Сбербанк»: 7707083893.
    assert inn_with_check_digit("770708389") == "7707083893"


def test_municipality_sizes_are_realistic():
    import random

    sizes = municipality_sizes(40_000, random.Random(7))
    assert sum(sizes) == 40_000
    assert 7 <= median(sizes) <= 13
    assert sum(s >= 100 for s in sizes) >= 3


def test_generate_demo_builds_region_of_n_schools(db):
    call_command("generate_demo", schools=500, years=3, seed=3)
    region = Region.objects.get(code="99")
    schools = School.objects.filter(municipality__region=region)
    assert schools.count() == 500
    assert Municipality.objects.filter(region=region).count() > 10
    assert schools.filter(code__startswith="sch99").count() == 500
    assert AcademicYear.objects.filter(is_current=True).count() == 1
    for school in schools[:20]:
        school.full_clean()


def test_generate_demo_replaces_previous_synthetic_region(db):
    call_command("generate_demo", schools=300, years=2, seed=1)
    call_command("generate_demo", schools=120, years=2, seed=2)
    assert School.objects.filter(municipality__region__code="99").count() == 120


def test_generate_demo_is_reproducible_by_seed(db):
    call_command("generate_demo", schools=200, years=1, seed=5)
    first = list(School.objects.order_by("code").values_list("school_type", "is_rural"))
    call_command("generate_demo", schools=200, years=1, seed=5)
    assert (
        list(School.objects.order_by("code").values_list("school_type", "is_rural"))
        == first
    )


@pytest.mark.parametrize("schools", [0, 40_001])
def test_generate_demo_rejects_sizes_out_of_range(db, schools):
    with pytest.raises(CommandError, match="от 1 до 40 000"):
        call_command("generate_demo", schools=schools)
