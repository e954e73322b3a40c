"""Monitoring lists and import errors as xlsx."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from schools.xlsx import Book, table_workbook

from .models import Report, ReportKind


def issues_workbook(issues: Iterable[dict[str, Any]]) -> Book:
    rows = (
        (
            "ошибка" if not i.get("warning") else "предупреждение",
            i.get("sheet", ""),
            i.get("row") or "",
            i.get("column", ""),
            i.get("value", ""),
            i.get("message", ""),
        )
        for i in issues
    )
    return table_workbook(
        "Ошибки", ["Вид", "Лист", "Строка", "Столбец", "Значение", "Что не так"], rows
    )


def _status(report: Any) -> str:
    if report is None:
        return "—"
    label = (
        "не начат"
        if report.status == "draft" and not report.version
        else report.get_status_display()
    )
    return f"{label}, просрочен" if getattr(report, "overdue", False) else label


def campaign_workbook(campaigns: Iterable[Any]) -> Book:
    rows = (
        (
            c.title,
            c.year.name,
            c.municipality.name,
            ", ".join(c.kind_labels),
            c.deadline.strftime("%d.%m.%Y"),
            c.order_label,
            "идёт сбор" if c.is_open else "закрыт",
        )
        for c in campaigns
    )
    headers = [
        "Кампания",
        "Данные за",
        "Муниципалитет",
        "Отчёты",
        "Срок сдачи",
        "Основание",
        "Состояние",
    ]
    return table_workbook("Кампании", headers, rows)


def matrix_workbook(campaign: Any, matrix: Any, filters: Any) -> Book:
    """Return the completeness matrix as shown, with the filters written below."""
    rows = (
        (r.school.short_name, r.school.code, *(_status(c) for c in r.cells))
        for r in matrix.rows
    )
    headers = ["Школа", "Код ОО", *(ReportKind(k).label for k in matrix.kinds)]
    notes = [
        f"{campaign.title}; срок сдачи {campaign.deadline:%d.%m.%Y}; {campaign.order_label}"
    ]
    if filters.get("q"):
        notes.append(f"Фильтр «Школа»: {filters['q']}")
    if filters.get("status"):
        notes.append(
            f"Фильтр «Есть отчёты в состоянии»: {dict(Report.Status.choices).get(filters['status'], filters['status'])}"
        )
    if filters.get("overdue"):
        notes.append("Фильтр: только с просроченными")
    return table_workbook("Полнота сдачи", headers, rows, notes=notes)


def report_workbook(reports: Iterable[Any]) -> Book:
    rows = (
        (
            r.year.name,
            r.school.short_name,
            r.get_kind_display(),
            _status(r),
            r.campaign.deadline.strftime("%d.%m.%Y") if r.campaign else "",
        )
        for r in reports
    )
    return table_workbook(
        "Отчёты", ["Учебный год", "Школа", "Отчёт", "Состояние", "Срок"], rows
    )
