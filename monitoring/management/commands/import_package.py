from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monitoring.importers.plan import apply_plan
from monitoring.importing import plan_file
from monitoring.models import ImportJob


class Command(BaseCommand):
    help = "Загрузить пакет данных (.xlsx). При любой ошибке ничего не записывается (код выхода 1)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="файл пакета данных .xlsx")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="только проверить и показать, что изменится",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="заменять существующие отличающиеся данные",
        )

    def handle(self, *args, file, dry_run, replace, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Файл не найден: {path}")
        plan = plan_file(
            ImportJob.Kind.PACKAGE,
            path.read_bytes(),
            params={"replace": replace},
            by=None,
        )
        for issue in plan.issues.warnings:
            self.stderr.write(f"Предупреждение. {issue.text()}")
        if plan.issues.errors:
            for issue in plan.issues.errors:
                self.stderr.write(f"Ошибка. {issue.text()}")
            self.stderr.write(
                f"Найдено ошибок: {len(plan.issues.errors)}. Ничего не загружено."
            )
            raise SystemExit(1)
        if not dry_run:
            apply_plan(plan, source_label=f"Командная строка: {path.name}")
        title = "Проверка (ничего не записано)" if dry_run else "Загружено"
        self.stdout.write(f"{title}:")
        for what, counts in plan.summary()["counts"].items():
            self.stdout.write(
                f"  {what}: создано {counts['created']}, обновлено {counts['updated']}, без изменений {counts['unchanged']}"
            )
