"""
Backups of the portal and their restore (`make backup`, `make restore`).

A backup is a folder: the PostgreSQL database as a `pg_dump --format=custom`
archive, the MEDIA_ROOT folder as a tar.gz when uploaded files live there
(FILE_STORAGE=local), and manifest.json with the date, the database, the
storage kind and every file's size and SHA-256. With FILE_STORAGE=database the
files are rows of schools.StoredFile and are in the dump; with FILE_STORAGE=s3
the object store keeps its own copies (versioning, replication), so a backup
holds only the database and says so.

The database is reached with the settings' connection parameters (DATABASE_URL
read by django-environ), turned into libpq options the way `manage.py
dbshell` does. A restore goes only into an empty database, unless forced, and
runs in one transaction: a failure leaves the database as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.backends.postgresql.client import DatabaseClient
from django.utils import timezone

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media.tar.gz"
FORMAT = 1

FILES_NOTES = {
    "database": "Файлы (FILE_STORAGE=database) хранятся в базе данных и входят в дамп.",
    "local": f"Файлы (FILE_STORAGE=local) — архив папки MEDIA_ROOT, {MEDIA}.",
    "s3": (
        "Файлы (FILE_STORAGE=s3) хранятся в объектном хранилище и в копию не "
        "входят: их сохраняет само хранилище (версионирование или репликация "
        "корзины). В копии только база данных."
    ),
}


class BackupError(Exception):
    """A backup or a restore that failed or was refused; the message is for the operator."""


def backup_create(*, directory: Path, now: datetime) -> Path:
    """
    Write a backup of the database (and of MEDIA_ROOT with local storage) into
    a new folder of `directory` named after `now`; return the folder.

    The folder appears only when complete: it is written under a hidden name
    and renamed at the end.
    """
    database = _database_settings()
    storage = settings.FILE_STORAGE
    name = timezone.localtime(now).strftime("%Y-%m-%d_%H%M%S")
    folder = directory / name
    if folder.exists():
        raise BackupError(f"Папка {folder} уже есть: копия за эту секунду уже сделана.")
    partial = directory / f".{name}.partial"
    directory.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        _run(
            _client_command(
                "pg_dump", database, ["--format=custom", "--file", str(partial / DUMP)]
            ),
            database,
        )
        # The folder after the dump: every file the dump names is in the archive.
        if storage == "local":
            _tar_media(Path(settings.MEDIA_ROOT), partial / MEDIA)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.localtime(now).isoformat(),
            "database": {
                "name": database["NAME"],
                "host": database.get("HOST") or "",
                "port": str(database.get("PORT") or ""),
            },
            "file_storage": storage,
            "files_note": FILES_NOTES.get(storage, ""),
            "pg_dump_version": _run(
                [_program("pg_dump"), "--version"], database
            ).strip(),
            "files": {
                path.name: {"size": path.stat().st_size, "sha256": _sha256(path)}
                for path in sorted(partial.iterdir())
            },
        }
        (partial / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return folder


def backup_restore(*, folder: Path, force: bool, verbosity: int = 1) -> dict[str, Any]:
    """
    Restore the backup in `folder` into the settings' database, then migrate;
    return the backup's manifest.

    Every file is checked against the manifest first. The database must have
    no tables and MEDIA_ROOT (for a local-storage backup) no files; with
    `force` their contents are replaced: the database's tables are dropped in
    the same transaction that restores the backup.
    """
    manifest = backup_verify(folder=folder)
    if manifest["file_storage"] != settings.FILE_STORAGE:
        raise BackupError(
            f"Копия сделана при FILE_STORAGE={manifest['file_storage']}, а портал "
            f"настроен на FILE_STORAGE={settings.FILE_STORAGE}: файлы из копии "
            "будут ему не видны. Восстановите копию с той же настройкой хранилища."
        )
    database = _database_settings()
    tables = _tables()
    if tables and not force:
        raise BackupError(
            f"База данных «{database['NAME']}» не пуста (таблиц: {len(tables)}). "
            "Копия восстанавливается только в пустую базу. Чтобы заменить её "
            "содержимое копией, повторите с FORCE=1."
        )
    media_root = Path(settings.MEDIA_ROOT)
    has_media = MEDIA in manifest["files"]
    if has_media and not force and media_root.is_dir() and any(media_root.iterdir()):
        raise BackupError(
            f"Папка файлов {media_root} (MEDIA_ROOT) не пуста. Копия "
            "восстанавливается только в пустую папку; чтобы дописать файлы "
            "копии поверх, повторите с FORCE=1."
        )
    _restore_dump(folder / DUMP, database, drop=tables)
    if has_media:
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / MEDIA, "r:gz") as archive:
            archive.extractall(media_root, filter="data")
    call_command("migrate", interactive=False, verbosity=verbosity)
    return manifest


def backup_verify(*, folder: Path) -> dict[str, Any]:
    """Return the manifest of the backup in `folder` once every file matches it."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(
            f"В папке {folder} нет {MANIFEST}: это не копия портала или она не "
            "дописана."
        ) from None
    except ValueError as error:
        raise BackupError(f"{folder / MANIFEST} повреждён: {error}") from None
    files = manifest.get("files", {})
    if manifest.get("format") != FORMAT or DUMP not in files:
        raise BackupError(f"{folder / MANIFEST} не описывает копию портала.")
    for name, expected in files.items():
        path = folder / name
        if not path.is_file():
            raise BackupError(f"В копии нет файла {name}, указанного в {MANIFEST}.")
        if (path.stat().st_size, _sha256(path)) != (
            expected["size"],
            expected["sha256"],
        ):
            raise BackupError(
                f"Файл {path} не совпадает с контрольной суммой SHA-256 из "
                f"{MANIFEST}: копия повреждена, восстанавливать её нельзя."
            )
    return manifest


def _database_settings() -> dict[str, Any]:
    if connection.vendor != "postgresql":
        raise BackupError(
            "Резервное копирование и восстановление работают только с PostgreSQL, "
            f"а DATABASE_URL указывает на {connection.vendor}."
        )
    return connection.settings_dict


def _tables() -> list[str]:
    """Return the tables of the database outside PostgreSQL's own schemas."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname !~ '^pg_' "
            "AND n.nspname <> 'information_schema' ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


def _restore_dump(dump: Path, database: dict[str, Any], *, drop: list[str]) -> None:
    """
    Replay the dump through psql in a single transaction: an error anywhere
    rolls everything back.

    With tables in `drop` (a forced restore) they are dropped first, and the
    dump's other objects (functions, triggers) are dropped before their
    creation, so that the database ends as the backup was.
    """
    drops = ["-c", f"DROP TABLE IF EXISTS {', '.join(drop)} CASCADE"] if drop else []
    clean = ["--clean", "--if-exists"] if drop else []
    psql = _client_command(
        "psql",
        database,
        ["-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", *drops, "-f-"],
    )
    # pg_restore writes the dump as SQL (no connection of its own); its errors
    # go to a file, so that a full pipe never blocks it while psql reads.
    with tempfile.TemporaryFile() as errors:
        restore = [_program("pg_restore"), "--no-owner", "--no-privileges", *clean]
        script = subprocess.Popen(  # noqa: S603
            [*restore, "-f-", str(dump)], stdout=subprocess.PIPE, stderr=errors
        )
        with script:
            _run(psql, database, stdin=script.stdout)
        if script.returncode:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()
            raise BackupError(f"pg_restore завершился с ошибкой: {message}")


def _client_command(
    program: str, database: dict[str, Any], parameters: Sequence[str]
) -> list[str]:
    """Return `program` with the connection options `manage.py dbshell` would use."""
    args, _ = DatabaseClient.settings_to_cmd_args_env(
        database, ["--no-password", *parameters]
    )
    return [_program(program), *args[1:]]


def _run(args: list[str], database: dict[str, Any], *, stdin: Any = None) -> str:
    """Run a PostgreSQL client program; return its output or raise BackupError."""
    _, env = DatabaseClient.settings_to_cmd_args_env(database, [])
    result = subprocess.run(  # noqa: S603
        args,
        stdin=stdin,
        capture_output=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if result.returncode:
        errors = result.stderr.decode(errors="replace").strip()
        raise BackupError(f"{Path(args[0]).name} завершился с ошибкой: {errors}")
    return result.stdout.decode(errors="replace")


def _program(name: str) -> str:
    """Return the path of a PostgreSQL client program, or say how to install it."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"Не найдена программа {name}: установите клиент PostgreSQL "
            "(пакет postgresql-client) той же версии, что и сервер, или новее."
        )
    return path


def _tar_media(media_root: Path, target: Path) -> None:
    with tarfile.open(target, "w:gz") as archive:
        if media_root.is_dir():
            for path in sorted(media_root.iterdir()):
                archive.add(path, arcname=path.name)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
