"""Partner suggestions, pure: the assignment beats greedy choice, keeps capacity, never breaks the rules."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerships.suggest import GRADES, SchoolInfo, pair_cost, ranked, solve

TOWN = "г. Лесосибирск"


def school(id, school_type="СОШ", *, municipality_id=1, settlement=TOWN, **fields):
    return SchoolInfo(
        id=id,
        name=f"Школа {id}",
        school_type=school_type,
        municipality_id=municipality_id,
        settlement=settlement,
        **fields,
    )


def greedy(needy, candidates, *, capacity, allow_outside=False):
    """Each school in turn takes its cheapest partner that still has a place: {school id: (partner id, cost)}."""
    free = dict(capacity)
    out = {}
    for s in needy:
        options = []
        for p in candidates:
            cost, _ = pair_cost(s, p, allow_outside=allow_outside)
            if cost is not None and free.get(p.id, 0) > 0:
                options.append((cost, p.name, p.id))
        if options:
            cost, _, partner_id = min(options)
            free[partner_id] -= 1
            out[s.id] = (partner_id, cost)
    return out


def assigned(pairs):
    return {p.school.id: p.partner.id for p in pairs if p.partner is not None}


def total(pairs):
    return sum(
        pair_cost(p.school, p.partner)[0] for p in pairs if p.partner is not None
    )


def loads(pairs):
    counts = {}
    for p in pairs:
        if p.partner is not None:
            counts[p.partner.id] = counts.get(p.partner.id, 0) + 1
    return counts


# The optimum differs from greedy choice -------------------------------------------------------------

# All schools in one settlement (distance 0) with no well-being index (social 0.5 → 0.2 · 0.5 = 0.1).
# Partner P: a «Лицей» with index 1.5 → strength (1.5 − 1.5) / 3 = 0.
# Partner Q: an ООШ with index −0.3 → strength (1.5 + 0.3) / 3 = 0.6 → 0.2 · 0.6 = 0.12.
# A (СОШ, grades 1–11):  A–P  level 0.3 (Лицей teaches 1–11) → 0.35 · 0.3 = 0.105; 0.105 + 0.1          = 0.205
#                        A–Q  level 1.0 (ООШ lacks 10–11)    → 0.35;               0.35 + 0.1 + 0.12    = 0.57
# B (ООШ, grades 1–9):   B–P  level 0.3                      → 0.105;              0.105 + 0.1          = 0.205
#                        B–Q  level 0 (same type);                                  0 + 0.1 + 0.12       = 0.22
# Greedy in the order B, A: B takes P (0.205 < 0.22), A is left with Q: 0.205 + 0.57 = 0.775.
# Optimum: A–P and B–Q: 0.205 + 0.22 = 0.425.
P = school(101, "Лицей", index=1.5)
Q = school(102, "ООШ", index=-0.3)
A = school(1, "СОШ")
B = school(2, "ООШ")


def test_hand_computed_costs():
    assert pair_cost(A, P)[0] == pytest.approx(0.205)
    assert pair_cost(A, Q)[0] == pytest.approx(0.57)
    assert pair_cost(B, P)[0] == pytest.approx(0.205)
    assert pair_cost(B, Q)[0] == pytest.approx(0.22)


def test_solve_finds_the_optimum_that_greedy_choice_misses():
    capacity = {P.id: 1, Q.id: 1}
    by_greedy = greedy([B, A], [P, Q], capacity=capacity)
    assert by_greedy == {
        B.id: (P.id, pytest.approx(0.205)),
        A.id: (Q.id, pytest.approx(0.57)),
    }
    greedy_total = sum(cost for _, cost in by_greedy.values())
    assert greedy_total == pytest.approx(0.775)

    pairs = solve([B, A], [P, Q], capacity=capacity)
    assert assigned(pairs) == {A.id: P.id, B.id: Q.id}
    assert total(pairs) == pytest.approx(0.425)
    assert total(pairs) < greedy_total
    # Each pair carries its own cost and the reasons pair_cost gives for it.
    for pair in pairs:
        cost, reasons = pair_cost(pair.school, pair.partner)
        assert pair.cost == pytest.approx(cost)
        assert pair.reasons == reasons


# Capacity ----------------------------------------------------------------------------------------------


def test_a_partner_with_two_places_takes_at_most_two_schools_and_the_third_is_told_why():
    near, also_near = school(1), school(2)
    far = school(
        3, settlement="п. Стрелка"
    )  # another settlement: the dearest one to pair, so it is left out
    partner = school(101, index=1.5)
    pairs = solve([near, far, also_near], [partner], capacity={partner.id: 2})
    assert assigned(pairs) == {near.id: partner.id, also_near.id: partner.id}
    left = next(p for p in pairs if p.school.id == far.id)
    assert (left.partner, left.cost) == (None, None)
    assert left.reasons == ["не хватило свободных мест у подходящих партнёров"]
    assert [p.school.id for p in pairs] == [
        near.id,
        far.id,
        also_near.id,
    ]  # the order of the schools is kept


def test_places_are_shared_between_partners_by_capacity():
    needy = [school(1), school(2), school(3)]
    big, small = school(101, index=1.5), school(102, index=1.4)
    pairs = solve(needy, [big, small], capacity={big.id: 2, small.id: 1})
    assert all(p.partner is not None for p in pairs)
    assert loads(pairs) == {big.id: 2, small.id: 1}


def test_a_partner_without_places_is_never_chosen():
    needy = [school(1)]
    full, free = school(101, index=1.5), school(102, index=0.0)
    assert pair_cost(needy[0], full)[0] < pair_cost(needy[0], free)[0]
    assert assigned(solve(needy, [full, free], capacity={full.id: 0, free.id: 1})) == {
        1: free.id
    }
    # A partner missing from the capacities has no places either.
    assert assigned(solve(needy, [full, free], capacity={free.id: 1})) == {1: free.id}


def test_no_places_at_all_is_said_so():
    pairs = solve([school(1), school(2)], [school(101)], capacity={101: 0})
    assert [(p.partner, p.reasons) for p in pairs] == [
        (None, ["нет свободных школ-партнёров"])
    ] * 2


# The rules ---------------------------------------------------------------------------------------------


def test_a_school_is_never_its_own_partner():
    strong = school(
        1, index=1.5
    )  # a school that both needs help and is among the candidates
    other = school(101, "ООШ", index=-1.0)
    assert pair_cost(strong, strong) == (
        None,
        ["школа не может быть партнёром самой себе"],
    )
    assert assigned(solve([strong], [strong, other], capacity={1: 2, 101: 2})) == {
        1: 101
    }
    only_itself = solve([strong], [strong], capacity={1: 2})
    assert only_itself[0].partner is None
    assert [p.partner.id for p in ranked(strong, [strong, other])] == [101]


def test_a_partner_from_another_municipality_only_when_allowed():
    needy = school(1)
    outside = school(101, municipality_id=2, index=1.5)
    inside = school(102, "ООШ", index=-1.0)  # far worse, but local
    assert pair_cost(needy, outside)[0] is None
    assert assigned(solve([needy], [outside, inside], capacity={101: 1, 102: 1})) == {
        1: 102
    }
    assert solve([needy], [outside], capacity={101: 1})[0].partner is None
    assert [p.partner.id for p in ranked(needy, [outside, inside])] == [102]

    pairs = solve([needy], [outside], capacity={101: 1}, allow_outside=True)
    assert pairs[0].partner == outside
    assert "другой муниципалитет" in pairs[0].reasons
    assert [
        p.partner.id for p in ranked(needy, [outside, inside], allow_outside=True)
    ] == [101, 102]


# Ranking -------------------------------------------------------------------------------------------------


def test_ranked_puts_the_best_first_and_explains_in_russian():
    ooh = school(1, "ООШ", settlement="п. Стрелка")
    same_type_here = school(101, "ООШ", settlement="п. Стрелка", index=1.2)
    bigger_in_town = school(102, "Гимназия", index=1.2)
    primary_only = school(103, "НОШ", settlement="п. Стрелка", index=1.2)
    options = ranked(ooh, [primary_only, bigger_in_town, same_type_here])
    assert [p.partner.id for p in options] == [101, 102, 103]
    assert [p.cost for p in options] == sorted(p.cost for p in options)
    assert options[0].reasons == [
        "высокие результаты (индекс 1,2)",
        "тот же тип школы (ООШ)",
        "тот же населённый пункт (п. Стрелка)",
    ]
    assert options[1].reasons == [
        "высокие результаты (индекс 1,2)",
        "ведёт те же классы (1–9) и старшие",
        "другой населённый пункт (г. Лесосибирск)",
    ]
    assert options[2].reasons[1] == "не ведёт старших классов школы: только 1–4"


def test_ranked_mentions_similar_social_context_and_resilience():
    needy = school(1, wellbeing=-1.0, hard_context=True)
    resilient = school(101, wellbeing=-0.8, index=0.9, resilient=True)
    plain = school(102, wellbeing=-0.8, index=0.9)
    options = ranked(needy, [plain, resilient])
    assert [p.partner.id for p in options] == [
        101,
        102,
    ]  # resilience counts for a school in a hard context
    assert options[0].reasons[:2] == [
        "высокие результаты (индекс 0,9)",
        "резильентная школа: высокие результаты в сложном социальном контексте",
    ]
    assert "похожий социальный контекст (ИСБ −1 и −0,8)" in options[0].reasons


def test_kilometres_are_used_when_both_schools_have_coordinates():
    here = school(1, latitude=58.23, longitude=92.48, settlement=TOWN)
    near = school(
        101, latitude=58.33, longitude=92.48, settlement="п. Стрелка", index=1.0
    )  # 0.1° north ≈ 11.12 km
    far = school(
        102, latitude=58.63, longitude=92.48, settlement=TOWN, index=1.0
    )  # 0.4° north ≈ 44.48 km
    options = ranked(here, [far, near])
    assert [p.partner.id for p in options] == [101, 102]
    assert "11,12 км" in options[0].reasons
    assert "44,48 км" in options[1].reasons
    # Kilometres replace the settlement comparison.
    assert not any("населённый пункт" in r for p in options for r in p.reasons)
    # 11.12 km of 50 → distance 0.222; the same partner without coordinates in another settlement costs 0.6.
    without = school(101, settlement="п. Стрелка", index=1.0)
    assert pair_cost(here, near)[0] == pytest.approx(
        pair_cost(here, without)[0] - 0.25 * (0.6 - 11.119492664 / 50), abs=2e-6
    )


# Properties ------------------------------------------------------------------------------------------------

optional = st.one_of(st.none(), st.floats(min_value=-3, max_value=3, allow_nan=False))


@st.composite
def infos(draw, ids, municipalities=(1,)):
    out = []
    for i in ids:
        located = draw(st.booleans())
        out.append(
            SchoolInfo(
                id=i,
                name=f"Школа {i}",
                school_type=draw(st.sampled_from(sorted(GRADES))),
                municipality_id=draw(st.sampled_from(municipalities)),
                settlement=draw(st.sampled_from(["", TOWN, "п. Стрелка"])),
                latitude=draw(st.floats(min_value=58, max_value=59))
                if located
                else None,
                longitude=draw(st.floats(min_value=92, max_value=93))
                if located
                else None,
                distance_km=draw(st.floats(min_value=0, max_value=120)),
                index=draw(optional),
                wellbeing=draw(optional),
                resilient=draw(st.booleans()),
                hard_context=draw(st.booleans()),
            )
        )
    return out


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_solve_is_never_worse_than_greedy_and_keeps_capacity(data):
    needy = data.draw(infos(range(1, data.draw(st.integers(1, 6)) + 1)), label="needy")
    candidates = data.draw(
        infos(range(101, data.draw(st.integers(1, 4)) + 101)), label="candidates"
    )
    capacity = {c.id: data.draw(st.integers(0, 3)) for c in candidates}
    pairs = solve(needy, candidates, capacity=capacity)
    by_greedy = greedy(needy, candidates, capacity=capacity)
    # Every pair is allowed here, so both give a place to as many schools as there are places.
    assert (
        len(assigned(pairs))
        == len(by_greedy)
        == min(len(needy), sum(capacity.values()))
    )
    assert total(pairs) <= sum(cost for _, cost in by_greedy.values()) + 1e-9
    assert all(n <= capacity[pid] for pid, n in loads(pairs).items())
    assert [p.school for p in pairs] == needy


@settings(max_examples=150, deadline=None)
@given(st.data(), st.booleans())
def test_solve_keeps_the_rules_and_places_at_least_as_many_schools_as_greedy(
    data, allow_outside
):
    needy = data.draw(infos(range(1, 6), municipalities=(1, 2)), label="needy")
    candidates = data.draw(
        infos(range(4, 9), municipalities=(1, 2)), label="candidates"
    )  # 4 and 5 on both sides
    capacity = {c.id: data.draw(st.integers(0, 2)) for c in candidates}
    pairs = solve(needy, candidates, capacity=capacity, allow_outside=allow_outside)
    for p in pairs:
        if p.partner is not None:
            assert p.partner.id != p.school.id
            assert (
                allow_outside or p.partner.municipality_id == p.school.municipality_id
            )
    assert all(n <= capacity[pid] for pid, n in loads(pairs).items())
    by_greedy = greedy(
        needy, candidates, capacity=capacity, allow_outside=allow_outside
    )
    placed = assigned(pairs)
    assert len(placed) >= len(by_greedy)
    if len(placed) == len(by_greedy):
        solved_total = sum(
            pair_cost(p.school, p.partner, allow_outside=allow_outside)[0]
            for p in pairs
            if p.partner is not None
        )
        assert solved_total <= sum(cost for _, cost in by_greedy.values()) + 1e-9
