"""
Personas shared by every test (healthchecks' Alice and Bob, in our roles).

Two municipalities, M and N, in one region: school A and B in M, school C in N.
"""

import os

import pytest
from django.core.management import call_command

from tests.factories import (
    AdminFactory,
    AnalystFactory,
    ApproverFactory,
    MunicipalityFactory,
    OperatorFactory,
    RegionFactory,
    SchoolFactory,
)

# Playwright's sync API runs an event loop in the test thread; ORM calls in
# browser tests would otherwise raise SynchronousOnlyOperation.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """
    Before a worker drops its test database, end the sessions its threads left.

    A live-server request thread still serving Chromium, or a thread a test
    started to race another, may keep a PostgreSQL session open; DROP DATABASE
    then fails the whole run at teardown.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        connection.close()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Counters kept in the cache (reset limits) start from zero in every test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def region(db):
    return RegionFactory()


@pytest.fixture
def municipality(region):
    return MunicipalityFactory(region=region, name="г. Лесосибирск")


@pytest.fixture
def other_municipality(region):
    return MunicipalityFactory(region=region, name="Енисейский район")


@pytest.fixture
def school(municipality):
    return SchoolFactory(municipality=municipality, short_name="МБОУ «СОШ № 1»")


@pytest.fixture
def neighbour_school(municipality):
    """Another school of the same municipality."""
    return SchoolFactory(municipality=municipality, short_name="МБОУ «СОШ № 2»")


@pytest.fixture
def foreign_school(other_municipality):
    """A school of another municipality."""
    return SchoolFactory(municipality=other_municipality, short_name="МБОУ «Лицей»")


@pytest.fixture
def operator(school):
    return OperatorFactory(username="operator", schools=[school])


@pytest.fixture
def neighbour_operator(neighbour_school):
    return OperatorFactory(username="neighbour", schools=[neighbour_school])


@pytest.fixture
def analyst(municipality):
    return AnalystFactory(username="analyst", municipality=municipality)


@pytest.fixture
def foreign_analyst(other_municipality):
    return AnalystFactory(username="foreign-analyst", municipality=other_municipality)


@pytest.fixture
def region_analyst(region):
    return AnalystFactory(username="region-analyst", municipality=None, region=region)


@pytest.fixture
def approver(municipality):
    return ApproverFactory(username="approver", municipality=municipality)


@pytest.fixture
def administrator(db):
    return AdminFactory(username="root")


@pytest.fixture
def demo(db):
    """The `make run` demo: Лесосибирск, its schools, users, data, runs, roadmaps and partnerships."""
    call_command("load_demo")


def log_in(client, username, password):
    """Sign in through the login page (django-axes needs the request); return success."""
    client.post("/accounts/login/", {"username": username, "password": password})
    return "_auth_user_id" in client.session


@pytest.fixture
def client_for(client):
    """Return a function that logs the test client in as a person."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """
    The small country of tests/world.py, built once per test module inside a
    transaction that is rolled back when the module ends.
    """
    from django.db import transaction

    from tests.world import build_world

    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        yield built
        transaction.set_rollback(True)
