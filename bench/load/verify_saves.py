"""
Check that every save the portal acknowledged during a load run is in the database.

Usage:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_load \
      .venv/bin/python bench/load/verify_saves.py bench/load/out/run

Reads the `saves-*.jsonl` the locustfile wrote into the run folder (each
attempt before it was sent, then its answer). A save
is kept when the report's data history (simple-history, one record per
saved change) holds a record with exactly its figures. Also checked, per
report: its current figures are those of its last acknowledged save or of a
later attempt whose answer was lost (a save may commit and its response
still fail), and its version counts at least as many saves as were
acknowledged. Prints one JSON line; exits 1 when a save is lost.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")


def read_saves(folder: Path) -> list[dict[str, Any]]:
    """Return every save attempt with its answer (none when it was cut off)."""
    attempts: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("saves-*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                entry = json.loads(line)
                if "sent" in entry:
                    sent = entry["sent"]
                    attempts[sent["id"]] = sent | {
                        "status": None,
                        "acknowledged": False,
                    }
                else:
                    attempts[entry["answered"]].update(
                        status=entry["status"], acknowledged=entry["acknowledged"]
                    )
    return sorted(attempts.values(), key=lambda s: s["at"])


def verify(saves: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the counts of acknowledged, found and lost saves, with examples."""
    from monitoring.models import DATA_MODELS, Report

    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for save in saves:
        by_kind[save["kind"]].append(save)
    acknowledged = [s for s in saves if s["acknowledged"]]
    lost: list[dict[str, Any]] = []
    stale: list[dict[str, Any]] = []
    short_versions: list[int] = []
    for kind, attempts in by_kind.items():
        model = DATA_MODELS[kind]
        names = sorted(attempts[0]["values"])
        ids = {s["report_id"] for s in attempts}
        history = {
            (row[0], tuple(row[1:]))
            for row in model.history.filter(report_id__in=ids).values_list(
                "report_id", *names
            )
        }
        current = {
            row[0]: tuple(row[1:])
            for row in model.objects.filter(report_id__in=ids).values_list(
                "report_id", *names
            )
        }
        versions = dict(Report.objects.filter(pk__in=ids).values_list("pk", "version"))

        def figures(save: dict[str, Any], names: list[str] = names) -> tuple:
            return tuple(save["values"][n] for n in names)

        per_report: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for save in attempts:
            per_report[save["report_id"]].append(save)
            if save["acknowledged"] and (
                (save["report_id"], figures(save)) not in history
            ):
                lost.append(save)
        for report_id, tries in per_report.items():
            acked = [i for i, s in enumerate(tries) if s["acknowledged"]]
            if not acked:
                continue
            # The last acknowledged save, or any later attempt, may be current.
            allowed = {figures(s) for s in tries[acked[-1] :]}
            if current.get(report_id) not in allowed:
                stale.append(
                    {"report_id": report_id, "current": current.get(report_id)}
                )
            if versions.get(report_id, 0) < len(acked):
                short_versions.append(report_id)
    return {
        "attempted": len(saves),
        "acknowledged": len(acknowledged),
        "not_acknowledged": len(saves) - len(acknowledged),
        "unanswered": sum(s["status"] is None for s in saves),
        "lost": len(lost),
        "reports": len({s["report_id"] for s in saves}),
        "current_not_last_save": len(stale),
        "version_below_acknowledged": len(short_versions),
        "lost_examples": lost[:5],
        "stale_examples": stale[:5],
    }


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    folder = Path(sys.argv[1])
    import django

    django.setup()
    result = verify(read_saves(folder))
    (folder / "verify.json").write_text(json.dumps(result, ensure_ascii=False))
    print(json.dumps(result, ensure_ascii=False))
    if (
        result["lost"]
        or result["current_not_last_save"]
        or result["version_below_acknowledged"]
    ):
        sys.exit(1)


if __name__ == "__main__":
    main()
