"""
Numbers that are keys, not quantities: with Russian thousand separators a
primary key of 3784 renders as «3 784», which breaks form values and links
once a table passes a thousand rows (found by the partnership browser test on
PostgreSQL, whose sequences outgrow SQLite's).
"""

import re
from pathlib import Path

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
RAW_KEY = re.compile(r"\{\{\s*[\w.]*(?:\.pk|\.id|_id|_pk)\s*\}\}")


def test_no_template_prints_a_key_with_locale_formatting():
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match}"
        for path in TEMPLATES.rglob("*.html")
        for match in RAW_KEY.findall(path.read_text())
    ]
    assert offenders == []


def test_unlocalize_is_available_to_every_template_without_loading():
    from django.template import engines

    with translation.override("ru"):
        rendered = (
            engines["django"]
            .from_string("{{ n }}|{{ n|unlocalize }}")
            .render({"n": 3784})
        )
    assert rendered == "3\xa0784|3784"


def test_pagination_links_past_page_999_stay_numbers():
    request = RequestFactory().get("/schools/", {"page": "1000", "q": "СОШ"})
    page = Paginator(range(5000), 2).page(1000)
    with translation.override("ru"):
        html = render_to_string(
            "_partials/pagination.html", {"page": page, "request": request}
        )
    assert "page=999" in html
    assert "page=1001" in html


LINE_LIMIT = 160
# The import error «Лист "…", строка …, столбец "…": …» is put together by four
# {% if %} tags with nothing between them, and a test reads that sentence from
# the page verbatim: the one line allowed to be longer.
WHOLE_SENTENCE = (
    '{% if issue.sheet %}Лист "{{ issue.sheet }}"{% endif %}{% if issue.row %}'
)


def test_template_lines_are_wrapped():
    """
    Templates read line by line: one row, cell, list item or block tag per line,
    long tags split between their attributes. Lines aim at 120 characters; the
    limit checked is 160 because a handful of lines hold one value that cannot be
    broken without changing the page: an href whose query string a template loop
    rebuilds (pagination, sort links, the .xlsx button), a long aria-label,
    data-confirm or SVG <title> text, an {% if %} naming every filter, a sentence
    of {% if %} pieces that a test matches in the HTML as it is. A newline inside
    an attribute value or a Django tag, or between inline tags and text, would
    end up in the HTML.
    """
    too_long = [
        f"{path.relative_to(TEMPLATES)}:{number} ({len(line)})"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if len(line) > LINE_LIMIT and WHOLE_SENTENCE not in line
    ]
    assert too_long == []
