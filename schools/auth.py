"""
Signing in safely: the client's address behind proxies, limits on password
reset requests and bad reset links, the reset form, and the second factor.

Password guessing on the login and admin login pages is stopped by
django-axes (settings.AXES_*); the reset pages are not logins, so their limits
live here, counted in the shared cache so that every web node sees them.
"""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.http import HttpRequest
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

RESET_PREFIX = "auth-reset"


def client_ip(request: HttpRequest, *args: Any) -> str:
    """
    Return the client's address: REMOTE_ADDR, or — behind TRUSTED_PROXY_COUNT
    proxies — the address the outermost trusted proxy saw (X-Forwarded-For,
    counted from the right, so that a client cannot forge it).
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= proxies:
            return chain[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _window() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def limit_reached(kind: str, *keys: str, limit: int) -> bool:
    """Return whether any of the keys has used up its attempts of this kind."""
    return any(
        (cache.get(f"{RESET_PREFIX}:{kind}:{key}") or 0) >= limit for key in keys if key
    )


def count_attempt(kind: str, *keys: str) -> None:
    """Count one attempt of this kind for each key, for the cool-off period."""
    for key in keys:
        if not key:
            continue
        name = f"{RESET_PREFIX}:{kind}:{key}"
        if not cache.add(name, 1, _window()):
            try:
                cache.incr(name)
            except ValueError:  # expired between add and incr
                cache.add(name, 1, _window())


def clear_attempts(kind: str, *keys: str) -> None:
    cache.delete_many([f"{RESET_PREFIX}:{kind}:{key}" for key in keys if key])


class PortalPasswordResetForm(PasswordResetForm):
    """
    Django's reset form, also for people who were invited and have not set a
    password yet (Django skips accounts without a usable password).
    """

    def get_users(self, email: str) -> Any:
        return User.objects.filter(email__iexact=email, is_active=True).exclude(
            email=""
        )


# Second factor -----------------------------------------------------------------


def second_factor_required(user: Any) -> bool:
    """Whether the person must sign in with a one-time code."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user_has_device(user, confirmed=True):
        return True
    role = "admin" if user.is_superuser else user.role
    return settings.OTP_REQUIRED and role in settings.OTP_REQUIRED_ROLES


def pending_device(user: User) -> TOTPDevice:
    """The person's not yet confirmed authenticator, made once and reused."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(
        user=user, name="Приложение-аутентификатор", confirmed=False
    )


def qr_svg(device: TOTPDevice) -> str:
    """The device's setup link as an SVG QR code, to scan with the phone."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=True)


def readable_key(device: TOTPDevice) -> str:
    """The secret in base32 groups of four, for typing it in by hand."""
    import base64

    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
