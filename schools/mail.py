"""
Letters of the portal: one door, so that a header is always one clean line.

A school's name with a line break in it once went straight into a subject:
sending failed with an error, and the daily reminders stopped for every school
after it. Subjects are built from cleaned text here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.core.mail import send_mail

SUBJECT_MAX = 200
SPACES = re.compile(r"\s+")


def one_line(text: str, limit: int = SUBJECT_MAX) -> str:
    """Return the text as one line of single spaces (headers may not break)."""
    line = SPACES.sub(" ", str(text)).strip()
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def send(subject: str, body: str, recipients: Sequence[str]) -> None:
    """Send a letter; the subject is made one clean line. Errors go to the caller."""
    send_mail(one_line(subject), body, None, list(recipients))
