"""
The `make run` demo (config.settings.dev, DEBUG on) shows the portal's Russian
404 and 500 pages, not Django's English technical pages; the traceback of an
error is still printed to the console.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Run in a process of its own with the development settings: a missing page and
# a view that fails, through Django's test client (no database needed).
SCRIPT = """
import json, sys, types
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
from django.http import Http404
from django.urls import path

def boom(request):
    raise ZeroDivisionError("demo failure")

def gone(request):
    raise Http404("Отчёт не найден.")

from config import urls as portal_urls

urls = types.ModuleType("demo_error_urls")
urls.urlpatterns = [path("boom/", boom), path("gone/", gone), *portal_urls.urlpatterns]
urls.handler500 = "schools.views.server_error"
sys.modules["demo_error_urls"] = urls

client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1:8000")
pages = {"debug": settings.DEBUG}
missing = client.get("/no-such-page/")
with override_settings(ROOT_URLCONF="demo_error_urls"):
    inside = client.get("/gone/")
    failed = client.get("/boom/")
for name, response in (("missing", missing), ("inside", inside), ("failed", failed)):
    pages[name] = [response.status_code, response.content.decode()]
print(json.dumps(pages))
"""


def run_demo(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            # Nothing here reads the database; a query would fail loudly.
            "DATABASE_URL": "sqlite:////nonexistent/demo.sqlite3",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1]), result.stderr


@pytest.fixture(scope="module")
def demo_pages():
    return run_demo()


def test_a_missing_page_of_the_demo_is_the_russian_404(demo_pages):
    pages, _ = demo_pages
    assert pages["debug"] is True  # as `make run` has it
    status, body = pages["missing"]
    assert status == 404
    assert "Страница не найдена" in body
    assert "Такой страницы нет или она вам недоступна." in body
    assert "Page not found" not in body
    assert "Using the URLconf" not in body


def test_a_404_raised_by_a_view_is_the_russian_page_too(demo_pages):
    pages, _ = demo_pages
    status, body = pages["inside"]
    assert status == 404
    assert "Страница не найдена" in body
    assert "Отчёт не найден." not in body  # the technical page would show it


def test_an_error_of_the_demo_is_the_russian_500_with_the_traceback_in_the_console(
    demo_pages,
):
    pages, console = demo_pages
    status, body = pages["failed"]
    assert status == 500
    assert "Ошибка на сервере" in body
    assert "Traceback" not in body
    assert "Internal Server Error: /boom/" in console
    assert "ZeroDivisionError: demo failure" in console


def test_technical_pages_on_request():
    pages, _ = run_demo(TECHNICAL_ERROR_PAGES="true")
    status, body = pages["missing"]
    assert status == 404
    assert "Using the URLconf" in body
    status, body = pages["failed"]
    assert (status, "ZeroDivisionError" in body) == (500, True)
