"""Pages of signing in: password reset with limits, the second factor, unlocking."""

from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access, audit, auth

LIMITED = (
    "Слишком много попыток. Подождите {minutes} минут и попробуйте снова; если "
    "нужна помощь сейчас, обратитесь к администратору портала."
)


def _minutes() -> int:
    from django.conf import settings

    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, limited per address and per e-mail."""

    form_class = auth.PortalPasswordResetForm

    def form_valid(self, form: Any) -> HttpResponse:
        from django.conf import settings

        email = form.cleaned_data["email"].lower()
        address = auth.client_ip(self.request)
        if auth.limit_reached(
            "request", address, email, limit=settings.PASSWORD_RESET_LIMIT
        ):
            audit.record(
                self.request, audit.Event.LOCKOUT, detail=f"сброс пароля: {email}"
            )
            form.add_error(None, LIMITED.format(minutes=_minutes()))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        auth.count_attempt("request", address, email)
        audit.record(self.request, audit.Event.PASSWORD_RESET, detail=email)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset link; wrong or stale links are counted per address."""

    def dispatch(self, *args: Any, **kwargs: Any) -> HttpResponse:
        from django.conf import settings

        address = auth.client_ip(self.request)
        if auth.limit_reached("link", address, limit=settings.AXES_FAILURE_LIMIT):
            return render(
                self.request,
                "registration/locked_out.html",
                {"cooloff_timedelta": settings.AXES_COOLOFF_TIME},
                status=429,
            )
        response = super().dispatch(*args, **kwargs)
        if not self.validlink:
            auth.count_attempt("link", address)
        return response


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Код из приложения",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
        error_messages={"required": "Введите шесть цифр из приложения."},
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else "/"


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The one-time code after the password."""
    devices = list(TOTPDevice.objects.filter(user=request.user, confirmed=True))
    if not devices:
        return redirect("otp-setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].replace(" ", "")
        device = next((d for d in devices if d.verify_token(token)), None)
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        audit.record(request, audit.Event.LOGIN_FAILED, detail="неверный код")
        form.add_error(
            "token",
            "Код не подошёл: проверьте время на телефоне и введите новый код.",
        )
    return render(
        request, "registration/otp_verify.html", {"form": form, "next": _next(request)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Turn the second factor on: scan the code, type the first one-time code."""
    if user_has_device(request.user, confirmed=True):
        return render(
            request,
            "registration/otp_setup.html",
            {"configured": True, "required": auth.second_factor_required(request.user)},
        )
    device = auth.pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].replace(" ", "")):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit.record(request, audit.Event.OTP_ENABLED, target=request.user)
            messages.success(
                request, "Второй фактор включён: при входе понадобится код."
            )
            return redirect(_next(request))
        form.add_error(
            "token", "Код не подошёл: введите код, который сейчас в приложении."
        )
    return render(
        request,
        "registration/otp_setup.html",
        {
            "form": form,
            "qr": auth.qr_svg(device),
            "key": auth.readable_key(device),
            "next": _next(request),
            "required": auth.second_factor_required(request.user),
        },
    )


@login_required
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator lifts a lockout after wrong passwords."""
    if not access.is_administrator(request.user):
        raise PermissionDenied("Снять блокировку может администратор.")
    person = access.get_user_for_user(request.user, pk, write=True)
    axes_reset(username=person.username)
    audit.record(request, audit.Event.UNLOCKED, target=person)
    messages.success(request, f"Блокировка входа для {person.username} снята.")
    return redirect("schools:user-edit", pk=person.pk)


@login_required
@require_POST
def user_otp_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator removes a lost authenticator; the person sets a new one."""
    if not access.is_administrator(request.user):
        raise PermissionDenied("Сбросить второй фактор может администратор.")
    person = access.get_user_for_user(request.user, pk, write=True)
    TOTPDevice.objects.filter(user=person).delete()
    audit.record(request, audit.Event.OTP_RESET, target=person)
    messages.success(
        request,
        f"Второй фактор {person.username} сброшен: при входе он настроит новый.",
    )
    return redirect("schools:user-edit", pk=person.pk)
