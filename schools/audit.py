"""
The audit log: one call, `record`, for every event worth answering for later —
sign-ins and their failures, lockouts, access changes, password resets,
approvals, decisions, imports and every download of data.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import AuditEvent, User

Event = AuditEvent.Event


def record(
    request: HttpRequest | None,
    event: str,
    *,
    by: Any = None,
    target: Any = None,
    detail: str = "",
    municipality: Any = None,
) -> AuditEvent:
    """
    Add a line to the log. The actor is `by`, or the request's person; the
    municipality (what an analyst's view of the log is filtered by) is the
    given one, else the target's, else the actor's.
    """
    from .auth import client_ip

    actor = by if by is not None else getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    where = municipality or _municipality_of(target) or _municipality_of(actor)
    return AuditEvent.objects.create(
        event=event,
        actor=actor,
        actor_name=getattr(actor, "username", "") or "",
        address=client_ip(request)[:45] if request is not None else "",
        municipality_id=getattr(where, "pk", where),
        target=str(target)[:300] if target is not None else "",
        detail=detail,
    )


def _municipality_of(obj: Any) -> Any:
    if obj is None:
        return None
    if isinstance(obj, User):
        if obj.municipality_id:
            return obj.municipality_id
        school = obj.schools.first() if obj.pk else None
        return school.municipality_id if school else None
    for path in ("municipality_id", "school", "roadmap", "campaign", "partnership"):
        value = getattr(obj, path, None)
        if path == "municipality_id" and value:
            return value
        if value is not None and path != "municipality_id":
            found = _municipality_of(value)
            if found:
                return found
    return None


# Signals of django.contrib.auth and django-axes ------------------------------------


def on_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    record(request, Event.LOGIN, by=user, target=user)


def on_login_failed(
    sender: Any,
    credentials: dict[str, Any],
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    username = str(credentials.get("username", ""))[:150]
    person = User.objects.filter(username=username).first()
    record(
        request,
        Event.LOGIN_FAILED,
        target=person or username,
        detail=f"логин: {username}",
    )


def on_locked_out(
    sender: Any,
    request: HttpRequest,
    username: str = "",
    ip_address: str = "",
    **kwargs: Any,
) -> None:
    person = User.objects.filter(username=username).first()
    record(
        request,
        Event.LOCKOUT,
        target=person or username,
        detail=f"логин: {username}, адрес: {ip_address}",
    )
