"""
Notifications in the portal, beside the e-mail.

A workflow's transition says whom it tells (`Transition.notify`); the daily
task tells of deadlines three days ahead and of overdue ones, from the same
tables as «Мои задачи». Every notice is kept in the portal, read or unread;
by e-mail each person chooses per kind: at once, in the daily digest, or not
at all. Letters go out after the commit, so a refused action mails no one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import mail, tasks
from .models import Notice, NoticeSetting, User

logger = logging.getLogger(__name__)

Kind = Notice.Kind
Channel = NoticeSetting.Channel

# What a person gets by e-mail until they choose: a document that came back
# needs work now; the rest can wait for the morning's digest.
DEFAULT_CHANNEL = {
    Kind.RETURNED: Channel.INSTANT,
    Kind.ACCEPTED: Channel.DIGEST,
    Kind.APPROVED: Channel.DIGEST,
    Kind.DUE_SOON: Channel.DIGEST,
    Kind.OVERDUE: Channel.DIGEST,
}
DUE_SOON_DAYS = 3
SHOWN = 50  # notices listed on the page; older ones are counted


def _choices(user_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    """The stored choices of these people, (person, kind) → channel: one query."""
    return {
        (user_id, kind): channel
        for user_id, kind, channel in NoticeSetting.objects.filter(
            user__in=list(user_ids)
        ).values_list("user_id", "kind", "channel")
    }


def _channel(choices: dict[tuple[int, str], str], user_id: int, kind: str) -> str:
    return choices.get((user_id, kind), DEFAULT_CHANNEL[kind])


def channels_for(user: User) -> dict[str, str]:
    """The person's e-mail choice for every kind (the default where none is stored)."""
    choices = _choices([user.pk])
    return {kind: _channel(choices, user.pk, kind) for kind in Kind.values}


def settings_save(*, user: User, channels: dict[str, str]) -> None:
    """Store the person's choice per kind; unknown kinds or channels are refused."""
    for kind, channel in channels.items():
        if kind not in Kind.values or channel not in Channel.values:
            raise ValueError(f"{kind}: {channel}")
        NoticeSetting.objects.update_or_create(
            user=user, kind=kind, defaults={"channel": channel}
        )


def notify(
    users: Iterable[User],
    *,
    kind: str,
    title: str,
    text: str = "",
    url: str = "",
    key: str = "",
) -> list[Notice]:
    """
    Tell each person (once, when a `key` is given); the letters of those who
    want them at once go out after the commit. Returns the notices written.
    """
    people = {u.pk: u for u in users if u.is_active}
    if key:
        told = set(
            Notice.objects.filter(user__in=people, key=key).values_list(
                "user_id", flat=True
            )
        )
        people = {pk: u for pk, u in people.items() if pk not in told}
    notices = [
        Notice(
            user=person,
            kind=kind,
            title=mail.one_line(title, 300),
            text=text,
            url=url,
            key=key,
        )
        for person in people.values()
    ]
    try:
        with transaction.atomic():
            Notice.objects.bulk_create(notices)
    except IntegrityError:
        return []  # the same deadline told by another worker in the same moment
    choices = _choices(people)
    instant = [
        n.pk
        for n in notices
        if n.user.email and _channel(choices, n.user_id, kind) == Channel.INSTANT
    ]
    if instant:
        transaction.on_commit(lambda: tasks.send_notices.delay(instant))
    return notices


def send_instant(pks: list[int]) -> int:
    """Mail each notice on its own; one person who cannot be written to stops no one."""
    sent = 0
    for notice in Notice.objects.filter(pk__in=pks, emailed_at=None).select_related(
        "user"
    ):
        try:
            mail.send(notice.title, _letter([notice]), [notice.user.email])
        except Exception:
            logger.exception("Notice %s not mailed", notice.pk)
            continue
        Notice.objects.filter(pk=notice.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def send_digests(*, now: dt.datetime | None = None) -> int:
    """
    The daily digest: one letter per person of the unread notices they want so
    and have not been mailed. Each letter and its marks in one transaction.
    """
    now = now or timezone.now()
    pending = list(
        Notice.objects.filter(emailed_at=None, read_at=None, created_at__lte=now)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id", "created_at", "pk")
    )
    choices = _choices({n.user_id for n in pending})
    digests: dict[int, list[Notice]] = defaultdict(list)
    for notice in pending:
        if _channel(choices, notice.user_id, notice.kind) == Channel.DIGEST:
            digests[notice.user_id].append(notice)
    letters = 0
    for user_id, wanted in digests.items():
        try:
            with transaction.atomic():
                marked = Notice.objects.filter(
                    pk__in=[n.pk for n in wanted], emailed_at=None
                ).update(emailed_at=now)
                if marked != len(wanted):
                    # Another worker sends this digest: keep no mark of ours.
                    transaction.set_rollback(True)
                    continue
                mail.send(
                    f"Портал мониторинга: уведомлений — {len(wanted)}",
                    _letter(wanted),
                    [wanted[0].user.email],
                )
        except Exception:
            logger.exception("Digest to user %s not sent", user_id)
            continue
        letters += 1
    return letters


def _letter(notices: list[Notice]) -> str:
    lines = ["Здравствуйте!", ""]
    for notice in notices:
        lines.append(f"— {notice.title}")
        if notice.text:
            lines.append(f"  {notice.text}")
        if notice.url:
            lines.append(f"  {settings.PORTAL_URL.rstrip('/')}{notice.url}")
    lines += [
        "",
        "Все уведомления и их настройки — на портале, в разделе «Уведомления».",
        "Это письмо отправлено автоматически порталом мониторинга качества образования.",
    ]
    return "\n".join(lines)


def visible_to(user: User) -> tuple[list[Notice], int]:
    """The person's latest notices and how many are unread."""
    mine = Notice.objects.filter(user=user)
    return list(mine[:SHOWN]), mine.filter(read_at=None).count()


def read(*, user: User, pk: int) -> Notice:
    """Mark one of the person's notices read; another person's is not found."""
    notice = Notice.objects.get(user=user, pk=pk)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


def read_all(*, user: User) -> int:
    return Notice.objects.filter(user=user, read_at=None).update(read_at=timezone.now())
