"""Celery entry points of identification."""

from celery import shared_task


@shared_task
def run_execute_task(run_id: int, attempt: int | None = None) -> str:
    """Compute and store an identification run, once."""
    import logging

    from schools import jobs

    from .models import IdentificationRun
    from .services import run_execute, run_failed

    Status = IdentificationRun.Status
    run = jobs.claim(
        IdentificationRun,
        run_id,
        attempt,
        waiting=(Status.QUEUED,),
        working=Status.RUNNING,
    )
    if run is None:
        return "skipped"
    with jobs.heartbeat(run):
        try:
            run_execute(run=run)
        except Exception as error:
            logging.getLogger(__name__).exception(
                "Identification run %s failed", run_id
            )
            run_failed(run=run, error=str(error))
            raise
    return "done"
