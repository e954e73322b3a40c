from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from schools.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Восстановить резервную копию (папку, сделанную командой backup) в базу "
        "DATABASE_URL: только в пустую базу, если не указан --force; контрольные "
        "суммы проверяются до восстановления, после него выполняется migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "folder", help="папка копии, например backups/2025-11-29_020000"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="заменить содержимое непустой базы (и дописать файлы в MEDIA_ROOT)",
        )

    def handle(
        self, *args: object, folder: str, force: bool, verbosity: int, **options: object
    ) -> None:
        try:
            manifest = backup_restore(
                folder=Path(folder), force=force, verbosity=verbosity
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(manifest["files_note"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Копия от {manifest['created_at']} (база «{manifest['database']['name']}») "
                "восстановлена."
            )
        )
