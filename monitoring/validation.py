"""
One set of rules for every door into the reports: browser forms and file imports.

Each check takes plain values (field name → int / Decimal / str / None) and
returns Problems: Russian messages tied to a field (and, for result rows, to a
row). Errors block saving; warnings do not, but must be confirmed. Parsing
text into numbers is the caller's job (forms and importers differ there);
everything after parsing is decided here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from schools import formatting

from .models import DATA_MODELS, Level, Procedure, ReportKind

Values = Mapping[str, Any]

# Plausibility thresholds (warnings, not errors).
PUPILS_CHANGE_WARNING = Decimal("0.30")
FAIL_SHARE_WARNING = Decimal("0.50")
TEACHERS_PER_100_PUPILS_WARNING = 20

GRADES = {
    Procedure.VPR: range(4, 12),
    Procedure.OGE: range(9, 10),
    Procedure.EGE: range(11, 12),
}
MATHEMATICS = "математика"


@dataclass(frozen=True)
class Problem:
    """A finding about one value: an error (blocks) or a warning (to confirm)."""

    field: str | None
    message: str
    warning: bool = False
    row: int | None = None
    section: str | None = None


@dataclass
class Context:
    """What a check needs beyond the report itself."""

    previous: Values | None = None  # the same report of the previous school year
    pupils_total: int | None = None  # this year's social passport, for staffing
    extra: dict[str, Any] = field(default_factory=dict)


def label(model: type, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def fmt_num(value: int | Decimal | float, places: int = 1) -> str:
    """Return a number in Russian notation: 34,3 (schools.formatting.number)."""
    return formatting.number(value, places)


def fmt_pct(part: int | Decimal, whole: int | Decimal) -> str:
    """Return a share as Russian text: «34,3 %» (schools.formatting.share)."""
    return formatting.share(float(part), float(whole))


def exact_mean(marks: Sequence[int]) -> Decimal | None:
    """The mean mark of the «2»–«5» counts, unrounded; None without pupils."""
    total = sum(marks)
    if not total:
        return None
    weighted = sum((grade + 2) * count for grade, count in enumerate(marks))
    return Decimal(weighted) / Decimal(total)


def marks_mean(marks: Sequence[int]) -> Decimal | None:
    """The mean mark of the «2»–«5» counts, to hundredths; None without pupils."""
    exact = exact_mean(marks)
    if exact is None:
        return None
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _disagrees(given: Decimal, exact: Decimal) -> bool:
    """
    Whether a given mean differs from the counts' exact mean beyond its own
    rounding, in either rounding mode (3,1 for 3,12 and 3,62 for 3,625 are fine).
    """
    exponent = given.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return abs(given - exact) > Decimal(5) / Decimal(10) ** (places + 1)


# Declarative rules: "part ≤ whole" and "sum of parts ≤ whole".
COUNT_FIELDS: dict[str, list[str]] = {
    kind: [
        f.name
        for f in model._meta.get_fields()
        if f.concrete and f.get_internal_type() == "PositiveIntegerField"
    ]
    for kind, model in DATA_MODELS.items()
}

PARTS: dict[str, list[tuple[str, str]]] = {
    ReportKind.STAFFING: [
        (name, "teachers_total")
        for name in COUNT_FIELDS[ReportKind.STAFFING]
        if name != "teachers_total"
    ],
    ReportKind.SOCIAL: [
        (name, "pupils_total")
        for name in COUNT_FIELDS[ReportKind.SOCIAL]
        if name != "pupils_total"
    ],
    ReportKind.RESOURCES: [("textbooks_recent", "textbook_fund")],
    ReportKind.OUTCOMES: [
        ("continued_grade10", "grade9_graduates"),
        ("attested_good", "attested"),
        ("attested_failing", "attested"),
    ],
}

SUMS: dict[str, list[tuple[tuple[str, ...], str]]] = {
    ReportKind.STAFFING: [
        (("highest_category", "first_category"), "teachers_total"),
        (("under_30", "pension_age"), "teachers_total"),
    ],
    ReportKind.OUTCOMES: [(("attested_good", "attested_failing"), "attested")],
}

PERCENT_FIELDS: dict[str, list[str]] = {ReportKind.OUTCOMES: ["noko_satisfaction"]}

# Optional on submission: НОКО is not held every year.
OPTIONAL_ON_SUBMIT: dict[str, set[str]] = {ReportKind.OUTCOMES: {"noko_satisfaction"}}


def _negative(values: Values, names: Iterable[str], **where: Any) -> list[Problem]:
    return [
        Problem(name, "Число не может быть отрицательным.", **where)
        for name in names
        if values.get(name) is not None and values[name] < 0
    ]


def check_report(
    kind: str, values: Values, *, context: Context | None = None
) -> list[Problem]:
    """Check the figures of a one-row report (staffing, social, resources, outcomes)."""
    context = context or Context()
    model = DATA_MODELS[kind]
    problems = _negative(values, COUNT_FIELDS[kind])
    for name in PERCENT_FIELDS.get(kind, []):
        value = values.get(name)
        if value is not None and not 0 <= value <= 100:
            problems.append(
                Problem(
                    name,
                    f"Процент должен быть от 0 до 100, указано {fmt_num(value, 2)}.",
                )
            )
    if problems:
        return problems
    for part, whole in PARTS.get(kind, []):
        part_value, whole_value = values.get(part), values.get(whole)
        if (
            part_value is not None
            and whole_value is not None
            and part_value > whole_value
        ):
            problems.append(
                Problem(
                    part,
                    f"{part_value} больше, чем «{label(model, whole)}» ({whole_value}).",
                )
            )
    for parts, whole in SUMS.get(kind, []):
        numbers = [values.get(p) for p in parts]
        whole_value = values.get(whole)
        if whole_value is None or any(n is None for n in numbers):
            continue
        total = sum(numbers)
        if total > whole_value:
            names = " + ".join(f"«{label(model, p)}»" for p in parts)
            problems.append(
                Problem(
                    parts[0],
                    f"{names} = {total}, это больше, чем «{label(model, whole)}» ({whole_value}).",
                )
            )
    if not problems:
        problems += _warnings(kind, values, context)
    return problems


def _warnings(kind: str, values: Values, context: Context) -> list[Problem]:
    problems = []
    if kind == ReportKind.SOCIAL and context.previous:
        now, before = values.get("pupils_total"), context.previous.get("pupils_total")
        if now is not None and before:
            change = Decimal(abs(now - before)) / before
            if change > PUPILS_CHANGE_WARNING:
                problems.append(
                    Problem(
                        "pupils_total",
                        f"Число обучающихся изменилось на {fmt_pct(abs(now - before), before)} "
                        f"по сравнению с прошлым годом (было {before}). Проверьте, нет ли опечатки.",
                        warning=True,
                    )
                )
    if kind == ReportKind.STAFFING and context.pupils_total:
        teachers = values.get("teachers_total")
        if (
            teachers is not None
            and teachers * 100 > TEACHERS_PER_100_PUPILS_WARNING * context.pupils_total
        ):
            per_100 = Decimal(teachers) * 100 / context.pupils_total
            problems.append(
                Problem(
                    "teachers_total",
                    f"Учителей на 100 обучающихся — {fmt_num(per_100)} ({teachers} на "
                    f"{context.pupils_total}), больше 20. Проверьте число учителей.",
                    warning=True,
                )
            )
    return problems


MISSING = "Заполните поле: для сдачи нужны все показатели (0, если таких нет)."


def check_complete(kind: str, values: Values) -> list[Problem]:
    """Return a Problem for every figure left empty that submission requires."""
    optional = OPTIONAL_ON_SUBMIT.get(kind, set())
    names = COUNT_FIELDS[kind] + PERCENT_FIELDS.get(kind, [])
    return [
        Problem(name, MISSING)
        for name in names
        if name not in optional and values.get(name) is None
    ]


def missing_summary(kind: str, names: Iterable[str]) -> str:
    """Name the empty figures submission needs: «Для сдачи заполните: «…», «…».»"""
    model = DATA_MODELS[kind]
    labels = ", ".join(f"«{label(model, name)}»" for name in names)
    return f"Для сдачи заполните: {labels} (0, если таких нет)."


# Assessment results ----------------------------------------------------------------

NO_RESULTS = "Внесите хотя бы одну строку результатов оценочных процедур."
MARKS = ("mark2", "mark3", "mark4", "mark5")
RESULT_COUNTS = ("participants", *MARKS, "failed_minimum")


def result_key(row: Values) -> tuple:
    subject = row.get("subject")
    return (
        row.get("procedure"),
        getattr(subject, "pk", subject),
        row.get("grade"),
        row.get("level") or "",
    )


def uses_marks(row: Values) -> bool:
    return (
        row.get("procedure") != Procedure.EGE or (row.get("level") or "") == Level.BASE
    )


def subject_name(row: Values) -> str:
    subject = row.get("subject")
    return str(getattr(subject, "name", subject) or "").lower()


def check_result(row: Values, *, index: int | None = None) -> list[Problem]:
    """Check one row of ВПР / ОГЭ / ЕГЭ results."""
    at = {"row": index, "section": "results"}
    problems = _negative(row, RESULT_COUNTS, **at)
    procedure, grade, level = (
        row.get("procedure"),
        row.get("grade"),
        row.get("level") or "",
    )
    if procedure not in GRADES:
        return [
            *problems,
            Problem("procedure", "Укажите процедуру: ВПР, ОГЭ или ЕГЭ.", **at),
        ]
    if row.get("subject") in (None, ""):
        problems.append(Problem("subject", "Укажите предмет.", **at))
    if grade is None or grade not in GRADES[procedure]:
        allowed = GRADES[procedure]
        span = f"{allowed[0]}–{allowed[-1]}" if len(allowed) > 1 else str(allowed[0])
        problems.append(
            Problem("grade", f"Для {procedure} класс — {span}, указано {grade}.", **at)
        )
    is_ege_math = procedure == Procedure.EGE and subject_name(row) == MATHEMATICS
    if is_ege_math and level not in (Level.BASE, Level.PROFILE):
        problems.append(
            Problem(
                "level",
                "Для ЕГЭ по математике укажите уровень: базовый или профильный.",
                **at,
            )
        )
    if not is_ege_math and level:
        problems.append(
            Problem("level", "Уровень указывается только для ЕГЭ по математике.", **at)
        )
    if problems:
        return problems

    participants = row.get("participants")
    marks = [row.get(m) for m in MARKS]
    failed, mean = row.get("failed_minimum"), row.get("mean_score")
    if uses_marks(row):
        if failed is not None:
            problems.append(
                Problem(
                    "failed_minimum",
                    "Для ВПР, ОГЭ и ЕГЭ базового уровня укажите отметки «2»–«5», а не «не преодолели порог».",
                    **at,
                )
            )
        for name, value in zip(MARKS, marks, strict=True):
            if value is not None and participants is not None and value > participants:
                problems.append(
                    Problem(
                        name, f"{value} больше числа участников ({participants}).", **at
                    )
                )
        if (
            participants is not None
            and not problems
            and all(m is not None for m in marks)
        ):
            total = sum(marks)
            computed = marks_mean(marks)
            exact = exact_mean(marks)
            if total != participants:
                problems.append(
                    Problem(
                        "participants",
                        f"Сумма отметок «2»–«5» ({total}) не равна числу участников ({participants}).",
                        **at,
                    )
                )
            elif (
                mean is not None
                and computed is not None
                and exact is not None
                and _disagrees(Decimal(mean), exact)
            ):
                problems.append(
                    Problem(
                        "mean_score",
                        f"Средний балл {fmt_num(Decimal(mean), 2)} не сходится с отметками «2»–«5»: "
                        f"по ним {fmt_num(computed, 2)}.",
                        **at,
                    )
                )
        elif (
            participants is not None
            and any(m is not None for m in marks[1:])
            and not problems
        ):
            # Only «2» may stand alone (official tables often give just the fail count).
            problems.append(
                Problem(
                    "mark2", "Заполните все отметки «2»–«5» (0, если таких нет).", **at
                )
            )
        scale = (Decimal(2), Decimal(5))
    else:
        if any(m is not None for m in marks):
            problems.append(
                Problem(
                    "mark2",
                    "Для ЕГЭ (кроме базовой математики) отметки не ставятся — укажите «не преодолели минимальный порог».",
                    **at,
                )
            )
        if failed is not None and participants is not None and failed > participants:
            problems.append(
                Problem(
                    "failed_minimum",
                    f"{failed} больше числа участников ({participants}).",
                    **at,
                )
            )
        scale = (Decimal(0), Decimal(100))
    if mean is not None:
        if participants == 0:
            problems.append(
                Problem(
                    "mean_score",
                    "Средний балл при 0 участников невозможен: оставьте поле пустым.",
                    **at,
                )
            )
        elif not scale[0] <= mean <= scale[1]:
            problems.append(
                Problem(
                    "mean_score",
                    f"Средний балл должен быть от {scale[0]} до {scale[1]}, указано {fmt_num(mean, 2)}.",
                    **at,
                )
            )
    if problems or not participants:
        return problems
    fails = marks[0] if uses_marks(row) else failed
    if fails is not None and fails > FAIL_SHARE_WARNING * participants:
        problems.append(
            Problem(
                "mark2" if uses_marks(row) else "failed_minimum",
                f"Доля не справившихся — {fmt_pct(fails, participants)} ({fails} из {participants}), больше 50 %. Проверьте данные.",
                warning=True,
                **at,
            )
        )
    return problems


def check_comparison(
    row: Values, participants: int | None, *, index: int | None = None
) -> list[Problem]:
    """Check one ВПР-vs-journal row against the ВПР participants of the same subject and grade."""
    at = {"row": index, "section": "comparisons"}
    names = ("lowered", "confirmed", "raised")
    problems = _negative(row, names, **at)
    if problems:
        return problems
    if participants is None:
        return [
            Problem(
                "subject",
                "Нет строки ВПР с этим предметом и классом в результатах — сначала внесите результаты ВПР.",
                **at,
            )
        ]
    numbers = [row.get(n) for n in names]
    if all(n is not None for n in numbers) and sum(numbers) > participants:
        return [
            Problem(
                "lowered",
                f"Понизили + подтвердили + повысили = {sum(numbers)}, это больше числа участников ВПР ({participants}).",
                **at,
            )
        ]
    return []


def check_results(
    rows: Sequence[Values], comparisons: Sequence[Values] = ()
) -> list[Problem]:
    """Check all result rows and comparisons of a report, including duplicates."""
    problems: list[Problem] = []
    seen: dict[tuple, int] = {}
    participants: dict[tuple, int | None] = {}
    for index, row in enumerate(rows):
        problems += check_result(row, index=index)
        key = result_key(row)
        if key in seen:
            problems.append(
                Problem(
                    "subject",
                    f"Такая строка уже есть (строка {seen[key] + 1}): одна строка на процедуру, предмет, класс и уровень.",
                    row=index,
                    section="results",
                )
            )
        seen.setdefault(key, index)
        if row.get("procedure") == Procedure.VPR:
            participants[(key[1], key[2])] = row.get("participants")
    compared: dict[tuple, int] = {}
    for index, row in enumerate(comparisons):
        subject = row.get("subject")
        key = (getattr(subject, "pk", subject), row.get("grade"))
        if key in compared:
            problems.append(
                Problem(
                    "subject",
                    f"Такая строка уже есть (строка {compared[key] + 1}).",
                    row=index,
                    section="comparisons",
                )
            )
        compared.setdefault(key, index)
        problems += check_comparison(row, participants.get(key), index=index)
    return problems


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if not p.warning]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.warning]
