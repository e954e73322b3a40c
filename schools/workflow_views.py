"""One small view per transition, made from the workflow's table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from .workflow import NeedsConfirmation, Workflow, perform


class OrderForm(forms.Form):
    """The order that approves a document, as the approval form sends it."""

    order_number = forms.CharField(max_length=50, required=False)
    order_date = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        error_messages={"invalid": "Дата приказа — в виде ДД.ММ.ГГГГ."},
    )


def confirm_page(
    request: HttpRequest, *, title: str, question: str, back: str
) -> HttpResponse:
    """
    Ask the person to confirm what the action warned about: the same form is
    sent again, to the same address, with «confirmed».
    """
    return render(
        request,
        "workflow/confirm.html",
        {
            "title": title,
            "question": question,
            "action_url": request.path,
            "back": back,
            "fields": [
                (k, v)
                for k, v in request.POST.items()
                if k not in {"csrfmiddlewaretoken", "confirmed"}
            ],
        },
    )


def transition_view(
    workflow: Workflow, action: str, get_object: Callable[[Any, int], Any]
) -> Callable[..., HttpResponse]:
    """The view of one transition: POST only; the object through its access gate."""
    transition = workflow[action]

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object(request.user, pk)
        data: dict[str, Any] = {}
        if transition.order:
            form = OrderForm(request.POST)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, str(error))
                return redirect(obj)
            data = form.cleaned_data
        try:
            written = perform(
                workflow,
                action,
                obj=obj,
                by=request.user,
                reason=request.POST.get("reason", ""),
                data=data,
                confirmed=request.POST.get("confirmed") == "1",
            )
        except NeedsConfirmation as question:
            return confirm_page(
                request,
                title=transition.label,
                question=" ".join(question.messages),
                back=obj.get_absolute_url(),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, transition.done.format(obj=written))
        return redirect(obj)

    view.__name__ = f"{workflow.name}_{action}"
    view.__doc__ = f"{transition.label} ({workflow.name})."
    return view


def transition_urls(
    workflow: Workflow, get_object: Callable[[Any, int], Any], prefix: str = ""
) -> list[Any]:
    """One URL per transition: «<prefix><pk>/<action>/», named «<workflow>-<action>»."""
    return [
        path(
            f"{prefix}<int:pk>/{t.action}/",
            transition_view(workflow, t.action, get_object),
            name=f"{workflow.name}-{t.action}",
        )
        for t in workflow.transitions
    ]
