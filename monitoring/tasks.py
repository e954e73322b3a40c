"""Celery entry points of monitoring."""

from celery import shared_task
from django.utils import timezone


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def send_deadline_reminders() -> int:
    """Daily: remind schools 3 days before a deadline and on the day after it."""
    from .services import reminders_send_due

    return reminders_send_due(today=timezone.localdate())


@shared_task
def import_check_task(job_id: int, attempt: int | None = None) -> str:
    """Check an uploaded file and store its preview."""
    from schools import jobs

    from .importing import import_job_check
    from .models import ImportJob

    Status = ImportJob.Status
    job = jobs.claim(
        ImportJob, job_id, attempt, waiting=(Status.QUEUED,), working=Status.CHECKING
    )
    if job is None:
        return "skipped"
    with jobs.heartbeat(job):
        return import_job_check(job=job).status


@shared_task
def import_run_task(job_id: int, attempt: int | None = None) -> str:
    """Import a checked file, all or nothing, once."""
    from schools import jobs

    from .importing import import_job_run
    from .models import ImportJob

    Status = ImportJob.Status
    job = jobs.claim(
        ImportJob, job_id, attempt, waiting=(Status.QUEUED,), working=Status.IMPORTING
    )
    if job is None:
        return "skipped"
    with jobs.heartbeat(job):
        return import_job_run(job=job).status
