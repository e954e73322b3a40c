"""
Partner suggestions at region scale.

Usage:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench1500 .venv/bin/python bench/suggest_bench.py --schools 1500
(--skip-generate reuses the synthetic region and its latest run.)

With a region of N schools (generate_demo, 3 years, coordinates) and one
identification run over all of it, the whole region is solved at once, partners
allowed across municipalities: the lowest quarter of the composite result index
needs a partner (≈ 375 of 1,500), the highest quarter and resilient schools are
candidates, each takes at most 2 schools; then again with every ШНОР/ШНСУ of
the run added to those needing a partner. Measures (a) the solver alone on
in-memory schools and (b) the whole suggestion: reading the schools and their
indices through the selectors the page uses, then solving. Best of 5 runs each.
Prints one JSON line last.
"""

import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.region import region_from_command_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

REPEATS = 5
CAPACITY = 2


def main() -> None:
    region, _, run = region_from_command_line()
    from django.db import connection

    from identification.criteria import LISTED
    from identification.models import CriterionResult, SchoolResult
    from partnerships import gradation, selectors, suggest
    from schools.models import School

    def sides(with_listed: bool = False):
        index = dict(
            CriterionResult.objects.filter(run=run, criterion="L1").values_list(
                "school_id", "value"
            )
        )
        bands = gradation.grade(index, method=gradation.SHARE, low=25, high=25)
        listed = set(
            SchoolResult.objects.filter(run=run, status__in=LISTED).values_list(
                "school_id", flat=True
            )
        )
        resilient = set(
            CriterionResult.objects.filter(
                run=run, criterion="R8", state="flagged"
            ).values_list("school_id", flat=True)
        )
        needy_ids = {s for s, b in bands.items() if b == gradation.LOW} | (
            listed if with_listed else set()
        )
        partner_ids = (
            {s for s, b in bands.items() if b == gradation.HIGH} | resilient
        ) - needy_ids
        schools = {
            s.pk: s
            for s in School.objects.filter(
                municipality__region=region, pk__in=needy_ids | partner_ids
            )
        }
        infos = selectors.school_infos(run, list(schools.values()))
        return [infos[i] for i in sorted(needy_ids)], [
            infos[i] for i in sorted(partner_ids)
        ]

    def measure(with_listed: bool) -> dict:
        needy, partners = sides(with_listed)
        capacity = {p.id: CAPACITY for p in partners}
        solver, total = [], []
        for _ in range(REPEATS):
            started = time.perf_counter()
            pairs = suggest.solve(
                needy, partners, capacity=capacity, allow_outside=True
            )
            solver.append(time.perf_counter() - started)
            started = time.perf_counter()
            again_needy, again_partners = sides(with_listed)
            suggest.solve(
                again_needy, again_partners, capacity=capacity, allow_outside=True
            )
            total.append(time.perf_counter() - started)
        paired = [p for p in pairs if p.partner is not None]
        out = {
            "needing": len(needy),
            "candidates": len(partners),
            "paired": len(paired),
            "same_municipality": sum(
                p.school.municipality_id == p.partner.municipality_id for p in paired
            ),
            "mean_cost": round(sum(p.cost for p in paired) / max(len(paired), 1), 3),
            "solver_s": round(min(solver), 3),
            "whole_s": round(min(total), 3),
        }
        print(
            f"{len(needy)} schools needing a partner, {len(partners)} candidates: solver {out['solver_s']} s, "
            f"with reading {out['whole_s']} s",
            file=sys.stderr,
        )
        return out

    result = {
        "bench": "suggest",
        "database": connection.vendor,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "schools": SchoolResult.objects.filter(run=run).count(),
        "capacity": CAPACITY,
        "target_s": 2.0,
        "low_band": measure(False),
        "low_band_and_listed": measure(True),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
