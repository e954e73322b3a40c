"""
Time `generate_demo --schools N` (set-based registry generation).

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \
       .venv/bin/python bench/generate_demo_bench.py --schools 40000
Prints one JSON line last: {"bench": "generate_demo", "schools": N, "seconds": …}.
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=40_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command(
        "generate_demo", schools=args.schools, years=args.years, seed=args.seed
    )
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "bench": "generate_demo",
                "schools": args.schools,
                "seconds": round(seconds, 2),
                "database": connection.vendor,
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
