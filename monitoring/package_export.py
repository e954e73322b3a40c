"""
The data package written by the portal: for backup, exchange and as a template.

The same sheets and headers the importer reads (importers.package.SHEETS), so
an exported package imports back into an empty database unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from openpyxl.worksheet.datavalidation import DataValidation

from schools.models import AcademicYear, School
from schools.xlsx import Book, new_workbook, write_sheet

from .importers.package import SHEETS, Column
from .models import (
    DATA_MODELS,
    AssessmentResult,
    MarkComparison,
    Procedure,
    RegionalMean,
    ReportKind,
)

SHEET_OF_KIND = {
    ReportKind.STAFFING: "Кадры",
    ReportKind.SOCIAL: "Социальный паспорт",
    ReportKind.RESOURCES: "Ресурсы",
    ReportKind.OUTCOMES: "Результативность",
}
HELP = [
    ("Пакет данных портала мониторинга качества образования", ""),
    ("", ""),
    (
        "Как заполнять",
        "Одна строка — одна школа за один учебный год (на листе «Результаты» — одна процедура).",
    ),
    ("Учебный год", "Пишется так: 2020/2021."),
    (
        "Код ОО",
        "Логин школы в ФИС ОКО: sch и 6–8 цифр. Школа должна быть в реестре портала или на листе «Школы».",
    ),
    (
        "Пустая ячейка",
        (
            "Значит «этого значения в файле нет»: то, что уже записано в портале, "
            "остаётся. Если таких учеников или учителей нет, пишите 0."
        ),
    ),
    (
        "«—» (тире)",
        (
            "Стереть записанное в портале значение. Перед загрузкой портал покажет "
            "каждое стираемое значение и попросит подтвердить."
        ),
    ),
    (
        "Числа",
        "Целые числа для количеств; дробные — с запятой или точкой; проценты — числом от 0 до 100.",
    ),
    (
        "«2»–«5»",
        "Для ВПР, ОГЭ и базовой математики ЕГЭ сумма отметок равна числу участников.",
    ),
    ("Не преодолели минимальный порог", "Для ЕГЭ (кроме базовой математики)."),
    (
        "Средний балл",
        "ЕГЭ — 0–100; ВПР, ОГЭ, ЕГЭ базовый — средняя отметка 2–5; пусто, если участников 0.",
    ),
    (
        "Средний % выполнения",
        (
            "Лист «Средние по региону», столбец можно не добавлять: средний первичный "
            "балл ОГЭ или ВПР в % от максимального, от 0 до 100. Когда процент есть и "
            "у региона, и у школы, отставание L3 считается в процентных пунктах, "
            "иначе — по средней отметке × 20."
        ),
    ),
    (
        "Персональные данные",
        "Не добавляйте столбцы с ФИО, датами рождения, адресами, СНИЛС — такой файл не загрузится.",
    ),
    (
        "Листы",
        (
            "Можно загружать любую часть листов и строк. Пустые значения портала "
            "заполняются из файла; записанные значения, которые в файле другие, "
            "заменяются только с отметкой «Заменить значения из файла» — и только те, "
            "что есть в файле. Перед загрузкой портал покажет каждое изменение."
        ),
    ),
]


def _fmt(value: Any) -> Any:
    return float(value) if hasattr(value, "is_finite") else value


def _validations(
    sheet: Any, columns: list[Column], rows: int, codes: list[str]
) -> None:
    """Add Excel data validation: whole numbers ≥ 0, lists for codes and choices."""
    last = max(rows + 1, 500)
    for index, column in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        area = f"{letter}2:{letter}{last}"
        reads = getattr(column.read, "reads", column.read)
        if reads.__name__ == "integer":
            # A whole number ≥ 0, or «—» to erase the stored value.
            cell = f"{letter}2"
            rule = DataValidation(
                type="custom",
                formula1=(
                    f'OR(AND(ISNUMBER({cell}),{cell}>=0,{cell}=INT({cell})),{cell}="—")'
                ),
                allow_blank=True,
            )
            rule.error, rule.errorTitle = (
                "Введите целое число не меньше 0 (или «—», чтобы стереть значение).",
                "Неверное значение",
            )
        elif column.header in ("Процедура",):
            rule = DataValidation(
                type="list",
                formula1='"' + ",".join(Procedure.values) + '"',
                allow_blank=False,
            )
        elif column.header == "Уровень":
            rule = DataValidation(
                type="list", formula1='"базовый,профильный"', allow_blank=True
            )
        elif column.header == "Сельская":
            rule = DataValidation(type="list", formula1='"да,нет"', allow_blank=True)
        elif column.header == "Тип ОО":
            rule = DataValidation(
                type="list",
                formula1='"' + ",".join(School.Type.values) + '"',
                allow_blank=False,
            )
        elif column.header == "Код ОО" and codes and sheet.title != "Школы":
            rule = DataValidation(
                type="list",
                formula1=f"=Школы!$A$2:$A${len(codes) + 1}",
                allow_blank=False,
            )
            rule.error = "Такого кода нет на листе «Школы»."
        else:
            continue
        rule.showErrorMessage = True
        sheet.add_data_validation(rule)
        rule.add(area)


def _school_rows(schools: Iterable[School]) -> list[list[Any]]:
    return [
        [
            s.code,
            s.full_name,
            s.short_name,
            s.municipality.region.name,
            s.municipality.name,
            s.school_type,
            "да" if s.is_rural else "нет",
            float(s.distance_km),
            s.inn,
        ]
        for s in schools
    ]


def package_workbook(
    *,
    schools: QuerySet[School],
    years: list[AcademicYear],
    with_data: bool,
    sheets: list[str] | None = None,
) -> Book:
    """
    Return the package for the schools and years; a template when `with_data` is off.

    `sheets` limits it to some sheets (the «Школы» sheet always comes along:
    codes are checked against it).
    """
    schools = schools.select_related("municipality__region").order_by(
        "municipality__name", "short_name"
    )
    book = new_workbook()
    help_sheet = book.active
    help_sheet.title = "Справка"
    for row in HELP:
        help_sheet.append(row)
    help_sheet.column_dimensions["A"].width = 34
    help_sheet.column_dimensions["B"].width = 110
    school_list = list(schools)
    codes = [s.code for s in school_list]
    rows_by_sheet: dict[str, list[list[Any]]] = {"Школы": _school_rows(school_list)}
    if with_data:
        rows_by_sheet |= _data_rows(school_list, years)

    for title, columns in SHEETS.items():
        if sheets and title not in sheets and title != "Школы":
            continue
        sheet = book.create_sheet(title)
        rows = rows_by_sheet.get(title, [])
        write_sheet(sheet, [c.header for c in columns], rows)
        _validations(sheet, columns, len(rows), codes)
    return book


def _data_rows(
    schools: list[School], years: list[AcademicYear]
) -> dict[str, list[list[Any]]]:
    ids = [s.pk for s in schools]
    year_ids = [y.pk for y in years]
    out: dict[str, list[list[Any]]] = {}
    for kind, title in SHEET_OF_KIND.items():
        model = DATA_MODELS[kind]
        names = [c.field for c in SHEETS[title][2:]]
        rows = (
            model.objects.filter(
                report__school_id__in=ids, report__year_id__in=year_ids
            )
            .order_by("report__year__start_year", "report__school__code")
            .values_list("report__year__start_year", "report__school__code", *names)
        )
        out[title] = [
            [f"{r[0]}/{r[0] + 1}", r[1], *(_fmt(v) for v in r[2:])] for r in rows
        ]
    results = (
        AssessmentResult.objects.filter(
            report__school_id__in=ids, report__year_id__in=year_ids
        )
        .order_by(
            "report__year__start_year",
            "report__school__code",
            "procedure",
            "grade",
            "subject__order",
            "level",
        )
        .values_list(
            "report__year__start_year",
            "report__school__code",
            "procedure",
            "subject__name",
            "grade",
            "level",
            "participants",
            "mark2",
            "mark3",
            "mark4",
            "mark5",
            "failed_minimum",
            "mean_score",
        )
    )
    out["Результаты"] = [
        [f"{r[0]}/{r[0] + 1}", *(_fmt(v) for v in r[1:])] for r in results
    ]
    comparisons = (
        MarkComparison.objects.filter(
            report__school_id__in=ids, report__year_id__in=year_ids
        )
        .order_by(
            "report__year__start_year",
            "report__school__code",
            "grade",
            "subject__order",
        )
        .values_list(
            "report__year__start_year",
            "report__school__code",
            "subject__name",
            "grade",
            "lowered",
            "confirmed",
            "raised",
        )
    )
    out["Сравнение с журналом"] = [[f"{r[0]}/{r[0] + 1}", *r[1:]] for r in comparisons]
    regions = {s.municipality.region_id for s in schools}
    means = (
        RegionalMean.objects.filter(region_id__in=regions, year_id__in=year_ids)
        .order_by("year__start_year", "procedure", "grade", "subject__order", "level")
        .values_list(
            "year__start_year",
            "procedure",
            "subject__name",
            "grade",
            "level",
            "mean_score",
            "fail_share",
            "mean_percent",
        )
    )
    out["Средние по региону"] = [
        [f"{r[0]}/{r[0] + 1}", *(_fmt(v) for v in r[1:])] for r in means
    ]
    return out
