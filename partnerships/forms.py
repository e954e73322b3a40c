from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms

from schools.formatting import plural
from schools.forms import DateInput
from schools.models import School

from . import gradation
from .models import Activity, Campaign, Event, GradationScale, Partnership

if TYPE_CHECKING:
    from .selectors import PartnerOption


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


class PartnerSelect(forms.Select):
    """A select whose options in `disabled` are shown but cannot be chosen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.disabled: set[str] = set()

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> Any:
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.disabled:
            option["attrs"]["disabled"] = True
        return option


def partner_label(option: PartnerOption) -> str:
    """«МБОУ «Лицей» — мест нет (уже 2 школы из 2)»; another municipality's school names it."""
    label = option.school.short_name
    if not option.ranked:
        label += f" ({option.school.municipality.name})"
    if option.full:
        taken = f"{option.taken} {plural(option.taken, 'школа,школы,школ')}"
        label += f" — мест нет (уже {taken} из {option.capacity})"
    return label


class ProposeForm(forms.Form):
    """
    A weak school proposes a partnership. The partners come in the order of the
    page's table (best first, full ones last), then, when the round allows
    outside partners, the other schools of the region; a partner without free
    places is shown with the reason but cannot be chosen.
    """

    OUTSIDE = "Другие школы региона (МИМЦ разрешил партнёров из других муниципалитетов)"

    partner = forms.ChoiceField(
        label="Школа-партнёр",
        widget=PartnerSelect,
        error_messages={
            "required": "Выберите школу-партнёра.",
            "invalid_choice": "Этой школы нет среди подходящих партнёров — выберите школу из списка.",
        },
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

    def __init__(self, *args: Any, options: list[PartnerOption], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = {str(o.school.pk): o for o in options}
        ranked = [(str(o.school.pk), partner_label(o)) for o in options if o.ranked]
        others = [(str(o.school.pk), partner_label(o)) for o in options if not o.ranked]
        field = cast(forms.ChoiceField, self.fields["partner"])
        field.choices = [
            ("", "— выберите —"),
            *ranked,
            *([(self.OUTSIDE, others)] if others else []),
        ]
        field.widget.disabled = {pk for pk, o in self.options.items() if o.full}
        chosen = self.options.get(str(self.initial.get("partner", "")))
        if chosen is None or chosen.full:
            # МИМЦ's suggestion of a school that has filled up since is not preselected.
            self.initial = {k: v for k, v in self.initial.items() if k != "partner"}

    def clean_partner(self) -> School:
        option = self.options[self.cleaned_data["partner"]]
        if option.full:
            taken = option.taken
            raise forms.ValidationError(
                f"{option.school.short_name} уже поддерживает {taken} "
                f"{plural(taken, 'школу,школы,школ')} — больше {option.capacity} "
                "нельзя. Выберите другого партнёра."
            )
        return option.school


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
