"""The vectorised cost matrix must price every pair exactly as `pair_cost` explains it."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerships.suggest import GRADES, INFEASIBLE, SchoolInfo, cost_matrix, pair_cost

optional = st.one_of(st.none(), st.floats(min_value=-3, max_value=3, allow_nan=False))


@st.composite
def schools(draw, ids):
    has_place = draw(st.booleans())
    return [
        SchoolInfo(
            id=i,
            name=f"Школа {i}",
            school_type=draw(st.sampled_from(sorted(GRADES))),
            municipality_id=draw(st.sampled_from([1, 2])),
            settlement=draw(st.sampled_from(["", "г. Лесосибирск", "п. Стрелка"]))
            if has_place
            else "",
            latitude=draw(st.one_of(st.none(), st.floats(min_value=55, max_value=60)))
            if not has_place
            else None,
            longitude=draw(st.floats(min_value=90, max_value=95)),
            distance_km=draw(st.floats(min_value=0, max_value=120)),
            index=draw(optional),
            wellbeing=draw(optional),
            resilient=draw(st.booleans()),
            hard_context=draw(st.booleans()),
        )
        for i in ids
    ]


@settings(max_examples=60, deadline=None)
@given(st.data(), st.booleans())
def test_matrix_equals_pair_cost_for_every_pair(data, allow_outside):
    needy = data.draw(schools(range(1, 6)))
    candidates = data.draw(
        schools(range(4, 10))
    )  # ids 4 and 5 on both sides: a school against itself
    matrix = cost_matrix(needy, candidates, allow_outside=allow_outside)
    for i, school in enumerate(needy):
        for j, partner in enumerate(candidates):
            cost, _ = pair_cost(school, partner, allow_outside=allow_outside)
            expected = INFEASIBLE if cost is None else cost
            assert np.isclose(matrix[i, j], expected, atol=1e-6), (school, partner)
