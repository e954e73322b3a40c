"""
A school choosing its partner: the select lists the partners in the order of
the table above it (best first, full ones last), a partner without free places
is shown with the reason but cannot be chosen, and a post naming it — or any
school that is not among the suitable ones — creates nothing. The МИМЦ's
«suggest for everyone» page offers each school's options best first too.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from partnerships.models import Partnership, Suggestion
from tests.factories import SchoolFactory
from tests.factories.partnerships import PartnershipFactory

INDEX = "partnerships:index"


@dataclass
class Option:
    value: str
    label: str
    selected: bool
    disabled: bool
    group: str


class _Select(HTMLParser):
    """The options of the <select name=…> of a page, with their group."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name, self.inside, self.group = name, False, ""
        self.options: list[Option] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "select" and attributes.get("name") == self.name:
            self.inside = True
        elif self.inside and tag == "optgroup":
            self.group = attributes.get("label", "")
        elif self.inside and tag == "option":
            self.options.append(
                Option(
                    value=attributes.get("value", ""),
                    label="",
                    selected="selected" in attributes,
                    disabled="disabled" in attributes,
                    group=self.group,
                )
            )

    def handle_endtag(self, tag):
        if tag == "select":
            self.inside = False
        elif tag == "optgroup":
            self.group = ""

    def handle_data(self, data):
        if self.inside and self.options:
            self.options[-1].label += data.strip()


def options_of(response, name: str = "partner") -> list[Option]:
    parser = _Select(name)
    parser.feed(response.content.decode())
    return parser.options


@pytest.fixture
def chooser(client, lesosibirsk):
    """СОШ № 4 (ШНСУ) has not chosen a partner yet; its operator opens the page."""
    client.force_login(lesosibirsk.operator("СОШ № 4"))
    return client


def test_the_select_lists_the_partners_in_the_tables_order(chooser, lesosibirsk):
    response = chooser.get(reverse(INDEX))
    table = [row["pair"].partner.id for row in response.context["blocks"][0]["ranked"]]
    options = options_of(response)
    assert options[0] == Option("", "— выберите —", True, False, "")
    assert [int(o.value) for o in options[1:]] == table
    # Best first (СОШ № 2 0,18, Гимназия 0,30); the Лицей (0,29) has no free places, so it is last.
    assert [(o.label, o.disabled) for o in options[1:]] == [
        ("МБОУ «СОШ № 2»", False),
        ("МБОУ «Гимназия»", False),
        ("МБОУ «Лицей» — мест нет (уже 2 школы из 2)", True),
    ]
    assert table == [
        lesosibirsk.school(name).pk for name in ("СОШ № 2", "Гимназия", "Лицей")
    ]


def test_a_full_partner_is_refused_with_a_field_error_and_nothing_is_made(
    chooser, lesosibirsk
):
    school, lyceum = lesosibirsk.school("СОШ № 4"), lesosibirsk.school("Лицей")
    before = Partnership.objects.count()
    response = chooser.post(
        reverse(INDEX),
        {"school": school.pk, "partner": lyceum.pk, "support": ["expert"]},
    )
    assert response.status_code == 200
    assert response.context["blocks"][0]["form"].errors["partner"] == [
        "МБОУ «Лицей» уже поддерживает 2 школы — больше 2 нельзя. Выберите другого партнёра."
    ]
    assert Partnership.objects.count() == before
    assert not Partnership.objects.filter(school=school).exists()
    # The page shows the choice again, the full partner still not selectable.
    assert [o.disabled for o in options_of(response)[1:]] == [False, False, True]


@pytest.mark.parametrize(
    "name",
    ["СОШ № 9", "СОШ № 6", "СОШ № 4"],
    ids=["middle-band", "another-weak-school", "the-school-itself"],
)
def test_a_school_not_among_the_suitable_ones_is_refused(chooser, lesosibirsk, name):
    school = lesosibirsk.school("СОШ № 4")
    before = Partnership.objects.count()
    response = chooser.post(
        reverse(INDEX),
        {
            "school": school.pk,
            "partner": lesosibirsk.school(name).pk,
            "support": ["expert"],
        },
    )
    assert response.status_code == 200
    assert response.context["blocks"][0]["form"].errors["partner"] == [
        "Этой школы нет среди подходящих партнёров — выберите школу из списка."
    ]
    assert Partnership.objects.count() == before


def test_a_partner_with_free_places_is_proposed(chooser, lesosibirsk):
    school, gymnasium = lesosibirsk.school("СОШ № 4"), lesosibirsk.school("Гимназия")
    response = chooser.post(
        reverse(INDEX),
        {"school": school.pk, "partner": gymnasium.pk, "support": ["expert"]},
    )
    partnership = Partnership.objects.get(school=school)
    assert response.status_code == 302
    assert (partnership.partner, partnership.status) == (
        gymnasium,
        Partnership.Status.PROPOSED,
    )


def _suggest(lesosibirsk, partner: str, analyst) -> None:
    Suggestion.objects.create(
        campaign=lesosibirsk.this_year,
        school=lesosibirsk.school("СОШ № 4"),
        partner=lesosibirsk.school(partner),
        reason="по расчёту",
        sent_by=analyst,
    )


def test_the_mimc_suggestion_is_preselected_while_it_has_places(
    chooser, lesosibirsk, analyst
):
    _suggest(lesosibirsk, "Гимназия", analyst)
    selected = [o for o in options_of(chooser.get(reverse(INDEX))) if o.selected]
    assert [o.label for o in selected] == ["МБОУ «Гимназия»"]


def test_a_suggested_partner_that_filled_up_is_not_preselected(
    chooser, lesosibirsk, analyst
):
    _suggest(lesosibirsk, "Лицей", analyst)
    response = chooser.get(reverse(INDEX))
    assert (
        "МИМЦ рекомендует: <strong>МБОУ «Лицей»</strong>" in response.content.decode()
    )
    selected = [o for o in options_of(response) if o.selected]
    assert [o.value for o in selected] == [""]


def test_outside_partners_follow_the_ranked_ones_when_the_round_allows_them(
    chooser, lesosibirsk, other_municipality
):
    campaign = lesosibirsk.this_year
    campaign.allow_outside = True
    campaign.save()
    outside = SchoolFactory(
        municipality=other_municipality, short_name="МБОУ «Озерновская СОШ»"
    )
    full = SchoolFactory(
        municipality=other_municipality, short_name="МБОУ «Абалаковская СОШ»"
    )
    for weak in ("СОШ № 1", "СОШ № 9"):  # two schools of the town chose it already
        PartnershipFactory(
            campaign=campaign, school=lesosibirsk.school(weak), partner=full
        )
    options = options_of(chooser.get(reverse(INDEX)))[1:]
    assert [o.label for o in options[:3]] == [
        "МБОУ «СОШ № 2»",
        "МБОУ «Гимназия»",
        "МБОУ «Лицей» — мест нет (уже 2 школы из 2)",
    ]
    assert all(o.group == "" for o in options[:3])
    others = {o.label: o for o in options[3:]}
    assert {o.group for o in others.values()} == {
        "Другие школы региона (МИМЦ разрешил партнёров из других муниципалитетов)"
    }
    assert not others["МБОУ «Озерновская СОШ» (Енисейский район)"].disabled
    assert others[
        "МБОУ «Абалаковская СОШ» (Енисейский район) — мест нет (уже 2 школы из 2)"
    ].disabled
    school = lesosibirsk.school("СОШ № 4")
    refused = chooser.post(
        reverse(INDEX), {"school": school.pk, "partner": full.pk, "support": ["expert"]}
    )
    assert refused.context["blocks"][0]["form"].errors["partner"]
    assert not Partnership.objects.filter(school=school).exists()
    chooser.post(
        reverse(INDEX),
        {"school": school.pk, "partner": outside.pk, "support": ["expert"]},
    )
    assert Partnership.objects.get(school=school).partner == outside


def test_the_mimc_suggestions_offer_each_schools_options_best_first(
    client, lesosibirsk, analyst
):
    client.force_login(analyst)
    response = client.get(
        reverse("partnerships:suggest", args=[lesosibirsk.this_year.pk])
    )
    needy = lesosibirsk.school("СОШ № 4")
    row = next(r for r in response.context["rows"] if r["pair"].school.id == needy.pk)
    costs = [o.cost for o in row["options"]]
    assert costs == sorted(costs)
    options = options_of(response, f"partner-{needy.pk}")
    assert options[0].label == "— не предлагать —"
    # СОШ № 2 0,18, Лицей 0,29, Гимназия 0,30: the page's own scores, ascending.
    assert [o.label for o in options[1:]] == [
        "МБОУ «СОШ № 2» (оценка 0,18)",
        "МБОУ «Лицей» (оценка 0,29)",
        "МБОУ «Гимназия» (оценка 0,30)",
    ]
    assert [int(o.value) for o in options[1:]] == [o.partner.id for o in row["options"]]
