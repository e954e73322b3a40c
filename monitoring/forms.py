"""
Browser forms of monitoring; every rule comes from monitoring.validation.

Forms only parse what people type (Russian numbers, with a comma) and show the
Problems next to the fields; sections, help and derived figures are here too.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory

from schools.access import municipalities_visible_to
from schools.forms import DateInput
from schools.models import AcademicYear, School, User

from .indicators import DERIVED
from .models import (
    DATA_MODELS,
    AssessmentResult,
    Campaign,
    Level,
    MarkComparison,
    Procedure,
    ReportKind,
    Subject,
)
from .validation import (
    MARKS,
    NO_RESULTS,
    PARTS,
    Context,
    Problem,
    check_complete,
    check_report,
    check_results,
    errors,
    marks_mean,
    uses_marks,
    warnings,
)

SECTIONS: dict[str, list[tuple[str, str, list[str]]]] = {
    ReportKind.STAFFING: [
        (
            "Учителя",
            "Считайте учителей, работающих не менее чем на 0,5 ставки, на начало учебного года.",
            ["teachers_total", "under_30", "pension_age", "experience_under_3"],
        ),
        (
            "Квалификация и развитие",
            "«За 3 года» — за текущий и два предыдущих учебных года.",
            [
                "highest_category",
                "first_category",
                "category_confirmed_3y",
                "training_3y",
                "deficit_diagnostics",
                "subject_assessment",
                "contest_participants_3y",
            ],
        ),
        ("Нагрузка и профиль", "", ["overloaded", "not_by_profile", "vacancies"]),
        (
            "Специалисты сопровождения",
            "Физические лица, работающие в школе.",
            [
                "psychologists",
                "social_pedagogues",
                "speech_therapists",
                "defectologists",
            ],
        ),
    ],
    ReportKind.SOCIAL: [
        (
            "Обучающиеся",
            "Только количество детей — без фамилий и других персональных данных.",
            ["pupils_total"],
        ),
        (
            "Семьи",
            "Считайте обучающихся (детей), а не семьи.",
            [
                "incomplete_families",
                "large_families",
                "low_income",
                "both_parents_unemployed",
                "both_parents_higher_ed",
                "poor_housing",
                "sop_families",
            ],
        ),
        ("Учёт и профилактика", "", ["school_register", "pdn_kdn_register"]),
        (
            "Особые образовательные потребности",
            "",
            [
                "ovz",
                "disabled_children",
                "under_guardianship",
                "weak_russian",
                "low_motivation",
            ],
        ),
    ],
    ReportKind.RESOURCES: [
        (
            "Библиотечный фонд",
            "Учебники, числящиеся в фонде школьной библиотеки, в экземплярах.",
            ["textbook_fund", "textbooks_recent"],
        ),
        ("Оснащение", "", ["class_sets", "student_computers"]),
    ],
    ReportKind.OUTCOMES: [
        (
            "Выпускники 9 классов",
            "Выпускники, получившие аттестат об основном общем образовании.",
            ["grade9_graduates", "continued_grade10"],
        ),
        (
            "Олимпиады и конкурсы",
            "Обучающиеся — участники регионального и всероссийского уровня за год.",
            ["olympiad_participants"],
        ),
        (
            "Годовые отметки",
            "По итогам учебного года, 2–11 классы.",
            ["attested", "attested_good", "attested_failing"],
        ),
        ("Независимая оценка качества (НОКО)", "", ["noko_satisfaction"]),
    ],
}


class ProblemsMixin:
    """Attach validation Problems to fields: errors as form errors, warnings aside."""

    def attach(self, problems: list[Problem]) -> None:
        self.warnings: dict[str | None, list[str]] = {}
        for problem in problems:
            if problem.warning:
                self.warnings.setdefault(problem.field, []).append(problem.message)
            else:
                field = problem.field if problem.field in self.fields else None
                self.add_error(field, problem.message)


class ReportDataForm(ProblemsMixin, forms.ModelForm):
    """The figures of a one-row report; subclasses are made per kind."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    confirm_warnings = forms.BooleanField(
        required=False,
        label="Я проверил(а) необычные значения: они верны",
    )

    kind: str = ""

    def __init__(
        self,
        *args: Any,
        context: Context | None = None,
        submitting: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.context = context or Context()
        self.submitting = submitting
        self.warnings = {}
        # The empty figures that stop submission, for the summary above the form.
        self.missing: list[forms.BoundField] = []
        for name, field in self.fields.items():
            if name in ("version", "confirm_warnings"):
                continue
            field.required = False
            field.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})
            if isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = (
                    "Введите целое число (без пробелов и букв)."
                )

    def figures(self) -> dict[str, Any]:
        return {n: self.cleaned_data.get(n) for n in self._meta.fields}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors:
            problems = check_report(self.kind, self.figures(), context=self.context)
            self.attach(problems)
            if (
                warnings(problems)
                and not errors(problems)
                and not data.get("confirm_warnings")
            ):
                self.add_error(
                    "confirm_warnings",
                    "Есть необычные значения (они отмечены жёлтым). Проверьте их и "
                    "поставьте отметку, чтобы сохранить.",
                )
        if self.submitting:
            self._mark_missing()
        return data

    def _mark_missing(self) -> None:
        """Submitting: mark every required figure left empty (not those already in error)."""
        missing = [
            problem
            for problem in check_complete(self.kind, self.figures())
            if problem.field not in self.errors
        ]
        self.missing = [self[problem.field] for problem in missing if problem.field]
        for problem in missing:
            self.add_error(problem.field, problem.message)

    def sections(self) -> list[dict[str, Any]]:
        return [
            {
                "title": title,
                "help": help_text,
                "fields": [self[name] for name in names],
            }
            for title, help_text, names in SECTIONS[self.kind]
        ]


def report_form_class(kind: str) -> type[ReportDataForm]:
    """Return the ModelForm of a one-row report kind."""
    model = DATA_MODELS[kind]
    names = [n for _, _, fields in SECTIONS[kind] for n in fields]
    meta = type(
        "Meta", (), {"model": model, "fields": names, "localized_fields": "__all__"}
    )
    return type(
        f"{model.__name__}Form", (ReportDataForm,), {"Meta": meta, "kind": kind}
    )


def form_config(kind: str) -> dict[str, Any]:
    """Return what the browser needs to compute derived figures live."""
    model = DATA_MODELS[kind]
    return {
        "labels": {f.name: str(f.verbose_name) for f in model._meta.concrete_fields},
        "parts": PARTS.get(kind, []),
        "derived": [
            {"label": d.label, "numerator": d.numerator, "denominator": d.denominator}
            for d in DERIVED.get(kind, [])
        ],
    }


# Assessment results ------------------------------------------------------------------


RESULT_FIELDS = [
    "procedure",
    "subject",
    "grade",
    "level",
    "participants",
    "mark2",
    "mark3",
    "mark4",
    "mark5",
    "failed_minimum",
    "mean_score",
]
RESULT_NUMBERS = RESULT_FIELDS[4:]


class ResultRowForm(forms.ModelForm):
    """One row of ВПР / ОГЭ / ЕГЭ results."""

    class Meta:
        model = AssessmentResult
        fields = RESULT_FIELDS
        localized_fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = Subject.objects.all()
        self.fields["subject"].empty_label = "—"
        self.fields["procedure"].choices = [("", "—"), *Procedure.choices]
        self.fields["level"].choices = Level.choices
        for name, field in self.fields.items():
            field.required = False
            field.widget.attrs["aria-label"] = str(
                AssessmentResult._meta.get_field(name).verbose_name
            )
            field.widget.attrs["class"] = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            if name in RESULT_NUMBERS or name == "grade":
                field.widget.attrs.update(
                    {"inputmode": "decimal", "size": 4, "autocomplete": "off"}
                )

    def is_blank(self) -> bool:
        """Return whether no figure is entered (the procedure was not held)."""
        data = getattr(self, "cleaned_data", {})
        return all(data.get(n) is None for n in RESULT_NUMBERS)

    def row(self) -> dict[str, Any]:
        row = {n: self.cleaned_data.get(n) for n in RESULT_FIELDS} | {
            "level": self.cleaned_data.get("level") or ""
        }
        marks = [row.get(m) for m in MARKS]
        if uses_marks(row) and all(m is not None for m in marks):
            # The mean follows from the counts: computed, never typed (the page shows it live).
            row["mean_score"] = marks_mean(marks)
        return row


class ComparisonRowForm(forms.ModelForm):
    """One row of the ВПР-vs-journal comparison."""

    class Meta:
        model = MarkComparison
        fields = ["subject", "grade", "lowered", "confirmed", "raised"]
        localized_fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = Subject.objects.all()
        self.fields["subject"].empty_label = "—"
        for name, field in self.fields.items():
            field.required = False
            field.widget.attrs["aria-label"] = str(
                MarkComparison._meta.get_field(name).verbose_name
            )
            field.widget.attrs["class"] = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            if name != "subject":
                field.widget.attrs.update(
                    {"inputmode": "numeric", "size": 4, "autocomplete": "off"}
                )

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return all(data.get(n) is None for n in ("lowered", "confirmed", "raised"))

    def row(self) -> dict[str, Any]:
        return {n: self.cleaned_data.get(n) for n in self._meta.fields}


ResultFormSet = formset_factory(ResultRowForm, extra=0, can_delete=False)
ComparisonFormSet = formset_factory(ComparisonRowForm, extra=0, can_delete=False)


class ResultsForm(ProblemsMixin, forms.Form):
    """The whole assessment report: result rows, comparisons, version and confirmation."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    confirm_warnings = ReportDataForm.base_fields["confirm_warnings"]

    def __init__(
        self,
        data: Any = None,
        *,
        rows: list[dict],
        comparisons: list[dict],
        initial: dict | None = None,
        submitting: bool = False,
    ) -> None:
        super().__init__(data, initial=initial)
        self.submitting = submitting
        self.warnings = {}
        self.results = ResultFormSet(data, initial=rows, prefix="results")
        self.comparisons = ComparisonFormSet(
            data, initial=comparisons, prefix="comparisons"
        )

    def filled(self, formset: BaseFormSet) -> list[Any]:
        return [f for f in formset.forms if not f.is_blank()]

    def is_valid(self) -> bool:
        valid = all(
            [super().is_valid(), self.results.is_valid(), self.comparisons.is_valid()]
        )
        if not valid:
            return False
        result_forms, comparison_forms = (
            self.filled(self.results),
            self.filled(self.comparisons),
        )
        rows = [f.row() for f in result_forms]
        comparisons = [f.row() for f in comparison_forms]
        problems = check_results(rows, comparisons)
        for problem in problems:
            target = (
                result_forms if problem.section == "results" else comparison_forms
            )[problem.row]
            if problem.warning:
                target.warnings = {
                    **getattr(target, "warnings", {}),
                    problem.field: [problem.message],
                }
                self.warnings.setdefault(None, []).append(problem.message)
            else:
                field = problem.field if problem.field in target.fields else None
                target.add_error(field, problem.message)
        if errors(problems):
            self.add_error(None, "В таблице есть ошибки — они отмечены в строках.")
            return False
        if self.submitting and not result_forms:
            self.add_error(None, NO_RESULTS)
            return False
        if warnings(problems) and not self.cleaned_data.get("confirm_warnings"):
            self.add_error(
                "confirm_warnings",
                "Есть необычные значения (они отмечены жёлтым). Проверьте их и поставьте отметку, чтобы сохранить.",
            )
            return False
        self.rows, self.comparison_rows = rows, comparisons
        return True


def standard_rows(school: School) -> list[dict[str, Any]]:
    """Return the usual procedures of a school of this type, as blank rows to fill."""
    subjects = {
        s.name: s
        for s in Subject.objects.filter(name__in=["русский язык", "математика"])
    }
    ru, ma = subjects.get("русский язык"), subjects.get("математика")
    rows = [
        {"procedure": Procedure.VPR, "subject": subject, "grade": grade, "level": ""}
        for grade in range(4, 9)
        for subject in (ru, ma)
        if school.school_type != School.Type.NOSH or grade == 4
    ]
    if school.school_type != School.Type.NOSH:
        rows += [
            {"procedure": Procedure.OGE, "subject": s, "grade": 9, "level": ""}
            for s in (ru, ma)
        ]
    if school.teaches_senior_grades:
        rows += [
            {"procedure": Procedure.EGE, "subject": ru, "grade": 11, "level": ""},
            {
                "procedure": Procedure.EGE,
                "subject": ma,
                "grade": 11,
                "level": Level.PROFILE,
            },
            {
                "procedure": Procedure.EGE,
                "subject": ma,
                "grade": 11,
                "level": Level.BASE,
            },
        ]
    return rows


def comparisons_initial(
    school: School, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Return the saved comparisons followed by the usual ВПР subjects and grades."""
    have = {(getattr(r["subject"], "pk", None), r["grade"]) for r in rows}
    usual = [
        {"subject": r["subject"], "grade": r["grade"]}
        for r in standard_rows(school)
        if r["procedure"] == Procedure.VPR
    ]
    return rows + [
        r for r in usual if (getattr(r["subject"], "pk", None), r["grade"]) not in have
    ]


def results_initial(school: School, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the saved rows followed by the usual procedures not yet entered."""

    def key(row: dict[str, Any]) -> tuple:
        return (
            row["procedure"],
            getattr(row["subject"], "pk", None),
            row["grade"],
            row["level"] or "",
        )

    have = {key(r) for r in rows}
    return rows + [r for r in standard_rows(school) if key(r) not in have]


# Campaigns and workflow -------------------------------------------------------------------


class CampaignForm(forms.ModelForm):
    """Open a monitoring campaign for a municipality and school year."""

    kinds = forms.MultipleChoiceField(
        label="Собираемые отчёты",
        choices=ReportKind.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(ReportKind.values),
    )

    class Meta:
        model = Campaign
        fields = [
            "municipality",
            "year",
            "title",
            "kinds",
            "deadline",
            "order_number",
            "order_date",
        ]
        widgets = {
            "deadline": DateInput(),
            "order_date": DateInput(),
        }
        help_texts = {
            "year": "Учебный год, за который школы сдают данные.",
            "order_number": "Приказ, которым утверждены показатели мониторинга, например 107.",
            "title": "Например: Мониторинг качества образования за 2020/2021 учебный год.",
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipalities = municipalities_visible_to(user)
        self.fields["municipality"].queryset = municipalities
        if municipalities.count() == 1:
            self.fields["municipality"].initial = municipalities.first()
        self.fields["year"].queryset = AcademicYear.objects.all()
        self.fields["order_number"].label = "Номер приказа"

    def clean_order_number(self) -> str:
        value = self.cleaned_data["order_number"].strip().lstrip("№").strip()
        if not value:
            raise forms.ValidationError("Укажите номер приказа.")
        return value


# Imports --------------------------------------------------------------------------


class ImportForm(forms.Form):
    """Upload a file; what the file itself cannot tell (subject, grade, year) is asked here."""

    kind = forms.ChoiceField(
        label="Что загружаем", choices=[], widget=forms.RadioSelect
    )
    file = forms.FileField(
        label="Файл Excel (.xlsx или .xls)",
        help_text="Не больше 50 МБ. Персональные данные (ФИО, даты рождения, СНИЛС) не загружайте.",
    )
    year = forms.ModelChoiceField(
        label="Учебный год результатов",
        queryset=AcademicYear.objects.all(),
        required=False,
        help_text="Для ВПР, ЕГЭ и ОГЭ. Для пакета данных год указан в каждой строке.",
    )
    subject = forms.ModelChoiceField(
        label="Предмет",
        queryset=Subject.objects.all(),
        required=False,
        help_text="Для файлов ВПР: предмет работы.",
    )
    grade = forms.IntegerField(
        label="Класс",
        required=False,
        min_value=4,
        max_value=11,
        help_text="Для файлов ВПР: класс (по программе которого писали работу).",
    )
    min3 = forms.IntegerField(label="«3» — от, баллов", required=False, min_value=0)
    min4 = forms.IntegerField(label="«4» — от, баллов", required=False, min_value=0)
    min5 = forms.IntegerField(label="«5» — от, баллов", required=False, min_value=0)
    max_score = forms.IntegerField(
        label="Максимальный балл", required=False, min_value=1
    )
    replace = forms.BooleanField(
        label="Заменить значения из файла",
        required=False,
        help_text="Пустые значения портала заполняются из файла всегда. С отметкой "
        "записанные значения, которые в файле другие, заменяются значениями файла — "
        "только те, что есть в файле; пустая ячейка ничего не стирает. Без отметки "
        "такие расхождения показываются как ошибки. Перед загрузкой вы увидите каждое "
        "изменение.",
    )
    allow_accepted = forms.BooleanField(
        label="Разрешить изменение принятых отчётов",
        required=False,
        help_text="Без отметки файл не меняет отчёты, которые МИМЦ уже принял. "
        "Изменения принятых отчётов записываются в их историю.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import ImportJob

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ImportJob.Kind.choices
        self.fields["kind"].initial = ImportJob.Kind.PACKAGE

    def clean_file(self) -> Any:
        from django.conf import settings

        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".xls")):
            raise forms.ValidationError(
                "Нужен файл Excel с расширением .xlsx или .xls (.csv и другие форматы "
                "не подходят — сохраните таблицу как «Книга Excel»)."
            )
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"Файл больше {settings.UPLOAD_MAX_BYTES // 1024 // 1024} МБ — разделите его на части."
            )
        return upload

    def clean(self) -> dict[str, Any]:
        from .models import ImportJob

        data = super().clean()
        kind = data.get("kind")
        needs_year = kind in (
            ImportJob.Kind.VPR_PROTOCOL,
            ImportJob.Kind.VPR_STATS,
            ImportJob.Kind.VPR_COMPARISON,
            ImportJob.Kind.EGE,
            ImportJob.Kind.OGE,
        )
        needs_work = kind in (
            ImportJob.Kind.VPR_PROTOCOL,
            ImportJob.Kind.VPR_STATS,
            ImportJob.Kind.VPR_COMPARISON,
        )
        if needs_year and not data.get("year"):
            self.add_error("year", "Укажите учебный год результатов.")
        if needs_work:
            for name in ("subject", "grade"):
                if data.get(name) is None:
                    self.add_error(
                        name,
                        "Для файлов ВПР укажите предмет и класс: по имени файла они не определяются.",
                    )
        if kind == ImportJob.Kind.VPR_PROTOCOL:
            scale = [data.get(n) for n in ("min3", "min4", "min5", "max_score")]
            if any(v is None for v in scale):
                self.add_error(
                    "min3",
                    "Для протокола укажите шкалу перевода баллов в отметки ФИОКО: с какого балла «3», «4», «5» и максимальный балл.",
                )
            elif not scale[0] < scale[1] < scale[2] <= scale[3]:
                self.add_error(
                    "min3",
                    "Границы отметок должны возрастать: «3» < «4» < «5» ≤ максимальный балл.",
                )
        return data

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "year": data["year"].start_year if data.get("year") else None,
            "subject": data["subject"].pk if data.get("subject") else None,
            "grade": data.get("grade"),
            "scale": [data.get(n) for n in ("min3", "min4", "min5", "max_score")]
            if data.get("min3") is not None
            else None,
            "replace": bool(data.get("replace")),
            "allow_accepted": bool(data.get("allow_accepted")),
        }
