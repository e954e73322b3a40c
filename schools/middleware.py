"""Request middleware of the portal's own: the second factor and the body size limit."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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
