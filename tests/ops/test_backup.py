"""
`make backup` and `make restore` (manage.py backup and restore) on PostgreSQL
databases of their own, created on 127.0.0.1:5432 and dropped afterwards.

The source is the demo municipality (reports in every state, identification
runs with their fingerprints) plus a file saved through the default storage
with FILE_STORAGE=database; it is backed up once and restored into fresh
empty databases. Each command runs as it does in production: a subprocess with
the base settings and DATABASE_URL pointing at the database under test.
"""

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest

from schools.backups import BackupError, backup_restore

ROOT = Path(__file__).resolve().parents[2]
# The server the test databases are made on (user postgres, no password).
SERVER = os.environ.get("BACKUP_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
FILE_NAME = "evidence/backup-check.bin"
# Every byte value, then Cyrillic text: bytea must come back byte for byte.
FILE_BYTES = bytes(range(256)) * 4 + "Акт проверки № 7".encode()


def _admin():
    connection = psycopg2.connect(f"{SERVER}/postgres", connect_timeout=3)
    connection.autocommit = True
    return connection


def _create_database(prefix: str) -> str:
    name = f"portal_backup_{prefix}_{secrets.token_hex(4)}"
    with closing(_admin()) as admin, admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    return name


def _drop_database(name: str) -> None:
    with closing(_admin()) as admin, admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _url(name: str) -> str:
    return f"{SERVER}/{name}"


def manage(
    *args: str, database: str, check: bool = True, **environment: str
) -> subprocess.CompletedProcess[str]:
    """Run manage.py with production settings against `database`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "REDIS_", "MEDIA_ROOT", "FILE_STORAGE"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": "backup-test-secret-key",
        "DATABASE_URL": _url(database),
        "FILE_STORAGE": "database",
        "LOG_LEVEL": "WARNING",
        **environment,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def _rows(database: str, query: str) -> list[tuple]:
    with (
        closing(psycopg2.connect(_url(database))) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute(query)
        rows = cursor.fetchall()
    return [
        tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows
    ]


def _tables(database: str) -> list[str]:
    return [
        name
        for (name,) in _rows(
            database,
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        )
    ]


def _snapshot(database: str) -> dict[str, list[tuple]]:
    """Return every row of every table of the public schema, in a stable order."""
    return {
        table: sorted(_rows(database, f'SELECT * FROM "{table}"'), key=repr)
        for table in _tables(database)
    }


def _single_folder(directory: Path) -> Path:
    (folder,) = directory.iterdir()
    return folder


@pytest.fixture(scope="module")
def server() -> None:
    try:
        _admin().close()
    except psycopg2.OperationalError as error:
        # The machines this suite runs on have PostgreSQL (README): its absence
        # is a broken machine, not a reason to pass without checking backups.
        pytest.fail(f"PostgreSQL на {SERVER} недоступен: {error}")


@pytest.fixture(scope="module")
def source(server) -> Iterator[str]:
    """The demo municipality, a stored file and identification runs."""
    name = _create_database("src")
    try:
        manage("migrate", "--noinput", "-v", "0", database=name)
        manage("load_demo", database=name)
        manage(
            "shell",
            "-v",
            "0",
            "-c",
            "from django.core.files.base import ContentFile;"
            "from django.core.files.storage import default_storage;"
            f"default_storage.save({FILE_NAME!r}, ContentFile({FILE_BYTES!r}))",
            database=name,
        )
        yield name
    finally:
        _drop_database(name)


@pytest.fixture(scope="module")
def backup(source, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("backups")
    manage("backup", "--dir", str(directory), database=source)
    return _single_folder(directory)


@pytest.fixture
def empty_database(server) -> Iterator[str]:
    name = _create_database("dst")
    try:
        yield name
    finally:
        _drop_database(name)


def test_backup_writes_the_dump_and_a_manifest_of_its_checksum(source, backup):
    """The manifest names the database and storage and holds the dump's SHA-256."""
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    dump = (backup / "database.dump").read_bytes()

    assert manifest["database"]["name"] == source
    assert manifest["file_storage"] == "database"
    assert "входят в дамп" in manifest["files_note"]
    assert manifest["files"] == {
        "database.dump": {
            "size": len(dump),
            "sha256": hashlib.sha256(dump).hexdigest(),
        }
    }
    assert dump.startswith(b"PGDMP")  # pg_dump's custom format


def test_restore_into_an_empty_database_brings_back_reports_files_and_fingerprints(
    source, backup, empty_database
):
    """The restored database holds the same reports, file bytes and fingerprints."""
    before = _snapshot(source)

    result = manage("restore", str(backup), database=empty_database)

    after = _snapshot(empty_database)
    assert "восстановлена" in result.stdout
    reports = "SELECT * FROM monitoring_report ORDER BY id"
    assert len(_rows(source, reports)) > 100
    assert _rows(empty_database, reports) == _rows(source, reports)
    staffing = "SELECT * FROM monitoring_staffingdata ORDER BY report_id"
    assert _rows(empty_database, staffing) == _rows(source, staffing)
    fingerprints = (
        "SELECT id, fingerprint FROM identification_identificationrun ORDER BY id"
    )
    assert len(_rows(source, fingerprints)) == 2
    assert all(len(fp) == 64 for _, fp in _rows(source, fingerprints))
    assert _rows(empty_database, fingerprints) == _rows(source, fingerprints)
    read_back = manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.core.files.storage import default_storage;"
        f"print(default_storage.open({FILE_NAME!r}).read().hex())",
        database=empty_database,
    )
    assert bytes.fromhex(read_back.stdout.strip()) == FILE_BYTES
    assert after == before


def test_restore_refuses_a_database_that_has_tables(source, backup):
    """A database with tables is left alone and the operator told about FORCE=1."""
    before = _snapshot(source)

    result = manage("restore", str(backup), database=source, check=False)

    assert result.returncode == 1
    assert "не пуста" in result.stderr
    assert "FORCE=1" in result.stderr
    assert _snapshot(source) == before


def test_restore_refuses_a_backup_whose_checksum_does_not_match(backup, tmp_path):
    """A dump changed after the backup is refused before any database is touched."""
    damaged = shutil.copytree(backup, tmp_path / backup.name)
    dump = damaged / "database.dump"
    content = bytearray(dump.read_bytes())
    content[len(content) // 2] ^= 0xFF
    dump.write_bytes(bytes(content))

    with pytest.raises(BackupError, match="контрольной суммой SHA-256"):
        backup_restore(folder=damaged, force=True)


def test_restore_with_force_replaces_what_the_database_held(
    source, backup, empty_database
):
    """FORCE=1 drops the tables there were and leaves the database as backed up."""
    with closing(psycopg2.connect(_url(empty_database))) as connection:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE stale (note text)")
            cursor.execute("INSERT INTO stale VALUES ('не из копии')")
        connection.commit()

    manage("restore", str(backup), "--force", database=empty_database)

    assert "stale" not in _tables(empty_database)
    assert _snapshot(empty_database) == _snapshot(source)


def test_restore_refuses_a_backup_of_another_storage_kind(backup, settings):
    """Files kept in the database are not restored into a portal that reads a folder."""
    settings.FILE_STORAGE = "local"

    with pytest.raises(BackupError, match="FILE_STORAGE=database"):
        backup_restore(folder=backup, force=True)


def test_backup_with_local_storage_carries_the_media_folder(
    source, empty_database, tmp_path
):
    """With FILE_STORAGE=local, MEDIA_ROOT travels as a checked tar.gz."""
    media = tmp_path / "media"
    (media / "imports" / "2021").mkdir(parents=True)
    (media / "imports" / "2021" / "пакет.xlsx").write_bytes(FILE_BYTES)
    local = {"FILE_STORAGE": "local", "MEDIA_ROOT": str(media)}
    manage("backup", "--dir", str(tmp_path / "backups"), database=source, **local)
    folder = _single_folder(tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    restored = tmp_path / "restored-media"

    manage(
        "restore",
        str(folder),
        database=empty_database,
        FILE_STORAGE="local",
        MEDIA_ROOT=str(restored),
    )

    assert manifest["file_storage"] == "local"
    assert set(manifest["files"]) == {"database.dump", "media.tar.gz"}
    assert (restored / "imports" / "2021" / "пакет.xlsx").read_bytes() == FILE_BYTES


def test_backup_with_s3_storage_says_the_store_keeps_the_files(source, tmp_path):
    """With FILE_STORAGE=s3 only the database is copied, and the backup says so."""
    result = manage(
        "backup",
        "--dir",
        str(tmp_path),
        database=source,
        FILE_STORAGE="s3",
        S3_BUCKET="portal",
    )

    manifest = json.loads(
        (_single_folder(tmp_path) / "manifest.json").read_text(encoding="utf-8")
    )
    assert "объектном хранилище" in result.stdout
    assert manifest["file_storage"] == "s3"
    assert "объектном хранилище" in manifest["files_note"]
    assert set(manifest["files"]) == {"database.dump"}


def test_backup_refuses_a_database_other_than_postgresql(tmp_path):
    """SQLite (the demo's database) is not backed up by pg_dump; the operator is told."""
    result = manage(
        "backup",
        "--dir",
        str(tmp_path / "backups"),
        database="unused",
        check=False,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    assert result.returncode == 1
    assert "только с PostgreSQL" in result.stderr
    assert not (tmp_path / "backups").exists()
