"""
Gradation of schools by result level (seed 004: «Градация ОУ по уровням
результативности»): high, middle and low bands of the composite result index.

Pure: values in, bands out. Two ways to cut, set per municipality:
- by share: the lowest `low` % of schools are «низкий», the highest `high` % «высокий»
  (ties at a cut go to the same band, as the 25 % rule does);
- by value: an index below `low` is «низкий», at or above `high` «высокий».
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

HIGH, MIDDLE, LOW, NO_DATA = "high", "middle", "low", "no_data"
BAND_LABELS = {
    HIGH: "высокий уровень",
    MIDDLE: "средний уровень",
    LOW: "низкий уровень",
    NO_DATA: "нет данных",
}
SHARE, VALUE = "share", "value"


def grade(
    values: Mapping[Any, float | None], *, method: str, low: float, high: float
) -> dict[Any, str]:
    """Return each school's band; schools without an index value get NO_DATA."""
    known = {k: v for k, v in values.items() if v is not None and not math.isnan(v)}
    bands = dict.fromkeys(values, NO_DATA)
    if not known:
        return bands
    if method == VALUE:
        for school, v in known.items():
            bands[school] = LOW if v < low else HIGH if v >= high else MIDDLE
        return bands
    ordered = sorted(round(v, 6) for v in known.values())
    n = len(ordered)
    k_low = math.ceil(round(low / 100 * n, 9)) if low > 0 else 0
    k_high = math.ceil(round(high / 100 * n, 9)) if high > 0 else 0
    low_cut = ordered[k_low - 1] if k_low else -math.inf
    high_cut = ordered[n - k_high] if k_high else math.inf
    for school, v in known.items():
        v = round(v, 6)
        bands[school] = LOW if v <= low_cut else HIGH if v >= high_cut else MIDDLE
    return bands
