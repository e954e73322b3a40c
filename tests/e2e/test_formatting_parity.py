"""The page's live numbers follow the same rules as the server's (schools/formatting.py)."""

from pathlib import Path

import pytest

from schools import formatting

PORTAL_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "portal.js"
CASES = [
    (30, 1),
    (30.04, 1),
    (30.06, 1),
    (-0.04, 1),
    (-0.79, 2),
    (0.5, 2),
    (1048576, 1),
    (1234.56, 2),
    (-1.666, 2),
    (67.307, 1),
    (-12.25, 1),
    (0.004, 3),
    (0.285, 2),
    (1.005, 2),
    (-2.5, 0),
]


@pytest.fixture
def formatted(page):
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(PORTAL_JS))

    def number(value, places):
        return page.evaluate(
            "([v, p]) => window.portalFormat.number(v, p)", [value, places]
        )

    return number


@pytest.mark.parametrize(("value", "places"), CASES)
def test_the_page_writes_a_number_as_the_server_does(formatted, value, places):
    assert formatted(value, places) == formatting.number(value, places)
