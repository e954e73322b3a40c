"""One way to write numbers: pages, exports and explanations agree."""

import pytest

from identification.engine.text import num, pct
from schools import formatting
from schools.templatetags.portal import ru_number

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("value", "places", "written"),
    [
        (30, 1, "30"),
        (30.04, 1, "30"),  # not «30,0» in one place and «30» in another
        (30.06, 1, "30,1"),
        (-0.04, 1, "0"),  # never «−0,0»
        (-0.004, 2, "0,00"),
        (-0.79, 2, "−0,79"),  # a true minus
        (0.5, 2, "0,50"),  # an index keeps its places
        (12.25, 1, "12,3"),  # half away from zero, as a spreadsheet
        (0.285, 2, "0,29"),
        (1048576, 1, f"1{NBSP}048{NBSP}576"),
        (None, 1, "—"),
        (float("nan"), 1, "—"),
    ],
)
def test_a_number_is_written_the_russian_way(value, places, written):
    assert formatting.number(value, places) == written


def test_the_engine_and_the_templates_write_numbers_alike():
    for value, places in ((30.04, 1), (-0.04, 1), (-1.666, 2), (12.25, 1)):
        assert num(value, places) == ru_number(value, places)
        assert num(value, places) == formatting.number(value, places)
    assert pct(30.04) == "30 %"


def test_a_change_is_the_difference_of_the_values_as_shown():
    # 23,54 and 23,06 are shown as 23,5 and 23,1: the change beside them is −0,4.
    assert formatting.change(23.54, 23.06, 1) == -0.4
    # −1,6649 and −1,6351 are shown as −1,66 and −1,64: it grew by 0,02.
    assert formatting.change(-1.6649, -1.6351, 2) == 0.02
    assert formatting.change(1.0, 1.04, 1) == 0.0


def test_plural_forms_come_from_one_helper():
    assert [
        formatting.count(n, "выпускник,выпускника,выпускников") for n in (1, 21, 61, 12)
    ] == [
        f"1{NBSP}выпускник",
        f"21{NBSP}выпускник",
        f"61{NBSP}выпускник",
        f"12{NBSP}выпускников",
    ]
    assert formatting.plural(3, "школа,школы,школ") == "школы"


def test_a_fall_is_written_without_a_second_minus_after_its_verb():
    from schools.templatetags.portal import ru_num_abs

    # «снизился на 0,26», not «снизился на −0,26».
    assert ru_num_abs(-0.26, 2) == "0,26"
    assert ru_num_abs(None) == "—"
