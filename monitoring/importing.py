"""
Services of imports: upload, check (preview), import and their history.

A job is checked first (nothing written) and then imported: the import parses
the kept file again and re-plans against the database as it is then, so a
change made between preview and import can never be overwritten silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from schools import access, audit, jobs
from schools.models import User

from .importers.issues import IssueList
from .importers.matching import SchoolMatcher
from .importers.plan import Plan, apply_plan, build_plan
from .importers.reader import FileRejected, read_workbook
from .importers.records import Parsed
from .models import ImportJob

logger = logging.getLogger(__name__)
Kind = ImportJob.Kind
Status = ImportJob.Status
Progress = Callable[[int], None]


def can_import(user: Any) -> bool:
    """Return whether the person may import files (analysts and administrators)."""
    return access.manages(user)


def parse(
    kind: str,
    content: bytes,
    *,
    params: dict[str, Any],
    by: User | None,
    progress: Progress,
) -> Parsed:
    """Read a file of the given kind into Records and Issues."""
    from .importers import fisoko, gia, package, protocol

    book = read_workbook(content)
    matcher = SchoolMatcher.build(by)
    if kind == Kind.PACKAGE:
        return package.parse_package(book, matcher=matcher, progress=progress)
    if kind == Kind.VPR_PROTOCOL:
        return protocol.parse_protocol(
            book, matcher=matcher, params=params, progress=progress
        )
    if kind == Kind.VPR_STATS:
        return fisoko.parse_statistics(book, matcher=matcher, params=params)
    if kind == Kind.VPR_COMPARISON:
        return fisoko.parse_comparison(book, matcher=matcher, params=params)
    if kind == Kind.EGE:
        return gia.parse_ege(book, matcher=matcher, params=params)
    if kind == Kind.OGE:
        return gia.parse_oge(book, matcher=matcher, params=params)
    raise ValueError(kind)


def plan_file(
    kind: str,
    content: bytes,
    *,
    params: dict[str, Any],
    by: User | None,
    progress: Progress = lambda p: None,
) -> Plan:
    """Parse and compare with the database; never writes."""
    try:
        parsed = parse(kind, content, params=params, by=by, progress=progress)
    except FileRejected as rejected:
        issues = IssueList()
        issues.add(str(rejected))
        return Plan(issues=issues, by=by, replace=bool(params.get("replace")))
    progress(60)
    create_years = by is None or access.is_administrator(by)
    return build_plan(
        parsed,
        replace=bool(params.get("replace")),
        allow_accepted=bool(params.get("allow_accepted")),
        by=by,
        create_years=create_years,
    )


# Jobs ----------------------------------------------------------------------------


@transaction.atomic
def import_job_create(
    *, kind: str, upload: UploadedFile, params: dict[str, Any], by: User
) -> ImportJob:
    """Keep the uploaded file and queue its check (refused, nothing kept, without a broker)."""
    if not can_import(by):
        raise PermissionDenied("Загружать файлы может аналитик МИМЦ.")
    jobs.require_broker()
    job = ImportJob(
        kind=kind,
        file=upload,
        original_name=upload.name[:255],
        size=upload.size or 0,
        params=params,
        uploaded_by=by,
    )
    jobs.next_attempt(job)
    job.save()
    from .tasks import import_check_task

    jobs.publish(import_check_task, job)
    return job


def _progress(job: ImportJob, base: int, span: int) -> Progress:
    def report(percent: int) -> None:
        value = base + span * min(100, percent) // 100
        if value != job.progress:
            job.progress = value
            ImportJob.objects.filter(pk=job.pk).update(progress=value)

    return report


def _read(job: ImportJob) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


def _finish(job: ImportJob, status: str, plan: Plan, message: str) -> bool:
    """
    Record the outcome — only if this task still holds the job (same attempt,
    same state): a task the janitor gave up on, or a duplicate, records nothing.
    """
    working = job.status
    job.status, job.progress, job.message = status, 100, message
    job.issues = [i.as_dict() for i in plan.issues]
    job.summary = plan.summary()
    job.finished_at = timezone.now()
    return bool(
        ImportJob.objects.filter(pk=job.pk, attempt=job.attempt, status=working).update(
            status=job.status,
            progress=job.progress,
            message=job.message,
            issues=job.issues,
            summary=job.summary,
            finished_at=job.finished_at,
        )
    )


def import_job_check(*, job: ImportJob) -> ImportJob:
    """Check a job's file and store the preview: what would change, and every error."""
    ImportJob.objects.filter(pk=job.pk).update(progress=1)
    job.status = Status.CHECKING
    plan = plan_file(
        job.kind,
        _read(job),
        params=job.params,
        by=job.uploaded_by,
        progress=_progress(job, 0, 90),
    )
    if plan.issues.errors:
        _finish(
            job,
            Status.INVALID,
            plan,
            f"Найдено ошибок: {len(plan.issues.errors)}. Ничего не загружено — исправьте файл и загрузите его снова.",
        )
    elif not any(
        c["created"] or c["updated"] for c in plan.summary()["counts"].values()
    ):
        _finish(
            job,
            Status.READY,
            plan,
            "Файл проверен: все его данные уже есть в портале, импорт ничего не изменит.",
        )
    else:
        _finish(
            job,
            Status.READY,
            plan,
            "Файл проверен. Посмотрите, что изменится, и нажмите «Импортировать».",
        )
    return job


@transaction.atomic
def import_job_start(
    *, job: ImportJob, by: User, confirmed_erasures: int = 0
) -> ImportJob:
    """
    Queue the import of a checked job. Erasures shown in the preview must have
    been confirmed; the import refuses to erase more than were confirmed.
    """
    if not can_import(by):
        raise PermissionDenied("Загружать файлы может аналитик МИМЦ.")
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != Status.READY:
        raise PermissionDenied(
            "Импортировать можно только проверенный файл без ошибок."
        )
    if job.summary.get("erasure_count", 0) > confirmed_erasures:
        raise PermissionDenied("Подтвердите стирание значений, показанных в проверке.")
    jobs.require_broker()
    job.params = {**job.params, "confirmed_erasures": confirmed_erasures}
    job.status, job.progress, job.imported_by = Status.QUEUED, 0, by
    jobs.next_attempt(job)
    job.save()
    from .tasks import import_run_task

    jobs.publish(import_run_task, job)
    return job


@transaction.atomic
def import_job_restart(*, job: ImportJob, by: User) -> ImportJob:
    """
    Queue again a job whose processing was interrupted (its worker lost, the
    queue unreachable): the same phase — check or import — from the start.
    Nothing of the interrupted attempt was written.
    """
    if not can_import(by):
        raise PermissionDenied("Загружать файлы может аналитик МИМЦ.")
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != Status.FAILED or not job.can_restart:
        raise PermissionDenied("Перезапустить можно только прерванную обработку.")
    from .tasks import import_check_task, import_run_task

    reason, job.message = job.message, ""
    task = import_run_task if job.phase == "import" else import_check_task
    jobs.requeue(job, task=task, by=by, reason=reason)
    return job


def import_job_run(*, job: ImportJob) -> ImportJob:
    """
    Import a checked job: parse again, re-plan as the person who pressed
    «Импортировать» (their scope, their name in the history), then write all
    or nothing.
    """
    by = job.imported_by or job.uploaded_by
    plan = plan_file(
        job.kind,
        _read(job),
        params=job.params,
        by=by,
        progress=_progress(job, 0, 60),
    )
    if plan.issues.errors:
        _finish(
            job,
            Status.FAILED,
            plan,
            "Пока файл ждал подтверждения, данные в портале изменились, и появились ошибки. Ничего не загружено.",
        )
        return job
    if len(plan.erasures) > job.params.get("confirmed_erasures", 0):
        _finish(
            job,
            Status.FAILED,
            plan,
            "Пока файл ждал подтверждения, данные в портале изменились: импорт стёр бы "
            "больше значений, чем вы подтвердили. Ничего не загружено — проверьте файл "
            "снова.",
        )
        return job
    ImportJob.objects.filter(pk=job.pk).update(progress=70)
    counts = plan.summary()["counts"]
    message = "Загружено: создано {}, обновлено {}, без изменений {}.".format(
        *(
            sum(c[k] for c in counts.values())
            for k in ("created", "updated", "unchanged")
        )
    )
    try:
        # The data, the outcome and the audit line in one transaction, under
        # the job's row lock: a duplicate task waits, then finds it done.
        with transaction.atomic():
            if not jobs.still_mine(job, Status.IMPORTING):
                logger.info("Import %s: taken over, nothing written", job.pk)
                return job
            apply_plan(
                plan,
                source_label=f"Файл «{job.original_name}» ({job.get_kind_display()})",
            )
            _finish(job, Status.DONE, plan, message)
            audit.record(
                None,
                audit.Event.IMPORT,
                by=by,
                target=job,
                detail=f"{job.get_kind_display()}: {message}",
            )
    except Exception as error:
        logger.exception("Import %s failed while writing", job.pk)
        plan.issues.add(f"Ошибка при записи, ничего не загружено: {error}")
        job.status = Status.IMPORTING
        _finish(
            job,
            Status.FAILED,
            plan,
            "Ошибка при записи в базу данных — ничего не загружено.",
        )
    return job
