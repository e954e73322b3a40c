"""
Roadmaps for tests: the rows themselves (Roadmap, Item, TargetIndicator) and
seed 004's municipal roadmap made through the services as a МИМЦ makes it.
"""

from __future__ import annotations

import itertools

import factory
from django.utils import timezone

from roadmaps import periods, services
from roadmaps.demo import add_seed004_items
from roadmaps.models import Item, Roadmap, TargetIndicator
from roadmaps.seed004 import TITLE
from schools.models import AcademicYear, User

from .schools import AcademicYearFactory, AnalystFactory, MunicipalityFactory


class RoadmapFactory(factory.django.DjangoModelFactory):
    """A municipal roadmap in draft (pass level and school for a school's programme)."""

    class Meta:
        model = Roadmap

    level = Roadmap.Level.MUNICIPAL
    municipality = factory.SubFactory(MunicipalityFactory)
    school = None
    year = factory.SubFactory(AcademicYearFactory)
    title = factory.LazyAttribute(
        lambda o: (
            (
                f"Программа повышения качества образования {o.school.short_name}"
                if o.school
                else "Дорожная карта по повышению качества общего образования"
            )
            + f" на {o.year.start_year}-{o.year.start_year + 1} учебный год"
        )
    )
    created_by = factory.SubFactory(
        AnalystFactory, municipality=factory.SelfAttribute("..municipality")
    )


class ItemFactory(factory.django.DjangoModelFactory):
    """
    An item read from its period phrase, like the services read it; its
    responsible (a text as in the document) become Responsible rows.
    """

    class Meta:
        model = Item
        exclude = ("period", "parsed")
        skip_postgeneration_save = True

    roadmap = factory.SubFactory(RoadmapFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"Мероприятие {n + 1}")
    period = "октябрь 2020 года"
    parsed = factory.LazyAttribute(
        lambda o: periods.parse(o.period, school_year=o.roadmap.year.start_year)
    )
    start = factory.SelfAttribute("parsed.start")
    end = factory.SelfAttribute("parsed.end")
    period_label = factory.SelfAttribute("parsed.label")
    position = factory.Sequence(lambda n: n + 1)

    @factory.post_generation
    def responsible(self, create, extracted, **kwargs):
        if not create:
            return
        for person in services.responsible_from_text(
            extracted or "МБУ «МИМЦ»", self.roadmap.municipality
        ):
            person.item = self
            person.save()


class TargetIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetIndicator

    roadmap = factory.SubFactory(RoadmapFactory)
    title = factory.Sequence(lambda n: f"Показатель {n + 1}")
    source = "manual"
    planned = factory.LazyAttribute(lambda o: {str(o.roadmap.year.start_year): 50.0})
    position = factory.Sequence(lambda n: n + 1)


_orders = itertools.count(87)


def approve(roadmap: Roadmap, *, by: User, approver: User) -> Roadmap:
    """Submit the roadmap as `by` and approve it as `approver`, by an order of today (a new number each time)."""
    services.roadmap_submit(obj=roadmap, by=by)
    services.roadmap_approve(
        obj=roadmap,
        order_number=str(next(_orders)),
        order_date=timezone.localdate(),
        by=approver,
    )
    roadmap.refresh_from_db()
    return roadmap


def seed004_roadmap(*, by: User, approver: User, year: AcademicYear) -> Roadmap:
    """
    Seed 004's municipal roadmap for 2020/2021 in execution, as the МИМЦ `by`
    of its municipality made it: its 14 items word for word; items 1–9 carry
    their execution information and are done on their last day, 10–14 are not.
    """
    roadmap = services.roadmap_create(
        level=Roadmap.Level.MUNICIPAL,
        municipality=by.municipality,
        school=None,
        year=year,
        title=TITLE,
        by=by,
    )
    add_seed004_items(roadmap, by=by)
    approve(roadmap, by=by, approver=approver)
    services.roadmap_start(obj=roadmap, by=by)
    roadmap.refresh_from_db()
    return roadmap
