"""
Background work that survives what happens on several machines.

- The broker is asked before anything is queued: without it the person is
  told in Russian and nothing is created (`require_broker`).
- Every queued task carries its job's attempt number; a task whose attempt is
  no longer the job's (a message redelivered after a restart) does nothing.
- A running task beats (`heartbeat`); the janitor (`fail_interrupted`, every
  minute from beat) marks a job whose worker fell silent as interrupted, with
  the reason, and the person can restart it.
- A task claims its job (`claim`) before working and writes its result only
  while it still holds the job in the state and attempt it claimed — a retried
  or duplicated task never imports or stores twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import BackgroundWork

logger = logging.getLogger(__name__)
Job = TypeVar("Job", bound=BackgroundWork)

UNAVAILABLE = (
    "Фоновая обработка сейчас недоступна (нет связи с очередью задач), поэтому "
    "ничего не запущено. Попробуйте через несколько минут; если не получится — "
    "сообщите администратору портала."
)
INTERRUPTED = (
    "Обработка прервалась: обработчик задач остановился, не закончив работу. "
    "Ничего не записано. Нажмите «Перезапустить»."
)
LOST = (
    "Задача не была поставлена в очередь: пропала связь с очередью задач. "
    "Ничего не записано. Нажмите «Перезапустить», когда обработка восстановится."
)


class BackgroundUnavailable(Exception):
    """The broker cannot be reached: nothing may be queued now."""

    def __init__(self) -> None:
        super().__init__(UNAVAILABLE)


def eager() -> bool:
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))


def broker_available() -> bool:
    """Whether a task can be queued now (always, when tasks run in-process)."""
    if eager():
        return True
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception:
        logger.warning("Broker unreachable", exc_info=True)
        return False
    return True


def require_broker() -> None:
    if not broker_available():
        raise BackgroundUnavailable


def publish(task: Any, job: BackgroundWork) -> None:
    """
    Queue the job's task after the transaction commits, with its attempt; if
    the broker went away since it was asked, the job is marked interrupted
    (restartable) instead of waiting for ever.
    """
    model, pk, attempt = type(job), job.pk, job.attempt

    def send() -> None:
        try:
            task.apply_async(args=(pk, attempt))
        except Exception:
            logger.exception("Could not queue %s %s", model.__name__, pk)
            interrupt(model, pk, attempt=attempt, reason=LOST)

    transaction.on_commit(send)


def next_attempt(job: BackgroundWork) -> None:
    """Give the job a new attempt and a fresh sign of life (the caller saves)."""
    job.attempt += 1
    job.heartbeat_at = timezone.now()
    job.interrupted_at = None


def requeue(job: BackgroundWork, *, task: Any, by: Any, reason: str) -> None:
    """
    Queue an interrupted job again as a new attempt, with the restart in the
    audit log. The caller holds the job's row lock, has checked that it may be
    restarted and has cleared what the failure left.
    """
    from . import audit

    require_broker()
    job.status, job.progress, job.finished_at = "queued", 0, None
    next_attempt(job)
    job.save()
    audit.record(
        None,
        audit.Event.JOB_RESTART,
        by=by,
        target=job,
        detail=f"Перезапуск (попытка {job.attempt}) после: {reason}",
    )
    publish(task, job)


def interrupt(
    model: type[Job], pk: int, *, attempt: int, reason: str = INTERRUPTED
) -> bool:
    """Mark the job failed and restartable, unless another attempt took it over."""
    updated = model.objects.filter(pk=pk, attempt=attempt).update(
        status="failed",
        interrupted_at=timezone.now(),
        finished_at=timezone.now(),
        **model.reason_fields(reason),
    )
    return bool(updated)


def claim(
    model: type[Job],
    pk: int,
    attempt: int | None,
    *,
    waiting: tuple[str, ...],
    working: str,
) -> Job | None:
    """
    Take the job for this task: it must be in one of the `waiting` states or
    already `working` (a message redelivered after its worker was lost), and
    of this attempt. Returns None when the task has nothing to do.
    """
    with transaction.atomic():
        job = model.objects.select_for_update().filter(pk=pk).first()
        if job is None:
            return None
        if attempt is not None and job.attempt != attempt:
            logger.info("%s %s: attempt %s is stale", model.__name__, pk, attempt)
            return None
        status = job.status
        if status not in (*waiting, working):
            logger.info("%s %s is %s already", model.__name__, pk, status)
            return None
        job.heartbeat_at = timezone.now()
        job.status = working
        job.save(update_fields=["status", "heartbeat_at"])
    return job


def still_mine(job: BackgroundWork, working: str) -> bool:
    """
    Lock the job's row (inside the caller's transaction) and say whether this
    task may still write its result: same attempt, still working.
    """
    current = type(job).objects.select_for_update().filter(pk=job.pk).first()
    return (
        current is not None
        and current.attempt == job.attempt
        and current.status == working
    )


def stale_after() -> timedelta:
    return timedelta(seconds=settings.JOB_STALE_SECONDS)


@contextmanager
def heartbeat(job: BackgroundWork) -> Iterator[None]:
    """
    While the block runs, renew the job's sign of life from a thread with its
    own database connection. In-process (eager) tasks need no beat: the
    request that runs them is alive by definition.
    """
    if eager():
        yield
        return
    model, pk = type(job), job.pk
    stop = threading.Event()
    interval = max(1.0, settings.JOB_STALE_SECONDS / 3)

    def beat() -> None:
        try:
            while not stop.wait(interval):
                model.objects.filter(pk=pk).update(heartbeat_at=timezone.now())
        except Exception:
            logger.exception("Heartbeat of %s %s stopped", model.__name__, pk)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)


def fail_interrupted(
    model: type[Job], *, working: tuple[str, ...], queued: tuple[str, ...]
) -> list[int]:
    """
    Mark as interrupted every job whose worker has been silent too long, and
    every queued job no worker has taken for JOB_QUEUE_TIMEOUT_SECONDS. Rows a
    live task holds locked (writing its result) are skipped.
    """
    now = timezone.now()
    silent = model.objects.filter(
        status__in=working, heartbeat_at__lt=now - stale_after()
    ) | model.objects.filter(
        status__in=queued,
        heartbeat_at__lt=now - timedelta(seconds=settings.JOB_QUEUE_TIMEOUT_SECONDS),
    )
    failed = []
    with transaction.atomic():
        for job in silent.select_for_update(skip_locked=True).order_by("pk"):
            if interrupt(model, job.pk, attempt=job.attempt):
                logger.warning(
                    "%s %s interrupted (attempt %s, last sign of life %s)",
                    model.__name__,
                    job.pk,
                    job.attempt,
                    job.heartbeat_at,
                )
                failed.append(job.pk)
    return failed
