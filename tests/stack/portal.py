"""What the stack tests do through the pages, and ask the database."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.monitoring.imports.conftest import headers, workbook_bytes
from tests.monitoring.imports.test_package import STAFF_VALUES

from .conftest import Browser, wait_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Sql = Callable[..., list[tuple[Any, ...]]]


def free_staffing_slot(sql: Sql, skip: int = 0) -> tuple[str, str]:
    """A demo school and year whose «Кадры» nobody has reported yet."""
    rows = sql(
        """
        SELECT s.code, y.start_year
        FROM schools_school s
        JOIN schools_municipality m ON m.id = s.municipality_id
        CROSS JOIN schools_academicyear y
        WHERE m.name = 'г. Лесосибирск' AND NOT EXISTS (
            SELECT 1 FROM monitoring_report r
            WHERE r.school_id = s.id AND r.year_id = y.id AND r.kind = 'staffing')
        ORDER BY y.start_year DESC, s.code
        """
    )
    code, start = rows[skip]
    return code, f"{start}/{start + 1}"


def staffing_package(code: str, year: str, teachers: int) -> bytes:
    values = [teachers, *STAFF_VALUES[1:]]
    return workbook_bytes({"Кадры": [headers("Кадры"), [year, code, *values]]})


def teachers_of(sql: Sql, code: str, year: str) -> list[int]:
    return [
        row[0]
        for row in sql(
            """
            SELECT d.teachers_total FROM monitoring_staffingdata d
            JOIN monitoring_report r ON r.id = d.report_id
            JOIN schools_school s ON s.id = r.school_id
            JOIN schools_academicyear y ON y.id = r.year_id
            WHERE s.code = %s AND y.start_year = %s
            """,
            code,
            int(year[:4]),
        )
    ]


def reports_of(sql: Sql, code: str, year: str) -> int:
    return sql(
        """
        SELECT count(*) FROM monitoring_report r
        JOIN schools_school s ON s.id = r.school_id
        JOIN schools_academicyear y ON y.id = r.year_id
        WHERE s.code = %s AND y.start_year = %s AND r.kind = 'staffing'
        """,
        code,
        int(year[:4]),
    )[0][0]


def upload(person: Browser, content: bytes, node: int = 0) -> Any:
    return person.post(
        "/monitoring/imports/new/",
        {"kind": "package"},
        node,
        files={"file": ("пакет.xlsx", content, XLSX)},
    )


def job_id(response: Any) -> int:
    found = re.search(r"/monitoring/imports/(\d+)/$", response.url)
    assert found, f"не открылась страница загрузки: {response.url}"
    return int(found.group(1))


def job_status(sql: Sql, pk: int) -> str:
    return sql("SELECT status FROM monitoring_importjob WHERE id = %s", pk)[0][0]


def wait_job(sql: Sql, pk: int, status: str, seconds: float = 120) -> None:
    wait_for(lambda: job_status(sql, pk) == status, seconds, f"загрузка {pk}: {status}")


def run_form(sql: Sql) -> dict[str, Any]:
    # The demo's current year: the school year of the day it was loaded.
    year = sql("SELECT id FROM schools_academicyear WHERE is_current")[0][0]
    municipality = sql(
        "SELECT id FROM schools_municipality WHERE name = 'г. Лесосибирск'"
    )[0][0]
    methodology = sql(
        "SELECT id FROM identification_methodology WHERE code = 'combined'"
    )[0][0]
    return {
        "target_year": year,
        "municipalities": [municipality],
        "methodology": methodology,
    }


def run_id(response: Any) -> int:
    found = re.search(r"/identification/runs/(\d+)/$", response.url)
    assert found, f"не открылась страница выявления: {response.url}"
    return int(found.group(1))


def run_status(sql: Sql, pk: int) -> str:
    return sql("SELECT status FROM identification_identificationrun WHERE id = %s", pk)[
        0
    ][0]


def lock_waiters(sql: Sql, database: str) -> int:
    """Backends of the portal waiting for a table lock the test holds."""
    return sql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
        "AND wait_event_type = 'Lock'",
        database,
    )[0][0]
