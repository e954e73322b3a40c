"""
Request middleware of the portal's own: the second factor, the body size limit
and, in development, the portal's error pages under DEBUG.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    MiddlewareNotUsed,
    PermissionDenied,
    SuspiciousOperation,
)
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import Resolver404, get_resolver, get_urlconf, reverse
from django.utils.log import log_response
from django_otp import user_has_device

from . import logs
from .auth import second_factor_required

REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")

# Pages a person reaches between the password and the code.
OPEN_PATHS = ("/accounts/otp/", "/accounts/logout/", "/static/", "/health/")


class RequestIdMiddleware:
    """
    Give the request an id for the logs: nginx's X-Request-ID when it is a
    plain token, else a new one; sent back in the response.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        value = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = logs.request_id.set(value)
        try:
            response = self.get_response(request)
        finally:
            logs.request_id.reset(token)
        response["X-Request-ID"] = value
        return response


class SecondFactorMiddleware:
    """
    After the password, a person with an authenticator (or a role that must
    have one, settings.OTP_REQUIRED) sees nothing but the code page (or the
    setup page) until the session is verified. Comes after django-otp's
    OTPMiddleware, which tells whether the session is verified.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OPEN_PATHS)
            and not user.is_verified()
            and second_factor_required(user)
        ):
            name = (
                "otp-verify" if user_has_device(user, confirmed=True) else "otp-setup"
            )
            return redirect(f"{reverse(name)}?{urlencode({'next': request.path})}")
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """
    Refuse a request whose declared body is over the limit before anything
    reads it (an upload is otherwise received whole); the web server has the
    same limit in front of it (deploy/nginx).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.REQUEST_MAX_BYTES
        if length > limit:
            return render(
                request,
                "413.html",
                {"limit_mb": limit // 1024 // 1024},
                status=413,
            )
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY on every response (Django has no setting for it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


# What Django answers with a page of its own even under DEBUG (403) or with a
# 400: left to Django; every other exception is a 500.
NOT_SERVER_ERRORS = (
    PermissionDenied,
    SuspiciousOperation,
    BadRequest,
    MultiPartParserError,
)


class DebugErrorPagesMiddleware:
    """
    Under DEBUG (the `make run` demo) show the portal's Russian 404 and 500
    pages — the URL configuration's handlers, as in production — instead of
    Django's English technical pages. The traceback of an error still goes to
    the console log (django.request). Listed by the development settings only,
    unless TECHNICAL_ERROR_PAGES=true asks for Django's pages.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.DEBUG:
            raise MiddlewareNotUsed  # Django shows the portal's pages itself.
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404 and request.resolver_match is None:
            # No URL matched: Django's technical «Page not found».
            return self._page(request, 404, Resolver404({"path": request.path_info}))
        return response

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return self._page(request, 404, exception)
        if isinstance(exception, NOT_SERVER_ERRORS):
            return None
        got_request_exception.send(sender=type(self), request=request)
        response = self._page(request, 500)
        log_response(
            "%s: %s",
            response.reason_phrase,
            request.path,
            response=response,
            request=request,
            exception=exception,
        )
        return response

    def _page(
        self, request: HttpRequest, status: int, exception: Exception | None = None
    ) -> HttpResponse:
        handler = get_resolver(get_urlconf()).resolve_error_handler(status)
        return handler(request, exception) if exception else handler(request)
