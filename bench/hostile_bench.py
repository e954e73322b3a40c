"""
Hostile workbooks: how fast each is refused and how much memory reading it takes.

Usage: .venv/bin/python bench/hostile_bench.py

Each bomb of tests/monitoring/imports/hostile.py is read once by
`read_workbook` in a fresh process (so that one file's peak memory does not
hide another's); the time to the refusal and the growth of the process's peak
memory are printed, then one JSON line. A legitimate 200,000-row sheet is
measured beside them for the cost of the bound check on a real file.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROBE = """
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
import django
django.setup()
from monitoring.importers import bounds
from monitoring.importers.reader import FileRejected, read_workbook
content = open(sys.argv[1], "rb").read()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    read_workbook(content)
    outcome = "read"
except FileRejected as error:
    outcome = str(error)[:90]
elapsed = time.perf_counter() - started
growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
print(json.dumps({"seconds": round(elapsed, 3), "growth_mb": round(growth, 1),
                  "outcome": outcome, "size_kb": round(len(content) / 1024, 1)}))
"""


def legit_sheet(path: Path, rows: int = 200_000) -> None:
    import random

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Результаты")
    rng = random.Random(1)
    for _ in range(rows):
        sheet.append([rng.randint(0, 99) for _ in range(14)])
    book.save(path)


def main() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from tests.monitoring.imports import hostile

    results = {}
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for name, make in hostile.BOMBS.items():
            path = Path(folder) / f"{len(files)}.xlsx"
            path.write_bytes(make())
            files[name] = path
        legit = Path(folder) / "legit.xlsx"
        legit_sheet(legit)
        files["настоящий лист: 200 000 строк × 14 столбцов"] = legit
        for name, path in files.items():
            done = subprocess.run(
                [sys.executable, "-c", PROBE, str(path)],
                capture_output=True,
                text=True,
                cwd=ROOT,
                check=True,
            )
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            results[name] = figures
            print(
                f"{name:48} {figures['size_kb']:>9} KB  {figures['seconds']:>6} s  "
                f"+{figures['growth_mb']:>6} MB  {figures['outcome'][:60]}"
            )
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
