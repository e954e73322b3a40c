"""
The two-node stack (deploy/two_nodes.py) for the tests of this folder: nginx
with TLS, two gunicorn nodes, two Celery workers, one beat, a Redis of its own
and a fresh PostgreSQL database with the demo. They run with `make stack-test`
(PORTAL_STACK_TESTS=1), which CI runs after `make test`; the everyday suite
does not collect them, because they need nginx and restart PostgreSQL.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

import psycopg2
import pytest
import requests

from deploy.two_nodes import Stack

if os.environ.get("PORTAL_STACK_TESTS") != "1":
    collect_ignore_glob = ["test_*.py"]

PASSWORD = "demo12345"  # the demo's published password


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(
        root=tmp_path_factory.mktemp("stack"),
        port=int(os.environ.get("STACK_PORT", "8443")),
    )
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def sql(stack: Stack) -> Iterator[Callable[..., list[tuple[Any, ...]]]]:
    """
    Ask the stack's database directly (autocommit), as an auditor would; a
    connection cut by a PostgreSQL restart is opened again.
    """
    held: list[Any] = []

    def query(text: str, *params: Any) -> list[tuple[Any, ...]]:
        for attempt in (1, 2):
            if not held or held[0].closed:
                held[:] = [psycopg2.connect(stack.database_url)]
                held[0].autocommit = True
            try:
                with held[0].cursor() as cursor:
                    cursor.execute(text, params)
                    return cursor.fetchall() if cursor.description else []
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                held[0].close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    yield query
    if held:
        held[0].close()


class _Forms(HTMLParser):
    """The named fields of a page's forms, with their values."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("type") in ("submit", "file"):
                return
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


class Browser:
    """A person's browser: cookies shared by every node, like one site."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.session = requests.Session()
        # Only the stack's own certificate is trusted, and no proxy of the
        # environment stands between the test and the loopback address.
        self.session.trust_env = False
        self.session.verify = str(stack.certificate)

    def base(self, node: int) -> str:
        return self.stack.node_url(node) if node else self.stack.url

    def get(self, path: str, node: int = 0, **kwargs: Any) -> requests.Response:
        return self.session.get(self.base(node) + path, timeout=60, **kwargs)

    def post(
        self, path: str, data: dict[str, Any], node: int = 0, **kwargs: Any
    ) -> requests.Response:
        url = self.base(node) + path
        token = self.session.cookies.get("csrftoken") or ""
        return self.session.post(
            url,
            data={"csrfmiddlewaretoken": token, **data},
            headers={"Referer": url},
            timeout=120,
            **kwargs,
        )

    def form(self, path: str, node: int = 0) -> dict[str, str]:
        parser = _Forms()
        parser.feed(self.get(path, node).text)
        return parser.fields

    def login(self, username: str, node: int = 0) -> Browser:
        self.get("/accounts/login/", node)
        response = self.post(
            "/accounts/login/", {"username": username, "password": PASSWORD}, node
        )
        assert response.ok
        assert "Выйти" in response.text or "выйти" in response.text.lower()
        return self


@pytest.fixture
def person(stack: Stack) -> Callable[[str], Browser]:
    return lambda username, node=0: Browser(stack).login(username, node)


def wait_for(condition: Callable[[], Any], seconds: float, what: str) -> Any:
    """Poll until the condition holds; the test fails naming what never came."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"Не дождались за {seconds:g} с: {what}")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
