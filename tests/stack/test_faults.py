"""
Faults a region will meet, each on the running two-node stack: Redis gone,
a worker killed in the middle of its work, PostgreSQL restarted during a save.
Nothing is half-written; the person is told in Russian; work resumes.
"""

import threading

import psycopg2
import pytest

from .conftest import text_of, wait_for
from .portal import (
    free_staffing_slot,
    job_id,
    job_status,
    lock_waiters,
    reports_of,
    run_form,
    run_id,
    run_status,
    staffing_package,
    teachers_of,
    upload,
    wait_job,
)

UNAVAILABLE = "Фоновая обработка сейчас недоступна"


class TableLock:
    """
    A SHARE lock on a table, held from another connection: the portal may read
    the table but its writes wait — so a worker is caught in the middle of
    writing, inside its transaction.
    """

    def __init__(self, url):
        self.connection = psycopg2.connect(url)

    def hold(self, table):
        self.connection.cursor().execute(f"LOCK TABLE {table} IN SHARE MODE")

    def release(self):
        self.connection.rollback()


@pytest.fixture
def table_lock(stack):
    lock = TableLock(stack.database_url)
    yield lock
    try:
        lock.release()
        lock.connection.close()
    except psycopg2.Error:
        pass  # PostgreSQL was restarted under it


def _log_sizes(stack):
    return {i: (stack.root / "logs" / f"worker{i}.log").stat().st_size for i in (1, 2)}


def _kill_worker_with(stack, task, since):
    """
    Kill -9 (with its child) the worker that received the task since the
    given log sizes — as a machine that dies; the other one lives on and runs
    the janitor.
    """
    for i, size in since.items():
        with (stack.root / "logs" / f"worker{i}.log").open("rb") as log:
            log.seek(size)
            if task.encode() in log.read():
                stack.kill(f"worker{i}")
                return i
    raise AssertionError(f"ни один обработчик не взял {task}")


def _restart_worker(stack, i):
    stack.worker_start(i)
    stack.wait_worker(i)


def test_without_redis_pages_work_and_nothing_is_half_started(stack, person, sql):
    analyst = person("mimc")
    code, year = free_staffing_slot(sql)
    jobs = sql("SELECT count(*) FROM monitoring_importjob")[0][0]
    runs = sql("SELECT count(*) FROM identification_identificationrun")[0][0]
    stack.redis_stop()
    try:
        assert analyst.get("/").status_code == 200
        assert analyst.get("/schools/").status_code == 200
        assert person("uo").get("/").status_code == 200  # signing in works too
        assert stack.health() == 200  # degraded, still serving
        refused = upload(analyst, staffing_package(code, year, teachers=61))
        assert UNAVAILABLE in text_of(refused.text)
        refused = analyst.post("/identification/runs/new/", run_form(sql))
        assert UNAVAILABLE in text_of(refused.text)
        assert sql("SELECT count(*) FROM monitoring_importjob")[0][0] == jobs
        assert (
            sql("SELECT count(*) FROM identification_identificationrun")[0][0] == runs
        )
    finally:
        stack.redis_start()
    # Once Redis is back, the same upload goes through to the end.
    pk = job_id(upload(analyst, staffing_package(code, year, teachers=61)))
    wait_job(sql, pk, "ready", 180)
    analyst.post(f"/monitoring/imports/{pk}/run/", {})
    wait_job(sql, pk, "done")
    assert teachers_of(sql, code, year) == [61]


def test_worker_killed_mid_import_leaves_nothing_and_restarts(
    stack, person, sql, table_lock
):
    analyst = person("mimc")
    code, year = free_staffing_slot(sql)
    pk = job_id(upload(analyst, staffing_package(code, year, teachers=55)))
    wait_job(sql, pk, "ready")
    table_lock.hold("monitoring_staffingdata")
    logs = _log_sizes(stack)
    analyst.post(f"/monitoring/imports/{pk}/run/", {})
    # The worker has planned and is writing: its insert waits for our lock.
    wait_for(lambda: lock_waiters(sql, stack.database), 60, "запись загрузки")
    assert job_status(sql, pk) == "importing"
    killed = _kill_worker_with(stack, "import_run_task", logs)
    # Our lock released, the dead worker's transaction is rolled back by PostgreSQL.
    table_lock.release()
    wait_job(sql, pk, "failed", 60)
    page = text_of(analyst.get(f"/monitoring/imports/{pk}/").text)
    assert "Обработка прервалась" in page
    assert "Перезапустить загрузку" in page
    assert reports_of(sql, code, year) == 0
    assert teachers_of(sql, code, year) == []

    _restart_worker(stack, killed)
    analyst.post(f"/monitoring/imports/{pk}/restart/", {})
    wait_job(sql, pk, "done")
    assert teachers_of(sql, code, year) == [55]
    assert reports_of(sql, code, year) == 1


def test_worker_killed_mid_run_stores_nothing_and_restarts(
    stack, person, sql, table_lock
):
    analyst = person("mimc")
    table_lock.hold("identification_schoolresult")
    logs = _log_sizes(stack)
    run = run_id(analyst.post("/identification/runs/new/", run_form(sql)))
    wait_for(lambda: lock_waiters(sql, stack.database), 120, "запись выявления")
    assert run_status(sql, run) == "running"
    killed = _kill_worker_with(stack, "run_execute_task", logs)
    table_lock.release()
    wait_for(lambda: run_status(sql, run) == "failed", 60, "выявление прервано")
    stored = sql(
        "SELECT count(*) FROM identification_schoolresult WHERE run_id = %s", run
    )[0][0]
    assert stored == 0
    page = text_of(analyst.get(f"/identification/runs/{run}/").text)
    assert "Обработка прервалась" in page

    _restart_worker(stack, killed)
    analyst.post(f"/identification/runs/{run}/restart/", {})
    wait_for(lambda: run_status(sql, run) == "done", 180, "выявление перезапущено")
    assert (
        sql("SELECT count(*) FROM identification_schoolresult WHERE run_id = %s", run)[
            0
        ][0]
        > 0
    )


def test_postgres_restarted_during_a_save_says_so_and_resending_works(
    stack, person, sql, table_lock
):
    report, operator = _draft_staffing_report(sql)
    school = person(operator)
    path = f"/monitoring/reports/{report}/"
    form = school.form(path)
    assert "version" in form
    before = sql("SELECT version FROM monitoring_report WHERE id = %s", report)[0][0]
    # One teacher more: an ordinary change, no unusual-value warning to confirm.
    teachers = int(form["teachers_total"]) + 1
    form["teachers_total"] = str(teachers)
    table_lock.hold("monitoring_staffingdata")
    answer = {}
    saving = threading.Thread(
        target=lambda: answer.setdefault("response", school.post(path, form))
    )
    saving.start()
    wait_for(lambda: lock_waiters(sql, stack.database), 60, "сохранение ждёт базу")
    stack.postgres_restart()
    saving.join(120)
    response = answer["response"]
    assert response.status_code == 503
    assert "ничего из отправленного не сохранено" in response.text
    wait_for(lambda: stack.health() == 200, 60, "портал снова отвечает")
    assert (
        sql("SELECT version FROM monitoring_report WHERE id = %s", report)[0][0]
        == before
    )
    # The person sends the same form again: it is saved, once.
    again = school.post(path, form)
    assert again.status_code == 200
    assert "Данные сохранены" in again.text
    saved = sql(
        "SELECT d.teachers_total, r.version FROM monitoring_staffingdata d "
        "JOIN monitoring_report r ON r.id = d.report_id WHERE r.id = %s",
        report,
    )
    assert saved == [(teachers, before + 1)]


def _draft_staffing_report(sql):
    rows = sql(
        """
        SELECT r.id, u.username FROM monitoring_report r
        JOIN monitoring_campaign c ON c.id = r.campaign_id
        JOIN schools_school s ON s.id = r.school_id
        JOIN schools_user_schools us ON us.school_id = s.id
        JOIN schools_user u ON u.id = us.user_id
        WHERE r.kind = 'staffing' AND r.status IN ('draft', 'returned')
          AND c.is_open AND u.role = 'operator'
        ORDER BY r.id LIMIT 1
        """
    )
    assert rows, "в демо нет черновика «Кадры» в открытом сборе"
    return rows[0]
