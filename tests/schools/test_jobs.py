"""
Background work on many machines: no broker — nothing started and a Russian
message; a duplicated or stale task writes nothing; a job whose worker fell
silent is marked interrupted with its reason and restarts to completion.
"""

import datetime as dt
from unittest import mock

import pytest
from celery import Celery
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from identification import services as identification
from identification.models import IdentificationRun, Methodology, SchoolResult
from identification.tasks import run_execute_task
from monitoring import importing
from monitoring.demo import generate_monitoring
from monitoring.models import ImportJob, StaffingData
from monitoring.tasks import import_check_task, import_run_task
from schools import jobs
from schools.models import AuditEvent, StoredFile
from schools.tasks import fail_interrupted_work
from tests.factories import AcademicYearFactory, SchoolFactory
from tests.monitoring.imports.conftest import headers, workbook_bytes
from tests.monitoring.imports.test_files_and_views import STAFF_VALUES

pytestmark = pytest.mark.django_db
Status = ImportJob.Status
NO_BROKER = mock.patch.object(jobs, "broker_available", return_value=False)


def _package(school) -> SimpleUploadedFile:
    content = workbook_bytes(
        {"Кадры": [headers("Кадры"), ["2020/2021", school.code, *STAFF_VALUES]]}
    )
    return SimpleUploadedFile("пакет.xlsx", content)


@pytest.fixture
def year(db):
    return AcademicYearFactory(start_year=2020)


@pytest.fixture
def checked(analyst, school, year, django_capture_on_commit_callbacks):
    """A package checked and ready to import."""
    with django_capture_on_commit_callbacks(execute=True):
        job = importing.import_job_create(
            kind=ImportJob.Kind.PACKAGE, upload=_package(school), params={}, by=analyst
        )
    job.refresh_from_db()
    assert job.status == Status.READY
    return job


def _queue_import(job, analyst):
    """Press «Импортировать» without letting the task run: returns the attempt."""
    with mock.patch.object(jobs, "publish"):
        job = importing.import_job_start(job=job, by=analyst)
    return job


# The broker ----------------------------------------------------------------------


def test_broker_is_reported_unreachable_when_nothing_listens(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    dead = Celery(broker="redis://127.0.0.1:1/0", set_as_current=False)
    with mock.patch.object(jobs, "current_app", dead):
        assert jobs.broker_available() is False
        with pytest.raises(jobs.BackgroundUnavailable, match="недоступна"):
            jobs.require_broker()


def test_broker_is_reported_reachable_when_redis_answers(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    live = Celery(broker="redis://127.0.0.1:6379/15", set_as_current=False)
    with mock.patch.object(jobs, "current_app", live):
        assert jobs.broker_available() is True


def test_upload_without_broker_says_so_and_keeps_nothing(client_for, analyst, school):
    client = client_for(analyst)
    with NO_BROKER:
        response = client.post(
            reverse("monitoring:import-create"),
            {"kind": ImportJob.Kind.PACKAGE, "file": _package(school)},
        )
    assert response.status_code == 200
    assert "Фоновая обработка сейчас недоступна" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not StoredFile.objects.exists()


def test_import_without_broker_says_so_and_leaves_the_job_ready(
    client_for, analyst, checked
):
    client = client_for(analyst)
    with NO_BROKER:
        response = client.post(
            reverse("monitoring:import-run", args=[checked.pk]), follow=True
        )
    assert "Фоновая обработка сейчас недоступна" in response.content.decode()
    checked.refresh_from_db()
    assert checked.status == Status.READY
    assert checked.imported_by is None
    assert not StaffingData.objects.exists()


def test_run_without_broker_says_so_and_creates_no_run(client_for, analyst):
    identification.ensure_presets()
    client = client_for(analyst)
    with NO_BROKER:
        response = client.post(
            reverse("identification:run-create"),
            {
                "target_year": AcademicYearFactory(start_year=2021).pk,
                "municipalities": [analyst.municipality_id],
                "methodology": Methodology.objects.get(code="combined").pk,
            },
        )
    assert response.status_code == 200
    assert "Фоновая обработка сейчас недоступна" in response.content.decode()
    assert not IdentificationRun.objects.exists()


def test_a_broker_lost_after_the_check_marks_the_job_restartable(
    analyst, school, year, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(import_check_task, "apply_async", side_effect=OSError),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = importing.import_job_create(
            kind=ImportJob.Kind.PACKAGE, upload=_package(school), params={}, by=analyst
        )
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.can_restart
    assert "не была поставлена в очередь" in job.message


# Once and only once --------------------------------------------------------------


def test_a_duplicated_import_task_imports_once(checked, analyst):
    job = _queue_import(checked, analyst)
    assert import_run_task(job.pk, job.attempt) == Status.DONE
    first = StaffingData.objects.get()
    events = AuditEvent.objects.filter(event=AuditEvent.Event.IMPORT).count()
    # The same message delivered again (its worker was lost after the commit).
    assert import_run_task(job.pk, job.attempt) == "skipped"
    assert StaffingData.objects.get().pk == first.pk
    assert AuditEvent.objects.filter(event=AuditEvent.Event.IMPORT).count() == events


def test_a_redelivered_task_of_a_lost_worker_completes_the_import(checked, analyst):
    job = _queue_import(checked, analyst)
    # The first worker claimed the job and died before writing anything.
    jobs.claim(
        ImportJob, job.pk, job.attempt, waiting=(Status.QUEUED,), working="importing"
    )
    assert import_run_task(job.pk, job.attempt) == Status.DONE
    assert StaffingData.objects.count() == 1


def test_a_task_of_an_earlier_attempt_writes_nothing(checked, analyst):
    job = _queue_import(checked, analyst)
    stale = job.attempt
    ImportJob.objects.filter(pk=job.pk).update(attempt=stale + 1)
    assert import_run_task(job.pk, stale) == "skipped"
    job.refresh_from_db()
    assert job.status == Status.QUEUED
    assert not StaffingData.objects.exists()


def test_an_import_the_janitor_gave_up_on_writes_nothing(checked, analyst):
    job = _queue_import(checked, analyst)
    claimed = jobs.claim(
        ImportJob, job.pk, job.attempt, waiting=(Status.QUEUED,), working="importing"
    )
    # While the slow worker parses, the janitor marks the job interrupted.
    jobs.interrupt(ImportJob, job.pk, attempt=job.attempt)
    importing.import_job_run(job=claimed)
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.message == jobs.INTERRUPTED
    assert not StaffingData.objects.exists()


def test_a_failure_while_writing_leaves_nothing_and_says_so(checked, analyst):
    job = _queue_import(checked, analyst)
    with mock.patch(
        "monitoring.importing.audit.record", side_effect=RuntimeError("диск")
    ):
        assert import_run_task(job.pk, job.attempt) == Status.FAILED
    job.refresh_from_db()
    assert "ничего не загружено" in job.message
    # The data were written before the audit line failed: rolled back with it.
    assert not StaffingData.objects.exists()


# The janitor and the restart -----------------------------------------------------


def _age(job, seconds):
    type(job).objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(seconds=seconds)
    )


def test_janitor_marks_silent_jobs_interrupted_and_spares_the_living(
    checked, analyst, school, settings
):
    settings.JOB_STALE_SECONDS = 90
    settings.JOB_QUEUE_TIMEOUT_SECONDS = 1800
    silent = _queue_import(checked, analyst)
    jobs.claim(
        ImportJob,
        silent.pk,
        silent.attempt,
        waiting=(Status.QUEUED,),
        working="importing",
    )
    _age(silent, 91)
    alive = ImportJob.objects.create(
        kind=ImportJob.Kind.PACKAGE,
        status=Status.CHECKING,
        file=_package(school),
        original_name="живой.xlsx",
        uploaded_by=analyst,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=30),
    )
    waiting = ImportJob.objects.create(
        kind=ImportJob.Kind.PACKAGE,
        status=Status.QUEUED,
        file=_package(school),
        original_name="в очереди.xlsx",
        uploaded_by=analyst,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=600),
    )
    result = fail_interrupted_work()
    assert result["monitoring.ImportJob"] == [silent.pk]
    silent.refresh_from_db()
    assert silent.status == Status.FAILED
    assert silent.can_restart
    assert silent.message == jobs.INTERRUPTED
    alive.refresh_from_db()
    waiting.refresh_from_db()
    assert (alive.status, waiting.status) == (Status.CHECKING, Status.QUEUED)
    # A job no worker took from the queue for half an hour is given up too.
    _age(waiting, 1801)
    assert fail_interrupted_work()["monitoring.ImportJob"] == [waiting.pk]


def test_an_interrupted_import_restarts_to_completion(
    client_for, checked, analyst, django_capture_on_commit_callbacks
):
    job = _queue_import(checked, analyst)
    jobs.interrupt(ImportJob, job.pk, attempt=job.attempt)
    client = client_for(analyst)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Перезапустить загрузку" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("monitoring:import-restart", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == Status.DONE
    assert job.attempt == 3  # checked, imported, restarted
    assert not job.can_restart
    assert StaffingData.objects.count() == 1
    restart = AuditEvent.objects.get(event=AuditEvent.Event.JOB_RESTART)
    assert restart.actor == analyst
    assert "Обработка прервалась" in restart.detail


def test_an_interrupted_check_restarts_as_a_check(
    checked, analyst, django_capture_on_commit_callbacks
):
    jobs.interrupt(ImportJob, checked.pk, attempt=checked.attempt)
    with django_capture_on_commit_callbacks(execute=True):
        importing.import_job_restart(job=checked, by=analyst)
    checked.refresh_from_db()
    assert checked.status == Status.READY
    assert not StaffingData.objects.exists()


def test_a_job_that_failed_on_its_data_cannot_be_restarted(checked, analyst):
    ImportJob.objects.filter(pk=checked.pk).update(status=Status.FAILED)
    with pytest.raises(PermissionDenied):
        importing.import_job_restart(job=checked, by=analyst)


# Identification runs ---------------------------------------------------------------


@pytest.fixture
def queued_run(analyst, school, neighbour_school):
    """A run queued for the municipality, whose three schools reported two years."""
    years = [
        AcademicYearFactory(start_year=start, is_current=start == 2021)
        for start in (2019, 2020, 2021)
    ]
    schools = [
        school,
        neighbour_school,
        SchoolFactory(municipality=school.municipality),
    ]
    generate_monitoring(schools=schools, years=years[:2], seed=7)
    identification.ensure_presets()
    with mock.patch.object(jobs, "publish"):
        run = identification.run_create(
            target_year=years[2],
            municipalities=[analyst.municipality],
            version=Methodology.objects.get(code="combined").current,
            only_accepted=False,
            by=analyst,
        )
    return run


def test_a_duplicated_run_task_stores_the_results_once(queued_run):
    assert run_execute_task(queued_run.pk, queued_run.attempt) == "done"
    stored = SchoolResult.objects.filter(run=queued_run).count()
    assert stored == 3  # one per school of the municipality
    assert run_execute_task(queued_run.pk, queued_run.attempt) == "skipped"
    assert SchoolResult.objects.filter(run=queued_run).count() == stored


def test_a_run_the_janitor_gave_up_on_stores_nothing(queued_run):
    run = jobs.claim(
        IdentificationRun,
        queued_run.pk,
        queued_run.attempt,
        waiting=("queued",),
        working="running",
    )
    jobs.interrupt(IdentificationRun, run.pk, attempt=run.attempt)
    identification.run_execute(run=run)
    run.refresh_from_db()
    assert run.status == IdentificationRun.Status.FAILED
    assert run.messages == [jobs.INTERRUPTED]
    assert not SchoolResult.objects.filter(run=run).exists()


def test_an_interrupted_run_restarts_to_completion(
    client_for, queued_run, analyst, django_capture_on_commit_callbacks
):
    jobs.claim(
        IdentificationRun,
        queued_run.pk,
        queued_run.attempt,
        waiting=("queued",),
        working="running",
    )
    _age(queued_run, 10_000)
    assert fail_interrupted_work()["identification.IdentificationRun"] == [
        queued_run.pk
    ]
    client = client_for(analyst)
    assert (
        "Перезапустить выявление"
        in client.get(queued_run.get_absolute_url()).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("identification:run-restart", args=[queued_run.pk]))
    queued_run.refresh_from_db()
    assert queued_run.status == IdentificationRun.Status.DONE
    assert queued_run.fingerprint
    assert SchoolResult.objects.filter(run=queued_run).count() == 3
