"""
CI check of the real parts: PostgreSQL, Redis and a Celery worker.

The test suite runs Celery eagerly; this script runs an import the way
production does — the web side queues the task in Redis, a separate worker
process checks the file and imports it — and fails unless the data arrives.
"""

import io
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_ci")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
# The demo as written, in 2021/2022: the file below is of that year.
os.environ["DEMO_SCHOOL_YEAR"] = "2021"


def wait_for(job, statuses, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.5)
    raise SystemExit(f"Задача не завершилась за {seconds} с: состояние {job.status}")


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import transaction
    from openpyxl import Workbook

    from monitoring import importing
    from monitoring.importers.package import SHEETS
    from monitoring.models import ImportJob, StaffingData
    from schools.models import User

    assert not settings.CELERY_TASK_ALWAYS_EAGER, (
        "Celery must use the Redis broker here"
    )
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    StaffingData.objects.filter(
        report__school__code="sch242709", report__year__start_year=2021
    ).delete()

    book = Workbook()
    sheet = book.active
    sheet.title = "Кадры"
    sheet.append([c.header for c in SHEETS["Кадры"]])
    sheet.append(
        [
            "2021/2022",
            "sch242709",
            61,
            7,
            9,
            5,
            16,
            21,
            18,
            7,
            4,
            3,
            50,
            25,
            12,
            2,
            1,
            1,
            1,
            0,
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        analyst = User.objects.get(username="mimc")
        with transaction.atomic():
            job = importing.import_job_create(
                kind=ImportJob.Kind.PACKAGE,
                upload=SimpleUploadedFile("ci.xlsx", buffer.getvalue()),
                params={"replace": True},
                by=analyst,
            )
        wait_for(job, {ImportJob.Status.READY, ImportJob.Status.INVALID})
        assert job.status == ImportJob.Status.READY, job.issues
        with transaction.atomic():
            importing.import_job_start(job=job, by=analyst)
        wait_for(job, {ImportJob.Status.DONE, ImportJob.Status.FAILED})
        assert job.status == ImportJob.Status.DONE, job.issues
        data = StaffingData.objects.get(
            report__school__code="sch242709", report__year__start_year=2021
        )
        assert data.teachers_total == 61, data.teachers_total
        print(f"Celery + Redis + PostgreSQL: импорт выполнен воркером ({job.message})")
    finally:
        worker.terminate()
        worker.wait(timeout=30)


if __name__ == "__main__":
    main()
