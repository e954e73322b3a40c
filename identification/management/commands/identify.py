import json as json_module

from django.core.management.base import BaseCommand, CommandError

from identification import services
from identification.models import Methodology
from schools.models import AcademicYear, Municipality


class Command(BaseCommand):
    help = "Выявить ШНОР/ШНСУ на учебный год (результаты предыдущих лет); с --json — один JSON-документ."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", required=True, help="учебный год выявления, например 2021/2022"
        )
        parser.add_argument(
            "--municipality", help="название муниципалитета (по умолчанию — все)"
        )
        parser.add_argument(
            "--preset",
            default="combined",
            choices=["combined", "kaltan", "lesosibirsk"],
        )
        parser.add_argument(
            "--only-accepted", action="store_true", help="только принятые МИМЦ отчёты"
        )
        parser.add_argument(
            "--json", action="store_true", help="вывести результат в JSON"
        )

    def handle(
        self, *args, year, municipality, preset, only_accepted, json: bool, **options
    ):
        try:
            start = AcademicYear.parse_name(year)
        except Exception as error:
            raise CommandError(
                " ".join(getattr(error, "messages", [str(error)]))
            ) from None
        target = AcademicYear.objects.filter(start_year=start).first()
        if target is None:
            start_date, end_date = AcademicYear.default_dates(start)
            target = AcademicYear.objects.create(
                start_year=start, start_date=start_date, end_date=end_date
            )
        municipalities = Municipality.objects.all()
        if municipality:
            municipalities = municipalities.filter(name__iexact=municipality)
            if not municipalities.exists():
                raise CommandError(f"Муниципалитет «{municipality}» не найден.")
        services.ensure_presets()
        version = Methodology.objects.get(code=preset).current
        run = services.run_create(
            target_year=target,
            municipalities=municipalities,
            version=version,
            only_accepted=only_accepted,
            by=None,
            enqueue=False,
        )
        services.run_execute(run=run)
        run.refresh_from_db()
        document = services.run_document(run, preset=preset)
        if json:
            self.stdout.write(json_module.dumps(document, ensure_ascii=False))
            return
        counts = ", ".join(
            f"{k}: {v}" for k, v in sorted(run.summary.get("statuses", {}).items())
        )
        self.stdout.write(
            f"Выявление № {run.pk} на {target}: школ {run.summary.get('schools', 0)} ({counts})."
        )
        for message in run.messages:
            self.stdout.write(message)
