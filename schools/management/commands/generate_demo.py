import time

from django.core.management.base import BaseCommand, CommandError

from schools.demo import generate_region

MAX_SCHOOLS = 40_000


class Command(BaseCommand):
    help = (
        "Создать синтетический регион из N школ для нагрузочных проверок "
        "(предыдущий синтетический регион заменяется)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schools", type=int, default=1500, help="число школ (до 40 000)"
        )
        parser.add_argument(
            "--years",
            type=int,
            default=3,
            help="число учебных лет с данными (0 — только реестр)",
        )
        parser.add_argument("--seed", type=int, default=1, help="зерно генератора")

    def handle(
        self, *args: object, schools: int, years: int, seed: int, **options: object
    ) -> None:
        if not 1 <= schools <= MAX_SCHOOLS:
            raise CommandError(
                f"Число школ должно быть от 1 до {MAX_SCHOOLS:,}.".replace(",", " ")
            )
        if not 0 <= years <= 10:
            raise CommandError("Число учебных лет должно быть от 0 до 10.")
        started = time.perf_counter()
        result = generate_region(schools=schools, years=years, seed=seed)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Создано муниципалитетов: {result['municipalities']}, школ: "
                f"{result['schools']}, отчётов: {result['reports']} за {elapsed:.1f} с".replace(
                    ".", ","
                )
            )
        )
