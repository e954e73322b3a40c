"""
Options of methodology.md the editor offers, each with a worked example
computed by hand in the comments.
"""

import pandas as pd

from identification.engine import identify, preset
from identification.engine.params import deep_merge

from .frames import inputs, schools
from .test_engine_edges import TARGET, Y, flags, outcomes


def _quality(rows):
    """Outcomes with only «Аттестовано» and «на 4 и 5» (quality, L6) filled."""
    return outcomes(
        [(i, Y, None, None, None, a, good, None, None) for i, a, good in rows]
    )


# School 1: 40 of 100 attested on «4 и 5» (40 %); schools 2 and 3: 9 and 8 of 10
# (90 % and 80 %). Pooled: (40 + 9 + 8) / 120 = 47,5 %; mean of the schools'
# shares: (40 + 90 + 80) / 3 = 70 %.
QUALITY = [(1, 100, 40), (2, 10, 9), (3, 10, 8)]


def _l6(params, school_frame, frame):
    return flags(identify(inputs(school_frame, outcomes=frame), params, TARGET), "L6")


def test_l6_against_the_pooled_share_of_the_municipality():
    l6 = _l6(preset("lesosibirsk"), schools(1, 2, 3), _quality(QUALITY))
    # 47,5 − 40 = 7,5 p. p. < 10: not flagged.
    assert l6.loc[1, "state"] == "not_flagged"
    assert "при среднем по муниципалитету 47,5 %" in l6.loc[1, "explanation"]


def test_l6_against_the_mean_of_the_schools_when_the_methodology_says_so():
    params = deep_merge(preset("lesosibirsk"), {"l6": {"reference": "schools"}})
    l6 = _l6(params, schools(1, 2, 3), _quality(QUALITY))
    # 70 − 40 = 30 p. p. ≥ 10: flagged; school 3 (80 %) is above the mean.
    assert l6.loc[1, "state"] == "flagged"
    assert l6.loc[3, "state"] == "not_flagged"
    assert "при среднем значении школ муниципалитета 70 %" in l6.loc[1, "explanation"]


def test_l6_and_l7_compare_with_the_municipality_even_when_the_cuts_are_regional():
    # Municipality 1: schools 1–2 at 40 %; municipality 2: schools 3–4 at 80 %.
    # Over the region the pooled share is 60 % and schools 1–2 would be 20 p. p.
    # below it; against their own municipality they are at its mean.
    both = pd.concat(
        [schools(1, 2, municipality=1), schools(3, 4, municipality=2)],
        ignore_index=True,
    )
    frame = _quality([(1, 10, 4), (2, 10, 4), (3, 10, 8), (4, 10, 8)])
    params = deep_merge(preset("lesosibirsk"), {"comparison_set": "region"})
    l6 = _l6(params, both, frame)
    assert list(l6["state"]) == ["not_flagged"] * 4
    assert "при среднем по муниципалитету 40 %" in l6.loc[1, "explanation"]


def test_the_editor_saves_the_l6_mean_as_a_new_version(client_for, analyst):
    from django.urls import reverse

    from identification.models import Methodology, MethodologyVersion

    own = Methodology.objects.create(
        code="own", name="Своя", municipality=analyst.municipality
    )
    MethodologyVersion.objects.create(
        methodology=own, number=1, params=preset("lesosibirsk")
    )
    client = client_for(analyst)
    url = reverse("identification:methodology-edit", args=[own.pk])
    form = client.get(url).context["form"]
    assert form.fields["l6__reference"].initial == "pooled"
    data = {
        name: field.initial
        for name, field in form.fields.items()
        if field.initial not in (None, False)
    }
    data |= {"l6__reference": "schools", "comment": "Среднее школ"}
    assert client.post(url, data).status_code == 302
    stored = own.versions.get(number=2).params
    assert (stored["l6"]["reference"], stored["l7"]["reference"]) == (
        "schools",
        "pooled",
    )
