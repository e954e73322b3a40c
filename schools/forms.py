"""Browser forms of the registry; every choice list is limited to the user's scope."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation

from .access import (
    assignable_roles,
    can_set_password,
    is_administrator,
    municipalities_visible_to,
    regions_visible_to,
    schools_visible_to,
)
from .models import (
    AcademicYear,
    Municipality,
    Notice,
    NoticeSetting,
    School,
    User,
    normalize_school_code,
)


class DateInput(forms.DateInput):
    """The browser's date picker: its value is ISO (YYYY-MM-DD) whatever the page's locale."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class SchoolForm(forms.ModelForm):
    """Create or edit a school's registry card."""

    class Meta:
        model = School
        fields = [
            "municipality",
            "full_name",
            "short_name",
            "code",
            "school_type",
            "is_rural",
            "distance_km",
            "settlement",
            "latitude",
            "longitude",
            "inn",
            "oge_code",
            "ege_code",
        ]
        widgets = {"full_name": forms.TextInput()}
        # Russian decimals are typed with a comma: 4,5 km.
        localized_fields = "__all__"
        help_texts = {
            "full_name": "Как в уставе: Муниципальное бюджетное общеобразовательное "
            "учреждение «Средняя общеобразовательная школа № 1».",
            "short_name": "Как называют в документах: МБОУ «СОШ № 1».",
            "inn": "10 цифр, необязательно.",
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipalities = municipalities_visible_to(user)
        self.fields["municipality"].queryset = municipalities
        self.fields["municipality"].empty_label = "— выберите —"
        self.fields["school_type"].choices = [
            ("", "— выберите —"),
            *School.Type.choices,
        ]
        if self.instance.pk is None and municipalities.count() == 1:
            self.fields["municipality"].initial = municipalities.first()

    def clean_code(self) -> str:
        return normalize_school_code(self.cleaned_data["code"])

    def clean_inn(self) -> str:
        return self.cleaned_data["inn"].strip()


class AcademicYearForm(forms.ModelForm):
    """Create or edit a school year (which year is current is set on the list)."""

    class Meta:
        model = AcademicYear
        fields = ["start_year", "start_date", "end_date"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
        }
        help_texts = {"start_year": "Для 2020/2021 — 2020."}


class UserForm(forms.ModelForm):
    """
    Create or edit a person and assign their role and scope.

    The form offers only what its user may do (`schools.access`): an analyst
    sees the operator role alone and no password field; nobody sees their own
    role and scope as editable. The service checks the same rules again.
    """

    SCOPE_FIELDS = ("role", "municipality", "region", "schools")

    password = forms.CharField(
        label="Пароль",
        required=False,
        strip=False,
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "new-password"}
        ),
        help_text="Оставьте пустым, чтобы человек задал пароль сам по ссылке из письма.",
    )
    send_invite = forms.BooleanField(
        label="Отправить приглашение на e-mail",
        required=False,
        initial=True,
        help_text="Письмо с одноразовой ссылкой для установки пароля и входа.",
    )

    class Meta:
        model = User
        fields = [
            "username",
            "last_name",
            "first_name",
            "middle_name",
            "position",
            "email",
            "role",
            "municipality",
            "region",
            "schools",
            "is_active",
        ]
        help_texts = {
            "username": "Латиница, цифры и символы @ . + - _. Для оператора удобно "
            "взять код школы (sch…).",
            "municipality": "Для аналитика МИМЦ и сотрудника управления образования.",
            "schools": "Для оператора: школы, данные которых он вводит.",
            "is_active": "Снимите, чтобы закрыть доступ, не удаляя учётную запись.",
        }
        labels = {"username": "Логин", "is_active": "Доступ открыт"}

    def __init__(self, *args: Any, by: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by = by
        allowed = set(assignable_roles(by))
        self.fields["role"].choices = [
            (value, label) for value, label in User.Role.choices if value in allowed
        ]
        self.fields["municipality"].queryset = municipalities_visible_to(by)
        self.fields["region"].queryset = regions_visible_to(by)
        if not is_administrator(by):
            # Staff and their scope are assigned by an administrator.
            for name in ("municipality", "region"):
                self.fields[name].queryset = self.fields[name].queryset.none()
                self.fields[name].widget = forms.HiddenInput()
        schools = schools_visible_to(by).filter(is_active=True)
        # A municipality's dozen schools read best as checkboxes; a region's
        # hundreds need a compact list. (The widget goes first: setting the
        # queryset hands its choices to the widget.)
        self.fields["schools"].widget = (
            forms.CheckboxSelectMultiple()
            if schools.count() <= 40
            else forms.SelectMultiple(attrs={"size": 12})
        )
        self.fields["schools"].queryset = schools
        municipalities = self.fields["municipality"].queryset
        if self.instance.pk is None and municipalities.count() == 1:
            self.fields["municipality"].initial = municipalities.first()
        self.fields["email"].required = False
        if self.instance.pk:
            self.fields["send_invite"].initial = False
            self.fields["send_invite"].label = "Отправить письмо для установки пароля"
            self.fields[
                "send_invite"
            ].help_text = "Одноразовая ссылка на e-mail человека: пароль он задаёт сам."
        if not can_set_password(by, self.instance):
            del self.fields["password"]
        if self.instance.pk is not None and self.instance.pk == by.pk:
            # Nobody changes their own role, scope or access.
            for name in (*self.SCOPE_FIELDS, "is_active"):
                self.fields[name].disabled = True
            self.fields["role"].choices = User.Role.choices

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password:
            password_validation.validate_password(password, self.instance)
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        role = data.get("role")
        municipality, region = data.get("municipality"), data.get("region")
        if role in (User.Role.ANALYST, User.Role.APPROVER):
            if bool(municipality) == bool(region):
                self.add_error(
                    "municipality",
                    "Укажите муниципалитет (или регион — для аналитика регионального "
                    "уровня), но не то и другое.",
                )
        else:
            data["municipality"] = data["region"] = None
        if role == User.Role.OPERATOR and not data.get("schools"):
            self.add_error("schools", "Оператору нужно назначить хотя бы одну школу.")
        if data.get("send_invite") and not data.get("email"):
            self.add_error(
                "email", "Чтобы отправить письмо со ссылкой, укажите e-mail."
            )
        if (
            self.instance.pk is None
            and not data.get("password")
            and not data.get("send_invite")
        ):
            self.add_error(
                "send_invite" if "password" not in self.fields else "password",
                "Задайте пароль или отправьте приглашение — иначе человек не сможет войти."
                if "password" in self.fields
                else "Отправьте приглашение на e-mail: пароль человек задаёт сам по "
                "ссылке из письма.",
            )
        return data

    @property
    def chosen_password(self) -> str:
        return (
            self.cleaned_data.get("password", "") if "password" in self.fields else ""
        )


class MunicipalitySettingsForm(forms.ModelForm):
    class Meta:
        model = Municipality
        fields = ["hide_small_shares"]


class NoticeSettingsForm(forms.Form):
    """One choice per kind: at once, in the daily digest, or only in the portal."""

    def __init__(
        self, *args: Any, initial_channels: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in Notice.Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label[:1].upper() + label[1:],
                choices=NoticeSetting.Channel.choices,
                initial=initial_channels[kind],
                widget=forms.RadioSelect,
            )
