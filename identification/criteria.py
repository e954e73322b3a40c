"""
The criteria of identification, once: code, names, and the label built from a
methodology's parameters (a methodology with a 25 % threshold never reads
«правило 30 %»). The engine, the editor, the pages and the exports read them here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .columns import STATUS_BOTH, STATUS_SHNOR, STATUS_SHNSU
from .engine.params import ALL_CRITERIA, Params
from .engine.text import count_ru, num

# The statuses that put a school on the list of ШНОР/ШНСУ.
LISTED = (STATUS_SHNOR, STATUS_SHNSU, STATUS_BOTH)


def _pct(share: float) -> str:
    return f"{num(100 * share, 1)} %"


def _years(n: int) -> str:
    return count_ru(n, "год,года,лет")


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str  # what it looks at, for «решающие критерии»
    short: str  # a table column's heading
    rule: Callable[[Params], str]  # the rule with the methodology's numbers

    def label(self, params: Params | Mapping[str, Any] | None = None) -> str:
        """«R1 — правило 30 % (…)» with the numbers of the parameters (the defaults without)."""
        return f"{self.code} — {self.rule(Params.of(params or {}))}"


def _r1(p: Params) -> str:
    return (
        f"правило {num(p.r1.pct, 1)} % ({count_ru(p.r1.k1, 'процедура,процедуры,процедур')} "
        "за год или по одной в каждом из двух лет)"
    )


def _l1(p: Params) -> str:
    what = "ЕГЭ, ОГЭ и ВПР" if p.l1.include_vpr else "ЕГЭ, ОГЭ"
    return f"{_pct(p.l1.share)} школ с самыми низкими результатами {what} за {_years(p.l1.years)}"


REGISTRY: dict[str, Criterion] = {
    c.code: c
    for c in (
        Criterion("R1", "правило 30 %", "30 %", _r1),
        Criterion("L1", "25 % школ с самыми низкими результатами", "результаты", _l1),
        Criterion(
            "L2",
            "продолжение обучения в 10 классе",
            "10 класс",
            lambda p: (
                f"продолжили обучение в 10 классе меньше {num(p.l2.threshold, 1)} %"
            ),
        ),
        Criterion(
            "L3",
            "отставание от средних по региону",
            "от региона",
            lambda p: (
                f"отставание от среднего по региону больше {num(p.l3.gap, 1)} "
                "баллов ЕГЭ или п. п. выполнения ОГЭ и ВПР"
            ),
        ),
        Criterion(
            "L4",
            "участие в олимпиадах",
            "олимпиады",
            lambda p: (
                f"участников олимпиад и конкурсов {num(p.l4.threshold, 1)} % "
                f"и меньше за {_years(p.l4.years)}"
            ),
        ),
        Criterion(
            "L5",
            "удовлетворённость (НОКО)",
            "НОКО",
            lambda p: (
                f"удовлетворённость качеством (НОКО) {num(p.l5.threshold, 1)} % и ниже"
            ),
        ),
        Criterion(
            "L6",
            "качество обученности",
            "качество",
            lambda p: (
                "качество обученности ниже среднего по муниципалитету на "
                f"{num(p.l6.gap, 1)} п. п."
            ),
        ),
        Criterion(
            "L7",
            "успеваемость",
            "успеваемость",
            lambda p: (
                "успеваемость ниже среднего по муниципалитету на "
                f"{num(p.l7.gap, 1)} п. п."
            ),
        ),
        Criterion(
            "N1",
            "индекс социального благополучия (ШНСУ)",
            "соц. благополучие",
            lambda p: (
                f"{_pct(p.n1.share)} с самым низким индексом социального благополучия"
            ),
        ),
        Criterion(
            "N2",
            "кадровый потенциал",
            "кадры",
            lambda p: (
                f"{_pct(p.n2.share)} с самым низким индексом кадрового потенциала"
            ),
        ),
        Criterion(
            "N3",
            "образовательные ресурсы",
            "ресурсы",
            lambda p: f"{_pct(p.n3.share)} с самой низкой долей новых учебников",
        ),
        Criterion(
            "R8",
            "резильентность",
            "резильентность",
            lambda p: "резильентность и результаты с учётом контекста (справочно)",
        ),
        Criterion(
            "R9",
            "объективность",
            "объективность",
            lambda p: "объективность: отметки ВПР и журнала (справочно)",
        ),
    )
}
# The order of the tables, the profile and the exports.
CODES: list[str] = list(REGISTRY)
assert set(CODES) == set(ALL_CRITERIA)


# Shown beside the others, never deciding a status by themselves (§0.7).
INFORMATIONAL = ("R8", "R9")


def deciding(params: Params) -> set[str]:
    """The criteria whose flags make a status under the methodology (R10)."""
    rule = params.status
    return {*rule.shnor_any, *rule.shnor_count, *rule.shnsu_any}


def role(code: str, params: Params) -> str:
    """What a criterion's flag does under the methodology, in the pages' words."""
    rule = params.status
    if code in rule.shnor_any:
        return "ШНОР"
    if code in rule.shnor_count:
        return f"ШНОР, если отмечено не меньше {rule.shnor_min_flags} из " + ", ".join(
            rule.shnor_count
        )
    if code in rule.shnsu_any:
        return "ШНСУ"
    if code in INFORMATIONAL:
        return "справочно"
    return "риск, на статус не влияет"


def labels(params: Params | Mapping[str, Any] | None = None) -> dict[str, str]:
    """Every criterion's label with the parameters' numbers."""
    typed = Params.of(params or {})
    return {code: criterion.label(typed) for code, criterion in REGISTRY.items()}


def used(params: Params, codes: Iterable[str] = CODES) -> list[str]:
    """The criteria a methodology runs, in the table order."""
    return [code for code in codes if code in params.criteria]


def order(code: str) -> int:
    """A criterion's place in the table order (unknown codes last)."""
    return CODES.index(code) if code in REGISTRY else len(CODES)
