"""Security headers on every page, no inline code in any template, bodies capped."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring.models import ImportJob

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.mark.parametrize("path", ["/", "/schools/", "/accounts/login/", "/monitoring/"])
def test_every_page_sends_the_security_headers(client, analyst, path):
    client.force_login(analyst)
    response = client.get(path, follow=True)
    policy = response["Content-Security-Policy"]
    directives = dict(
        part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip()
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


INLINE = {
    "inline script": re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>"
    ),
    "inline handler": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "inline style": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "javascript: link": re.compile(r"javascript:", re.IGNORECASE),
}


def test_no_template_carries_inline_code_or_styles():
    found = [
        f"{path.relative_to(TEMPLATES)}: {kind}"
        for path in TEMPLATES.rglob("*.html")
        for kind, pattern in INLINE.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_an_oversized_body_is_refused_before_it_is_read(client, analyst, settings):
    settings.REQUEST_MAX_BYTES = 10_000
    client.force_login(analyst)
    response = client.post(
        reverse("monitoring:import-create"),
        {"kind": "package", "file": SimpleUploadedFile("big.xlsx", b"0" * 20_000)},
    )
    assert response.status_code == 413
    assert "Файл слишком большой" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_body_within_the_limit_goes_through(client, analyst, settings):
    settings.REQUEST_MAX_BYTES = 100_000
    client.force_login(analyst)
    response = client.post(
        reverse("monitoring:import-create"),
        {"kind": "package", "file": SimpleUploadedFile("small.xlsx", b"0" * 2_000)},
    )
    assert response.status_code == 302
