"""Celery entry points of schools: the janitor of background work, notifications."""

from celery import shared_task


@shared_task
def fail_interrupted_work() -> dict[str, list[int]]:
    """Every minute: mark the jobs whose worker was lost as interrupted."""
    from django.apps import apps

    from . import jobs
    from .models import BackgroundWork

    return {
        model._meta.label: jobs.fail_interrupted(
            model, working=model.WORKING, queued=model.QUEUED
        )
        for model in apps.get_models()
        if issubclass(model, BackgroundWork)
    }


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def send_notices(pks: list[int]) -> int:
    """Mail the notices their people want at once (queued after the commit)."""
    from . import notices

    return notices.send_instant(pks)


@shared_task
def send_notice_digests() -> int:
    """Daily: one letter per person of the notices they want in a digest."""
    from . import notices

    return notices.send_digests()


@shared_task
def notify_deadlines() -> int:
    """Daily: tasks due in three days and overdue ones, in the portal and the digest."""
    from . import inbox

    return inbox.deadlines_notify()
