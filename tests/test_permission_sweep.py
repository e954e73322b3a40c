"""
The permission sweep: every URL pattern of the portal, with objects of every
municipality, as every identity, by GET and by POST. Each answer is the login
redirect, a refusal (403, 404, 405) or — for those the rule admits — the page;
never a 5xx, and never another municipality's data.

Every request runs in a transaction that is rolled back, so a permitted POST
changes nothing for the requests after it.
"""

import io
import zipfile

import openpyxl
import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_rules import RULES, SCOPES, Target
from tests.world import IDENTITIES, MARKS

REFUSED = (403, 404, 405)


def _names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}"


def test_every_url_pattern_has_a_rule():
    names = set(_names(get_resolver().url_patterns))
    assert names - set(RULES) == set(), "URL без правила доступа"
    assert set(RULES) - names == set(), "правило для несуществующего URL"


def _text(response):
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
        return (
            ""
            if zipfile.is_zipfile(io.BytesIO(content))
            else content.decode("utf-8", "replace")
        )
    if response.get("Content-Type", "").startswith("application/vnd.openxml"):
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        return " ".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
        return (
            ""
            if zipfile.is_zipfile(io.BytesIO(content))
            else content.decode("utf-8", "replace")
        )
    return response.content.decode("utf-8", "replace")


def _request(client, person, method, url):
    cache.clear()
    with transaction.atomic():
        client.logout()
        if person is not None:
            client.force_login(person)
        response = getattr(client, method)(url, {})
        text = _text(response) if response.status_code == 200 else ""
        transaction.set_rollback(True)
    return response, text


def _judge(rule, target, identity, method, response, text):
    status = response.status_code
    if status >= 500:
        return f"{status}"
    if identity == "anonymous":
        if rule.public:
            return None
        location = response.get("Location", "")
        if status == 302 and location.startswith("/accounts/login/"):
            return None
        return f"{status} вместо входа"
    allowed = (rule.get if method == "get" else rule.post)(identity, target)
    if not allowed:
        return None if status in REFUSED else f"{status}, хотя доступа нет"
    if method == "get" and status not in rule.ok:
        return f"{status} вместо {rule.ok}"
    if method == "post" and status == 405:
        return "405, хотя действие разрешено"
    foreign = [m for k, m in MARKS.items() if k not in SCOPES[identity]]
    leaked = [mark for mark in foreign if mark in text]
    return f"чужие данные: {', '.join(leaked)}" if leaked else None


@pytest.mark.parametrize("name", sorted(RULES))
def test_sweep(name, client, db, world):
    rule = RULES[name]
    targets = rule.targets(world) or [Target(None, {})]
    problems = []
    for target in targets:
        url = reverse(name, kwargs=target.kwargs)
        where = target.place.key if target.place else "—"
        for identity in IDENTITIES:
            for method in ("get", "post"):
                response, text = _request(client, world.people[identity], method, url)
                verdict = _judge(rule, target, identity, method, response, text)
                if verdict:
                    problems.append(
                        f"{method.upper()} {url} [{where}] {identity}: {verdict}"
                    )
    assert not problems, "\n".join(problems)
