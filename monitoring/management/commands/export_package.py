from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monitoring.package_export import package_workbook
from schools.models import AcademicYear, School
from schools.xlsx import workbook_bytes


class Command(BaseCommand):
    help = "Выгрузить пакет данных за учебный год (все листы) в файл .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("file", help="куда записать .xlsx")
        parser.add_argument(
            "--year", required=True, help="учебный год, например 2021/2022"
        )
        parser.add_argument(
            "--municipality", help="название муниципалитета (по умолчанию — все)"
        )

    def handle(self, *args, file, year, municipality, **options):
        try:
            start = AcademicYear.parse_name(year)
        except Exception as error:
            raise CommandError(
                " ".join(getattr(error, "messages", [str(error)]))
            ) from None
        academic_year = AcademicYear.objects.filter(start_year=start).first()
        if academic_year is None:
            raise CommandError(f"Учебного года {year} нет в портале.")
        schools = School.objects.all()
        if municipality:
            schools = schools.filter(municipality__name__iexact=municipality)
            if not schools.exists():
                raise CommandError(
                    f"Муниципалитет «{municipality}» не найден или в нём нет школ."
                )
        book = package_workbook(schools=schools, years=[academic_year], with_data=True)
        Path(file).write_bytes(workbook_bytes(book))
        self.stdout.write(
            f"Пакет данных за {year} записан в {file} (школ: {schools.count()})."
        )
