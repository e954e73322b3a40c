"""
The analytical report («аналитическая справка») of a run: a document the
department signs — the methodology, the list with reasons, the municipal
indicators and their dynamics, and the recommendation of seed 000.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from schools import word
from schools.models import User
from schools.templatetags.portal import ru_num
from schools.xlsx import Book, new_workbook, table_workbook, write_sheet

from . import charts, criteria, dashboard, selectors
from .criteria import LISTED
from .engine.params import Params
from .models import IdentificationRun, OfficialEntry, OfficialList, StatusOverride

RECOMMENDATION = (
    "Образовательным учреждениям рекомендуется изучить результаты мониторинга; при необходимости внести "
    "коррективы в школьные программы по повышению качества, планы ВШК, ВСОКО. Школам, показавшим слабые "
    "позиции, рекомендуется выбрать школу — партнёра из школ с высокими позициями и заключить договорные "
    "отношения по оказанию экспертной, методической, организационной поддержки."
)


def parameters(params: Params) -> list[tuple[str, str]]:
    """The methodology's parameters in plain Russian, as the report lists them."""
    status, r1 = params.status, params.r1
    labels = criteria.labels(params)

    def names(codes: tuple[str, ...]) -> str:
        return "; ".join(labels.get(code, code) for code in codes) or "—"

    rows = [
        (
            "Критерии расчёта",
            names(tuple(criteria.used(params))),
        ),
        ("ШНОР, если отмечен любой из", names(status.shnor_any)),
    ]
    if status.shnor_count:
        rows.append(
            (
                f"ШНОР, если отмечено не меньше {status.shnor_min_flags} из",
                names(status.shnor_count),
            )
        )
    rows += [
        ("ШНСУ, если отмечен", names(status.shnsu_any)),
        (
            "Правило 30 %",
            (
                f"низкий результат — «2» (не преодолели порог) у {ru_num(r1.pct)} % участников и больше; "
                f"не меньше {r1.k1} процедур за год или по одной в каждом из двух лет"
            ),
        ),
        (
            "Сравнение (25 %, средние)",
            "школы региона"
            if params.comparison_set == "region"
            else "школы муниципалитета",
        ),
        ("Меньше школ — без ранжирования", str(params.min_schools)),
    ]
    return rows


def build(run: IdentificationRun, user: User) -> dict[str, Any]:
    """Everything the report shows, scoped to what the person may see."""
    results = list(
        dashboard.run_schools_visible(run, user)
        .filter(shown__in=LISTED)
        .select_related("school__municipality")
        .order_by("school__municipality__name", "school__short_name")
    )
    municipalities = charts.chart_municipalities(run, user)
    reasons = selectors.flagged_reasons(
        run, municipalities=[m.pk for m in municipalities]
    )
    overrides = {
        o.school_id: o
        for o in StatusOverride.objects.filter(
            year=run.target_year,
            is_active=True,
            school__in=[r.school_id for r in results],
        )
    }
    deciding = criteria.deciding(run.parameters)
    for result in results:
        found = reasons.get(result.school_id, [])
        # A reason reads «L2 (…): …»: its code decides whether it made the status or only accompanies it.
        result.reasons = [r for r in found if r.split(" ", 1)[0] in deciding]
        result.also = [r for r in found if r.split(" ", 1)[0] not in deciding]
        result.override = overrides.get(result.school_id)
    municipality = municipalities[0] if len(municipalities) == 1 else None
    scatter = charts.scatter(
        run,
        user,
        municipality=charts.group_municipality(
            run, user, municipality.pk if municipality else None
        ),
    )
    partners = [
        p for p in scatter["points"] if p["quadrant"] in ("strong", "resilient")
    ]
    return {
        "run": run,
        "municipalities": municipalities,
        "results": results,
        "summary": dashboard.summary(run, user),
        "parameters": parameters(run.parameters),
        "dynamics": charts.dynamics(run, user, municipality=municipality),
        "official": OfficialList.objects.filter(
            run=run, superseded_at__isnull=True, municipality__in=municipalities
        )
        .select_related("municipality")
        .first(),
        "partners": partners,
        "recommendation": RECOMMENDATION,
    }


LIST_HEADERS = [
    "Школа",
    "Код ОО",
    "Муниципалитет",
    "Статус (расчёт)",
    "Статус по решению",
    "Основания",
    "Также отмечено",
]


def _list_rows(report: dict[str, Any]) -> list[list[Any]]:
    return [
        [
            r.school.short_name,
            r.school.code,
            r.school.municipality.name,
            r.status,
            r.override.status if r.override else "",
            "\n".join(r.reasons),
            "\n".join(r.also),
        ]
        for r in report["results"]
    ]


def _indicators(
    report: dict[str, Any], *, words: bool = False
) -> tuple[list[str], list[list[Any]]]:
    """The indicators by year: numbers for the workbook, «34,3» for the document."""
    dynamics = report["dynamics"]
    shown = ru_num if words else (lambda value: value)
    return (
        ["Раздел", "Показатель, %", *dynamics["years"], "Изменение, п. п."],
        [
            [
                row["group"],
                row["label"],
                *(shown(v) for v in row["values"]),
                shown(row["change"]),
            ]
            for row in dynamics["indicators"]
        ],
    )


def _parameters(report: dict[str, Any]) -> list[list[Any]]:
    run = report["run"]
    return [
        ["Расчёт", f"№ {run.pk} на {run.target_year}, {run.version}"],
        *[list(row) for row in report["parameters"]],
    ]


def workbook(report: dict[str, Any]) -> Book:
    """The report as xlsx: the list with reasons, the indicators by year, the parameters."""
    book = new_workbook()
    listed = book.active
    listed.title = "Список"
    write_sheet(listed, LIST_HEADERS, _list_rows(report), widths={1: 30, 6: 90, 7: 60})
    headers, rows = _indicators(report)
    write_sheet(book.create_sheet("Показатели"), headers, rows, widths={2: 50})
    write_sheet(
        book.create_sheet("Методика"),
        ["Параметр", "Значение"],
        _parameters(report),
        widths={1: 35, 2: 110},
    )
    return book


def document(report: dict[str, Any]) -> Any:
    """The report as a Word document the department edits and signs."""
    run, official = report["run"], report["official"]
    # The block names one municipality's order: a region's report carries none.
    if len(report["municipalities"]) != 1:
        official = None
    doc = word.new_document(
        f"Аналитическая справка по итогам выявления ШНОР и ШНСУ на {run.target_year}",
        approval=word.approval(official.order_number, official.order_date)
        if official
        else "",
        subtitle=", ".join(str(m) for m in report["municipalities"]),
    )
    word.add_paragraph(doc, "1. Методика выявления", bold=True)
    word.add_table(doc, ["Параметр", "Значение"], _parameters(report), widths=(7, 18))
    word.add_paragraph(
        doc, "2. Школы с низкими результатами и в неблагоприятных условиях", bold=True
    )
    word.add_table(doc, LIST_HEADERS, _list_rows(report))
    word.add_paragraph(doc, "3. Показатели муниципалитета по годам", bold=True)
    headers, rows = _indicators(report, words=True)
    word.add_table(doc, headers, rows)
    word.add_paragraph(doc, "4. Рекомендации", bold=True)
    word.add_paragraph(doc, report["recommendation"])
    return doc


# The approved list as the order's annex ------------------------------------------------

OFFICIAL_HEADERS = ["№ п/п", "Школа", "Код ОО", "Статус", "Причины"]


def _official_rows(entries: Iterable[OfficialEntry]) -> list[list[str]]:
    """Listed schools only; a decision names what was computed and why."""
    rows = []
    for entry in entries:
        if entry.status not in LISTED:
            continue
        status = entry.status
        if entry.override_reason:
            status += (
                f" (по решению; рассчитано: {entry.computed_status}). "
                f"Основание: {entry.override_reason}"
            )
        number = str(len(rows) + 1)
        rows.append(
            [number, entry.school.short_name, entry.school.code, status, entry.reasons]
        )
    return rows


def list_workbook(official: OfficialList, entries: Iterable[OfficialEntry]) -> Book:
    return table_workbook(
        "Список ШНОР и ШНСУ",
        OFFICIAL_HEADERS,
        _official_rows(entries),
        notes=[f"{official.municipality}, {official.year}: {official.order_label}"],
    )


def list_document(
    official: OfficialList, entries: Iterable[OfficialEntry], *, extract: bool
) -> Any:
    doc = word.new_document(
        "Список школ с низкими образовательными результатами (ШНОР) и школ, "
        "функционирующих в неблагоприятных социальных условиях (ШНСУ), "
        f"на {official.year} учебный год",
        approval=word.approval(official.order_number, official.order_date),
        subtitle=str(official.municipality)
        + (". Выписка: ваша школа" if extract else ""),
    )
    word.add_table(
        doc, OFFICIAL_HEADERS, _official_rows(entries), widths=(1.3, 5, 3, 6, 11)
    )
    return doc
