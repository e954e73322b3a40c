"""
`migrate` that every node may run at start: on PostgreSQL the nodes take turns
under an advisory lock, so two web nodes starting together never apply the
same migration twice (the second finds nothing left to do).
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

LOCK = 7_321_004  # any constant shared by every node of the portal


class Command(BaseCommand):
    help = "Применить миграции; узлы, запущенные одновременно, ждут друг друга."

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
            try:
                call_command(
                    "migrate", interactive=False, verbosity=options["verbosity"]
                )
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
