"""Browser tests: Playwright drives Debian's Chromium against the live server."""

import shutil

import pytest
from django.core.management import call_command

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium")
    assert executable, "Chromium не найден: apt-get install -y chromium"
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "ru-RU",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture(autouse=True)
def no_policy_violations(page):
    """
    Every browser test fails on a Content-Security-Policy violation (an inline
    script, handler or style the policy refused) or a script error.
    """
    problems = []

    def console(message):
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            problems.append(text)

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"ошибка скрипта: {error}"))
    yield
    assert problems == []


@pytest.fixture
def demo(transactional_db):
    """The `make run` demo: Лесосибирск, its schools, users and monitoring data."""
    call_command("load_demo")


@pytest.fixture
def login(page, live_server):
    """Return a function that signs a demo user in through the login form."""

    def sign_in(username, password="demo12345"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Имя пользователя").fill(username)
        page.get_by_label("Пароль").fill(password)
        page.get_by_role("button", name="Войти").click()
        return page

    return sign_in
