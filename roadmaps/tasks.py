"""Celery entry points of roadmaps."""

from celery import shared_task
from django.utils import timezone


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def send_item_reminders() -> int:
    """Daily: e-mail each responsible person their items due within 7 days and overdue, once each."""
    from .services import reminders_send

    return reminders_send(today=timezone.localdate())
