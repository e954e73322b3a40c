"""Plausible figures of «Кадры» and «Социальный паспорт» for the load test's saves."""

from __future__ import annotations

import random


def _part(rng: random.Random, whole: int, low: float, high: float) -> int:
    return round(whole * rng.uniform(low, high))


def staffing_figures(rng: random.Random) -> dict[str, int]:
    """Return figures of «Кадры» that pass monitoring.validation's rules."""
    t = rng.randint(12, 80)
    under_30 = _part(rng, t, 0.03, 0.2)
    highest = _part(rng, t, 0.15, 0.4)
    return {
        "teachers_total": t,
        "under_30": under_30,
        "pension_age": min(t - under_30, _part(rng, t, 0.05, 0.3)),
        "experience_under_3": _part(rng, t, 0.0, 0.15),
        "highest_category": highest,
        "first_category": min(t - highest, _part(rng, t, 0.2, 0.45)),
        "category_confirmed_3y": _part(rng, t, 0.2, 0.6),
        "training_3y": _part(rng, t, 0.6, 1.0),
        "deficit_diagnostics": _part(rng, t, 0.1, 0.6),
        "subject_assessment": _part(rng, t, 0.0, 0.4),
        "contest_participants_3y": _part(rng, t, 0.0, 0.1),
        "overloaded": _part(rng, t, 0.05, 0.3),
        "not_by_profile": _part(rng, t, 0.0, 0.15),
        "vacancies": rng.randint(0, 3),
        "psychologists": rng.randint(0, 2),
        "social_pedagogues": rng.randint(0, 1),
        "speech_therapists": rng.randint(0, 1),
        "defectologists": rng.randint(0, 1),
    }


def social_figures(rng: random.Random) -> dict[str, int]:
    """Return figures of «Социальный паспорт» (each a part of the pupils)."""
    p = rng.randint(150, 1200)
    shares = {
        "incomplete_families": (0.15, 0.35),
        "large_families": (0.08, 0.2),
        "low_income": (0.08, 0.3),
        "both_parents_unemployed": (0.01, 0.08),
        "both_parents_higher_ed": (0.1, 0.4),
        "poor_housing": (0.02, 0.4),
        "sop_families": (0.0, 0.04),
        "school_register": (0.0, 0.05),
        "pdn_kdn_register": (0.0, 0.03),
        "ovz": (0.02, 0.06),
        "disabled_children": (0.0, 0.02),
        "under_guardianship": (0.01, 0.04),
        "weak_russian": (0.0, 0.03),
        "low_motivation": (0.05, 0.2),
    }
    return {"pupils_total": p} | {
        name: _part(rng, p, low, high) for name, (low, high) in shares.items()
    }
