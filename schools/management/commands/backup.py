import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from schools.backups import MANIFEST, BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Сделать резервную копию: дамп базы PostgreSQL (pg_dump, формат custom), "
        "при FILE_STORAGE=local — архив MEDIA_ROOT, и manifest.json с размерами "
        "и SHA-256 — в новую папку с датой и временем."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            dest="directory",
            default="backups",
            help="папка, в которой создаётся папка копии (по умолчанию backups)",
        )

    def handle(self, *args: object, directory: str, **options: object) -> None:
        try:
            folder = backup_create(directory=Path(directory), now=timezone.now())
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        self.stdout.write(self.style.SUCCESS(f"Резервная копия готова: {folder}"))
        for name, file in manifest["files"].items():
            size = f"{file['size']:,}".replace(",", " ")
            self.stdout.write(f"  {name}: {size} байт, SHA-256 {file['sha256']}")
        self.stdout.write(manifest["files_note"])
