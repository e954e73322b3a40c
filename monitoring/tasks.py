"""Celery entry points of monitoring."""

from celery import shared_task
from django.utils import timezone


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def send_deadline_reminders() -> int:
    """Daily: remind schools 3 days before a deadline and on the day after it."""
    from .services import reminders_send_due

    return reminders_send_due(today=timezone.localdate())
