"""Forms of identification: the parameter editor, runs, decisions and approval."""

from __future__ import annotations

import copy
from typing import Any

from django import forms

from schools.access import municipalities_visible_to
from schools.forms import DateInput
from schools.models import AcademicYear, User

from . import criteria
from .columns import STATUS_BOTH, STATUS_NONE, STATUS_SHNOR, STATUS_SHNSU
from .engine.params import (
    ALL_CRITERIA,
    N1_INDICATORS,
    N1_OPTIONAL,
    N2_INDICATORS,
    merged,
)
from .engine.text import procedure_label
from .models import Methodology
from .permissions import methodologies_visible_to

# With the default numbers: the editor and the roadmap form, where no run is at hand.
CRITERION_LABELS = criteria.labels()
CANDIDATE_PROCEDURES = (
    [["ВПР", s, g, ""] for g in range(4, 9) for s in ("русский язык", "математика")]
    + [["ОГЭ", "русский язык", 9, ""], ["ОГЭ", "математика", 9, ""]]
    + [
        ["ЕГЭ", "русский язык", 11, ""],
        ["ЕГЭ", "математика", 11, "профильный"],
        ["ЕГЭ", "математика", 11, "базовый"],
    ]
)


def _procedure_choices() -> list[tuple[str, str]]:
    return [
        ("|".join(map(str, p)), procedure_label(p[0], p[1], p[2], p[3]))
        for p in CANDIDATE_PROCEDURES
    ]


def _as_procedures(values: list[str]) -> list[list[Any]]:
    out = []
    for value in values:
        proc, subject, grade, level = value.split("|")
        out.append([proc, subject, int(grade), level])
    return out


def _procedure_values(procedures: list[list[Any]]) -> list[str]:
    return ["|".join(map(str, p)) for p in procedures]


INDICATORS_N1 = {i["field"]: i for i in [*N1_INDICATORS, *N1_OPTIONAL]}
INDICATORS_N2 = {i["field"]: i for i in N2_INDICATORS}

NORMALIZATIONS = [
    ("zscore", "z-оценки (по умолчанию)"),
    ("minmax", "мин-макс, 0–100"),
    ("percentile", "процентили, 0–100"),
]
L67_REFERENCES = [
    ("pooled", "доля по муниципалитету в целом (все аттестованные)"),
    ("schools", "среднее значение школ муниципалитета"),
]

# (path in the parameter dict, form field factory, section)
SPEC: list[tuple[str, Any, str]] = [
    (
        "criteria",
        lambda: forms.MultipleChoiceField(
            label="Какие критерии считать",
            choices=[(c, CRITERION_LABELS[c]) for c in ALL_CRITERIA],
            widget=forms.CheckboxSelectMultiple,
        ),
        "Общее",
    ),
    (
        "comparison_set",
        lambda: forms.ChoiceField(
            label="С кем сравнивать (25 %, средние)",
            choices=[
                ("municipality", "школы муниципалитета"),
                ("region", "школы региона"),
            ],
        ),
        "Общее",
    ),
    (
        "min_schools",
        lambda: forms.IntegerField(
            label="Меньше скольких школ не ранжировать", min_value=2, max_value=100
        ),
        "Общее",
    ),
    (
        "status.shnor_any",
        lambda: forms.MultipleChoiceField(
            label="ШНОР, если отмечен любой из",
            choices=[(c, c) for c in ALL_CRITERIA],
            widget=forms.CheckboxSelectMultiple,
            required=False,
        ),
        "Как складывается статус",
    ),
    (
        "status.shnor_count",
        lambda: forms.MultipleChoiceField(
            label="…или отмечено не меньше N из",
            choices=[(c, c) for c in ALL_CRITERIA],
            widget=forms.CheckboxSelectMultiple,
            required=False,
        ),
        "Как складывается статус",
    ),
    (
        "status.shnor_min_flags",
        lambda: forms.IntegerField(
            label="N (сколько отметок из списка выше)", min_value=1, max_value=10
        ),
        "Как складывается статус",
    ),
    (
        "status.shnsu_any",
        lambda: forms.MultipleChoiceField(
            label="ШНСУ, если отмечен любой из",
            choices=[(c, c) for c in ALL_CRITERIA],
            widget=forms.CheckboxSelectMultiple,
            required=False,
        ),
        "Как складывается статус",
    ),
    (
        "r1.procedures",
        lambda: forms.MultipleChoiceField(
            label="Процедуры правила 30 %",
            choices=_procedure_choices(),
            widget=forms.CheckboxSelectMultiple,
        ),
        "R1 — правило 30 %",
    ),
    (
        "r1.pct",
        lambda: forms.IntegerField(
            label="Порог доли «2» (не преодолевших минимум), %",
            min_value=1,
            max_value=100,
        ),
        "R1 — правило 30 %",
    ),
    (
        "r1.k1",
        lambda: forms.IntegerField(
            label="Сколько процедур за последний год", min_value=1, max_value=20
        ),
        "R1 — правило 30 %",
    ),
    (
        "r1.min_n",
        lambda: forms.IntegerField(
            label="Учитывать процедуры от стольких участников",
            min_value=1,
            max_value=100,
        ),
        "R1 — правило 30 %",
    ),
    (
        "r1.small_n",
        lambda: forms.IntegerField(
            label="«Малая выборка» — меньше участников", min_value=1, max_value=100
        ),
        "R1 — правило 30 %",
    ),
    (
        "r1.mode",
        lambda: forms.ChoiceField(
            label="Второе условие",
            choices=[
                (
                    "any_procedure_each_year",
                    "хотя бы одна низкая процедура в каждом из двух лет (Калтан)",
                ),
                (
                    "same_procedure_both_years",
                    "одна и та же процедура низкая в оба года",
                ),
            ],
        ),
        "R1 — правило 30 %",
    ),
    (
        "r1.years",
        lambda: forms.CharField(
            label="Годы явно (через запятую, новый первым)",
            required=False,
            help_text="Пусто — два последних года, в которые проводились процедуры. Например: 2018/2019, 2017/2018.",
        ),
        "R1 — правило 30 %",
    ),
    (
        "l1.procedures",
        lambda: forms.MultipleChoiceField(
            label="Процедуры индекса результатов",
            choices=_procedure_choices(),
            widget=forms.CheckboxSelectMultiple,
        ),
        "L1 — 25 % худших результатов",
    ),
    (
        "l1.normalization",
        lambda: forms.ChoiceField(
            label="Нормировка средних баллов", choices=NORMALIZATIONS
        ),
        "L1 — 25 % худших результатов",
    ),
    (
        "l1.include_vpr",
        lambda: forms.BooleanField(
            label="Добавить ВПР 4–8 классов (русский язык, математика)", required=False
        ),
        "L1 — 25 % худших результатов",
    ),
    (
        "l1.years",
        lambda: forms.IntegerField(
            label="За сколько последних лет", min_value=1, max_value=5
        ),
        "L1 — 25 % худших результатов",
    ),
    (
        "l1.coverage",
        lambda: forms.FloatField(
            localize=True,
            label="Нужная полнота данных (доля, 0–1)",
            min_value=0.1,
            max_value=1,
        ),
        "L1 — 25 % худших результатов",
    ),
    (
        "l1.share",
        lambda: forms.FloatField(
            localize=True, label="Доля худших (0–1)", min_value=0.05, max_value=0.9
        ),
        "L1 — 25 % худших результатов",
    ),
    (
        "l2.threshold",
        lambda: forms.IntegerField(
            label="L2: порог продолжения обучения, %", min_value=1, max_value=100
        ),
        "L2–L7",
    ),
    (
        "l3.gap",
        lambda: forms.FloatField(
            localize=True,
            label="L3: отставание от региона больше, баллов ЕГЭ или п. п.",
            min_value=0,
        ),
        "L2–L7",
    ),
    (
        "l3.procedures",
        lambda: forms.MultipleChoiceField(
            label="L3: процедуры",
            choices=_procedure_choices(),
            widget=forms.CheckboxSelectMultiple,
        ),
        "L2–L7",
    ),
    (
        "l4.threshold",
        lambda: forms.FloatField(
            localize=True, label="L4: участников олимпиад не больше, %", min_value=0
        ),
        "L2–L7",
    ),
    (
        "l4.years",
        lambda: forms.IntegerField(
            label="L4: за сколько лет", min_value=1, max_value=5
        ),
        "L2–L7",
    ),
    (
        "l5.threshold",
        lambda: forms.FloatField(
            localize=True,
            label="L5: удовлетворённость (НОКО) не выше, %",
            min_value=0,
            max_value=100,
        ),
        "L2–L7",
    ),
    (
        "l5.max_age",
        lambda: forms.IntegerField(
            label="L5: оценка не старше, лет", min_value=1, max_value=5
        ),
        "L2–L7",
    ),
    (
        "l6.gap",
        lambda: forms.FloatField(
            localize=True,
            label="L6: отставание по качеству не меньше, п. п.",
            min_value=0,
        ),
        "L2–L7",
    ),
    (
        "l7.gap",
        lambda: forms.FloatField(
            localize=True,
            label="L7: отставание по успеваемости не меньше, п. п.",
            min_value=0,
        ),
        "L2–L7",
    ),
    *(
        (
            f"{code}.reference",
            lambda code=code: forms.ChoiceField(
                label=f"{code.upper()}: с каким средним сравнивать",
                choices=L67_REFERENCES,
            ),
            "L2–L7",
        )
        for code in ("l6", "l7")
    ),
    (
        "n1.indicators",
        lambda: forms.MultipleChoiceField(
            label="Показатели ИСБ",
            choices=[
                (f, f"{i['label']} ({'+' if i['sign'] > 0 else '−'})")
                for f, i in INDICATORS_N1.items()
            ],
            widget=forms.CheckboxSelectMultiple,
        ),
        "N1 — индекс социального благополучия",
    ),
    (
        "n1.normalization",
        lambda: forms.ChoiceField(label="Нормировка", choices=NORMALIZATIONS),
        "N1 — индекс социального благополучия",
    ),
    (
        "n1.coverage",
        lambda: forms.FloatField(
            localize=True,
            label="Нужная полнота показателей (доля, 0–1)",
            min_value=0.1,
            max_value=1,
        ),
        "N1 — индекс социального благополучия",
    ),
    (
        "n1.share",
        lambda: forms.FloatField(
            localize=True,
            label="Доля с самым низким ИСБ (0–1)",
            min_value=0.05,
            max_value=0.9,
        ),
        "N1 — индекс социального благополучия",
    ),
    (
        "n2.indicators",
        lambda: forms.MultipleChoiceField(
            label="Показатели ИККП",
            choices=[
                (f, f"{i['label']} ({'+' if i['sign'] > 0 else '−'})")
                for f, i in INDICATORS_N2.items()
            ],
            widget=forms.CheckboxSelectMultiple,
        ),
        "N2, N3 — кадры и ресурсы",
    ),
    (
        "n2.normalization",
        lambda: forms.ChoiceField(label="N2: нормировка", choices=NORMALIZATIONS),
        "N2, N3 — кадры и ресурсы",
    ),
    (
        "n2.share",
        lambda: forms.FloatField(
            localize=True, label="N2: доля худших (0–1)", min_value=0.05, max_value=0.9
        ),
        "N2, N3 — кадры и ресурсы",
    ),
    (
        "n3.share",
        lambda: forms.FloatField(
            localize=True, label="N3: доля худших (0–1)", min_value=0.05, max_value=0.9
        ),
        "N2, N3 — кадры и ресурсы",
    ),
    (
        "n3.normalization",
        lambda: forms.ChoiceField(
            label="N3: что ранжировать",
            choices=[
                ("share", "саму долю новых учебников, % (по умолчанию)"),
                *NORMALIZATIONS,
            ],
        ),
        "N2, N3 — кадры и ресурсы",
    ),
    (
        "r8.z_effective",
        lambda: forms.FloatField(
            localize=True, label="R8: «выше ожидаемого» от, σ", min_value=0
        ),
        "Справочные признаки",
    ),
    (
        "r8.model",
        lambda: forms.ChoiceField(
            label="R8: ожидаемый результат — регрессия",
            choices=[
                ("index", "на индекс социального благополучия (ИСБ)"),
                ("indicators", "на показатели ИСБ (множественная, §4.4)"),
            ],
        ),
        "Справочные признаки",
    ),
    (
        "r8.min_per_predictor",
        lambda: forms.IntegerField(
            label="R8: школ на один показатель регрессии, не меньше", min_value=2
        ),
        "Справочные признаки",
    ),
    (
        "r9.policy",
        lambda: forms.ChoiceField(
            label="R9: объективность",
            choices=[("annotate", "показывать признаки"), ("ignore", "не учитывать")],
        ),
        "Справочные признаки",
    ),
    (
        "r9.t_down",
        lambda: forms.FloatField(
            localize=True,
            label="R9: «понизили» не меньше, %",
            min_value=0,
            max_value=100,
        ),
        "Справочные признаки",
    ),
    (
        "r9.t_up",
        lambda: forms.FloatField(
            localize=True,
            label="R9: «повысили» не меньше, %",
            min_value=0,
            max_value=100,
        ),
        "Справочные признаки",
    ),
    (
        "r9.exclude_flagged",
        lambda: forms.BooleanField(
            label="Не учитывать в R1 и L1 ВПР с признаками необъективности",
            help_text="Работает, когда признаки R9 учитываются; пояснение школы "
            "называет, что не учтено.",
            required=False,
        ),
        "Справочные признаки",
    ),
]


def _get(params: dict[str, Any], path: str) -> Any:
    value: Any = params
    for key in path.split("."):
        value = value[key]
    return value


def _set(params: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = params
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value


class MethodologyForm(forms.Form):
    """Every parameter of a methodology version, grouped in sections."""

    comment = forms.CharField(
        label="Что и почему изменено",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args: Any, params: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base = merged(params)
        for path, factory, _ in SPEC:
            name = path.replace(".", "__")
            self.fields[name] = factory()
            value = _get(self.base, path)
            if path.endswith("procedures"):
                value = _procedure_values(value)
            elif path.endswith("indicators"):
                value = [i["field"] for i in value]
            elif path == "r1.years":
                value = ", ".join(f"{y}/{y + 1}" for y in value)
            self.fields[name].initial = value

    def sections(self) -> list[tuple[str, list[Any]]]:
        out: dict[str, list[Any]] = {}
        for path, _, section in SPEC:
            out.setdefault(section, []).append(self[path.replace(".", "__")])
        return list(out.items())

    def clean_r1__years(self) -> list[int]:
        raw = self.cleaned_data["r1__years"]
        years = []
        for part in [p for p in raw.replace(";", ",").split(",") if p.strip()]:
            try:
                years.append(AcademicYear.parse_name(part))
            except forms.ValidationError as error:
                raise forms.ValidationError(error.messages) from None
        if years and len(years) != 2:
            raise forms.ValidationError(
                "Укажите два учебных года или оставьте поле пустым."
            )
        return years

    def params(self) -> dict[str, Any]:
        params = copy.deepcopy(self.base)
        for path, _, _ in SPEC:
            value = self.cleaned_data[path.replace(".", "__")]
            if path.endswith("procedures"):
                value = _as_procedures(value)
            elif path == "n1.indicators":
                value = [INDICATORS_N1[f] for f in value]
            elif path == "n2.indicators":
                value = [INDICATORS_N2[f] for f in value]
            _set(params, path, value)
        return params


class RunForm(forms.Form):
    target_year = forms.ModelChoiceField(
        label="Учебный год выявления",
        queryset=AcademicYear.objects.all(),
        help_text="Используются результаты предыдущих учебных лет.",
    )
    municipalities = forms.ModelMultipleChoiceField(
        label="Муниципалитеты", queryset=None, widget=forms.CheckboxSelectMultiple
    )
    methodology = forms.ModelChoiceField(
        label="Методика", queryset=Methodology.objects.all(), empty_label=None
    )
    only_accepted = forms.BooleanField(
        label="Только принятые МИМЦ отчёты",
        required=False,
        help_text="Без отметки используются все внесённые данные, а школы с непринятыми отчётами отмечаются предупреждением.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipalities = municipalities_visible_to(user)
        self.fields["municipalities"].queryset = municipalities
        self.fields["municipalities"].initial = list(municipalities[:1])
        current = AcademicYear.objects.filter(is_current=True).first()
        self.fields["target_year"].initial = current
        methodologies = methodologies_visible_to(user)
        self.fields["methodology"].queryset = methodologies
        self.fields["methodology"].initial = methodologies.filter(
            code="combined"
        ).first()


class OverrideForm(forms.Form):
    status = forms.ChoiceField(
        label="Статус по решению",
        choices=[
            (s, s) for s in (STATUS_SHNOR, STATUS_SHNSU, STATUS_BOTH, STATUS_NONE)
        ],
    )
    reason = forms.CharField(
        label="Основание",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Например: решение рабочей группы, протокол № 3 от 10.09.2021.",
        error_messages={"required": "Укажите основание решения."},
    )


class ApproveForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label="Муниципалитет", queryset=None, empty_label=None
    )
    order_number = forms.CharField(
        label="Номер приказа (распоряжения)",
        max_length=50,
        error_messages={"required": "Укажите номер приказа."},
    )
    order_date = forms.DateField(
        label="Дата приказа",
        widget=DateInput(),
        error_messages={"required": "Укажите дату приказа."},
    )

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
