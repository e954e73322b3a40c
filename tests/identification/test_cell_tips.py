"""A dashboard cell explains itself on a tap as on hover: the same words in its title and its tip."""

import re
from types import SimpleNamespace

from identification.templatetags.identification_tags import criterion_cell


def test_a_flagged_cell_carries_its_threshold_and_rank_for_a_tap():
    html = criterion_cell(
        SimpleNamespace(state="flagged", value=-0.79, threshold=-0.72, rank=2)
    )
    title = re.search(r'title="([^"]*)"', html).group(1)
    tip = re.search(r'data-tip="([^"]*)"', html).group(1)
    assert tip == title
    assert "значение −0,79" in tip
    assert "порог −0,72" in tip
    assert "место 2 снизу" in tip
    # Reachable without a mouse: a tap or the keyboard focuses it.
    assert 'role="button"' in html
    assert 'tabindex="0"' in html


def test_a_cell_without_a_value_says_only_its_state():
    html = criterion_cell(
        SimpleNamespace(state="no_data", value=None, threshold=None, rank=None)
    )
    tip = re.search(r'data-tip="([^"]*)"', html).group(1)
    assert "значение" not in tip
    assert "порог" not in tip
    assert tip
