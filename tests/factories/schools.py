import datetime as dt
from decimal import Decimal

import factory

from schools.models import AcademicYear, Municipality, Region, School, User


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    name = "Красноярский край"
    code = "24"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Муниципалитет {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    municipality = factory.SubFactory(MunicipalityFactory)
    short_name = factory.Sequence(lambda n: f"МБОУ «СОШ № {n}»")
    full_name = factory.LazyAttribute(
        lambda o: (
            f"Муниципальное бюджетное общеобразовательное учреждение {o.short_name}"
        )
    )
    code = factory.LazyAttributeSequence(
        lambda o, n: f"sch{o.municipality.region.code}{n:06d}"
    )
    school_type = School.Type.SOSH
    is_rural = False
    distance_km = Decimal("2.5")


class AcademicYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicYear
        django_get_or_create = ("start_year",)

    start_year = 2020
    start_date = factory.LazyAttribute(lambda o: dt.date(o.start_year, 9, 1))
    end_date = factory.LazyAttribute(lambda o: dt.date(o.start_year + 1, 8, 31))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Ольга"
    last_name = factory.Sequence(lambda n: f"Иванова{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    role = User.Role.OPERATOR
    password = factory.django.Password("pass-12345")

    @factory.post_generation
    def schools(self, create, extracted, **kwargs):
        if create and extracted:
            self.schools.set(extracted)


class OperatorFactory(UserFactory):
    role = User.Role.OPERATOR


class AnalystFactory(UserFactory):
    role = User.Role.ANALYST
    municipality = factory.SubFactory(MunicipalityFactory)


class ApproverFactory(UserFactory):
    role = User.Role.APPROVER
    municipality = factory.SubFactory(MunicipalityFactory)


class AdminFactory(UserFactory):
    role = User.Role.ADMINISTRATOR
    is_staff = True
    is_superuser = True
