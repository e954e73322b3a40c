"""/health/ tells the load balancer whether this node can serve."""

import json
import logging
from unittest import mock

import pytest
from django.core.files.storage import storages

from schools import logs


@pytest.mark.django_db
def test_healthy_node_answers_ok_without_signing_in(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "storage": "ok"}


@pytest.mark.django_db
def test_broken_storage_takes_the_node_out_of_service(client):
    # Whatever storage the node is configured with, its writes fail.
    broken = type(storages["default"])
    with mock.patch.object(broken, "save", side_effect=OSError("disk")):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["checks"]["storage"] != "ok"


@pytest.mark.django_db
def test_unreachable_database_takes_the_node_out_of_service(client):
    from django.db.utils import OperationalError

    with mock.patch(
        "health_check.checks.Database.run",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "down"


@pytest.mark.django_db
def test_unreachable_broker_only_marks_the_node_degraded(client, settings):
    # Nothing listens on port 1: pages still work, background work waits.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] != "ok"


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    first = client.get("/accounts/login/")["X-Request-ID"]
    second = client.get("/accounts/login/")["X-Request-ID"]
    assert len(first) == 32
    assert first != second


@pytest.mark.django_db
def test_request_id_from_the_proxy_is_kept_when_it_is_a_plain_token(client):
    kept = client.get("/accounts/login/", HTTP_X_REQUEST_ID="abc123-nginx-id")
    assert kept["X-Request-ID"] == "abc123-nginx-id"
    forged = client.get("/accounts/login/", HTTP_X_REQUEST_ID='x"\n{"level":"x"}')
    assert forged["X-Request-ID"] != 'x"\n{"level":"x"}'
    assert len(forged["X-Request-ID"]) == 32


def test_log_lines_are_json_with_the_request_id(settings):
    from pythonjsonlogger.json import JsonFormatter

    formatter = JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"asctime": "time", "levelname": "level"},
    )
    record = logging.LogRecord(
        "monitoring", logging.WARNING, __file__, 1, "Импорт %s упал", (7,), None
    )
    token = logs.request_id.set("req-42")
    try:
        logs.RequestIdFilter().filter(record)
    finally:
        logs.request_id.reset(token)
    line = json.loads(formatter.format(record))
    assert line["message"] == "Импорт 7 упал"
    assert line["request_id"] == "req-42"
    assert line["level"] == "WARNING"
    # Outside a request the field is a dash, never missing.
    outside = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None)
    logs.RequestIdFilter().filter(outside)
    assert outside.request_id == "-"


def test_production_logging_is_configured_as_json_lines():
    from config.settings import base

    assert base.LOGGING["formatters"]["json"]["()"] == (
        "pythonjsonlogger.json.JsonFormatter"
    )
    assert base.LOGGING["handlers"]["console"]["filters"] == ["request_id"]
