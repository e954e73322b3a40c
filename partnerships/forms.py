from __future__ import annotations

from typing import Any

from django import forms

from schools.forms import DateInput
from schools.models import School

from . import gradation
from .models import Activity, Campaign, Event, GradationScale, Partnership


class GradationScaleForm(forms.ModelForm):
    class Meta:
        model = GradationScale
        fields = ["method", "low", "high"]
        localized_fields = ["low", "high"]
        widgets = {"method": forms.RadioSelect}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        method, low, high = data.get("method"), data.get("low"), data.get("high")
        if low is None or high is None:
            return data
        if method == gradation.SHARE:
            if not (0 <= low <= 100 and 0 <= high <= 100):
                raise forms.ValidationError(
                    "Доли школ задаются в процентах: от 0 до 100."
                )
            if low + high > 100:
                raise forms.ValidationError(
                    "Низкий и высокий уровни вместе не могут занять больше 100 % школ."
                )
        elif low > high:
            raise forms.ValidationError(
                "Граница низкого уровня должна быть не больше границы высокого."
            )
        return data


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "year",
            "plan_deadline",
            "general_plan_deadline",
            "capacity",
            "events_target",
            "allow_outside",
        ]
        widgets = {"plan_deadline": DateInput(), "general_plan_deadline": DateInput()}


class ProposeForm(forms.Form):
    partner = forms.ModelChoiceField(
        label="Школа-партнёр",
        queryset=School.objects.none(),
        empty_label="— выберите —",
        error_messages={"required": "Выберите школу-партнёра."},
    )
    support = forms.MultipleChoiceField(
        label="Какая поддержка нужна",
        choices=Partnership.SUPPORT,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Отметьте, какая поддержка нужна."},
    )
    goals = forms.CharField(
        label="Цели партнёрства",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners


class ActivityForm(forms.ModelForm):
    reason = forms.CharField(
        label="Основание изменения",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Activity
        fields = [
            "title",
            "form",
            "start",
            "end",
            "responsible_school",
            "responsible_partner",
            "expected_result",
        ]
        widgets = {
            "start": DateInput(),
            "end": DateInput(),
            "expected_result": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"start": "Дата начала", "end": "Дата окончания"}
        help_texts = {"end": "Для разового мероприятия — та же дата."}

    def __init__(
        self, *args: Any, locked: bool = False, year: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = [("", "— выберите —"), *Activity.Form.choices]
        if (
            year is not None
        ):  # the browser's date picker then offers only the school year
            for name in ("start", "end"):
                self.fields[name].widget.attrs.update(
                    min=f"{year.start_date:%Y-%m-%d}", max=f"{year.end_date:%Y-%m-%d}"
                )
        if not locked:
            del self.fields["reason"]


class EventForm(forms.ModelForm):
    materials_url = forms.URLField(
        label="Материалы (ссылка)",
        required=False,
        assume_scheme="https",
        max_length=1000,
    )

    class Meta:
        model = Event
        fields = [
            "activity",
            "date",
            "participants",
            "report",
            "materials_url",
            "materials_file",
        ]
        widgets = {"date": DateInput(), "report": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = partnership.activities.all()
        self.fields["activity"].empty_label = "— вне плана —"
        self.fields["activity"].required = False


class AgreementForm(forms.Form):
    number = forms.CharField(label="Номер соглашения", max_length=50)
    date = forms.DateField(label="Дата", widget=DateInput())
    until = forms.DateField(label="Действует до", required=False, widget=DateInput())
    scan = forms.FileField(label="Скан подписанного соглашения", required=False)
