"""
L3 in % of the maximum primary score for ОГЭ and ВПР (methodology §9 R3), with
the mean mark × 20 as the documented fallback; worked by hand in the comments.
"""

import numpy as np
import pandas as pd
import pytest

from identification.engine import identify, preset
from identification.engine.params import deep_merge

from .frames import inputs, results, schools
from .test_engine_edges import TARGET, Y, flags

OGE_RU = ["ОГЭ", "русский язык", 9, ""]
VPR_MA5 = ["ВПР", "математика", 5, ""]
EGE_RU = ["ЕГЭ", "русский язык", 11, ""]


def params(*procedures):
    return deep_merge(preset("lesosibirsk"), {"l3": {"procedures": list(procedures)}})


def result_frame(*rows):
    """Rows of (school, procedure key, mean score, mean % or None)."""
    frame = results(*((s, Y, *key, 20, 0, mean) for s, key, mean, _ in rows))
    return frame.assign(
        mean_percent=[np.nan if p is None else float(p) for *_, p in rows]
    )


def means(*rows, with_percent=True):
    """Regional means: (procedure key, mean score, mean % or None)."""
    frame = pd.DataFrame(
        [
            {
                "region_id": 1,
                "year": Y,
                "procedure": key[0],
                "subject": key[1],
                "grade": key[2],
                "level": key[3],
                "mean_score": mean,
                "mean_percent": np.nan if percent is None else float(percent),
            }
            for key, mean, percent in rows
        ]
    )
    return frame if with_percent else frame.drop(columns="mean_percent")


def l3(frame, reference, *procedures):
    ids = sorted(set(frame["school_id"]))
    output = identify(
        inputs(schools(*ids), result_frame=frame, means=reference),
        params(*procedures),
        TARGET,
    )
    return flags(output, "L3")


def test_oge_gap_is_taken_in_percent_of_the_maximum_when_both_have_it():
    """
    The region: ОГЭ русский язык, mean mark 4,4, 62 % of the maximum.

    School 1: mark 3,5 and 40 %. In % of the maximum the gap is 62 − 40 = 22
    p. p. > 20: flagged, though its marks × 20 give (4,4 − 3,5) × 20 = 18.
    School 2: the same marks, no percent: the fallback, 18 ≤ 20, not flagged.
    School 3: mark 3,2 and 45 %: 62 − 45 = 17 p. p., not flagged, though its
    marks × 20 give (4,4 − 3,2) × 20 = 24 > 20.
    """
    frame = result_frame(
        (1, OGE_RU, 3.5, 40), (2, OGE_RU, 3.5, None), (3, OGE_RU, 3.2, 45)
    )
    found = l3(frame, means((OGE_RU, 4.4, 62)), OGE_RU)

    assert found.loc[1, "state"] == "flagged"
    assert found.loc[1, "value"] == pytest.approx(22)
    assert found.loc[2, "state"] == "not_flagged"
    assert found.loc[2, "value"] == pytest.approx(18)
    assert found.loc[3, "state"] == "not_flagged"
    assert found.loc[3, "value"] == pytest.approx(17)

    [first] = found.loc[1, "components"]["procedures"]
    assert first["scale"] == "percent"
    assert (first["school"], first["region"], first["gap"]) == pytest.approx(
        (40, 62, 22)
    )
    text = found.loc[1, "explanation"]
    assert "больше 20 п. п." in text
    assert "ОГЭ, русский язык, в % от максимального первичного балла" in text
    assert "разница 22 п. п." in text
    assert "по средней отметке × 20" not in text

    [second] = found.loc[2, "components"]["procedures"]
    assert second["scale"] == "mark"
    assert (second["school"], second["region"], second["gap"]) == pytest.approx(
        (3.5, 4.4, 18)
    )
    fallback = found.loc[2, "explanation"]
    assert "не больше 20 баллов" in fallback
    assert "ОГЭ, русский язык, по средней отметке × 20" in fallback
    assert "в % от максимального" not in fallback


def test_the_fallback_when_the_region_has_no_percent():
    """School 1 has 40 %, the region only its mark 4,4: (4,4 − 3,5) × 20 = 18."""
    frame = result_frame((1, OGE_RU, 3.5, 40))
    for reference in (
        means((OGE_RU, 4.4, None)),
        means((OGE_RU, 4.4, None), with_percent=False),
    ):
        found = l3(frame, reference, OGE_RU)
        assert found.loc[1, "state"] == "not_flagged"
        assert found.loc[1, "value"] == pytest.approx(18)
        assert found.loc[1, "components"]["procedures"][0]["scale"] == "mark"


def test_frames_without_the_percent_column_keep_the_mark_rule():
    """Frames read before the column existed: marks × 20, as L3 always did."""
    frame = results((1, Y, *OGE_RU, 20, 0, 3.3))
    found = l3(frame, means((OGE_RU, 4.4, 62), with_percent=False), OGE_RU)
    # (4,4 − 3,3) × 20 = 22 > 20.
    assert found.loc[1, "state"] == "flagged"
    assert found.loc[1, "value"] == pytest.approx(22)


def test_vpr_in_percent_and_a_percent_without_a_mark_still_compares():
    """ВПР математика 5: school 30 %, region 51 %, no marks: 21 p. p. > 20."""
    frame = result_frame((1, VPR_MA5, None, 30))
    found = l3(frame, means((VPR_MA5, None, 51)), VPR_MA5)
    assert found.loc[1, "state"] == "flagged"
    assert found.loc[1, "value"] == pytest.approx(21)
    assert (
        "ВПР, математика, 5 класс, в % от максимального"
        in (found.loc[1, "explanation"])
    )


def test_ege_stays_in_test_points_even_with_a_percent():
    """ЕГЭ русский язык: 49 against 70 test points, 21 > 20, whatever % is given."""
    frame = result_frame((1, EGE_RU, 49, 90))
    found = l3(frame, means((EGE_RU, 70, 60)), EGE_RU)
    assert found.loc[1, "state"] == "flagged"
    assert found.loc[1, "value"] == pytest.approx(21)
    assert found.loc[1, "components"]["procedures"][0]["scale"] == "test"
    assert "в тестовых баллах" in found.loc[1, "explanation"]


def test_procedures_on_both_scales_name_each_and_take_the_worst():
    """
    ОГЭ in % (62 − 45 = 17 p. p.) and ЕГЭ in test points (70 − 48 = 22): the
    school is flagged by ЕГЭ, and the threshold names both units.
    """
    frame = result_frame((1, OGE_RU, 4.0, 45), (1, EGE_RU, 48, None))
    found = l3(frame, means((OGE_RU, 4.4, 62), (EGE_RU, 70, None)), OGE_RU, EGE_RU)
    assert found.loc[1, "state"] == "flagged"
    assert found.loc[1, "value"] == pytest.approx(22)
    scales = [p["scale"] for p in found.loc[1, "components"]["procedures"]]
    assert sorted(scales) == ["percent", "test"]
    assert "больше 20 баллов или п. п." in found.loc[1, "explanation"]
