"""
/health/ for the load balancer: the database and the file storage decide
whether this node serves (503 when either fails); the broker is reported, and
its absence only marks the node degraded — pages keep working without Redis,
only background processing waits for it.

The checks are django-health-check's, run one after another in the request's
own thread: the probe then uses the same database connection the node's pages
use, and a check cannot outlive the request.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterator
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views import View
from health_check.base import HealthCheck
from health_check.checks import Database, Storage
from health_check.contrib.redis import Redis
from health_check.exceptions import HealthCheckException

logger = logging.getLogger(__name__)

CRITICAL = (Database, Storage)


def _broker() -> Any:
    from redis.asyncio import Redis as Client

    return Client.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1)


def _checks() -> Iterator[HealthCheck]:
    yield Database()
    yield Storage()
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        yield Redis(client_factory=_broker)


def _probe(check: HealthCheck) -> str | None:
    """None when the check passes, else its (non-sensitive) message."""
    try:
        if inspect.iscoroutinefunction(check.run):
            async_to_sync(check.run)()
        else:
            check.run()
    except HealthCheckException as error:
        logger.warning("Health check %s failed: %s", type(check).__name__, error)
        return str(error)
    except Exception:
        logger.exception("Health check %s crashed", type(check).__name__)
        return "unknown error"
    return None


class PortalHealthView(View):
    """The node's health as JSON: «ok», «degraded» (no broker) or «down»."""

    def get(self, request: HttpRequest) -> JsonResponse:
        errors = [(check, _probe(check)) for check in _checks()]
        down = any(e for c, e in errors if isinstance(c, CRITICAL))
        degraded = any(e for _, e in errors)
        response = JsonResponse(
            {
                "status": "down" if down else "degraded" if degraded else "ok",
                "checks": {type(c).__name__.lower(): e or "ok" for c, e in errors},
            },
            status=503 if down else 200,
        )
        add_never_cache_headers(response)
        return response
