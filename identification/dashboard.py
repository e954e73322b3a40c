"""
Reading a run for the analyst's dashboard: the default run, counts against last
year, the filtered and sorted table of schools. A fixed number of queries
whatever the number of schools.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import django_filters
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from schools import access
from schools.models import School, User

from . import columns as c
from . import criteria, permissions
from .criteria import LISTED
from .models import (
    STATUS_CHOICES,
    CriterionResult,
    IdentificationRun,
    SchoolResult,
    StatusOverride,
)

STATUS_ORDER = [
    c.STATUS_BOTH,
    c.STATUS_SHNOR,
    c.STATUS_SHNSU,
    c.STATUS_NONE,
    c.STATUS_NO_DATA,
]
PAGE_SIZE = 50


def default_run(user: User) -> IdentificationRun | None:
    """Return the latest finished run of the current year the person may see (else the latest finished)."""
    runs = (
        permissions.runs_visible_to(user)
        .filter(status=IdentificationRun.Status.DONE)
        .order_by("-pk")
    )
    return runs.filter(target_year__is_current=True).first() or runs.first()


def run_schools_visible(run: IdentificationRun, user: User) -> QuerySet[SchoolResult]:
    """
    The run's school results that the person may see, each with `shown`: the
    status in force — an analyst's active decision for the year, else the
    computed one — which totals, filters and sorting count.
    """
    decided = StatusOverride.objects.filter(
        school=OuterRef("school"), year=run.target_year_id, is_active=True
    ).values("status")[:1]
    return SchoolResult.objects.filter(
        run=run, school__in=access.schools_visible_to(user).values("pk")
    ).annotate(shown=Coalesce(Subquery(decided), F("status")))


def status_text(status: str, computed: str) -> str:
    """«ШНОР по решению (рассчитано: нет)» where a decision differs from the computation."""
    return (
        status
        if status == computed
        else f"{status} по решению (рассчитано: {computed})"
    )


def previous_year_run(run: IdentificationRun, user: User) -> IdentificationRun | None:
    """Return the latest finished run of the year before, over the same municipalities as far as the person sees."""
    municipalities = run.municipalities.filter(
        pk__in=access.municipalities_visible_to(user).values("pk")
    ).values("pk")
    return (
        permissions.runs_visible_to(user)
        .filter(
            status=IdentificationRun.Status.DONE,
            target_year__start_year=run.target_year.start_year - 1,
            municipalities__in=municipalities,
        )
        .order_by("-pk")
        .first()
    )


@dataclass
class Summary:
    counts: dict[str, int]
    previous: dict[str, int] | None
    previous_run: IdentificationRun | None

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for status in STATUS_ORDER:
            now = self.counts.get(status, 0)
            before = self.previous.get(status, 0) if self.previous is not None else None
            out.append(
                {
                    "status": status,
                    "count": now,
                    "before": before,
                    "change": None if before is None else now - before,
                }
            )
        return out


def summary(run: IdentificationRun, user: User) -> Summary:
    """Counts of statuses in the run (the schools the person sees) and in last year's run of the same schools' municipalities."""
    counts = dict(
        run_schools_visible(run, user)
        .values_list("shown")
        .annotate(n=Count("pk"))
        .values_list("shown", "n")
    )
    previous_run = previous_year_run(run, user)
    previous = None
    if previous_run is not None:
        municipalities = run.municipalities.values("pk")
        previous = dict(
            run_schools_visible(previous_run, user)
            .filter(school__municipality__in=municipalities)
            .values_list("shown")
            .annotate(n=Count("pk"))
            .values_list("shown", "n")
        )
    return Summary(counts=counts, previous=previous, previous_run=previous_run)


class ResultFilter(django_filters.FilterSet):
    """The dashboard's filters: status, flagged criterion, type, rural, municipality, search."""

    q = django_filters.CharFilter(label="Поиск", method="search")
    status = django_filters.ChoiceFilter(
        label="Статус",
        empty_label="все",
        method="filter_status",
        choices=[("listed", "ШНОР или ШНСУ"), *STATUS_CHOICES],
    )
    criterion = django_filters.ChoiceFilter(
        label="Отмечен по критерию",
        empty_label="любой",
        method="filter_criterion",
        choices=[],
    )
    school_type = django_filters.ChoiceFilter(
        label="Тип ОО",
        field_name="school__school_type",
        choices=School.Type.choices,
        empty_label="все",
    )
    is_rural = django_filters.ChoiceFilter(
        label="Местность",
        empty_label="все",
        method="filter_rural",
        choices=[("true", "сельские"), ("false", "городские")],
    )
    municipality = django_filters.ChoiceFilter(
        label="Муниципалитет",
        field_name="school__municipality_id",
        choices=[],
        empty_label="все",
    )

    class Meta:
        model = SchoolResult
        fields: list[str] = []

    def __init__(
        self,
        *args: Any,
        run: IdentificationRun,
        user: User,
        labels: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.run = run
        codes = criteria.used(run.parameters)
        self.filters["criterion"].extra["choices"] = [
            (code, labels.get(code, code)) for code in codes
        ]
        municipalities = list(
            run.municipalities.filter(
                pk__in=access.municipalities_visible_to(user).values("pk")
            ).values_list("pk", "name")
        )
        self.filters["municipality"].extra["choices"] = municipalities
        self.show_municipality = len(municipalities) > 1
        if not self.show_municipality:
            del self.filters["municipality"]
        for name, field in self.form.fields.items():
            field.widget.attrs.setdefault(
                "class", "form-control" if name == "q" else "form-select"
            )
        self.form.fields["q"].widget.attrs["placeholder"] = "Название или код ОО"

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return (
            queryset.filter(
                Q(school__short_name__icontains=value)
                | Q(school__full_name__icontains=value)
                | Q(school__code__icontains=value)
            )
            if value
            else queryset
        )

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return (
            queryset.filter(shown__in=LISTED)
            if value == "listed"
            else queryset.filter(shown=value)
        )

    def filter_criterion(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        flagged = CriterionResult.objects.filter(
            run=self.run, school=OuterRef("school"), criterion=value, state=c.FLAGGED
        )
        return queryset.filter(Exists(flagged))

    def filter_rural(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(school__is_rural=value == "true")


SORTS = {
    "name": "school__short_name",
    "municipality": "school__municipality__name",
    "type": "school__school_type",
    "status": "status_rank",
}


def sorted_results(
    queryset: QuerySet[SchoolResult], run: IdentificationRun, sort: str
) -> tuple[QuerySet[SchoolResult], str]:
    """Order by a column: name, municipality, type, status or a criterion's value (blanks last). Returns the sort used."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    queryset = queryset.select_related("school__municipality")
    if key == "status":
        queryset = queryset.annotate(
            status_rank=Case(
                *[When(shown=s, then=Value(i)) for i, s in enumerate(STATUS_ORDER)],
                output_field=IntegerField(),
            )
        )
    if key in SORTS:
        field = F(SORTS[key])
    elif key in criteria.REGISTRY:
        value = CriterionResult.objects.filter(
            run=run, school=OuterRef("school"), criterion=key
        ).values("value")[:1]
        queryset = queryset.annotate(sort_value=Subquery(value))
        field = F("sort_value")
    else:
        return queryset.order_by("school__short_name", "pk"), "name"
    ordered = field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
    return queryset.order_by(ordered, "school__short_name", "pk"), sort


def attach_criteria(
    run: IdentificationRun,
    results: list[SchoolResult],
    codes: list[str] = criteria.CODES,
) -> None:
    """Give each result its criteria {code: CriterionResult} and active override, in two queries."""
    ids = [r.school_id for r in results]
    criteria: dict[int, dict[str, CriterionResult]] = {}
    for row in CriterionResult.objects.filter(run=run, school_id__in=ids).only(
        "school_id", "criterion", "state", "value", "threshold", "rank"
    ):
        criteria.setdefault(row.school_id, {})[row.criterion] = row
    overrides = {
        o.school_id: o
        for o in StatusOverride.objects.filter(
            year=run.target_year, is_active=True, school_id__in=ids
        )
    }
    for result in results:
        result.criteria = criteria.get(result.school_id, {})
        result.cells = [result.criteria.get(code) for code in codes]
        result.override = overrides.get(result.school_id)


def export_rows(
    run: IdentificationRun, results: list[SchoolResult], codes: list[str]
) -> list[list[Any]]:
    """Rows of the dashboard's xlsx: the school, its status and, per criterion, the state and value."""
    attach_criteria(run, results)
    rows = []
    for result in results:
        school = result.school
        row: list[Any] = [
            school.short_name,
            school.code,
            school.municipality.name,
            school.get_school_type_display(),
            "да" if school.is_rural else "нет",
            status_text(
                result.override.status if result.override else result.status,
                result.status,
            ),
            result.status,
        ]
        for code in codes:
            item = result.criteria.get(code)
            row += [
                c.STATE_LABELS.get(item.state, "") if item else "",
                item.value if item else None,
                item.threshold if item else None,
            ]
        rows.append(row)
    return rows


def export_headers(codes: list[str]) -> list[str]:
    headers = [
        "Школа",
        "Код ОО",
        "Муниципалитет",
        "Тип ОО",
        "Сельская",
        "Статус",
        "Статус (расчёт)",
    ]
    for code in codes:
        headers += [code, f"{code}: значение", f"{code}: порог"]
    return headers
