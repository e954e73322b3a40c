"""Celery entry points of schools: the janitor of background work."""

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
