"""The registry's lists as xlsx, with the filters that were applied."""

from __future__ import annotations

from typing import Any

from .xlsx import Book, filter_notes, table_workbook


def school_workbook(schools: Any) -> Book:
    """Return the filtered school list (a django-filter FilterSet) as a workbook."""
    rows = (
        (
            s.short_name,
            s.full_name,
            s.code,
            s.municipality.name,
            s.school_type,
            "сельская" if s.is_rural else "городская",
            float(s.distance_km),
            s.inn,
            "действующая" if s.is_active else "отключена",
            s.operator_count,
        )
        for s in schools.qs
    )
    headers = [
        "Школа",
        "Полное наименование",
        "Код ОО",
        "Муниципалитет",
        "Тип ОО",
        "Местность",
        "Удалённость, км",
        "ИНН",
        "Состояние",
        "Операторов",
    ]
    return table_workbook("Школы", headers, rows, notes=filter_notes(schools.form))


def user_workbook(people: Any) -> Book:
    rows = (
        (
            p.username,
            p.display_name,
            p.get_role_display(),
            p.scope_label,
            p.email,
            "открыт" if p.is_active else "закрыт",
        )
        for p in people
    )
    headers = ["Логин", "ФИО", "Роль", "Область работы", "E-mail", "Доступ"]
    return table_workbook("Пользователи", headers, rows)


def audit_workbook(events: Any) -> Book:
    """The filtered audit log (a django-filter FilterSet) as a workbook."""
    rows = (
        (
            e.at.astimezone().strftime("%d.%m.%Y %H:%M:%S"),
            e.get_event_display(),
            e.actor_name,
            e.address,
            str(e.municipality or ""),
            e.target,
            e.detail,
        )
        for e in events.qs.select_related("municipality")
    )
    headers = [
        "Когда",
        "Событие",
        "Кто",
        "Адрес",
        "Муниципалитет",
        "Что или кого",
        "Подробности",
    ]
    return table_workbook(
        "Журнал действий", headers, rows, notes=filter_notes(events.form)
    )
