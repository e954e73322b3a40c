"""A run stores numbers and facts; its explanations are worded from them exactly as the engine words them."""

import json
import zlib

import numpy as np
import pandas as pd
import pytest

from identification import columns as c
from identification import engine, packing, selectors, services
from identification.models import CriterionResult, RunDetail, SchoolResult
from schools.models import School

from .frames import inputs, results, schools

TARGET, Y = 2021, 2020


def test_stored_run_words_every_explanation_as_the_engine_does(town_run):
    run_schools = services.run_schools(town_run)
    output = engine.identify(
        selectors.inputs_frame(schools=run_schools, target_year=2021),
        town_run.params,
        2021,
    )
    stored = selectors.run_details(town_run)
    flags = output.flags
    assert len(flags) == 6 * 13  # the town's six schools, every criterion
    for school, criterion, explanation, components in flags[
        [c.SCHOOL_ID, c.CRITERION, c.EXPLANATION, c.COMPONENTS]
    ].itertuples(index=False):
        assert stored[school][criterion] == [explanation, components]


def test_stored_numbers_equal_the_engine_numbers(town_run):
    output = engine.identify(
        selectors.inputs_frame(
            schools=services.run_schools(town_run), target_year=2021
        ),
        town_run.params,
        2021,
    )
    expected = output.numbers.set_index([c.SCHOOL_ID, c.CRITERION])
    stored = (
        pd.DataFrame.from_records(
            CriterionResult.objects.filter(run=town_run).values(
                c.SCHOOL_ID,
                c.CRITERION,
                c.STATE,
                c.VALUE,
                c.THRESHOLD,
                c.RANK,
                c.MARGIN,
            )
        )
        .set_index([c.SCHOOL_ID, c.CRITERION])
        .loc[expected.index]
    )
    assert (stored[c.STATE] == expected[c.STATE]).all()
    for column in (c.VALUE, c.THRESHOLD, c.RANK, c.MARGIN):
        assert np.allclose(
            stored[column].astype(float),
            expected[column].astype(float),
            equal_nan=True,
            rtol=0,
            atol=1e-9,
        ), column
    statuses = dict(
        SchoolResult.objects.filter(run=town_run).values_list("school_id", "status")
    )
    assert statuses == dict(
        zip(output.statuses[c.SCHOOL_ID], output.statuses[c.STATUS], strict=True)
    )


def test_a_municipality_block_holds_only_its_schools():
    frame = results(
        (1, Y, "ВПР", "математика", 5, "", 20, 7, None),
        (1, Y, "ОГЭ", "математика", 9, "", 20, 6, None),
        (2, Y, "ВПР", "математика", 5, "", 20, 1, None),
        (3, Y, "ВПР", "математика", 5, "", 20, 9, None),
    )
    school_frame = schools(1, 2, 3)
    school_frame["municipality_id"] = [10, 10, 20]
    output = engine.identify(
        inputs(school_frame, result_frame=frame), engine.preset("kaltan"), TARGET
    )
    blocks = packing.pack(
        output.facts,
        output.items,
        school_frame.set_index("school_id")["municipality_id"],
    )
    assert set(blocks) == {10, 20}
    worded = packing.word(packing.unpack(blocks[20]), output.context)
    assert set(worded) == {3}
    flags = output.flags.set_index([c.SCHOOL_ID, c.CRITERION])
    assert worded[3]["R1"] == [
        flags.loc[(3, "R1"), c.EXPLANATION],
        flags.loc[(3, "R1"), c.COMPONENTS],
    ]
    assert "низких результатов в 2020/2021 — 1." in worded[3]["R1"][0]


def test_a_run_stored_before_facts_still_shows_its_worded_explanations(town_run, town):
    """Runs stored by the earlier version kept their explanations as text: they are read as they are."""
    school = town["МБОУ «СОШ № 6»"]
    legacy = {str(school.pk): {"R1": ["Объяснение, сохранённое текстом.", {"low": []}]}}
    RunDetail.objects.filter(run=town_run).delete()
    RunDetail.objects.create(
        run=town_run,
        municipality_id=school.municipality_id,
        payload=zlib.compress(json.dumps(legacy, ensure_ascii=False).encode()),
    )
    town_run.summary.pop("context")
    assert selectors.run_details(town_run)[school.pk]["R1"] == [
        "Объяснение, сохранённое текстом.",
        {"low": []},
    ]


@pytest.mark.django_db
def test_copy_frame_writes_numbers_texts_and_missing_values_as_given(town_run):
    """Binary COPY on PostgreSQL (ORM elsewhere): every kind of value and NULL lands as it was."""
    ids = list(School.objects.order_by("pk").values_list("pk", flat=True)[:3])
    frame = pd.DataFrame(
        {
            c.SCHOOL_ID: ids,
            c.CRITERION: ["X1", "X2", "X1"],
            c.STATE: ["flagged", "no_data", "not_flagged"],
            c.VALUE: [1.5, np.nan, -2.25],
            c.THRESHOLD: [np.nan, 3.0, 0.0],
            c.RANK: [7.0, np.nan, 0.0],
            c.MARGIN: [1e-6, np.nan, np.nan],
        }
    ).assign(run_id=town_run.pk)
    from monitoring.importers.bulk import copy_frame

    copy_frame(CriterionResult, frame)
    rows = list(
        CriterionResult.objects.filter(run=town_run, criterion__startswith="X")
        .order_by("school_id")
        .values_list(
            c.SCHOOL_ID, c.CRITERION, c.STATE, c.VALUE, c.THRESHOLD, c.RANK, c.MARGIN
        )
    )
    assert rows == [
        (ids[0], "X1", "flagged", 1.5, None, 7, 1e-6),
        (ids[1], "X2", "no_data", None, 3.0, None, None),
        (ids[2], "X1", "not_flagged", -2.25, 0.0, 0, None),
    ]
