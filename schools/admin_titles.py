"""
Admin titles in the right Russian case: Django builds «Добавить %s» and
«Выберите %s для изменения» from the nominative verbose name («Добавить школа»);
the object of a verb takes the accusative («Добавить школу»).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

# Accusative forms that differ from the nominative verbose name.
ACCUSATIVE = {
    "школа": "школу",
    "пользователь": "пользователя",
    "кампания мониторинга": "кампанию мониторинга",
}


def accusative(verbose_name: str) -> str:
    return ACCUSATIVE.get(str(verbose_name), str(verbose_name))


class RussianTitles:
    """A ModelAdmin mixin: the add, change and list pages name the model in the accusative."""

    model: Any

    def _noun(self) -> str:
        return accusative(self.model._meta.verbose_name)

    def add_view(
        self,
        request: HttpRequest,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        titles = {"title": f"Добавить {self._noun()}"}
        return super().add_view(  # type: ignore[misc, no-any-return]
            request, form_url, {**titles, **(extra_context or {})}
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        verb = "Изменить" if self.has_change_permission(request) else "Просмотреть"  # type: ignore[attr-defined]
        titles = {"title": f"{verb} {self._noun()}"}
        return super().change_view(  # type: ignore[misc, no-any-return]
            request, object_id, form_url, {**titles, **(extra_context or {})}
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        verb = "изменения" if self.has_change_permission(request) else "просмотра"  # type: ignore[attr-defined]
        titles = {
            "title": f"Выберите {self._noun()} для {verb}",
            "add_label": f"Добавить {self._noun()}",
        }
        return super().changelist_view(  # type: ignore[misc, no-any-return]
            request, {**titles, **(extra_context or {})}
        )
