"""Celery entry points of monitoring."""

from celery import shared_task
from django.utils import timezone


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def send_deadline_reminders() -> int:
    """Daily: remind schools 3 days before a deadline and on the day after it."""
    from .services import reminders_send_due

    return reminders_send_due(today=timezone.localdate())


@shared_task
def import_check_task(job_id: int) -> str:
    """Check an uploaded file and store its preview."""
    from .importing import import_job_check
    from .models import ImportJob

    return import_job_check(
        job=ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    ).status


@shared_task
def import_run_task(job_id: int) -> str:
    """Import a checked file, all or nothing."""
    from .importing import import_job_run
    from .models import ImportJob

    return import_job_run(
        job=ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    ).status
