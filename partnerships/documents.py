"""The general interaction plan as the department reads and signs it: .xlsx and .docx."""

from __future__ import annotations

from typing import Any

from schools import word
from schools.xlsx import Book, table_workbook

from .models import GeneralPlan

HEADERS = [
    "Школа",
    "Школа-партнёр",
    "Месяц",
    "Мероприятие",
    "Форма",
    "Сроки",
    "Ответственные",
    "Ожидаемый результат",
]


def _rows(plan: GeneralPlan) -> list[list[str]]:
    return [
        [
            r["school"],
            r["partner"],
            r["month"],
            r["title"],
            r["form"],
            f"{r['start']} – {r['end']}",
            r["responsible"],
            r["expected_result"],
        ]
        for r in plan.rows
    ]


def general_plan_workbook(plan: GeneralPlan) -> Book:
    return table_workbook(
        "Общий план",
        HEADERS,
        _rows(plan),
        notes=[str(plan), plan.order_label or plan.get_status_display()],
    )


def general_plan_document(plan: GeneralPlan) -> Any:
    """Each pair's activities under the pair's name, as the page groups them."""
    campaign = plan.campaign
    doc = word.new_document(
        f"Общий план взаимодействия школ на {campaign.year} учебный год",
        approval=word.approval(plan.order_number, plan.order_date),
        subtitle=str(campaign.municipality),
    )
    rows: list[list[str] | str] = []
    pair = ""
    for row in _rows(plan):
        if f"{row[0]} — {row[1]}" != pair:
            pair = f"{row[0]} — {row[1]}"
            rows.append(pair)
        rows.append(row[2:])
    word.add_table(doc, HEADERS[2:], rows)
    return doc
