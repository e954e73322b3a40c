"""The person's notifications: the list, read marks and the e-mail settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from . import notices
from .forms import NoticeSettingsForm
from .models import Notice


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    """The person's latest notifications, unread first in bold."""
    shown, unread = notices.visible_to(request.user)
    return render(request, "schools/notices.html", {"notices": shown, "unread": unread})


@login_required
@require_POST
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to what it is about."""
    try:
        notice = notices.read(user=request.user, pk=pk)
    except Notice.DoesNotExist:
        raise Http404("Уведомление не найдено.") from None
    if notice.url and url_has_allowed_host_and_scheme(
        notice.url, allowed_hosts={request.get_host()}
    ):
        return redirect(notice.url)
    return redirect("notices")


@login_required
@require_POST
def notice_read_all(request: HttpRequest) -> HttpResponse:
    marked = notices.read_all(user=request.user)
    messages.success(request, f"Отмечено прочитанными: {marked}.")
    return redirect("notices")


@login_required
def notice_settings(request: HttpRequest) -> HttpResponse:
    """Which notifications come by e-mail at once, which in the daily digest."""
    form = NoticeSettingsForm(
        request.POST or None, initial_channels=notices.channels_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        notices.settings_save(user=request.user, channels=form.cleaned_data)
        messages.success(request, "Настройки уведомлений сохранены.")
        return redirect("notices")
    return render(request, "schools/notice_settings.html", {"form": form})
