"""Filters of the school list (django-filter)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from .access import municipalities_visible_to
from .forms import DateInput
from .models import AuditEvent, School, User
from .selectors import school_search_q


class SchoolFilter(django_filters.FilterSet):
    """Search by name, code or ИНН; filter by municipality, type, rural and state."""

    q = django_filters.CharFilter(
        label="Поиск",
        method="search",
        widget=django_filters.widgets.forms.TextInput(
            attrs={"placeholder": "Название, код ОО или ИНН"}
        ),
    )
    municipality = django_filters.ModelChoiceFilter(
        label="Муниципалитет", queryset=None, empty_label="все"
    )
    school_type = django_filters.ChoiceFilter(
        label="Тип ОО", choices=School.Type.choices, empty_label="все"
    )
    is_rural = django_filters.ChoiceFilter(
        label="Местность",
        choices=[("true", "сельские"), ("false", "городские")],
        empty_label="все",
        method="filter_flag",
    )
    is_active = django_filters.ChoiceFilter(
        label="Состояние",
        choices=[("true", "действующие"), ("false", "отключённые")],
        empty_label="все",
        method="filter_flag",
    )

    class Meta:
        model = School
        fields: list[str] = []

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipalities = municipalities_visible_to(user)
        self.filters["municipality"].queryset = municipalities
        self.show_municipality = municipalities.count() > 1
        if not self.show_municipality:
            del self.filters["municipality"]
        for name, field in self.form.fields.items():
            css = "form-control" if name == "q" else "form-select"
            field.widget.attrs.setdefault("class", css)

    def filter_flag(
        self, queryset: QuerySet[School], name: str, value: str
    ) -> QuerySet[School]:
        return queryset.filter(**{name: value == "true"})

    def search(
        self, queryset: QuerySet[School], name: str, value: str
    ) -> QuerySet[School]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(school_search_q(value))


class AuditFilter(django_filters.FilterSet):
    """The audit log by event, person, period and municipality."""

    event = django_filters.ChoiceFilter(
        label="Событие", choices=AuditEvent.Event.choices, empty_label="все"
    )
    who = django_filters.CharFilter(
        label="Кто (логин)", field_name="actor_name", lookup_expr="icontains"
    )
    since = django_filters.DateFilter(
        label="С", field_name="at", lookup_expr="date__gte", widget=DateInput()
    )
    until = django_filters.DateFilter(
        label="По", field_name="at", lookup_expr="date__lte", widget=DateInput()
    )
    municipality = django_filters.ModelChoiceFilter(
        label="Муниципалитет", queryset=None, empty_label="все"
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipalities = municipalities_visible_to(user)
        self.filters["municipality"].queryset = municipalities
        if municipalities.count() < 2:
            del self.filters["municipality"]
        for name, field in self.form.fields.items():
            css = "form-select" if name in ("event", "municipality") else "form-control"
            field.widget.attrs.setdefault("class", css)
