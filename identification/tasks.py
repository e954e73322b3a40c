"""Celery entry points of identification."""

from celery import shared_task


@shared_task
def run_execute_task(run_id: int) -> str:
    """Compute and store an identification run."""
    import logging

    from .models import IdentificationRun
    from .services import run_execute, run_failed

    run = IdentificationRun.objects.get(pk=run_id)
    try:
        run_execute(run=run)
    except Exception as error:
        logging.getLogger(__name__).exception("Identification run %s failed", run_id)
        run_failed(run=run, error=str(error))
        raise
    return "done"
