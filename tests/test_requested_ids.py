"""An id in a query string or a form is ASCII digits or nothing: «²» is no id and no server error."""

import pytest
from django.urls import reverse

from schools import access


@pytest.mark.parametrize(
    ("raw", "pk"),
    [
        ("12", 12),
        ("²", None),
        ("١٢", None),
        ("", None),
        (None, None),
        ("-1", None),
        ("1.0", None),
    ],
)
def test_requested_pk_takes_ascii_digits_only(raw, pk):
    assert access.requested_pk(raw) == pk


def test_a_school_filter_of_other_digits_is_not_found(client_for, analyst):
    response = client_for(analyst).get(reverse("monitoring:index"), {"school": "²"})
    assert response.status_code == 404


def test_a_municipality_choice_of_other_digits_falls_back_to_the_persons_own(
    client_for, analyst
):
    response = client_for(analyst).get(
        reverse("partnerships:gradation"), {"municipality": "²"}
    )
    assert response.status_code == 200
    assert response.context["municipality"] == analyst.municipality


def test_a_roadmap_year_of_other_digits_is_ignored(client_for, analyst):
    response = client_for(analyst).get(reverse("roadmaps:list"), {"year": "²"})
    assert response.status_code == 200
