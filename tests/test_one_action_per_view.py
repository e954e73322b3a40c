"""
One action per view: no form picks its action by a submit button's value.

A form with two actions gives its second button its own URL (`formaction`), so
every action has its own view, permission rule and sweep entry.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("schools", "monitoring", "identification", "roadmaps", "partnerships")


def test_no_view_reads_which_button_was_pressed():
    readers = [
        f"{path.relative_to(ROOT)}:{n}"
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"POST(\.get\(|\[)\s*[\"']action[\"']", line)
    ]
    assert readers == []


def test_no_template_names_its_submit_buttons_by_action():
    buttons = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if re.search(r"<button[^>]*name=\"action\"", path.read_text())
    ]
    assert buttons == []
