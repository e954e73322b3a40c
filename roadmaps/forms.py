"""Browser forms of roadmaps; the rules themselves are in services."""

from __future__ import annotations

from typing import Any

from django import forms

from identification.forms import CRITERION_LABELS
from schools.access import municipalities_visible_to, schools_visible_to
from schools.forms import DateInput
from schools.models import AcademicYear, User

from .models import Roadmap

PERIOD_HELP = "Как в документе: «сентябрь 2020 года», «октябрь – ноябрь 2020 года», «в течение учебного года», «25.11.2020». Или укажите точные даты ниже."


class RoadmapForm(forms.Form):
    level = forms.ChoiceField(
        label="Что это",
        choices=Roadmap.Level.choices,
        widget=forms.RadioSelect,
        initial=Roadmap.Level.MUNICIPAL,
    )
    municipality = forms.ModelChoiceField(
        label="Муниципалитет", queryset=None, empty_label=None
    )
    school = forms.ModelChoiceField(
        label="Школа (для программы школы)", queryset=None, required=False
    )
    year = forms.ModelChoiceField(
        label="Учебный год", queryset=AcademicYear.objects.all(), empty_label=None
    )
    title = forms.CharField(
        label="Название",
        max_length=500,
        error_messages={"required": "Назовите дорожную карту."},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities_visible_to(user)
        self.fields["school"].queryset = schools_visible_to(user).filter(is_active=True)
        self.fields["year"].initial = AcademicYear.objects.filter(
            is_current=True
        ).first()
        if (
            self.fields["school"].queryset.count() == 1
            and user.role == User.Role.OPERATOR
        ):
            self.fields["level"].initial = Roadmap.Level.SCHOOL
            self.fields["level"].widget = forms.HiddenInput()
            self.fields["school"].initial = self.fields["school"].queryset.first()
            self.fields["municipality"].initial = self.fields[
                "school"
            ].initial.municipality


class ItemForm(forms.Form):
    number = forms.CharField(
        label="№",
        max_length=20,
        required=False,
        help_text="Пусто — следующий по порядку.",
    )
    section = forms.CharField(
        label="Раздел",
        max_length=300,
        required=False,
        help_text="Например: «Организационное сопровождение». Пусто — без раздела.",
    )
    title = forms.CharField(
        label="Наименование мероприятия", widget=forms.Textarea(attrs={"rows": 2})
    )
    content = forms.CharField(
        label="Краткое содержание",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    period = forms.CharField(
        label="Сроки исполнения", max_length=200, required=False, help_text=PERIOD_HELP
    )
    start = forms.DateField(
        label="или точные даты: начало", required=False, widget=DateInput()
    )
    end = forms.DateField(label="окончание", required=False, widget=DateInput())
    responsible = forms.CharField(
        label="Ответственный исполнитель",
        max_length=1000,
        help_text="Через запятую: «Отдел образования, МБУ «МИМЦ», МБОУ «СОШ № 6»». Школы муниципалитета узнаются по названию.",
        error_messages={
            "required": "Укажите хотя бы одного ответственного исполнителя."
        },
    )
    expected_result = forms.CharField(
        label="Ожидаемый результат",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    criterion = forms.ChoiceField(
        label="Отвечает на критерий (риск) школы",
        required=False,
        choices=[("", "—"), *CRITERION_LABELS.items()],
    )
    reason = forms.CharField(
        label="Основание изменения",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Карта утверждена: изменение записывается в историю с основанием.",
    )

    def __init__(self, *args: Any, locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not locked:
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = (
                "Карта утверждена: укажите основание изменения."
            )


class ExecutionForm(forms.Form):
    text = forms.CharField(
        label="Что сделано", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    done = forms.BooleanField(label="Мероприятие выполнено", required=False)
    url = forms.URLField(
        label="Ссылка на подтверждение", required=False, assume_scheme="https"
    )
    file = forms.FileField(
        label="Файл-подтверждение",
        required=False,
        help_text="PDF, Word, Excel, презентация, JPG, PNG или ZIP.",
    )
    note = forms.CharField(
        label="Что в файле или по ссылке", max_length=300, required=False
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Комментарий", widget=forms.Textarea(attrs={"rows": 2})
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Таблица Excel (.xlsx или .xls)",
        help_text="Столбцы: № / Наименование мероприятия / Сроки исполнения / Ответственный исполнитель / Ожидаемый результат / Информация об исполнении.",
    )


class CopyForm(forms.Form):
    year = forms.ModelChoiceField(
        label="На учебный год",
        queryset=AcademicYear.objects.all(),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select", "id": "copy-year"}),
    )
